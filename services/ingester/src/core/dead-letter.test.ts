import { describe, expect, it } from 'vitest';
import { DEAD_LETTER_RAW_LIMIT, DeadLetter } from '@rotation/schemas';
import { buildDeadLetter } from './dead-letter.js';

describe('buildDeadLetter', () => {
  it('builds a schema-valid record and truncates the raw text', () => {
    const d = buildDeadLetter('too_large', 'line too long', 'replay', { file: 'a.csv', line: 3 }, 'x'.repeat(DEAD_LETTER_RAW_LIMIT + 10), 1);
    expect(DeadLetter.parse(d)).toEqual(d);
    expect(d.raw).toHaveLength(DEAD_LETTER_RAW_LIMIT);
  });
});
