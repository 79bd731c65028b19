import { describe, expect, it } from 'vitest';
import { waitForData, type DataProbe } from './wait-data.js';

/** A probe that answers `seen` in turn (the last one repeats), recording how often it was asked. */
function answering(seen: Array<Awaited<ReturnType<DataProbe>>>): DataProbe & { calls: number } {
  const probe = Object.assign(async () => seen[Math.min(probe.calls++, seen.length - 1)]!, { calls: 0 });
  return probe;
}

describe('waiting for the first snapshot before "Ready"', () => {
  it('waits through "no snapshot yet" until the gateway serves one', async () => {
    const probe = answering(['none', 'none', 'none', 'data']);
    expect(await waitForData(probe, async () => false, { timeoutMs: 30_000, intervalMs: 1 })).toBe(true);
    expect(probe.calls).toBe(4);
  });

  it('with auth on, the stored snapshot stands in', async () => {
    let stored = 0;
    expect(await waitForData(answering(['auth']), async () => ++stored >= 3, { timeoutMs: 30_000, intervalMs: 1 })).toBe(true);
    expect(stored).toBe(3);
  });

  it('gives up at the deadline, or when a service died', async () => {
    expect(await waitForData(answering(['none']), async () => true, { timeoutMs: 0, intervalMs: 1 })).toBe(false);
    const probe = answering(['none']);
    expect(await waitForData(probe, async () => false, { timeoutMs: 30_000, intervalMs: 1, gaveUp: () => probe.calls >= 2 })).toBe(false);
    expect(probe.calls).toBe(2);
  });
});
