import { describe, expect, it } from 'vitest';
import { ArgsError, SECTIONS, parseArgs } from './args.js';

describe('parseArgs', () => {
  it.each([
    [[], [...SECTIONS], false],
    [['--quick'], [...SECTIONS], true],
    [['--only', 'ingest,detector'], ['ingest', 'detector'], false],
    [['--only=latency'], ['latency'], false],
    [['--skip', 'fanout,memory', '--quick'], ['ingest', 'detector', 'latency', 'rules'], true],
    [['--only', 'ingest,fanout', '--skip', 'fanout'], ['ingest'], false],
    [['--', '--only', 'memory'], ['memory'], false],
  ])('%j -> sections %j, quick %s', (argv, sections, quick) => {
    const a = parseArgs(argv);
    expect(a.sections).toEqual(sections);
    expect(a.quick).toBe(quick);
  });

  it.each([
    [['--only', 'ingest,bogus'], /unknown section "bogus"/],
    [['--only'], /--only needs a value/],
    [['--fast'], /unknown option --fast/],
  ])('%j is refused', (argv, message) => {
    expect(() => parseArgs(argv)).toThrow(ArgsError);
    expect(() => parseArgs(argv)).toThrow(message);
  });

  it('keeps --no-write and --cpu-prof', () => {
    expect(parseArgs(['--no-write', '--cpu-prof', '/tmp/p'])).toMatchObject({ noWrite: true, cpuProfDir: '/tmp/p' });
  });
});
