import { describe, expect, it } from 'vitest';
import { judgeHistory, planResume, type ResumeInput } from './resume.js';

const base: ResumeInput = { lastSeq: 0, clientEpoch: 'e1', epoch: 'e1', head: 100, memoryFirst: 60, maxReplay: 50 };

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
    ['ahead of this instance', { lastSeq: 103 }, { kind: 'history', fromSeq: 104 }],
    ['from the very beginning', { lastSeq: 0, head: 3, memoryFirst: 1 }, { kind: 'memory', fromSeq: 1 }],
  ])('%s', (_name, over, expected) => {
    expect(planResume({ ...base, ...over })).toEqual(expected);
  });
});

describe('judgeHistory', () => {
  it.each<[string, number, number[], number, ReturnType<typeof judgeHistory>]>([
    ['contiguous', 10, [11, 12, 13], 13, { kind: 'replay' }],
    ['trimmed', 10, [14, 15], 15, { kind: 'resync', reason: 'history_trimmed' }],
    ['all trimmed', 10, [], 20, { kind: 'resync', reason: 'history_trimmed' }],
    ['nothing new', 13, [], 13, { kind: 'live', minSeq: 13 }],
    ['client from another history', 30, [], 13, { kind: 'resync', reason: 'ahead_of_history' }],
    ['too many', 10, [11, 12, 13, 14], 14, { kind: 'resync', reason: 'too_far_behind' }],
  ])('%s', (_name, last, seqs, head, expected) => {
    expect(judgeHistory(last, seqs, head, 3)).toEqual(expected);
  });
});
