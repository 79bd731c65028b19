/** Command-line options of `pnpm bench`. Pure, so it is unit-tested. */
export const SECTIONS = ['ingest', 'detector', 'latency', 'fanout', 'memory', 'rules'] as const;
export type SectionName = (typeof SECTIONS)[number];

export interface BenchArgs {
  sections: SectionName[];
  /** Short smoke run: a fraction of the durations and sizes, for checking the harness itself. */
  quick: boolean;
  /** Keep bench/results untouched (print only); used while developing a section. */
  noWrite: boolean;
  /** Write a CPU profile of each service child process into this directory. */
  cpuProfDir: string | undefined;
  help: boolean;
}

export class ArgsError extends Error {}

function sectionList(text: string, flag: string): SectionName[] {
  const names = text.split(',').map((s) => s.trim()).filter((s) => s.length > 0);
  for (const n of names) {
    if (!(SECTIONS as readonly string[]).includes(n)) throw new ArgsError(`${flag}: unknown section "${n}" (expected ${SECTIONS.join(', ')})`);
  }
  return names as SectionName[];
}

export function parseArgs(argv: readonly string[]): BenchArgs {
  let only: SectionName[] | undefined;
  let skip: SectionName[] = [];
  const out: BenchArgs = { sections: [], quick: false, noWrite: false, cpuProfDir: undefined, help: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const [flag, inline] = a.includes('=') ? [a.slice(0, a.indexOf('=')), a.slice(a.indexOf('=') + 1)] : [a, undefined];
    const value = (): string => {
      const v = inline ?? argv[++i];
      if (v === undefined || v === '') throw new ArgsError(`${flag} needs a value`);
      return v;
    };
    switch (flag) {
      case '--':
        break;
      case '--only':
        only = sectionList(value(), '--only');
        break;
      case '--skip':
        skip = sectionList(value(), '--skip');
        break;
      case '--quick':
        out.quick = true;
        break;
      case '--no-write':
        out.noWrite = true;
        break;
      case '--cpu-prof':
        out.cpuProfDir = value();
        break;
      case '--help':
      case '-h':
        out.help = true;
        break;
      default:
        throw new ArgsError(`unknown option ${a}`);
    }
  }
  out.sections = (only ?? [...SECTIONS]).filter((s) => !skip.includes(s));
  return out;
}

export const USAGE = `usage: pnpm bench [--only ${SECTIONS.join(',')}] [--skip <sections>] [--quick] [--no-write] [--cpu-prof <dir>]
  --only      run only these sections (comma-separated)
  --skip      run every section but these
  --quick     short smoke run (seconds per section instead of tens of seconds)
  --no-write  print the table, leave bench/results alone
  --cpu-prof  write node --cpu-prof profiles of the service child processes into <dir>
Uses KAFKA_BROKERS / REDIS_URL when set; otherwise starts its own broker and Redis in a temp dir.`;
