import { describe, expect, it } from 'vitest';
import { getCalendar } from '@rotation/calendar';
import { DetectorSettings, historyNeed, loadConfig } from '@rotation/config';
import { planBackfill, type PlanInput } from './plan.js';

const XNYS = getCalendar('XNYS');
// The default universe: 64 bars (63 closes of the 7d spread z-score and a spare), 7 calendar days, 1 h intraday.
const NEED = historyNeed(loadConfig({}).universe);
const at = (iso: string) => Date.parse(iso);
const session = (date: string) => XNYS.sessionOn(date)!;
const plan = (cut: string, more: Partial<PlanInput> = {}) => planBackfill({ calendar: XNYS, need: NEED, cut: at(cut), minuteSessions: 2, ...more });

/** The first daily session by the rule: `bars` sessions up to `last`, then the last close at or before `days` calendar days before that. */
function firstByRule(last: string, bars: number, days: number): string {
  const barsBack = XNYS.byIndex(session(last).index - (bars - 1))!;
  const reach = new Date(Date.parse(`${barsBack.date}T12:00:00Z`) - days * 86_400_000).toISOString().slice(0, 10);
  // 23:00Z is after that date's New York close (19:00 or 18:00 ET).
  return XNYS.lastCloseAtOrBefore(Date.parse(`${reach}T23:00:00Z`))!.date;
}

describe('planBackfill on the XNYS calendar with the default universe', () => {
  it('needs 64 bars, 7 calendar days and one hour of intraday history', () => {
    expect([NEED.bars, NEED.calendarDays, NEED.intradayMs]).toEqual([64, 7, 3_600_000]);
  });

  it('mid-session on a Tuesday: daily bars up to Monday, minute bars from Monday 04:00 ET to the cut', () => {
    const p = plan('2025-03-11T15:00:00Z'); // 11:00 EDT
    expect(p.cut).toBe(at('2025-03-11T15:00:00Z'));
    // 63 sessions before Monday 2025-03-10 is 2024-12-04; 7 calendar days before it, Wednesday 2024-11-27.
    expect(XNYS.byIndex(session('2025-03-10').index - 63)!.date).toBe('2024-12-04');
    expect(p.daily).toEqual({ from: '2024-11-27', to: '2025-03-10', after: -Infinity });
    expect(p.minute).toEqual({ from: session('2025-03-10').preOpen, to: at('2025-03-11T15:00:00Z') });
    expect(p.minute!.from).toBe(at('2025-03-10T08:00:00Z')); // 04:00 EDT, the day after the clocks changed
    expect(p.actions).toEqual({ from: '2024-11-27', to: '2025-03-11' });
  });

  it('on a Saturday: daily bars up to Friday, minute bars of Thursday and Friday', () => {
    const p = plan('2025-03-15T15:00:00Z');
    expect(p.daily).toEqual({ from: firstByRule('2025-03-14', 64, 7), to: '2025-03-14', after: -Infinity });
    expect(p.daily!.from).toBe('2024-12-03');
    expect(p.minute).toEqual({ from: at('2025-03-13T08:00:00Z'), to: at('2025-03-15T15:00:00Z') });
    // Ex-dates through the next session: an action effective at Monday's open is known by now.
    expect(p.actions).toEqual({ from: '2024-12-03', to: '2025-03-17' });
  });

  it("in the pre-market after the MLK weekend: today's session has begun, the last close is Friday's", () => {
    const p = plan('2025-01-21T12:00:00Z'); // Tuesday 07:00 EST; Monday 2025-01-20 was closed
    expect(p.daily).toEqual({ from: firstByRule('2025-01-17', 64, 7), to: '2025-01-17', after: -Infinity });
    expect(p.daily!.from).toBe('2024-10-09');
    // The two sessions are Tuesday (pre-market so far) and Friday: Friday 04:00 EST = 09:00Z.
    expect(p.minute).toEqual({ from: at('2025-01-17T09:00:00Z'), to: at('2025-01-21T12:00:00Z') });
    expect(p.actions).toEqual({ from: '2024-10-09', to: '2025-01-21' });
  });

  it('after the 13:00 close of Black Friday: that session is the last daily bar, Wednesday the oldest minute session', () => {
    const p = plan('2024-11-29T18:30:00Z'); // 13:30 EST
    expect(session('2024-11-29').close).toBe(at('2024-11-29T18:00:00Z'));
    expect(p.daily).toEqual({ from: firstByRule('2024-11-29', 64, 7), to: '2024-11-29', after: -Infinity });
    expect(p.daily!.from).toBe('2024-08-23');
    // Thanksgiving (Thursday) is closed: the session before Friday is Wednesday.
    expect(p.minute).toEqual({ from: at('2024-11-27T09:00:00Z'), to: at('2024-11-29T18:30:00Z') });
    expect(p.actions).toEqual({ from: '2024-08-23', to: '2024-11-29' });
  });

  it('counts bars and calendar days as the need says', () => {
    const need = { ...NEED, bars: 5, calendarDays: 0 };
    // Five sessions up to Monday 2025-03-10: Tuesday 03-04 .. Monday.
    expect(plan('2025-03-11T15:00:00Z', { need }).daily!.from).toBe('2025-03-04');
    // One calendar day further: the session before 03-04, Monday 03-03.
    expect(plan('2025-03-11T15:00:00Z', { need: { ...need, calendarDays: 1 } }).daily!.from).toBe('2025-03-03');
    // Seven calendar days before Tuesday 03-04 is Tuesday 02-25.
    expect(plan('2025-03-11T15:00:00Z', { need: { ...need, calendarDays: 7 } }).daily!.from).toBe('2025-02-25');
  });
});

describe('planBackfill minute sessions', () => {
  it('takes as many sessions as asked', () => {
    const p = plan('2025-03-11T15:00:00Z', { minuteSessions: 3, need: { ...NEED, intradayMs: 0 } });
    // Tuesday, Monday, Friday 03-07 (04:00 EST = 09:00Z: before the clocks changed).
    expect(p.minute!.from).toBe(at('2025-03-07T09:00:00Z'));
  });

  it('one session is enough when it already holds the intraday reach', () => {
    const p = plan('2025-03-11T15:00:00Z', { minuteSessions: 1 }); // 1 h 30 min traded by 11:00
    expect(p.minute!.from).toBe(session('2025-03-11').preOpen);
  });

  it('extends to the session before when the intraday windows reach further back', () => {
    // 09:45 EDT: 15 minutes traded today; the 1 h window reaches into Monday.
    expect(plan('2025-03-11T13:45:00Z', { minuteSessions: 1 }).minute!.from).toBe(session('2025-03-10').preOpen);
    // In the pre-market nothing has traded today: Friday before the MLK weekend.
    expect(plan('2025-01-21T12:00:00Z', { minuteSessions: 1 }).minute!.from).toBe(session('2025-01-17').preOpen);
    // 8 h of trading time: 1 h 30 min on Tuesday, 6 h 30 min on Monday.
    const long = { ...NEED, intradayMs: 8 * 3_600_000 };
    expect(plan('2025-03-11T15:00:00Z', { minuteSessions: 1, need: long }).minute!.from).toBe(session('2025-03-10').preOpen);
    expect(plan('2025-03-11T15:00:00Z', { minuteSessions: 1, need: { ...long, intradayMs: long.intradayMs + 1 } }).minute!.from).toBe(session('2025-03-07').preOpen);
  });
});

describe('planBackfill resuming after what the topic holds', () => {
  const cut = '2025-03-11T15:00:00Z';

  it('inside the minute range: only minutes after the resume point, no daily bars', () => {
    const after = at('2025-03-11T14:00:30Z');
    const p = plan(cut, { after });
    expect(p.daily).toBeNull();
    // Mid-minute: the 14:00-14:01 bar (stamped 14:01) is still fetched.
    expect(p.minute).toEqual({ from: after, to: at(cut) });
    expect(p.actions).toEqual({ from: '2025-03-11', to: '2025-03-11' });
  });

  it('inside the daily range: daily bars from the first session closing after it', () => {
    const after = session('2025-02-14').close; // Friday; Monday 02-17 was Presidents' Day
    const p = plan(cut, { after });
    expect(p.daily).toEqual({ from: '2025-02-18', to: '2025-03-10', after });
    expect(p.minute).toEqual({ from: session('2025-03-10').preOpen, to: at(cut) });
    expect(p.actions).toEqual({ from: '2025-02-18', to: '2025-03-11' });
  });

  it('mid-session of a day in the daily range: that session is fetched, its close being after the point', () => {
    const p = plan(cut, { after: at('2025-02-14T17:00:00Z') });
    expect(p.daily!.from).toBe('2025-02-14');
  });

  it('at or after the cut: nothing to do', () => {
    const none = { cut: at(cut), daily: null, minute: null, actions: null };
    expect(plan(cut, { after: at(cut) })).toEqual(none);
    expect(plan(cut, { after: at(cut) + 60_000 })).toEqual(none);
  });
});

describe('planBackfill from a fixed date', () => {
  it('replaces the need with the first session from that date', () => {
    const p = plan('2025-03-11T15:00:00Z', { fromDate: '2025-01-02' });
    expect(p.daily).toEqual({ from: '2025-01-02', to: '2025-03-10', after: -Infinity });
    expect(p.minute!.from).toBe(session('2025-03-10').preOpen);
    expect(p.actions).toEqual({ from: '2025-01-02', to: '2025-03-11' });
  });

  it('a date that is a holiday starts at the next session', () => {
    expect(plan('2025-03-11T15:00:00Z', { fromDate: '2025-01-01' }).daily!.from).toBe('2025-01-02');
    expect(plan('2025-03-11T15:00:00Z', { fromDate: '2025-01-20' }).daily!.from).toBe('2025-01-21');
  });

  it('a date after the last close leaves no daily bars', () => {
    expect(plan('2025-03-11T15:00:00Z', { fromDate: '2025-03-11' }).daily).toBeNull();
  });
});

describe('planBackfill: a --from date inside the minute range', () => {
  it('starts the minute bars at New York midnight of that date, and the actions on that date', () => {
    const cal = getCalendar('XNYS');
    const need = historyNeed({ windows: ['5m', '1h', '1d', '7d'], detector: DetectorSettings.parse({}), constituents: [] });
    const plan = planBackfill({ calendar: cal, need, cut: Date.parse('2025-01-14T16:00:00Z'), minuteSessions: 2, fromDate: '2025-01-14' });
    // 00:00 EST is 05:00Z; the pre-market opens at 04:00 ET, so nothing of the 13th is asked for.
    expect(plan.minute!.from).toBe(Date.parse('2025-01-14T05:00:00Z'));
    expect(plan.actions!.from).toBe('2025-01-14');
  });
});
