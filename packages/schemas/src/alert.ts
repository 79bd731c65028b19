import { z } from 'zod';
import { Severity, WindowLabel } from './primitives.js';

export const AlertKind = z.enum([
  'leadership_change',
  'size_regime_change',
  'spread_zscore',
  'rrg_quadrant_change',
  'breadth_thrust',
]);
export type AlertKind = z.infer<typeof AlertKind>;

/**
 * `rule`: an alert of a user's own rule (docs/rules.md). It carries its owner and rule, is
 * delivered to that owner only (`alerts:mine`, the owner's webhook sinks) and to admins
 * (`alerts:rules`), and never on `alerts` or `alerts:<kind>`.
 */
export const ALERT_KIND_RULE = 'rule';

/**
 * A record on `<ns>.alerts` and an entry of the Redis alert history.
 *   {"id":"a_3f9c…","kind":"size_regime_change","severity":"warning","subject":"IWM/SPY",
 *    "window":"7d","eventTime":"2024-03-08T21:00:00.000Z",
 *    "message":"Small caps lead: IWM +3.25% vs SPY -0.72% over 7d (spread +3.97 pp)",
 *    "metrics":{"smallReturnPct":3.25,"largeReturnPct":-0.72,"spreadPp":3.97}}
 * `id` is derived from kind, subject, window and event time only, so replaying the same
 * input yields the same ids. `seq` is the alert's position in the namespace's history: the
 * detector assigns it in the same Redis transaction that appends the alert to the history
 * stream, and the Kafka record carries it, so every gateway instance numbers alerts alike.
 */
export const Alert = z.strictObject({
  id: z.string().min(1).max(64),
  kind: z.union([AlertKind, z.literal(ALERT_KIND_RULE)]),
  severity: Severity,
  subject: z.string().min(1).max(64),
  window: WindowLabel.optional(),
  eventTime: z.iso.datetime(),
  message: z.string().min(1).max(512),
  metrics: z.record(z.string(), z.union([z.number(), z.string(), z.null(), z.boolean()])),
  seq: z.int().min(1).optional(),
  /** Rule alerts only: whose rule fired, which one, and where its owner wants it. */
  owner: z.string().min(1).max(128).optional(),
  rule: z.string().min(1).max(64).optional(),
  deliver: z.strictObject({ websocket: z.boolean(), webhook: z.string().max(64).optional() }).optional(),
});
export type Alert = z.infer<typeof Alert>;
