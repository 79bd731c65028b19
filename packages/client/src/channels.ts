import { StateChannel, type Channel } from '@rotation/schemas';

export type AlertChannel = Exclude<Channel, StateChannel>;

export const STATE_CHANNELS: readonly StateChannel[] = StateChannel.options;

export function isStateChannel(channel: Channel): channel is StateChannel {
  return (STATE_CHANNELS as readonly string[]).includes(channel);
}

export function isAlertChannel(channel: Channel): channel is AlertChannel {
  return !isStateChannel(channel);
}
