import type { TickSource } from '@rotation/schemas';
import type { DecodePageResult } from '../../core/corporate-actions/decoded.js';
import type { ActionWindow } from '../../core/corporate-actions/window.js';

/** One paginated request: its first page, how to ask for the next, how to read a page. */
export interface ActionsQuery {
  /** For logs: what was asked, never a credential. */
  label: string;
  url: string;
  /** The URL of the page after `cursor` (the `next` of the page just read). */
  next(cursor: string): string;
  decode(body: unknown, fetchedAt: number): DecodePageResult;
}

/** What a provider contributes to the fetcher: its requests, its auth headers, and its secrets. */
export interface ActionsProvider {
  source: Extract<TickSource, 'alpaca' | 'polygon'>;
  headers: Record<string, string>;
  /** Values that must never reach a log line (scrubbed from every message). */
  secrets: string[];
  /** The variables to check when the provider rejects the credentials. */
  credentialHint: string;
  queries(window: ActionWindow): ActionsQuery[];
}
