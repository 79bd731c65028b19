import { describe, expect, it } from 'vitest';
import { LineSplitter } from './line-splitter.js';

function split(chunks: string[], max = 10): Array<[string, number, boolean]> {
  const out: Array<[string, number, boolean]> = [];
  const s = new LineSplitter(max);
  const emit = (t: string, l: number, tl: boolean) => out.push([t, l, tl]);
  for (const c of chunks) s.push(c, emit);
  s.end(emit);
  return out;
}

describe('LineSplitter', () => {
  it.each<[string[], Array<[string, number, boolean]>]>([
    [['a\nb\n'], [['a', 1, false], ['b', 2, false]]],
    [['a\r\nb'], [['a', 1, false], ['b', 2, false]]],
    [['a', 'b\n', 'c'], [['ab', 1, false], ['c', 2, false]]],
    [['\n\n'], [['', 1, false], ['', 2, false]]],
    [['0123456789\n'], [['0123456789', 1, false]]],
    [['0123456789\r\n'], [['0123456789', 1, false]]],
    [['01234567890123\nok\n'], [['0123456789', 1, true], ['ok', 2, false]]],
    [['012345', '678901', '234\nok'], [['0123456789', 1, true], ['ok', 2, false]]],
    [['01234567890'], [['0123456789', 1, true]]],
  ])('splits %j', (chunks, expected) => {
    expect(split(chunks)).toEqual(expected);
  });
});
