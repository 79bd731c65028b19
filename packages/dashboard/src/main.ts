/// <reference lib="dom" />
/**
 * The page's wiring: one @rotation/client connection (reconnect with full-jitter backoff, resume
 * per channel, gap detection, snapshot-plus-updates merged), one store, and a render pass per
 * animation frame at most (state channels can update many times a second; the eye needs a few).
 */
import './zod-setup.js';
import { RotationClient } from '@rotation/client';
import type { Channel } from '@rotation/schemas';
import { apiHeaders, streamUrl } from './endpoints.js';
import { fromClientStatus, type ConnectionStatus } from './status.js';
import { adoptToken, sessionStore } from './token-store.js';
import { addPoints, alertsReady, applyAlerts, applyState, initialState, type DashboardState } from './store.js';
import { loadSpreadHistory } from './history-api.js';
import { marketClock } from './market-clock.js';
import { RrgChart, SpreadChart } from './ui/charts.js';
import { byId } from './ui/dom.js';
import { renderAlerts, renderBreadth, renderLeaderboard, renderMarketClock, renderRrgLegend, renderSpreadTable, renderStatus, renderWindowPicker } from './ui/panels.js';
import { prefillFrom, ruleFromForm, ruleRows, type RuleFormFields, type RuleRowModel } from './rules-form.js';
import { rulesApi } from './rules-api.js';
import { renderRuleErrors, renderRules, type RuleAction } from './ui/rules-panel.js';
import { alertRows, breadthModel, defaultWindow, leaderboard, quadrantCounts, rrgModel, sortWindows, spreadRows, spreadSeries } from './view-model.js';

// alerts:mine: the alerts of the viewer's own rules (docs/rules.md), in the same feed.
const CHANNELS: Channel[] = ['alerts', 'alerts:mine', 'spreads', 'sectors', 'rrg', 'breadth'];

let state: DashboardState = initialState();
let status: ConnectionStatus = { kind: 'connecting', attempt: 0 };
let everOpen = false;
let pickedWindow: string | undefined;
let renderQueued = false;

const url = streamUrl(window.location);
// Read once: a ?token= moves into sessionStorage and out of the address bar before anything renders.
const token = adoptToken({ href: window.location.href, storage: sessionStore(), replaceUrl: (href) => history.replaceState(history.state, '', href) });
byId('stream-url').textContent = url + (token ? ' (with your token)' : '');

const spreadChart = new SpreadChart(byId<HTMLCanvasElement>('spread-canvas'));
const rrgChart = new RrgChart(byId<HTMLCanvasElement>('rrg-canvas'));

const client = new RotationClient({ url, channels: CHANNELS, authTransport: 'query', ...(token ? { token } : {}) });

client.on('status', (s) => {
  if (s.state === 'open') everOpen = true;
  status = fromClientStatus(s, Date.now());
  // A refused handshake reaches a browser only as close code 1006; the HTTP API says why.
  if (s.state === 'reconnecting' && !everOpen) void diagnose();
  queueRender();
});
client.on('state', (u) => {
  state = applyState(state, u, Date.now(), u.asOf);
  queueRender();
});

// ---------------------------------------------------------------- chart history
/** Windows whose recorded series were asked for (once per page load: live values extend them). */
const historyAsked = new Set<string>();
let historyPoints = 0;

function ensureHistory(window: string, pairs: readonly string[]): void {
  if (historyAsked.has(window) || pairs.length === 0) return;
  historyAsked.add(window);
  void loadSpreadHistory(token, window, pairs).then(({ points, error }) => {
    state = { ...state, spreadHistory: addPoints(state.spreadHistory, points) };
    historyPoints += points.length;
    byId('spread-chart').dataset.history = String(historyPoints);
    if (error) byId('spread-chart').dataset.historyError = error;
    queueRender();
  });
}
client.on('alert', (a) => {
  state = applyAlerts(state, [a], Date.now());
  queueRender();
  // One of my rules fired: its "last fired" moved.
  if (a.kind === 'rule') void refreshRules();
});

// ---------------------------------------------------------------- my rules
const api = rulesApi(token);
let rules: RuleRowModel[] | null = null;
const form = byId<HTMLFormElement>('rule-form');

async function refreshRules(): Promise<void> {
  const res = await api.list();
  if (res.ok) rules = ruleRows(res.value.rules);
  else renderRuleErrors(byId('rule-errors'), `Rules: ${res.error}`);
  renderRules(byId('rules-list'), rules, onRuleAction);
}

function onRuleAction(id: string, action: RuleAction): void {
  void api.act(id, action).then((res) => {
    renderRuleErrors(byId('rule-errors'), res.ok ? null : res.error);
    return refreshRules();
  });
}

const FIELDS = ['name', 'subjectType', 'subject', 'measure', 'window', 'condition', 'value', 'hysteresis', 'dwell', 'cooldown', 'message'] as const;
function formFields(): RuleFormFields {
  const value = (n: string) => (form.elements.namedItem(n) as HTMLInputElement | HTMLSelectElement | null)?.value ?? '';
  return Object.fromEntries(FIELDS.map((n) => [n, value(n)])) as unknown as RuleFormFields;
}

form.addEventListener('submit', (e) => {
  e.preventDefault();
  void api.create(ruleFromForm(formFields())).then((res) => {
    if (!res.ok) return renderRuleErrors(byId('rule-errors'), res.error, res.issues);
    renderRuleErrors(byId('rule-errors'), null);
    form.reset();
    return refreshRules();
  });
});

/** A click on a pair row or a sector row starts a rule from it. */
function prefill(fields: Partial<RuleFormFields>): void {
  for (const [name, value] of Object.entries(fields)) {
    const input = form.elements.namedItem(name) as HTMLInputElement | HTMLSelectElement | null;
    if (input) input.value = String(value);
  }
  form.scrollIntoView({ block: 'nearest' });
  (form.elements.namedItem('name') as HTMLInputElement).focus();
}
byId('spread-table').addEventListener('click', (e) => {
  const pair = (e.target as HTMLElement).closest<HTMLElement>('tr[data-pair]')?.dataset.pair;
  if (pair) prefill(prefillFrom({ pair }, currentWindow(windows())));
});
byId('leaderboard').addEventListener('click', (e) => {
  const sector = (e.target as HTMLElement).closest<HTMLElement>('tr[data-symbol]')?.dataset.symbol;
  if (sector) prefill(prefillFrom({ sector }, currentWindow(windows())));
});

/** The form's windows follow the stream's. */
function renderRuleWindows(all: readonly string[]): void {
  const select = byId<HTMLSelectElement>('rule-window');
  const have = Array.from(select.options, (o) => o.value).filter((v) => v !== '');
  if (have.join() === all.join()) return;
  const keep = select.value;
  select.replaceChildren(new Option('—', ''), ...all.map((w) => new Option(w, w)));
  select.value = all.includes(keep) ? keep : '';
}

async function diagnose(): Promise<void> {
  const res = await fetch('/api/v1/snapshot', { cache: 'no-store', headers: apiHeaders(token) }).catch(() => undefined);
  if (res && (res.status === 401 || res.status === 403)) {
    await client.close().catch(() => undefined);
    status = { kind: 'unauthorized', reason: token ? 'the gateway refused this token' : 'the gateway requires a token' };
    queueRender();
  }
}

function windows(): string[] {
  return sortWindows([...(state.spreads ?? []).map((p) => p.window), ...(state.sectors ?? []).map((s) => s.window)]);
}

function currentWindow(all: readonly string[]): string | undefined {
  if (pickedWindow && all.includes(pickedWindow)) return pickedWindow;
  return defaultWindow(all, state.spreads ?? []);
}

function queueRender(): void {
  if (renderQueued) return;
  renderQueued = true;
  requestAnimationFrame(() => {
    renderQueued = false;
    render();
  });
}

function render(): void {
  const now = Date.now();
  renderStatus(byId('status'), status, now, state.lastUpdateMs);
  document.body.dataset.connection = status.kind;

  const all = windows();
  const w = currentWindow(all);
  renderWindowPicker(byId('window-picker'), all, w, (picked) => {
    pickedWindow = picked;
    queueRender();
  });
  document.querySelectorAll('[data-window-label]').forEach((el) => (el.textContent = w ?? '…'));

  renderMarketClock(byId('market-clock'), marketClock(state.asOf));
  const pairs = [...new Set((state.spreads ?? []).filter((p) => p.window === w).map((p) => p.pair))];
  if (w) ensureHistory(w, pairs);
  const series = w ? spreadSeries(state.spreadHistory, w, pairs) : [];
  spreadChart.update(series);
  byId('spread-chart').dataset.points = String(series.reduce((n, s) => n + s.points.length, 0));
  renderSpreadTable(byId('spread-table'), state.spreads === null ? null : w ? spreadRows(state.spreads, w) : [], w);

  renderLeaderboard(byId('leaderboard'), state.sectors === null ? null : w ? leaderboard(state.sectors, w) : undefined, w);

  if (state.rrg === null) {
    renderRrgLegend(byId('rrg-legend'), null, []);
    byId('rrg-chart').dataset.points = '0';
  } else {
    const model = rrgModel(state.rrg);
    rrgChart.update(model);
    byId('rrg-chart').dataset.points = String(model.series.length);
    renderRrgLegend(byId('rrg-legend'), quadrantCounts(model), model.warming);
  }

  renderBreadth(byId('breadth'), state.breadth === null ? null : breadthModel(state.breadth));
  renderAlerts(byId('alerts'), state.alerts === null ? null : alertRows(state.alerts));
  renderRuleWindows(all);
}

// The reconnect countdown and "updated at" change with time alone.
setInterval(() => renderStatus(byId('status'), status, Date.now(), state.lastUpdateMs), 1_000);

render();
void refreshRules();
setInterval(() => void refreshRules(), 30_000);
client.connect().then(
  () => {
    state = alertsReady(state);
    queueRender();
  },
  () => {
    /* the status handler already shows why */
  },
);
