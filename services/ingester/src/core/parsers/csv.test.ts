import { describe, expect, it } from 'vitest';
import { splitCsvLine } from './csv.js';

describe('splitCsvLine', () => {
  it.each<[string, string[] | undefined]>([
    ['a,b,c', ['a', 'b', 'c']],
    ['a,,c', ['a', '', 'c']],
    ['', ['']],
    ['"a,b",c', ['a,b', 'c']],
    ['"a ""q""",c', ['a "q"', 'c']],
    ['x,"y"', ['x', 'y']],
    ['x,"y', undefined],
    ['"y"z,1', undefined],
  ])('splits %j', (line, fields) => {
    expect(splitCsvLine(line)).toEqual(fields);
  });
});
