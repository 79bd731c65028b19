import { describe, expect, it } from 'vitest';
import { defineErrors, type CodeOf } from './index.js';

const SampleCode = { broken: 'SAMPLE_BROKEN', late: 'SAMPLE_LATE' } as const;
type SampleCode = CodeOf<typeof SampleCode>;
class SampleError extends defineErrors('SampleError', 'SAMPLE_', SampleCode) {}

describe('defineErrors', () => {
  it('builds an Error that carries its code, context and cause', () => {
    const cause = new Error('socket closed');
    const err = new SampleError(SampleCode.late, 'the tick came late', { symbol: 'IWM' }, { cause });
    expect(err).toBeInstanceOf(Error);
    expect(err).toBeInstanceOf(SampleError);
    expect(err.name).toBe('SampleError');
    expect(err.code satisfies SampleCode).toBe('SAMPLE_LATE');
    expect(err.message).toBe('the tick came late');
    expect(err.context).toEqual({ symbol: 'IWM' });
    expect(err.cause).toBe(cause);
    expect(String(err)).toBe('SampleError: the tick came late');
  });

  it('defaults the context to an empty object and keeps the list on the class', () => {
    expect(new SampleError(SampleCode.broken, 'x').context).toEqual({});
    expect(SampleError.codes).toEqual(['SAMPLE_BROKEN', 'SAMPLE_LATE']);
  });

  it('lets a subclass name itself and still be an instance of the package error', () => {
    class NarrowError extends SampleError {
      override readonly name = 'NarrowError';
    }
    const err = new NarrowError(SampleCode.broken, 'x');
    expect(err).toBeInstanceOf(SampleError);
    expect(err.name).toBe('NarrowError');
  });

  it('refuses, when the module loads, a code outside the prefixes or listed twice', () => {
    expect(() => defineErrors('E', 'SAMPLE_', { a: 'OTHER_A' })).toThrow(/code a = OTHER_A does not start with SAMPLE_/);
    expect(() => defineErrors('E', ['A_', 'B_'], { a: 'A_X', b: 'B_X' })).not.toThrow();
    expect(() => defineErrors('E', 'A_', { a: 'A_X', b: 'A_X' })).toThrow(/listed twice/);
    expect(() => defineErrors('E', 'A_', [{ a: 'A_X' }, { a: 'A_X' }])).toThrow(/listed twice/);
  });

  it('takes a package\'s codes in groups, keeping codes of the same key in each group', () => {
    const Live = { authFailed: 'LIVE_AUTH_FAILED' } as const;
    const Fetch = { authFailed: 'FETCH_AUTH_FAILED' } as const;
    const Grouped = defineErrors('GroupedError', ['LIVE_', 'FETCH_'], [Live, Fetch]);
    expect(Grouped.codes).toEqual(['LIVE_AUTH_FAILED', 'FETCH_AUTH_FAILED']);
    expect(new Grouped(Live.authFailed, 'x').code).toBe('LIVE_AUTH_FAILED');
  });
});
