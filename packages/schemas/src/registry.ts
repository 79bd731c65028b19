import type { z } from 'zod';
import { Alert } from './alert.js';
import { DeadLetter } from './dead-letter.js';
import { Snapshot, SnapshotRecord } from './snapshot.js';
import { LaneWatermark, Tick } from './tick.js';
import { CorporateAction, TradeCancel, TradeCorrection } from './trade-events.js';
import { ClientCommand, ServerMessage } from './websocket.js';
import { RulePatch, RuleRecord, RuleSpec, RuleView } from './rules.js';
import { HistoryPage, RrgHistoryEntry, WindowHistoryEntry } from './history.js';

/** Every message shape with its published name: the JSON Schema export walks this list. */
export const registry: ReadonlyArray<{ name: string; title: string; schema: z.ZodType }> = [
  { name: 'tick', title: 'Tick (record value on <ns>.ticks)', schema: Tick },
  { name: 'lane-watermark', title: 'Lane watermark (record value on <ns>.ticks, key "watermark": live sources, and the end of stream of finite ones)', schema: LaneWatermark },
  { name: 'trade-cancel', title: 'Trade cancel (record value on <ns>.ticks, key = symbol: a busted print taken back)', schema: TradeCancel },
  { name: 'trade-correction', title: 'Trade correction (record value on <ns>.ticks, key = symbol: a print replaced)', schema: TradeCorrection },
  { name: 'corporate-action', title: 'Corporate action (record value on <ns>.ticks, key = symbol: split, reverse split or dividend)', schema: CorporateAction },
  { name: 'dead-letter', title: 'Dead letter (record value on <ns>.ticks.dlq)', schema: DeadLetter },
  { name: 'alert', title: 'Alert (record value on <ns>.alerts)', schema: Alert },
  { name: 'snapshot', title: 'Snapshot (GET /api/v1/snapshot)', schema: Snapshot },
  { name: 'snapshot-record', title: 'Snapshot record (record value on <ns>.snapshots, Redis <ns>:snapshot)', schema: SnapshotRecord },
  { name: 'rule', title: 'Alert rule (POST /api/v1/rules body)', schema: RuleSpec },
  { name: 'rule-patch', title: 'Alert rule change (PATCH /api/v1/rules/{id} body)', schema: RulePatch },
  { name: 'rule-view', title: 'Alert rule as the rules API answers it', schema: RuleView },
  { name: 'rule-record', title: 'Rule record (record value on <ns>.rules, compacted, key = rule id)', schema: RuleRecord },
  { name: 'history-page', title: 'History page (GET /api/v1/history)', schema: HistoryPage },
  { name: 'window-history-entry', title: 'Window history entry (Redis stream <ns>:history:window:<w>, field p)', schema: WindowHistoryEntry },
  { name: 'rrg-history-entry', title: 'RRG history entry (Redis stream <ns>:history:rrg, field p)', schema: RrgHistoryEntry },
  { name: 'ws-client-command', title: 'WebSocket client -> server command', schema: ClientCommand },
  { name: 'ws-server-message', title: 'WebSocket server -> client message', schema: ServerMessage },
];
