import { describe, expect, it } from 'vitest';
import { keyspace } from './index.js';

describe('keyspace', () => {
  it('prefixes every key with the namespace', () => {
    const ks = keyspace('test-a1');
    expect(ks.key('state', 'returns')).toBe('test-a1:state:returns');
    expect(ks.key('alerts', 7)).toBe('test-a1:alerts:7');
    expect(ks.pattern()).toBe('test-a1:*');
  });
});
