/// <reference lib="dom" />
/**
 * The text panels: connection badge, window picker, spread table, sector leaderboard, breadth
 * gauge and alert feed. Each shows "loading" until its channel's first snapshot and says why it
 * is empty when it is.
 */
import type { Quadrant } from '@rotation/schemas';
import type { ConnectionStatus } from '../status.js';
import { formatClock, formatDelay } from '../format.js';
import { QUADRANTS, type AlertRow, type BreadthModel, type Leaderboard, type LeaderboardRow, type SpreadRow } from '../view-model.js';
import type { MarketClock } from '../market-clock.js';
import { fill, h } from './dom.js';

export function renderStatus(el: HTMLElement, status: ConnectionStatus, nowMs: number, lastUpdateMs: number | null): void {
  let label: string;
  let detail = '';
  switch (status.kind) {
    case 'connecting':
      label = status.attempt === 0 ? 'Connecting' : 'Reconnecting';
      break;
    case 'live':
      label = 'Live';
      detail = lastUpdateMs === null ? 'waiting for data' : `updated ${formatClock(lastUpdateMs)}`;
      break;
    case 'reconnecting':
      label = 'Disconnected';
      detail = `${status.reason}; retrying in ${formatDelay(status.atMs - nowMs)}`;
      break;
    case 'unauthorized':
      label = 'Not authorised';
      detail = `${status.reason}. Open the page with ?token=<your token>.`;
      break;
    case 'closed':
      label = 'Closed';
      detail = `${status.reason}. Reload the page to reconnect.`;
      break;
  }
  el.dataset.state = status.kind;
  const icon = status.kind === 'live' ? '●' : status.kind === 'unauthorized' || status.kind === 'closed' ? '✕' : '○';
  fill(el, h('span', { class: 'status-icon', 'aria-hidden': 'true' }, icon), h('strong', {}, label), detail ? h('span', { class: 'status-detail' }, detail) : null);
}

/** The market clock: the data's event time in New York and the session state the calendar gives it. */
export function renderMarketClock(el: HTMLElement, clock: MarketClock): void {
  el.dataset.session = clock.state ?? '';
  fill(
    el,
    h('span', { class: 'clock-label' }, 'Market time '),
    h('strong', { 'data-market-time': '' }, clock.time),
    h('span', { class: `session session-${clock.state ?? 'none'}`, 'data-session-label': '' }, clock.label),
    clock.detail ? h('span', { class: 'session-detail' }, clock.detail) : null,
  );
}

export function renderWindowPicker(el: HTMLElement, windows: readonly string[], selected: string | undefined, onPick: (w: string) => void): void {
  if (windows.length === 0) {
    fill(el);
    return;
  }
  // The same windows: only the pressed state changes. Buttons replaced on every frame while
  // data stream in can swallow a click (pressed on one button, released on its replacement).
  const existing = Array.from(el.querySelectorAll<HTMLButtonElement>('button[data-window]'));
  if (existing.map((b) => b.dataset.window).join() === windows.join()) {
    for (const b of existing) b.setAttribute('aria-pressed', String(b.dataset.window === selected));
    return;
  }
  fill(
    el,
    ...windows.map((w) => {
      const b = h('button', { type: 'button', class: 'window-btn', 'aria-pressed': String(w === selected), 'data-window': w }, w);
      b.addEventListener('click', () => onPick(w));
      return b;
    }),
  );
}

function message(text: string, kind: 'loading' | 'empty'): HTMLElement {
  return h('p', { class: `panel-msg ${kind}`, 'data-msg': kind }, kind === 'loading' ? h('span', { class: 'spinner', 'aria-hidden': 'true' }) : null, text);
}

export function renderSpreadTable(el: HTMLElement, rows: readonly SpreadRow[] | null, window: string | undefined): void {
  if (rows === null) return fill(el, message('Waiting for the first spreads from the gateway…', 'loading'));
  if (rows.length === 0) return fill(el, message(`No spreads for ${window ?? 'this window'} yet.`, 'empty'));
  fill(
    el,
    h(
      'table',
      { class: 'data-table' },
      h('caption', { class: 'sr-only' }, `Small versus large caps over ${window}`),
      h('thead', {}, h('tr', {}, ...['Pair', 'Spread', 'Small', 'Large', 'z-score', 'Ratio', 'Reading'].map((t) => h('th', { scope: 'col' }, t)))),
      h(
        'tbody',
        {},
        ...rows.map((r) =>
          h(
            'tr',
            { 'data-pair': r.pair },
            h('th', { scope: 'row' }, r.pair),
            h('td', { class: `num dir-${r.direction}` }, h('span', { 'aria-hidden': 'true' }, r.arrow), ` ${r.spread}`),
            h('td', { class: 'num' }, r.small),
            h('td', { class: 'num' }, r.large),
            h('td', { class: `num${r.stretched ? ' stretched' : ''}`, title: r.stretched ? '|z| > 2: stretched' : undefined }, r.z, r.stretched ? ' (stretched)' : ''),
            h('td', { class: 'num' }, r.ratio),
            h('td', {}, r.leader),
          ),
        ),
      ),
    ),
  );
}

export function renderLeaderboard(el: HTMLElement, board: Leaderboard | null | undefined, window: string | undefined): void {
  if (board === null) return fill(el, message('Waiting for sector rankings…', 'loading'));
  if (board === undefined || board.rows.length === 0) return fill(el, message(`No sector ranking for ${window ?? 'this window'} yet: sectors are warming up.`, 'empty'));
  fill(
    el,
    h(
      'table',
      { class: 'data-table leaderboard' },
      h('caption', { class: 'sr-only' }, `Sector SPDRs ranked by return over ${board.window}, relative to the benchmark`),
      h('thead', {}, h('tr', {}, ...['#', 'Sector', 'Return', 'vs benchmark', ''].map((t) => h('th', { scope: 'col' }, t)))),
      h(
        'tbody',
        {},
        ...board.rows.map((r) =>
          h(
            'tr',
            { 'data-symbol': r.symbol, 'data-role': r.role ?? undefined, class: r.role ?? undefined },
            h('td', { class: 'num rank' }, String(r.rank)),
            h('th', { scope: 'row' }, h('span', { class: 'symbol' }, r.symbol), h('span', { class: 'sector-name' }, r.name)),
            h('td', { class: 'num' }, r.returnText),
            h(
              'td',
              { class: `num dir-${r.direction}` },
              h('span', { class: 'bar-wrap', 'aria-hidden': 'true' }, h('span', { class: `bar bar-${r.direction}`, style: `width:${r.barPct}%` })),
              h('span', { 'aria-hidden': 'true' }, r.arrow),
              ` ${r.relativeText}`,
            ),
            h('td', {}, ...badges(r)),
          ),
        ),
      ),
    ),
    h(
      'p',
      { class: 'footnote', 'data-footnote': 'roles' },
      `★ Leader and ▽ Laggard mark rank 1 and rank ${board.rows.length} over ${board.window} now. `,
      `The detector confirms a leader or laggard only once a challenger has led by a margin for a dwell (windows of a session or more: at session closes), and that is what its leadership alerts report: `,
      `confirmed leader ${board.confirmedLeader ?? '—'}, laggard ${board.confirmedLaggard ?? '—'}`,
      board.rows.some((r) => r.confirmed) ? ' (◆ marks one that is no longer at its end of the ranking).' : '.',
    ),
    h(
      'p',
      { class: 'footnote', 'data-footnote': 'intensity' },
      'Rotation intensity ',
      h('strong', { 'data-intensity': board.intensity }, board.intensity),
      ': 1 − Spearman’s rank correlation between this ranking and the one at the last session close, from 0 to 2 (0 = same order, 1 = unrelated, 2 = reversed).',
    ),
  );
}

function badges(r: LeaderboardRow): HTMLElement[] {
  const out: HTMLElement[] = [];
  if (r.role) out.push(h('span', { class: `badge badge-${r.role}` }, r.role === 'leader' ? '★ Leader' : '▽ Laggard'));
  if (r.confirmed) out.push(h('span', { class: 'badge badge-confirmed', 'data-confirmed': r.confirmed, title: `the detector's confirmed ${r.confirmed}` }, `◆ confirmed ${r.confirmed}`));
  return out;
}

export function renderRrgLegend(el: HTMLElement, counts: Record<Quadrant, string[]> | null, warming: readonly string[]): void {
  if (counts === null) return fill(el, message('Waiting for relative rotation data…', 'loading'));
  const total = Object.values(counts).reduce((n, s) => n + s.length, 0);
  fill(
    el,
    total === 0 ? message('Every sector is still warming up: RS-Ratio and RS-Momentum need a few bars of history.', 'empty') : null,
    h(
      'dl',
      { class: 'quadrant-list' },
      ...QUADRANTS.flatMap((q) => [h('dt', { class: `q-${q.id}`, title: q.where }, q.label), h('dd', { 'data-quadrant': q.id }, counts[q.id].join(', ') || '—')]),
    ),
    warming.length > 0 ? h('p', { class: 'footnote' }, `Warming up: ${warming.join(', ')}`) : null,
  );
}

const GAUGE_R = 80;
const GAUGE_LEN = Math.PI * GAUGE_R;

export function renderBreadth(el: HTMLElement, model: BreadthModel | null): void {
  if (model === null) return fill(el, message('Waiting for breadth…', 'loading'));
  const value = model.beating ?? 0;
  const svgNs = 'http://www.w3.org/2000/svg';
  const svg = document.createElementNS(svgNs, 'svg');
  svg.setAttribute('viewBox', '0 0 200 115');
  svg.setAttribute('role', 'img');
  svg.setAttribute('aria-label', `Sectors beating the benchmark: ${model.beatingText}, ${model.reading}`);
  const arc = (cls: string, dash: string) => {
    const p = document.createElementNS(svgNs, 'path');
    p.setAttribute('d', `M ${100 - GAUGE_R} 100 A ${GAUGE_R} ${GAUGE_R} 0 0 1 ${100 + GAUGE_R} 100`);
    p.setAttribute('class', cls);
    p.setAttribute('stroke-dasharray', dash);
    return p;
  };
  svg.append(arc('gauge-track', `${GAUGE_LEN} ${GAUGE_LEN}`), arc(`gauge-value${model.beating === null ? ' unknown' : ''}`, `${(value / 100) * GAUGE_LEN} ${GAUGE_LEN}`));
  // Ticks at 30 % and 70 %: where "narrow" and "broad" begin.
  for (const t of [30, 50, 70]) {
    const a = Math.PI * (1 - t / 100);
    const line = document.createElementNS(svgNs, 'line');
    line.setAttribute('x1', String(100 + (GAUGE_R - 12) * Math.cos(a)));
    line.setAttribute('y1', String(100 - (GAUGE_R - 12) * Math.sin(a)));
    line.setAttribute('x2', String(100 + (GAUGE_R + 12) * Math.cos(a)));
    line.setAttribute('y2', String(100 - (GAUGE_R + 12) * Math.sin(a)));
    line.setAttribute('class', 'gauge-tick');
    svg.append(line);
  }
  const text = document.createElementNS(svgNs, 'text');
  text.setAttribute('x', '100');
  text.setAttribute('y', '92');
  text.setAttribute('class', 'gauge-text');
  text.textContent = model.beatingText;
  svg.append(text);
  fill(
    el,
    h('div', { class: 'gauge', 'data-value': model.beating === null ? '' : String(model.beating) }, svg),
    h('p', { class: 'gauge-caption' }, h('strong', {}, 'Sectors beating the benchmark'), model.window ? ` over ${model.window}` : '', ': ', model.reading),
    h('p', { class: 'footnote', 'data-footnote': 'breadth-window' }, `Breadth is measured over the detector's breadth window${model.window ? ` (${model.window})` : ''}; it does not follow the window picker.`),
    h(
      'dl',
      { class: 'kv' },
      h('dt', {}, 'In Leading or Improving'),
      h('dd', {}, model.leadingOrImprovingText),
      ...(model.constituents
        ? [
            h('dt', {}, 'Advancers / decliners / unchanged'),
            h('dd', {}, `${model.constituents.advancers} / ${model.constituents.decliners} / ${model.constituents.unchanged}`),
            h('dt', {}, 'A/D line'),
            h('dd', {}, model.constituents.adLine),
            h('dt', {}, 'McClellan oscillator'),
            h('dd', {}, model.constituents.mcclellan),
          ]
        : []),
    ),
  );
}

export function renderAlerts(el: HTMLElement, rows: readonly AlertRow[] | null): void {
  if (rows === null) return fill(el, message('Waiting for the alert history…', 'loading'));
  if (rows.length === 0) return fill(el, message('No alerts yet. They appear here as soon as leadership rotates.', 'empty'));
  fill(
    el,
    h(
      'ol',
      { class: 'alert-list', 'aria-live': 'polite' },
      ...rows.map((a) =>
        h(
          'li',
          { class: `alert sev-${a.severity}`, 'data-alert-id': a.id, 'data-severity': a.severity },
          h('span', { class: 'sev-badge' }, h('span', { 'aria-hidden': 'true' }, a.icon), ` ${a.severityLabel}`),
          h('div', { class: 'alert-body' }, h('div', { class: 'alert-head' }, h('strong', {}, a.kind), ` · ${a.subject}`, a.window ? ` · ${a.window}` : ''), h('div', { class: 'alert-msg' }, a.message), h('time', {}, a.time)),
        ),
      ),
    ),
  );
}
