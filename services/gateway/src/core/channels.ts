import { AlertKind, type Channel, StateChannel, type Alert } from '@rotation/schemas';

export type AlertChannel = 'alerts' | `alerts:${AlertKind}`;

export const STATE_CHANNELS: readonly StateChannel[] = StateChannel.options;

export function isStateChannel(channel: Channel): channel is StateChannel {
  return (STATE_CHANNELS as readonly string[]).includes(channel);
}

export function isAlertChannel(channel: Channel): channel is AlertChannel {
  return channel === 'alerts' || channel.startsWith('alerts:');
}

/** The channels one alert is published on: everything, and its kind. */
export function channelsOfAlert(alert: Pick<Alert, 'kind'>): [AlertChannel, AlertChannel] {
  return ['alerts', `alerts:${alert.kind}`];
}

/** Whether `alert` belongs on `channel` (an alert channel). */
export function alertMatches(channel: AlertChannel, alert: Pick<Alert, 'kind'>): boolean {
  return channel === 'alerts' || channel === `alerts:${alert.kind}`;
}

/** Every channel a client can subscribe to, for documentation and error messages. */
export const ALL_CHANNELS: readonly Channel[] = ['alerts', ...AlertKind.options.map((k) => `alerts:${k}` as const), ...STATE_CHANNELS];
