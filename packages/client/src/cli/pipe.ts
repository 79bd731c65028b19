/**
 * A reader that goes away (`rotation watch --json | head -n 1`) makes the next write to stdout
 * fail with EPIPE, emitted as an 'error' event that crashes the process when nobody listens.
 * For a watcher that is the normal way to be stopped: the returned promise resolves, and the
 * caller shuts down quietly with exit code 0. Any other error on the streams rejects it.
 */
export interface ErrorSource {
  on(event: 'error', listener: (error: Error & { code?: string }) => void): unknown;
}

export function pipeClosed(streams: readonly ErrorSource[]): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    for (const stream of streams) {
      // `on`, not `once`: writes already queued fail too, and each of those failures is expected.
      stream.on('error', (error) => (error.code === 'EPIPE' ? resolve() : reject(error)));
    }
  });
}
