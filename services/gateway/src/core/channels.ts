import { AlertKind, type AlertChannel, type Channel, StateChannel, type Alert } from '@rotation/schemas';
import { alertAbout, scopeOf } from './subjects.js';

export type { AlertChannel };

/** Who is looking: the owner id of the connection or request, and whether it is an admin. */
export interface Viewer {
  owner: string;
  admin: boolean;
}

export const STATE_CHANNELS: readonly StateChannel[] = StateChannel.options;

export function isStateChannel(channel: Channel): channel is StateChannel {
  return (STATE_CHANNELS as readonly string[]).includes(channel);
}

export function isAlertChannel(channel: Channel): channel is AlertChannel {
  return channel === 'alerts' || channel.startsWith('alerts:') || channel.startsWith('alerts@');
}

/** A state channel, or one scoped to a subject (`spreads@IWM/SPY`): latest-value frames. */
export function isStateLike(channel: Channel): boolean {
  const scope = scopeOf(channel);
  return scope ? isStateChannel(scope.base) : isStateChannel(channel);
}

/** A user's rule alert: for its owner (and admins) only. */
export function isRuleAlert(alert: Pick<Alert, 'kind'>): boolean {
  return alert.kind === 'rule';
}

/** Channels only admins may subscribe to. */
export function channelAllowed(channel: Channel, viewer: Viewer): boolean {
  return channel !== 'alerts:rules' || viewer.admin;
}

/** A rule alert its rule sends to the owner's websocket (`deliver.websocket`). */
function toOwnerSocket(alert: Pick<Alert, 'deliver'>): boolean {
  return alert.deliver?.websocket !== false;
}

/**
 * The channels one alert is published on: everything and its kind for a built-in alert; its
 * owner's `alerts:mine` (unless the rule delivers by webhook only) and the admins'
 * `alerts:rules` for a rule alert.
 */
export function channelsOfAlert(alert: Pick<Alert, 'kind' | 'deliver'>): AlertChannel[] {
  if (isRuleAlert(alert)) return toOwnerSocket(alert) ? ['alerts:mine', 'alerts:rules'] : ['alerts:rules'];
  return ['alerts', `alerts:${alert.kind as AlertKind}`];
}

/** Whether `alert` belongs on `channel` (an alert channel) as `viewer` sees it. */
export function alertMatches(channel: AlertChannel, alert: Pick<Alert, 'kind' | 'owner' | 'deliver' | 'subject'>, viewer?: Viewer): boolean {
  const scope = scopeOf(channel);
  // Scoped channels carry built-in alerts only (their bases are `alerts` and `alerts:<kind>`).
  if (scope) return alertAbout(scope.subject, alert) && alertMatches(scope.base as AlertChannel, alert, viewer);
  if (isRuleAlert(alert)) return channel === 'alerts:rules' || (channel === 'alerts:mine' && viewer !== undefined && alert.owner === viewer.owner && toOwnerSocket(alert));
  return channel === 'alerts' || channel === `alerts:${alert.kind}`;
}

/** Whether `viewer` may see `alert` at all (HTTP history): built-in alerts, its own rule alerts, or everything for admins. */
export function alertVisible(alert: Pick<Alert, 'kind' | 'owner' | 'deliver'>, viewer: Viewer): boolean {
  return !isRuleAlert(alert) || viewer.admin || alert.owner === viewer.owner;
}

/** Every channel a client can subscribe to, for documentation and error messages. */
export const ALL_CHANNELS: readonly Channel[] = ['alerts', ...AlertKind.options.map((k) => `alerts:${k}` as const), 'alerts:mine', 'alerts:rules', ...STATE_CHANNELS];
