import { describe, expect, it } from 'vitest';
import { planResume, type ResumeInput } from './resume.js';

const base: ResumeInput = { lastSeq: 0, clientEpoch: 'e1', epoch: 'e1', head: 100, knownHead: 100, memoryFirst: 60, maxReplay: 50 };

describe('planResume', () => {
  it.each<[string, Partial<ResumeInput>, ReturnType<typeof planResume>]>([
    ['up to date', { lastSeq: 100 }, { kind: 'live', minSeq: 100 }],
    ['missed a few, in memory', { lastSeq: 95 }, { kind: 'memory', fromSeq: 96 }],
    ['memory starts exactly at the next seq', { lastSeq: 59 }, { kind: 'memory', fromSeq: 60 }],
    ['older than memory', { lastSeq: 58 }, { kind: 'history', fromSeq: 59 }],
    ['memory empty', { lastSeq: 90, memoryFirst: undefined }, { kind: 'history', fromSeq: 91 }],
    ['too far behind', { lastSeq: 49 }, { kind: 'resync', reason: 'too_far_behind' }],
    ['other epoch', { lastSeq: 100, clientEpoch: 'e0' }, { kind: 'resync', reason: 'epoch_changed' }],
    ['no epoch given', { lastSeq: 95, clientEpoch: undefined }, { kind: 'memory', fromSeq: 96 }],
    ['ahead of this instance, within what Redis had', { lastSeq: 103, knownHead: 105 }, { kind: 'live', minSeq: 103 }],
    ['ahead of every head seen: waits for the probe, no Redis read', { lastSeq: 103 }, { kind: 'ahead', lastSeq: 103 }],
    ['far above the head (hostile or stale) never reads Redis', { lastSeq: 1e12, knownHead: 120 }, { kind: 'ahead', lastSeq: 1e12 }],
    ['from the very beginning', { lastSeq: 0, head: 3, memoryFirst: 1 }, { kind: 'memory', fromSeq: 1 }],
  ])('%s', (_name, over, expected) => {
    expect(planResume({ ...base, ...over })).toEqual(expected);
  });
});
