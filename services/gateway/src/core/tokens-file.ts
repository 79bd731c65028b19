import { z } from 'zod';
import { parseTokenEntry, type NamedToken } from './auth.js';

const MIN_TOKEN_CHARS = 16;

/** GATEWAY_AUTH_TOKENS_FILE: named API tokens, for deployments that keep them out of the environment. */
export const TokensFile = z.strictObject({
  tokens: z
    .array(
      z.strictObject({
        name: z.string().regex(/^[A-Za-z0-9._@-]{1,64}$/, '1-64 letters, digits or . _ @ -'),
        token: z.string().min(MIN_TOKEN_CHARS, `at least ${MIN_TOKEN_CHARS} characters`).max(4096).regex(/^[^\s,:]+$/, 'no spaces, commas or colons'),
        admin: z.boolean().default(false),
      }),
    )
    .max(10_000),
});

/**
 * Every static token the gateway accepts: GATEWAY_AUTH_TOKENS entries and the file's. Throws
 * a message naming the entry's position (never the token) for a malformed entry or a name
 * given twice: two tokens of one name are fine (rotation), two names for one token are not.
 */
export function collectTokens(entries: readonly string[], file: unknown): NamedToken[] {
  const out: NamedToken[] = [];
  entries.forEach((entry, i) => {
    const parsed = parseTokenEntry(entry);
    if (typeof parsed === 'string') throw new Error(`GATEWAY_AUTH_TOKENS entry ${i + 1}: ${parsed}`);
    out.push(parsed);
  });
  if (file !== undefined) {
    const r = TokensFile.safeParse(file);
    if (!r.success) throw new Error(`tokens file: ${r.error.issues.map((x) => `${x.path.join('.')}: ${x.message}`).join('; ')}`);
    out.push(...r.data.tokens);
  }
  const owners = new Map<string, string | undefined>();
  for (const t of out) {
    const seen = owners.get(t.token);
    if (owners.has(t.token) && seen !== t.name) throw new Error('one token is given two different names; each token must name one owner');
    owners.set(t.token, t.name);
  }
  return out;
}
