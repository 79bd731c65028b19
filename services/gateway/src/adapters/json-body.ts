import type { IncomingMessage } from 'node:http';

/** How an HTTP route answers: status, JSON body, extra headers. */
export type Reply = (status: number, body: unknown, headers?: Record<string, string>) => void;

/**
 * Reads a request's JSON body of at most `maxBytes` (declared or streamed) and hands it to
 * `use`; answers 415 (not application/json), 413 (too large) and 400 (not JSON) itself, naming
 * `what` the body should have been.
 */
export async function withJsonBody(req: IncomingMessage, reply: Reply, limit: { maxBytes: number; what: string }, use: (body: unknown) => Promise<void>): Promise<void> {
  if (!/^application\/json\b/i.test(req.headers['content-type'] ?? '')) return reply(415, { error: `send the ${limit.what} as Content-Type: application/json` });
  const tooLarge = () => reply(413, { error: `a ${limit.what} request is at most ${limit.maxBytes} bytes` });
  if (Number(req.headers['content-length'] ?? 0) > limit.maxBytes) return tooLarge();
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.byteLength;
    if (size > limit.maxBytes) return tooLarge();
    chunks.push(chunk);
  }
  let body: unknown;
  try {
    body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    return reply(400, { error: 'the body is not JSON' });
  }
  await use(body);
}
