/**
 * Server-Sent Events (`GET /api/v1/events`): what a request asks for and how positions are
 * written. Pure; the adapter (adapters/sse.ts) does the I/O. An SSE stream carries the
 * websocket's frames as they are (one `data:` line each); its `id:` is the alert position
 * `<epoch>:<seq>` (every alert channel of the stream is complete up to `seq`), so the
 * browser's `Last-Event-ID` resumes the stream exactly like a websocket resume.
 */
import { Channel } from '@rotation/schemas';
import type { AlertPosition } from './frames.js';

export const EVENTS_PATH = '/api/v1/events';

/** The `channels` parameter: a comma list, at most this long (32 channel names fit well within it). */
export const MAX_CHANNELS_PARAM = 2_048;
/** A Last-Event-ID: an epoch (a UUID in practice) and a seq. */
export const MAX_EVENT_ID = 128;

/** Resume position from `Last-Event-ID`; `epoch` undefined when the id is a bare seq. */
export interface StreamResume {
  epoch: string | undefined;
  seq: number;
}

export type StreamRequest = { ok: true; channels: Channel[]; resume: StreamResume | undefined } | { ok: false; error: string };

/**
 * `channels` (default `alerts`) and the resume position: the `Last-Event-ID` header (what
 * EventSource sends on a reconnect) or else the `lastEventId` query parameter (polyfills and
 * scripts that cannot set headers).
 */
export function parseStreamRequest(params: URLSearchParams, lastEventIdHeader: string | undefined, maxChannels: number): StreamRequest {
  const raw = params.getAll('channels').join(',');
  if (raw.length > MAX_CHANNELS_PARAM) return { ok: false, error: `channels is at most ${MAX_CHANNELS_PARAM} characters` };
  const names = raw === '' ? ['alerts'] : [...new Set(raw.split(',').map((s) => s.trim()).filter((s) => s !== ''))];
  const channels: Channel[] = [];
  const unknown: string[] = [];
  for (const name of names) {
    const parsed = Channel.safeParse(name);
    if (parsed.success) channels.push(parsed.data);
    else unknown.push(JSON.stringify(name.slice(0, 40)));
  }
  if (unknown.length > 0) return { ok: false, error: `unknown channel(s): ${unknown.slice(0, 5).join(', ')}` };
  if (channels.length === 0) return { ok: false, error: 'channels names at least one channel' };
  if (channels.length > maxChannels) return { ok: false, error: `at most ${maxChannels} channels per stream` };
  const rawId = lastEventIdHeader ?? params.get('lastEventId') ?? undefined;
  if (rawId === undefined || rawId === '') return { ok: true, channels, resume: undefined };
  const resume = parseEventId(rawId);
  if (!resume) return { ok: false, error: 'Last-Event-ID must be <epoch>:<seq> (the id of an event this endpoint sent) or a bare seq' };
  return { ok: true, channels, resume };
}

export function parseEventId(raw: string): StreamResume | undefined {
  if (raw.length > MAX_EVENT_ID) return undefined;
  const m = /^(?:([A-Za-z0-9._-]{1,64}):)?(\d{1,15})$/.exec(raw.trim());
  if (!m) return undefined;
  return { epoch: m[1], seq: Number(m[2]) };
}

export function formatEventId(p: AlertPosition): string {
  return `${p.epoch}:${p.seq}`;
}

/**
 * Whether a frame at `next` moves the stream's position on from `last`: a higher seq, or
 * another epoch (a resync into a new history). A resume from a bare seq has no epoch and
 * matches whatever epoch the gateway is in.
 */
export function advances(last: StreamResume | undefined, next: AlertPosition): boolean {
  if (!last) return true;
  if (last.epoch !== undefined && last.epoch !== next.epoch) return true;
  return next.seq > last.seq;
}
