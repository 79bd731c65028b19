import { z } from 'zod';
import { ConfigError, ConfigErrorCode, readJsonFile, Secret, toConfigIssues } from '@rotation/config';
import { AlertKind, Severity } from '@rotation/schemas';

/** Largest sinks file read; a real one is a few KiB. */
export const MAX_FILE_BYTES = 1024 * 1024;

const httpUrl = z
  .string()
  .max(2048)
  .refine((s) => {
    try {
      const u = new URL(s);
      return u.protocol === 'http:' || u.protocol === 'https:';
    } catch {
      return false;
    }
  }, 'must be an http:// or https:// URL')
  // fetch() refuses such URLs on every attempt, which looked like endless network errors: say so at load.
  .refine((s) => {
    try {
      const u = new URL(s);
      return u.username === '' && u.password === '';
    } catch {
      return true;
    }
  }, 'must not embed credentials (user:pass@); send them in "headers", e.g. {"Authorization": "Basic …"}');

/**
 * One webhook sink. Defaults are chosen for a receiver that is sometimes down for minutes:
 * 8 attempts with a 1 s base and 60 s cap span roughly two to four minutes before a dead letter.
 *   {"name":"ops","url":"https://hooks.example.com/rotation","secret":"…","minSeverity":"warning"}
 */
export const SinkConfig = z.strictObject({
  name: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$/, 'letters, digits, "_", "." or "-", at most 63 characters'),
  /** May embed a credential (Slack webhook URLs do): never logged. */
  url: httpUrl,
  /**
   * `json`: {"v":1,"alert":{…}} signed with HMAC; `slack`: {"text":"…"} for Slack-compatible
   * incoming webhooks; `discord`: {"embeds":[…]} for Discord's own webhook endpoint.
   */
  format: z.enum(['json', 'slack', 'discord']).default('json'),
  /** HMAC-SHA256 key for X-Rotation-Signature. At least 16 characters. */
  secret: z
    .string()
    .min(16, 'a signing secret needs at least 16 characters')
    .max(512)
    .transform((s) => new Secret(s))
    .optional(),
  /**
   * The owner id (JWT `sub` or token name) this sink belongs to: it receives only that owner's
   * rule alerts whose rule names it (docs/rules.md), never the built-in alerts.
   */
  owner: z.string().regex(/^[A-Za-z0-9._@|:+-]{1,128}$/, 'an owner id: 1-128 letters, digits or . _ @ | : + -').optional(),
  /** Only these alert kinds (default: all). */
  kinds: z.array(AlertKind).min(1).optional(),
  /** Only alerts at least this severe. */
  minSeverity: Severity.default('info'),
  timeoutMs: z.int().min(100).max(120_000).default(5_000),
  /** Attempts per alert (the first included) before it is dead-lettered. */
  maxAttempts: z.int().min(1).max(50).default(8),
  backoff: z
    .strictObject({ baseMs: z.int().min(1).max(600_000).default(1_000), capMs: z.int().min(1).max(3_600_000).default(60_000) })
    .refine((b) => b.capMs >= b.baseMs, { message: 'capMs must be >= baseMs', path: ['capMs'] })
    .default({ baseMs: 1_000, capMs: 60_000 }),
  /** Alerts waiting per sink; beyond it the newest is dead-lettered as queue_full. */
  queueSize: z.int().min(1).max(100_000).default(1_000),
  /** Extra request headers (e.g. a receiver's own auth). Never logged. */
  headers: z.record(z.string().regex(/^[A-Za-z0-9-]{1,64}$/, 'header names are letters, digits and "-"'), z.string().max(2048)).optional(),
});
export type SinkConfig = z.infer<typeof SinkConfig>;
export type SinkConfigInput = z.input<typeof SinkConfig>;

/** The file named by WEBHOOKS_FILE. */
export const WebhooksFile = z
  .strictObject({ sinks: z.array(SinkConfig).max(64) })
  .superRefine((file, ctx) => {
    const seen = new Set<string>();
    file.sinks.forEach((s, i) => {
      if (seen.has(s.name)) ctx.addIssue({ code: 'custom', path: ['sinks', i, 'name'], message: `duplicate sink name "${s.name}"` });
      seen.add(s.name);
    });
  });
export type WebhooksFile = z.infer<typeof WebhooksFile>;

export function parseWebhooksFile(json: unknown, source = 'webhooks'): WebhooksFile {
  const result = WebhooksFile.safeParse(json);
  if (!result.success) throw new ConfigError(ConfigErrorCode.invalidFile, source, toConfigIssues(result.error));
  return result.data;
}

/** Reads and validates the sinks file; every problem names the file and the failing path. */
export function loadWebhooksFile(file: string): WebhooksFile {
  return parseWebhooksFile(readJsonFile(file, MAX_FILE_BYTES), file);
}

