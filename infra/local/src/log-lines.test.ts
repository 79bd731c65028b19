import { describe, expect, it } from 'vitest';
import { compactLogLine, levelAtLeast } from './log-lines.js';

describe('compactLogLine', () => {
  it.each([
    [
      '{"level":"info","time":"2026-11-23T20:30:01.123Z","service":"gateway","msg":"listening","port":8080}',
      { level: 'info', msg: 'listening', text: '20:30:01 listening port=8080' },
    ],
    [
      '{"level":50,"time":1700000000000,"msg":"ingest failed","err":{"message":"broker down","stack":"..."}}',
      { level: 'error', msg: 'ingest failed', text: '22:13:20 ingest failed err="broker down"' },
    ],
    ['{"level":"warn","msg":"slow","note":"two words"}', { level: 'warn', msg: 'slow', text: 'slow note="two words"' }],
    [
      '{"level":"error","logger":"kafkajs","msg":"The coordinator is loading"}',
      { level: 'debug', msg: 'The coordinator is loading', text: 'The coordinator is loading logger=kafkajs' },
    ],
    ['plain text from a tool', { level: 'info', msg: '', text: 'plain text from a tool' }],
    ['{not json', { level: 'info', msg: '', text: '{not json' }],
  ])('%s', (line, expected) => {
    expect(compactLogLine(line)).toEqual(expected);
  });

  it('drops blank lines and clips long ones', () => {
    expect(compactLogLine('   ')).toBeUndefined();
    expect(compactLogLine('x'.repeat(1000))?.text).toHaveLength(400);
    expect(compactLogLine(JSON.stringify({ level: 'info', msg: 'm', big: 'y'.repeat(500) }))?.text.length).toBeLessThan(100);
  });

  it.each([
    ['warn', 'info', true],
    ['info', 'info', true],
    ['debug', 'info', false],
    ['fatal', 'warn', true],
  ] as const)('%s at least %s: %s', (level, min, yes) => expect(levelAtLeast(level, min)).toBe(yes));
});
