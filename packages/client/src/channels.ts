import { StateChannel, type AlertChannel, type Channel } from '@rotation/schemas';

export type { AlertChannel };

export const STATE_CHANNELS: readonly StateChannel[] = StateChannel.options;

export function isStateChannel(channel: Channel): channel is StateChannel {
  return (STATE_CHANNELS as readonly string[]).includes(channel);
}

/** `alerts`, `alerts:<kind>`, `alerts:mine`, `alerts:rules` and their `@<subject>` forms; not a scoped state channel. */
export function isAlertChannel(channel: Channel): channel is AlertChannel {
  return channel === 'alerts' || channel.startsWith('alerts:') || channel.startsWith('alerts@');
}
