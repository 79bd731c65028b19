import { describe, expect, it } from 'vitest';
import { SubscriptionRegistry } from './subscriptions.js';

describe('SubscriptionRegistry', () => {
  it('adds, dedupes and caps channels per connection', () => {
    const r = new SubscriptionRegistry<string>();
    expect(r.add('c1', ['alerts', 'spreads', 'alerts'], 3)).toEqual({ added: ['alerts', 'spreads'], refused: [] });
    expect(r.add('c1', ['spreads', 'sectors', 'rrg'], 3)).toEqual({ added: ['spreads', 'sectors'], refused: ['rrg'] });
    expect([...r.channelsOf('c1')]).toEqual(['alerts', 'spreads', 'sectors']);
  });

  it('fans out by channel and forgets a connection everywhere', () => {
    const r = new SubscriptionRegistry<string>();
    r.add('c1', ['alerts', 'spreads'], 10);
    r.add('c2', ['alerts'], 10);
    expect([...r.subscribers('alerts')]).toEqual(['c1', 'c2']);
    expect(r.remove('c1', ['alerts', 'rrg'])).toEqual(['alerts']);
    expect([...r.subscribers('alerts')]).toEqual(['c2']);
    r.removeAll('c1');
    expect(r.subscribers('spreads').size).toBe(0);
    expect(r.channelsOf('c1').size).toBe(0);
    expect(r.counts()).toEqual(new Map([['alerts', 1]]));
  });
});
