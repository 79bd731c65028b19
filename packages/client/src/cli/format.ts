/**
 * Text for `rotation watch`: pure functions from protocol data to lines, so what a trader reads
 * is unit-tested. Colours come from a picocolors instance the caller enables or not (NO_COLOR,
 * non-TTY, --json).
 */
import picocolors from 'picocolors';
import { newYorkClock } from '@rotation/calendar';
import type { Alert, Breadth, RrgPoint, SectorWindow, Severity, SpreadPoint } from '@rotation/schemas';
import type { AlertMeta, ClientStatus, GapInfo, ResyncInfo, StateUpdate } from '../client.js';

export type Colors = ReturnType<typeof picocolors.createColors>;

export function colors(enabled: boolean): Colors {
  return picocolors.createColors(enabled);
}

/** `+3.97`, `-0.72`, `0.00`, or `—` when the analytics are not warm yet. */
export function signed(n: number | null | undefined, digits = 2): string {
  if (n === null || n === undefined || !Number.isFinite(n)) return '—';
  const fixed = Math.abs(n).toFixed(digits);
  if (Number(fixed) === 0) return (0).toFixed(digits);
  return `${n > 0 ? '+' : '-'}${fixed}`;
}

/**
 * `2024-03-08 16:00:05 EST`: date and time in New York, with the zone's abbreviation (EST/EDT).
 * The market's own clock: a trader reads "16:00 EST" as the close; UTC and the machine's zone
 * would make every alert a sum to do. Replays of 2024 data must show 2024, hence the date.
 */
export function marketTime(iso: string | Date): string {
  const d = typeof iso === 'string' ? new Date(iso) : iso;
  if (Number.isNaN(d.getTime())) return '----------- --:--:--';
  const c = newYorkClock(d);
  return `${c.year}-${c.month}-${c.day} ${c.hour}:${c.minute}:${c.second} ${c.zone}`;
}

const SEVERITY_WIDTH = 8;

function severityLabel(severity: Severity, c: Colors): string {
  const text = severity.toUpperCase().padEnd(SEVERITY_WIDTH);
  switch (severity) {
    case 'critical':
      return c.bold(c.red(text));
    case 'warning':
      return c.yellow(text);
    default:
      return c.cyan(text);
  }
}

const ALERT_MARK: Record<Severity, string> = { critical: '!!', warning: '! ', info: '* ' };

/**
 * One alert per line, starting with a severity mark so alerts stand out from the state blocks
 * (which are indented under a dim header): `!! 2024-03-08 16:00:00 EST CRITICAL size_regime_change …  #42`.
 * The time is the alert's event time in market time.
 */
export function formatAlert(alert: Alert, meta: Pick<AlertMeta, 'seq' | 'source'>, c: Colors): string {
  const where = [alert.subject, alert.window].filter(Boolean).join(' ');
  const tag = meta.source === 'event' ? '' : c.dim(` (${meta.source === 'snapshot' ? 'recent' : 'resync'})`);
  const mark = alert.severity === 'critical' ? c.bold(c.red(ALERT_MARK.critical)) : alert.severity === 'warning' ? c.yellow(ALERT_MARK.warning) : c.cyan(ALERT_MARK.info);
  return `${mark} ${marketTime(alert.eventTime)} ${severityLabel(alert.severity, c)} ${c.bold(alert.kind.padEnd(20))} ${where.padEnd(12)} ${alert.message} ${c.dim(`#${meta.seq}`)}${tag}`;
}

/**
 * `2026-12-01 12:24:15 EST received spreads`: state values carry no event time on the wire, so a
 * block is stamped with when it arrived, and says so (in a replay it differs from the alerts' time).
 */
function stateHeader(name: string, at: Date, c: Colors): string {
  return `${c.dim(`${marketTime(at)} received`)} ${c.bold(name)}`;
}

function colourBySign(text: string, n: number | null, c: Colors): string {
  if (n === null || n === 0) return text;
  return n > 0 ? c.green(text) : c.red(text);
}

/** One line per spread: pair, window, returns, spread in percentage points, z-score. */
export function formatSpreadRow(p: SpreadPoint, c: Colors): string {
  const spread = colourBySign(`${signed(p.spreadPp)} pp`.padStart(10), p.spreadPp, c);
  const legs = `${p.small} ${signed(p.smallReturnPct)}% vs ${p.large} ${signed(p.largeReturnPct)}%`;
  // Pad before colouring: escape codes would count as width.
  const zText = (p.zScore === null ? 'z —' : `z ${signed(p.zScore)}`).padEnd(8);
  const z = p.zScore === null ? c.dim(zText) : Math.abs(p.zScore) >= 2 ? c.bold(zText) : zText;
  return `  ${p.pair.padEnd(9)} ${p.window.padStart(4)} ${spread}  ${z}  ${c.dim(legs)}`;
}

/**
 * The spreads block. After the first snapshot only the rows that changed are printed, so a
 * quiet market stays quiet on screen. Rows are ordered by pair, then window.
 */
export function formatSpreads(spreads: readonly SpreadPoint[], changed: readonly string[] | 'all', at: Date, c: Colors): string[] {
  const keys = changed === 'all' ? undefined : new Set(changed);
  const rows = spreads
    .filter((p) => !keys || keys.has(`${p.pair}@${p.window}`))
    .slice()
    .sort((a, b) => a.pair.localeCompare(b.pair) || windowMs(a.window) - windowMs(b.window));
  if (rows.length === 0) return [];
  return [stateHeader('spreads', at, c), ...rows.map((p) => formatSpreadRow(p, c))];
}

export function formatSectors(sectors: readonly SectorWindow[], at: Date, c: Colors): string[] {
  if (sectors.length === 0) return [];
  const rows = [...sectors].sort((a, b) => windowMs(a.window) - windowMs(b.window));
  return [
    stateHeader('sectors', at, c),
    ...rows.map((w) => {
      const best = w.ranking[0];
      const worst = w.ranking.at(-1);
      const lead = w.leader ? c.green(`leader ${w.leader}${best && best.symbol === w.leader ? ` ${signed(best.relativePct)} pp` : ''}`) : c.dim('leader —');
      const lag = w.laggard ? c.red(`laggard ${w.laggard}${worst && worst.symbol === w.laggard ? ` ${signed(worst.relativePct)} pp` : ''}`) : c.dim('laggard —');
      return `  ${w.window.padStart(4)}  ${lead}  ${lag}  ${c.dim(`intensity ${w.rotationIntensity === null ? '—' : w.rotationIntensity.toFixed(2)}`)}`;
    }),
  ];
}

export function formatRrg(points: readonly RrgPoint[], at: Date, c: Colors): string[] {
  if (points.length === 0) return [];
  const paint: Record<string, (s: string) => string> = { leading: c.green, weakening: c.yellow, lagging: c.red, improving: c.cyan };
  const cells = [...points]
    .sort((a, b) => a.symbol.localeCompare(b.symbol))
    .map((p) => (p.quadrant ? paint[p.quadrant]!(`${p.symbol} ${p.quadrant}`) : c.dim(`${p.symbol} warming`)));
  return [`${stateHeader('rrg', at, c)}  ${cells.join('  ')}`];
}

export function formatBreadth(b: Breadth, at: Date, c: Colors): string[] {
  const pct = (n: number | null) => (n === null ? '—' : `${n.toFixed(1)}%`);
  const parts = [`beating benchmark ${pct(b.sectorsBeatingBenchmarkPct)}`, `leading/improving ${pct(b.sectorsLeadingOrImprovingPct)}`];
  if (b.constituents) parts.push(`A/D ${b.constituents.advancers}/${b.constituents.decliners}`);
  return [`${stateHeader('breadth', at, c)}${b.window ? ` ${b.window}` : ''}  ${parts.join('  ')}`];
}

/** The lines one state update prints in text mode. */
export function formatState(update: StateUpdate, first: boolean, at: Date, c: Colors): string[] {
  switch (update.channel) {
    case 'spreads':
      return formatSpreads(update.value, first ? 'all' : update.changed, at, c);
    case 'sectors':
      return update.changed.length > 0 || first ? formatSectors(update.value, at, c) : [];
    case 'rrg':
      return update.changed.length > 0 || first ? formatRrg(update.value, at, c) : [];
    case 'breadth':
      return update.changed.length > 0 || first ? formatBreadth(update.value, at, c) : [];
  }
}

/** Connection status for stderr. */
export function formatStatus(s: ClientStatus, c: Colors): string {
  switch (s.state) {
    case 'idle':
      return c.dim('idle');
    case 'connecting':
      return c.dim(s.attempt === 0 ? 'connecting…' : `connecting (attempt ${s.attempt + 1})…`);
    case 'open':
      return c.green(`connected to ${s.instance} (epoch ${s.epoch})`);
    case 'reconnecting':
      return c.yellow(`${s.reason}; reconnecting in ${(s.delayMs / 1000).toFixed(1)} s`);
    case 'closed':
      return s.error ? c.red(`stopped: ${s.error.message}`) : c.dim(`closed: ${s.reason}`);
  }
}

export function formatGap(g: GapInfo, c: Colors): string {
  const what = g.reason === 'epoch_changed' ? 'epoch changed' : `missed seq ${g.expectedPrevSeq + 1}..${g.prevSeq}`;
  return c.yellow(`${g.channel}: ${what}; ${g.recovery === 'resubscribe' ? 'resuming from the last seq' : 'took the newest value'}`);
}

export function formatResync(r: ResyncInfo, c: Colors): string {
  return c.yellow(`${r.channel}: resynchronised (${r.reason}); history from before may be missing`);
}

/**
 * `--json` output: one self-describing object per line. `receivedAt` (ISO 8601, UTC) is when the
 * watcher got it; an alert's own time is `alert.eventTime`.
 */
export type JsonLine =
  | { type: 'alert'; channel: string; seq: number; source: string; receivedAt: string; alert: Alert }
  | { type: 'state'; channel: string; seq: number; source: string; receivedAt: string; changed: string[]; value: unknown };

export function jsonAlert(alert: Alert, meta: AlertMeta, at: Date): string {
  const line: JsonLine = { type: 'alert', channel: meta.channel, seq: meta.seq, source: meta.source, receivedAt: at.toISOString(), alert };
  return JSON.stringify(line);
}

export function jsonState(update: StateUpdate, at: Date): string {
  const line: JsonLine = { type: 'state', channel: update.channel, seq: update.seq, source: update.source, receivedAt: at.toISOString(), changed: update.changed, value: update.value };
  return JSON.stringify(line);
}

const UNIT_MS: Record<string, number> = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/** `5m` -> 300000, for ordering windows by length. */
export function windowMs(label: string): number {
  const m = /^(\d+)([smhdw])$/.exec(label);
  return m ? Number(m[1]) * UNIT_MS[m[2]!]! : Number.MAX_SAFE_INTEGER;
}
