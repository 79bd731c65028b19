import { createHash } from 'node:crypto';
import type { Alert, AlertKind, Severity } from '@rotation/schemas';

type AnyKind = Alert['kind'];
import { round } from './stats.js';

/**
 * Deterministic alert id: a hash of what identifies the event (kind, subject, window, event
 * time, and a discriminator such as the role), so replaying the same input yields the same id.
 */
export function alertId(kind: AnyKind, subject: string, window: string | undefined, eventTime: string, discriminator = ''): string {
  const h = createHash('sha256').update(`${kind}|${subject}|${window ?? ''}|${eventTime}|${discriminator}`).digest('hex');
  return `a_${h.slice(0, 24)}`;
}

/** "+3.25%" / "-0.72%": always signed, two decimals, so direction reads at a glance. */
export function pct(x: number): string {
  return `${signed(x)}%`;
}

/** "+3.97 pp" */
export function pp(x: number): string {
  return `${signed(x)} pp`;
}

function signed(x: number): string {
  const r = round(x, 2);
  const v = Object.is(r, -0) ? 0 : r;
  return `${v >= 0 ? '+' : '-'}${Math.abs(v).toFixed(2)}`;
}

export type AlertDraft = Omit<Alert, 'seq'>;

/** What an alert says; `discriminator` tells apart two alerts of one kind, subject and time (leader and laggard). */
export interface AlertSpec {
  kind: AlertKind;
  severity: Severity;
  subject: string;
  window?: string;
  /** Event time, epoch ms. */
  t: number;
  message: string;
  metrics: Alert['metrics'];
  discriminator?: string;
}

export function makeAlert({ kind, severity, subject, window, t, message, metrics, discriminator = '' }: AlertSpec): AlertDraft {
  const eventTime = new Date(t).toISOString();
  const rounded: Alert['metrics'] = {};
  for (const [k, v] of Object.entries(metrics)) rounded[k] = typeof v === 'number' ? round(v, 4) : v;
  return {
    id: alertId(kind, subject, window, eventTime, discriminator),
    kind,
    severity,
    subject,
    ...(window !== undefined ? { window } : {}),
    eventTime,
    message,
    metrics: rounded,
  };
}
