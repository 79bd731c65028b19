import { z } from 'zod';
import { EpochMs, Symbol } from './primitives.js';
import { PrintConditions, PrintEligibility } from './print.js';
import { TickSource } from './tick.js';

/** A calendar date, YYYY-MM-DD (an exchange session's date in New York). */
export const CalendarDate = z
  .string()
  .regex(/^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/, 'date must be YYYY-MM-DD')
  // 2024-02-30 has the shape but is no day: it must not reach a calendar lookup.
  .refine((d) => {
    const t = Date.parse(`${d}T00:00:00Z`);
    return Number.isFinite(t) && new Date(t).toISOString().startsWith(d);
  }, 'no such calendar date');
export type CalendarDate = z.infer<typeof CalendarDate>;

const TradeId = z.string().min(1).max(64);

/** What a cancel and a correction say of the print they amend: its symbol, time, id, price and size. */
const amendedPrint = {
  v: z.literal(1),
  symbol: Symbol,
  ts: EpochMs,
  tsNanos: z.int().min(0).max(999_999).optional(),
  source: TickSource,
  id: TradeId,
  price: z.number().positive(),
  size: z.number().min(0).optional(),
  sourceMaxTs: EpochMs.optional(),
};
const sourceMaxAtLeastTs = (t: { ts: number; sourceMaxTs?: number | undefined }) => t.sourceMaxTs === undefined || t.sourceMaxTs >= t.ts;
const sourceMaxIssue = { path: ['sourceMaxTs'], message: 'sourceMaxTs must be >= ts' };

/**
 * A busted print taken back (Alpaca `T:"x"`), on `<ns>.ticks` with key = symbol so it follows
 * the print it cancels. `ts`/`tsNanos` and `id` are the cancelled print's; `price` and `size`
 * are what the provider says it was. The detector takes the print back while its step is
 * still open (within the allowed lateness) and dead-letters the cancel as `late_cancel` after.
 *   {"v":1,"type":"cancel","symbol":"NVDA","ts":1732369200000,"source":"alpaca","id":"D-4868","price":36.18,"size":31800}
 */
export const TradeCancel = z
  .strictObject({
    ...amendedPrint,
    type: z.literal('cancel'),
    /** `C` cancel, `E` error (Alpaca's `a`); both take the print back. */
    action: z.enum(['cancel', 'error']).optional(),
  })
  .refine(sourceMaxAtLeastTs, sourceMaxIssue);
export type TradeCancel = z.infer<typeof TradeCancel>;

/**
 * A print replaced (Alpaca `T:"c"`): the original (`id`, `price`, `conditions`) no longer
 * counts, the corrected one does, at the original's event time, if its conditions are eligible.
 *   {"v":1,"type":"correction","symbol":"AAPL","ts":1611743734828,"source":"alpaca","id":"Q-1532","price":144.6,
 *    "corrected":{"id":"Q-1533","price":144.46,"size":25,"eligibility":{"last":true,"volume":true}}}
 */
export const TradeCorrection = z
  .strictObject({
    ...amendedPrint,
    type: z.literal('correction'),
    conditions: PrintConditions.optional(),
    corrected: z.strictObject({
      id: TradeId.optional(),
      price: z.number().positive(),
      size: z.number().min(0).optional(),
      conditions: PrintConditions.optional(),
      eligibility: PrintEligibility.optional(),
    }),
  })
  .refine(sourceMaxAtLeastTs, sourceMaxIssue);
export type TradeCorrection = z.infer<typeof TradeCorrection>;

export const CorporateActionKind = z.enum(['split', 'reverse_split', 'dividend']);
export type CorporateActionKind = z.infer<typeof CorporateActionKind>;

/**
 * A corporate action as data in the log, on `<ns>.ticks` with key = symbol, published before
 * its ex-date. `ratio` is new shares per old share (2 for a 2-for-1 split, 0.1 for a 1-for-10
 * reverse split): prices before the ex-date are divided by it. `amount` is a cash dividend per
 * share, in the price currency. `ts` is when the source published it; it moves no watermark.
 *   {"v":1,"type":"corporate_action","symbol":"NVDA","action":"split","exDate":"2024-06-10","ratio":10,"source":"alpaca","ts":1717000000000}
 */
export const CorporateAction = z
  .strictObject({
    v: z.literal(1),
    type: z.literal('corporate_action'),
    symbol: Symbol,
    action: CorporateActionKind,
    exDate: CalendarDate,
    // 1-for-10,000 to 10,000-for-1: beyond that a ratio is a typo, and 1/ratio would overflow the history.
    ratio: z.number().min(1e-4).max(1e4).optional(),
    amount: z.number().positive().finite().optional(),
    source: TickSource,
    /** The provider's id of the action, when it has one (so a re-fetch is recognised). */
    id: z.string().min(1).max(64).optional(),
    ts: EpochMs,
    /**
     * The newest event time the source had published when it published this action (stamped by
     * the ingester): an action published after its ex-date session began is applied late, at
     * the first step after this time, whatever the partitioning.
     */
    sourceMaxTs: EpochMs.optional(),
  })
  .superRefine((a, ctx) => {
    if (a.action === 'dividend') {
      if (a.amount === undefined) ctx.addIssue({ code: 'custom', path: ['amount'], message: 'a dividend needs amount (cash per share)' });
      if (a.ratio !== undefined) ctx.addIssue({ code: 'custom', path: ['ratio'], message: 'a dividend has no ratio' });
      return;
    }
    if (a.ratio === undefined) ctx.addIssue({ code: 'custom', path: ['ratio'], message: `a ${a.action} needs ratio (new shares per old share)` });
    else if (a.action === 'split' && a.ratio <= 1) ctx.addIssue({ code: 'custom', path: ['ratio'], message: 'a split has ratio > 1 (new shares per old share)' });
    else if (a.action === 'reverse_split' && a.ratio >= 1) ctx.addIssue({ code: 'custom', path: ['ratio'], message: 'a reverse split has ratio < 1 (new shares per old share)' });
    if (a.amount !== undefined) ctx.addIssue({ code: 'custom', path: ['amount'], message: `a ${a.action} has no amount` });
  });
export type CorporateAction = z.infer<typeof CorporateAction>;

/** Every record on `<ns>.ticks` that is not a tick or a watermark carries a `type`. */
export const TradeEvent = z.union([TradeCancel, TradeCorrection, CorporateAction]);
export type TradeEvent = TradeCancel | TradeCorrection | CorporateAction;

/** Validates a ticks-topic record that has a `type`; the zod message on failure. */
export function parseTradeEvent(x: unknown): { ok: true; event: TradeEvent } | { ok: false; message: string } {
  const type = typeof x === 'object' && x !== null ? (x as { type?: unknown }).type : undefined;
  const schema = type === 'cancel' ? TradeCancel : type === 'correction' ? TradeCorrection : type === 'corporate_action' ? CorporateAction : undefined;
  if (!schema) return { ok: false, message: `type: expected "cancel", "correction" or "corporate_action", got ${JSON.stringify(type)?.slice(0, 40)}` };
  const r = schema.safeParse(x);
  if (r.success) return { ok: true, event: r.data as TradeEvent };
  const issue = r.error.issues[0];
  return { ok: false, message: `${issue?.path.join('.') || '(root)'}: ${issue?.message ?? 'invalid'}` };
}
