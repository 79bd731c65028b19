export interface ConnectionCapsOptions {
  /** Open connections one credential may hold; 0 = no cap. */
  perToken: number;
  /** Open connections one remote address may hold; 0 = no cap. */
  perIp: number;
}

export type CapDecision = { ok: true; release: () => void } | { ok: false; limit: 'token' | 'ip'; max: number };

/**
 * Counts open connections per credential and per remote address, so one token (or one host)
 * cannot take every slot of the instance-wide cap and lock everyone else out. `credential` is
 * undefined when auth is off: anonymous clients are told apart by address only.
 */
export class ConnectionCaps {
  readonly #byToken = new Map<string, number>();
  readonly #byIp = new Map<string, number>();

  constructor(private readonly options: ConnectionCapsOptions) {}

  tryAcquire(credential: string | undefined, ip: string | undefined): CapDecision {
    const { perToken, perIp } = this.options;
    if (credential !== undefined && perToken > 0 && (this.#byToken.get(credential) ?? 0) >= perToken) return { ok: false, limit: 'token', max: perToken };
    if (ip !== undefined && perIp > 0 && (this.#byIp.get(ip) ?? 0) >= perIp) return { ok: false, limit: 'ip', max: perIp };
    if (credential !== undefined) bump(this.#byToken, credential, 1);
    if (ip !== undefined) bump(this.#byIp, ip, 1);
    let released = false;
    // Idempotent: the socket's close and a failed handshake may both report the end.
    const release = () => {
      if (released) return;
      released = true;
      if (credential !== undefined) bump(this.#byToken, credential, -1);
      if (ip !== undefined) bump(this.#byIp, ip, -1);
    };
    return { ok: true, release };
  }

  countFor(credential: string): number {
    return this.#byToken.get(credential) ?? 0;
  }

  countForIp(ip: string): number {
    return this.#byIp.get(ip) ?? 0;
  }
}

function bump(map: Map<string, number>, key: string, by: number): void {
  const n = (map.get(key) ?? 0) + by;
  // Deleted at zero so a stream of one-off addresses does not grow the map for ever.
  if (n <= 0) map.delete(key);
  else map.set(key, n);
}
