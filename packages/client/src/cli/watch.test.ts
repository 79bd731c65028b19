import { describe, expect, it } from 'vitest';
import { parseChannels, watchedChannels } from './watch.js';

describe('--alerts-only', () => {
  it.each([
    ['alerts,spreads', ['alerts']],
    ['spreads,alerts:size_regime_change,sectors,alerts:mine', ['alerts:size_regime_change', 'alerts:mine']],
  ])('keeps only the alert channels of %s', (list, channels) => {
    expect(watchedChannels({ channels: parseChannels(list), alertsOnly: true })).toEqual(channels);
  });
  it('leaves the channels alone without the flag', () => {
    expect(watchedChannels({ channels: parseChannels('alerts,spreads') })).toEqual(['alerts', 'spreads']);
  });
  it('is a usage error when no alert channel is left', () => {
    expect(() => watchedChannels({ channels: parseChannels('spreads,rrg'), alertsOnly: true })).toThrow(/--alerts-only with no alert channel/);
  });
});
