import { z } from 'zod';
import { Alert, AlertKind } from './alert.js';
import { Breadth, RrgPoint, SectorWindow, SpreadPoint, type Snapshot } from './snapshot.js';

export const PROTOCOL_VERSION = 1;

export const StateChannel = z.enum(['spreads', 'sectors', 'rrg', 'breadth']);
export type StateChannel = z.infer<typeof StateChannel>;

/**
 * What a subject-scoped channel is about: a symbol (`XLK`, `SPY`) or a pair / basket comparison
 * (`IWM/SPY`, `AI/RSP`), as alerts' `subject` and spreads' `pair` name them.
 */
export const Subject = z.string().regex(/^[A-Za-z0-9._-]{1,16}(\/[A-Za-z0-9._-]{1,16})?$/);

/** The channels that can be scoped to one subject (`<channel>@<subject>`). */
export const SubjectChannelBase = z.enum(['alerts', ...AlertKind.options.map((k) => `alerts:${k}` as const), 'spreads', 'sectors', 'rrg']);
export type SubjectChannelBase = z.infer<typeof SubjectChannelBase>;

/**
 * `<channel>@<subject>`: only the alerts and state rows about one pair or symbol, e.g.
 * `alerts@IWM/SPY`, `spreads@IWM/SPY`, `rrg@XLK`, `alerts:rrg_quadrant_change@XLK`. A symbol also
 * matches the pairs it is part of (`spreads@SPY` has IWM/SPY and QQQ/SPY). Its own channel: own
 * `prevSeq` chain, own resume; frames shared by every subscriber of the same name.
 */
export const SubjectChannel = z.templateLiteral([SubjectChannelBase, '@', Subject]);
export type SubjectChannel = z.infer<typeof SubjectChannel>;

/**
 * `alerts`, `alerts:<kind>`, `alerts:mine` (the caller's own rule alerts), `alerts:rules`
 * (every owner's rule alerts: admins only), a state channel, or one of those scoped to a
 * subject (`SubjectChannel`; not `alerts:mine`, `alerts:rules` or `breadth`).
 */
export const Channel = z.union([
  z.literal('alerts'),
  z.templateLiteral(['alerts:', AlertKind]),
  z.literal('alerts:mine'),
  z.literal('alerts:rules'),
  StateChannel,
  SubjectChannel,
]);
export type Channel = z.infer<typeof Channel>;

const RequestId = z.string().min(1).max(64);

/**
 * Client -> server. `resume` maps a channel to the last seq the client saw on it.
 *   {"op":"subscribe","id":"r1","channels":["alerts","spreads"],"resume":{"alerts":41}}
 *   {"op":"subscribe","id":"r2","channels":["alerts@IWM/SPY","spreads@IWM/SPY","rrg@XLK"]}
 */
export const SubscribeCommand = z.strictObject({
  op: z.literal('subscribe'),
  id: RequestId,
  channels: z.array(Channel).min(1).max(32),
  resume: z.record(z.string(), z.int().min(0)).optional(),
  epoch: z.string().max(64).optional(),
});
/**   {"op":"unsubscribe","id":"r2","channels":["spreads"]} */
export const UnsubscribeCommand = z.strictObject({
  op: z.literal('unsubscribe'),
  id: RequestId,
  channels: z.array(Channel).min(1).max(32),
});
/**   {"op":"ping","id":"r3"} */
export const PingCommand = z.strictObject({ op: z.literal('ping'), id: RequestId });

export const ClientCommand = z.discriminatedUnion('op', [SubscribeCommand, UnsubscribeCommand, PingCommand]);
export type ClientCommand = z.infer<typeof ClientCommand>;

/** Error codes on `error` frames. Closed list; documented in docs/websocket-api.md. */
export const WsErrorCode = z.enum([
  'bad_json',
  'bad_command',
  'unknown_op',
  'unknown_channel',
  'too_many_subscriptions',
  'rate_limited',
  'frame_too_large',
  'history_unavailable',
  'forbidden_channel',
  'internal',
]);
export type WsErrorCode = z.infer<typeof WsErrorCode>;

/**   {"type":"welcome","version":1,"serverTime":"…","heartbeatMs":15000,"epoch":"e1","instance":"gw-1"} */
export const WelcomeMessage = z.strictObject({
  type: z.literal('welcome'),
  version: z.literal(PROTOCOL_VERSION),
  serverTime: z.iso.datetime(),
  heartbeatMs: z.int().positive(),
  epoch: z.string(),
  instance: z.string(),
});
export const SubscribedMessage = z.strictObject({
  type: z.literal('subscribed'),
  id: RequestId,
  channels: z.array(Channel),
});
export const UnsubscribedMessage = z.strictObject({
  type: z.literal('unsubscribed'),
  id: RequestId,
  channels: z.array(Channel),
});

/**
 * State channels only: the event time (market clock) of the detector snapshot the value comes
 * from, its `asOf`; null before the first snapshot. Optional: gateways before 0.3 omit it.
 */
const AsOf = z.iso.datetime().nullable().optional();

/** What each plain state channel carries. */
export interface StateValues {
  spreads: SpreadPoint[];
  sectors: SectorWindow[];
  rrg: RrgPoint[];
  breadth: Breadth;
}

/** A state channel's value in a detector snapshot; before the first snapshot, empty (`[]`, a breadth of nulls). */
export function stateValueOf<C extends StateChannel>(snapshot: Snapshot | undefined, channel: C): StateValues[C] {
  const values: StateValues = {
    spreads: snapshot?.spreads ?? [],
    sectors: snapshot?.sectors ?? [],
    rrg: snapshot?.rrg ?? [],
    breadth: snapshot?.breadth ?? { sectorsBeatingBenchmarkPct: null, sectorsLeadingOrImprovingPct: null, constituents: null },
  };
  return values[channel];
}

/** Any channel that carries alerts: `alerts`, `alerts:<kind>`, `alerts:mine`, `alerts:rules`, and their `@<subject>` forms. */
export const AlertChannel = z.union([
  z.literal('alerts'),
  z.templateLiteral(['alerts:', AlertKind]),
  z.literal('alerts:mine'),
  z.literal('alerts:rules'),
  z.templateLiteral(['alerts', '@', Subject]),
  z.templateLiteral(['alerts:', AlertKind, '@', Subject]),
]);
export type AlertChannel = z.infer<typeof AlertChannel>;

const scoped = <B extends 'spreads' | 'sectors' | 'rrg'>(base: B) => z.union([z.literal(base), z.templateLiteral([base, '@', Subject])]);

const stateSnapshot = <C extends z.ZodType, D extends z.ZodType>(channel: C, data: D) =>
  z.strictObject({ type: z.literal('snapshot'), channel, epoch: z.string(), seq: z.int().min(0), asOf: AsOf, data });
const stateEvent = <C extends z.ZodType, D extends z.ZodType>(channel: C, data: D) =>
  z.strictObject({ type: z.literal('event'), channel, epoch: z.string(), seq: z.int().min(1), prevSeq: z.int().min(0), asOf: AsOf, data });

/*
 * Each state channel's frames carry that channel's shape (`spreads` and `spreads@IWM/SPY` alike
 * carry spread points), so a frame is checked once, against its own channel, and its `data` is
 * typed by its `channel`.
 */

/** The current value of a channel, sent right after subscribing: a state value, or an alert channel's recent alerts. */
export const SnapshotMessage = z.union([
  stateSnapshot(scoped('spreads'), z.array(SpreadPoint)),
  stateSnapshot(scoped('sectors'), z.array(SectorWindow)),
  stateSnapshot(scoped('rrg'), z.array(RrgPoint)),
  stateSnapshot(z.literal('breadth'), Breadth),
  z.strictObject({ type: z.literal('snapshot'), channel: AlertChannel, epoch: z.string(), seq: z.int().min(0), data: z.array(Alert) }),
]);
/** One update. `prevSeq` lets a client see a gap without knowing the channel's step. */
export const EventMessage = z.union([
  stateEvent(scoped('spreads'), z.array(SpreadPoint)),
  stateEvent(scoped('sectors'), z.array(SectorWindow)),
  stateEvent(scoped('rrg'), z.array(RrgPoint)),
  stateEvent(z.literal('breadth'), Breadth),
  z.strictObject({ type: z.literal('event'), channel: AlertChannel, epoch: z.string(), seq: z.int().min(1), prevSeq: z.int().min(0), data: Alert }),
]);
/** A resume that history cannot serve (alert channels only): the recent alerts and the new position. */
export const ResyncMessage = z.strictObject({
  type: z.literal('resync'),
  channel: AlertChannel,
  epoch: z.string(),
  seq: z.int().min(0),
  reason: z.string(),
  data: z.array(Alert),
});
export const ErrorMessage = z.strictObject({
  type: z.literal('error'),
  id: RequestId.optional(),
  code: WsErrorCode,
  message: z.string(),
  retryable: z.boolean(),
});
export const HeartbeatMessage = z.strictObject({ type: z.literal('heartbeat'), serverTime: z.iso.datetime() });
export const PongMessage = z.strictObject({ type: z.literal('pong'), id: RequestId, serverTime: z.iso.datetime() });
/** Sent before a graceful close so clients reconnect elsewhere at once. */
export const ShutdownMessage = z.strictObject({ type: z.literal('shutdown'), reconnectAfterMs: z.int().min(0) });

/** Every server message by its `type`: a reader picks the schema of the type it got (and a precise error), not the first union member that fits. */
export const SERVER_MESSAGES = {
  welcome: WelcomeMessage,
  subscribed: SubscribedMessage,
  unsubscribed: UnsubscribedMessage,
  snapshot: SnapshotMessage,
  event: EventMessage,
  resync: ResyncMessage,
  error: ErrorMessage,
  heartbeat: HeartbeatMessage,
  pong: PongMessage,
  shutdown: ShutdownMessage,
} as const;
export type ServerMessageType = keyof typeof SERVER_MESSAGES;

export const ServerMessage = z.union([
  WelcomeMessage,
  SubscribedMessage,
  UnsubscribedMessage,
  SnapshotMessage,
  EventMessage,
  ResyncMessage,
  ErrorMessage,
  HeartbeatMessage,
  PongMessage,
  ShutdownMessage,
]);
export type ServerMessage = z.infer<typeof ServerMessage>;

/** Close codes (4000-4999 are the application's). Documented in docs/websocket-api.md. */
export const CloseCode = {
  normal: 1000,
  goingAway: 1001,
  policy: 1008,
  tooLarge: 1009,
  unauthorized: 4001,
  /** The connection's JWT reached its `exp`: get a fresh token and reconnect. */
  tokenExpired: 4003,
  slowConsumer: 4008,
  abuse: 4009,
  heartbeatTimeout: 4012,
} as const;
