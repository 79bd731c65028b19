/**
 * What a stop signal means for a process run from a terminal, through `pnpm <script>`: one
 * Ctrl-C reaches it twice, from the terminal (to the whole foreground group) and relayed by
 * pnpm. A second signal only means "stop waiting" when it comes a moment after the first.
 */
export type SignalMeaning = 'stop' | 'same' | 'again';

/** The window within which a second signal is the same Ctrl-C, relayed. */
export const SAME_SIGNAL_MS = 1_500;

export function signalGate(now: () => number = Date.now, windowMs = SAME_SIGNAL_MS): () => SignalMeaning {
  let firstAt: number | undefined;
  return () => {
    const t = now();
    if (firstAt === undefined) {
      firstAt = t;
      return 'stop';
    }
    return t - firstAt < windowMs ? 'same' : 'again';
  };
}
