import { describe, expect, it } from 'vitest';
import type { Alert, SpreadPoint } from '@rotation/schemas';
import { colors, marketTime, formatAlert, formatBreadth, formatGap, formatRrg, formatSectors, formatSpreadRow, formatSpreads, formatStatus, jsonAlert, signed, windowMs } from './format.js';

const plain = colors(false);
const tty = colors(true);
const at = new Date('2026-11-23T20:45:01.000Z');

const alert: Alert = {
  id: 'a_1',
  kind: 'size_regime_change',
  severity: 'critical',
  subject: 'IWM/SPY',
  window: '7d',
  eventTime: '2024-03-08T21:00:00.000Z',
  message: 'Small caps lead: IWM +3.25% vs SPY -0.72% over 7d (spread +3.97 pp)',
  metrics: {},
  seq: 42,
};

const spread = (over: Partial<SpreadPoint> = {}): SpreadPoint => ({
  pair: 'IWM/SPY',
  small: 'IWM',
  large: 'SPY',
  window: '7d',
  smallReturnPct: 3.25,
  largeReturnPct: -0.72,
  spreadPp: 3.97,
  ratio: 101.4,
  zScore: 1.8,
  ...over,
});

describe('numbers', () => {
  it.each([
    [3.971, '+3.97'],
    [-0.72, '-0.72'],
    [0, '0.00'],
    [-0.001, '0.00'],
    [null, '—'],
    [Number.NaN, '—'],
  ])('signed(%s) = %s', (n, text) => {
    expect(signed(n)).toBe(text);
  });
  it.each([
    // Winter (EST, UTC-5): the close of 2024-03-08.
    ['2024-03-08T21:00:05.123Z', '2024-03-08 16:00:05 EST'],
    // Summer (EDT, UTC-4), and a UTC instant that is still the previous day in New York.
    ['2024-06-04T02:30:00.000Z', '2024-06-03 22:30:00 EDT'],
    // The first minute after the spring-forward change (2024-03-10 03:00 EDT).
    ['2024-03-10T07:00:00.000Z', '2024-03-10 03:00:00 EDT'],
    ['garbage', '----------- --:--:--'],
  ])('marketTime(%s) = %s: date and time in New York', (iso, text) => {
    expect(marketTime(iso)).toBe(text);
  });
  it.each([
    ['5m', 300_000],
    ['1h', 3_600_000],
    ['7d', 604_800_000],
    ['x', Number.MAX_SAFE_INTEGER],
  ])('windowMs(%s)', (label, ms) => {
    expect(windowMs(label)).toBe(ms);
  });
});

describe('formatAlert', () => {
  it('one readable line with a severity mark, market date and time, severity, kind, subject, window, message and seq', () => {
    expect(formatAlert(alert, { seq: 42, source: 'event' }, plain)).toBe(
      '!! 2024-03-08 16:00:00 EST CRITICAL size_regime_change   IWM/SPY 7d   Small caps lead: IWM +3.25% vs SPY -0.72% over 7d (spread +3.97 pp) #42',
    );
  });
  it.each([
    ['critical', '!! '],
    ['warning', '!  '],
    ['info', '*  '],
  ] as const)('a %s alert starts with %j, so alerts stand out from the indented state rows', (severity, mark) => {
    expect(formatAlert({ ...alert, severity }, { seq: 1, source: 'event' }, plain).startsWith(mark)).toBe(true);
  });
  it('marks alerts that came from a snapshot or a resync', () => {
    expect(formatAlert(alert, { seq: 42, source: 'snapshot' }, plain)).toMatch(/#42 \(recent\)$/);
    expect(formatAlert(alert, { seq: 42, source: 'resync' }, plain)).toMatch(/#42 \(resync\)$/);
  });
  it('colours severity only when colours are on', () => {
    expect(formatAlert(alert, { seq: 1, source: 'event' }, tty)).toContain('\u001b[31m');
    expect(formatAlert(alert, { seq: 1, source: 'event' }, plain)).not.toContain('\u001b[');
  });
});

describe('spreads', () => {
  it('a row shows the spread in pp with its sign, the z-score and both legs', () => {
    expect(formatSpreadRow(spread(), plain)).toBe('  IWM/SPY     7d   +3.97 pp  z +1.80   IWM +3.25% vs SPY -0.72%');
    expect(formatSpreadRow(spread({ spreadPp: null, zScore: null, smallReturnPct: null }), plain)).toBe('  IWM/SPY     7d       — pp  z —       IWM —% vs SPY -0.72%');
  });
  it('green for small caps ahead, red behind', () => {
    expect(formatSpreadRow(spread(), tty)).toContain('\u001b[32m  +3.97 pp');
    expect(formatSpreadRow(spread({ spreadPp: -1 }), tty)).toContain('\u001b[31m  -1.00 pp');
  });
  it('the first block lists every row ordered by pair then window length; later blocks only what changed', () => {
    const rows = [spread({ window: '7d' }), spread({ window: '1d' }), spread({ pair: 'AI/RSP', small: 'AI', large: 'RSP', window: '7d' })];
    const [header, ...body] = formatSpreads(rows, 'all', at, plain);
    expect(header).toBe('2026-11-23 15:45:01 EST received spreads');
    expect(body.map((l) => l.trim().split(/\s+/).slice(0, 2).join(' '))).toEqual(['AI/RSP 7d', 'IWM/SPY 1d', 'IWM/SPY 7d']);
    expect(formatSpreads(rows, ['IWM/SPY@1d'], at, plain)).toHaveLength(2);
    expect(formatSpreads(rows, [], at, plain)).toEqual([]);
  });
});

describe('other state channels', () => {
  it('sectors name the leader and laggard per window with their relative performance', () => {
    const lines = formatSectors(
      [
        {
          window: '7d',
          ranking: [
            { symbol: 'XLK', name: 'Technology', returnPct: 2.1, relativePct: 1.2, rank: 1 },
            { symbol: 'XLU', name: 'Utilities', returnPct: -1.4, relativePct: -2.3, rank: 2 },
          ],
          leader: 'XLK',
          laggard: 'XLU',
          rotationIntensity: 0.4,
        },
      ],
      at,
      plain,
    );
    expect(lines).toEqual(['2026-11-23 15:45:01 EST received sectors', '    7d  leader XLK +1.20 pp  laggard XLU -2.30 pp  intensity 0.40']);
  });
  it('rrg lists quadrants, breadth its percentages', () => {
    expect(formatRrg([{ symbol: 'XLK', rsRatio: 101, rsMomentum: 100, quadrant: 'leading', warm: true, tail: [] }, { symbol: 'XLE', rsRatio: null, rsMomentum: null, quadrant: null, warm: false, tail: [] }], at, plain)).toEqual([
      '2026-11-23 15:45:01 EST received rrg  XLE warming  XLK leading',
    ]);
    expect(formatBreadth({ window: '7d', sectorsBeatingBenchmarkPct: 54.5, sectorsLeadingOrImprovingPct: null, constituents: null }, at, plain)).toEqual([
      '2026-11-23 15:45:01 EST received breadth 7d  beating benchmark 54.5%  leading/improving —',
    ]);
  });
});

describe('status lines', () => {
  it.each([
    [{ state: 'connecting', attempt: 0 }, 'connecting…'],
    [{ state: 'open', instance: 'gw-1', epoch: 'e1', heartbeatMs: 15000 }, 'connected to gw-1 (epoch e1)'],
    [{ state: 'reconnecting', attempt: 2, delayMs: 1234, reason: 'connection lost (1006)', code: 1006 }, 'connection lost (1006); reconnecting in 1.2 s'],
    [{ state: 'closed', reason: 'closed by the client' }, 'closed: closed by the client'],
  ] as const)('%o', (status, text) => {
    expect(formatStatus(status, plain)).toBe(text);
  });
  it('gaps say what was missed and what the client did', () => {
    expect(formatGap({ channel: 'alerts', expectedPrevSeq: 5, prevSeq: 7, seq: 8, recovery: 'resubscribe', reason: 'gap' }, plain)).toBe('alerts: missed seq 6..7; resuming from the last seq');
  });
});

describe('--json lines', () => {
  it('are single-line JSON objects that round-trip', () => {
    const line = jsonAlert(alert, { channel: 'alerts', seq: 42, epoch: 'e1', source: 'event' }, at);
    expect(line).not.toContain('\n');
    expect(JSON.parse(line)).toEqual({ type: 'alert', channel: 'alerts', seq: 42, source: 'event', receivedAt: '2026-11-23T20:45:01.000Z', alert });
  });
});
