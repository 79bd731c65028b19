import { tokenFrom, withoutToken } from './endpoints.js';

/** sessionStorage key: per tab, gone when the tab closes, never sent to any server. */
export const TOKEN_KEY = 'rotation.dashboard.token';

export interface TokenPlace {
  href: string;
  /** sessionStorage, or undefined where the browser refuses it. */
  storage: Pick<Storage, 'getItem' | 'setItem'> | undefined;
  /** history.replaceState: changes the address bar and the history entry without a reload. */
  replaceUrl: (href: string) => void;
}

/**
 * The page's token. A `?token=` link still works: on that first load the token moves from the
 * URL into sessionStorage and out of the address bar, history, bookmarks and screenshots. A
 * reload finds it in sessionStorage. A token in the URL always wins (a new link, a new token).
 */
export function adoptToken(place: TokenPlace): string | undefined {
  const fromUrl = tokenFrom(new URL(place.href).search);
  if (fromUrl) {
    try {
      place.storage?.setItem(TOKEN_KEY, fromUrl);
    } catch {
      // Storage full or refused: this load still works; a reload will ask for the token again.
    }
    place.replaceUrl(withoutToken(place.href));
    return fromUrl;
  }
  try {
    return place.storage?.getItem(TOKEN_KEY) || undefined;
  } catch {
    return undefined;
  }
}

/** window.sessionStorage, or undefined when reading it throws (storage disabled, sandboxed frames). */
export function sessionStore(): Storage | undefined {
  try {
    return globalThis.sessionStorage;
  } catch {
    return undefined;
  }
}
