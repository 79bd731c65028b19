import { describe, expect, it } from 'vitest';
import { nextPage, pageSource, type Page } from './replay-plan.js';

describe('nextPage', () => {
  it.each<[string, number, number, number, Page | undefined]>([
    ['a full page', 1, 5_000, 500, { from: 1, to: 500 }],
    ['the last, short page', 4_801, 5_000, 500, { from: 4_801, to: 5_000 }],
    ['a single seq', 7, 7, 500, { from: 7, to: 7 }],
    ['done', 5_001, 5_000, 500, undefined],
    ['a size below one still makes progress', 3, 9, 0, { from: 3, to: 3 }],
  ])('%s', (_name, from, to, size, expected) => {
    expect(nextPage(from, to, size)).toEqual(expected);
  });

  it('covers a 5,000-alert replay in 10 pages of 500, contiguous', () => {
    const pages: Page[] = [];
    for (let p = nextPage(1, 5_000, 500); p; p = nextPage(p.to + 1, 5_000, 500)) pages.push(p);
    expect(pages).toHaveLength(10);
    expect(pages.every((p, i) => p.from === i * 500 + 1 && p.to === (i + 1) * 500)).toBe(true);
  });
});

describe('pageSource', () => {
  it.each<[string, Page, number | undefined, number, 'memory' | 'redis']>([
    ['inside memory', { from: 4_001, to: 4_500 }, 4_001, 5_000, 'memory'],
    ['starts before memory', { from: 3_501, to: 4_000 }, 3_600, 5_000, 'redis'],
    ['beyond what this instance forwarded', { from: 4_901, to: 5_400 }, 1, 5_000, 'redis'],
    ['memory empty', { from: 1, to: 10 }, undefined, 0, 'redis'],
  ])('%s', (_name, page, first, head, expected) => {
    expect(pageSource(page, first, head)).toBe(expected);
  });
});
