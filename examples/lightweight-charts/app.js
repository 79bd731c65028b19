// The IWM/SPY ratio from the gateway's `spreads` channel as a live line, and every alert as a
// marker on it. Plain ES modules, no bundler: the two files under vendor/ are the client's
// browser bundle (@rotation/client/bundle) and lightweight-charts' standalone ES module.
//
// Query parameters: ?stream=ws://host:8080/v1/stream (default: this page's own gateway),
// ?window=1d (5m, 1h, 1d, 7d), ?pair=IWM/SPY, ?alerts=all to mark every alert (default: the
// pair's own), ?token=… when the gateway requires one.
import { RotationClient } from './vendor/rotation-client.js';
import { createChart, createSeriesMarkers, LineSeries } from './vendor/lightweight-charts.mjs';

const params = new URLSearchParams(location.search);
const pair = params.get('pair') ?? 'IWM/SPY';
const windowLabel = params.get('window') ?? '1d';
const streamUrl = params.get('stream') ?? `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/v1/stream`;
const token = params.get('token') ?? undefined;
const allAlerts = params.get('alerts') === 'all';

const SEVERITY_COLOR = { critical: '#d93f3f', warning: '#e0a030', info: '#3f7fd9' };
const MAX_MARKERS = 200;
const MAX_LISTED = 50;

const el = document.getElementById('chart');
const statusEl = document.getElementById('status');
document.getElementById('window').textContent = `· ${windowLabel}`;

// Times are arrival times: shown in the browser's own zone rather than lightweight-charts' UTC.
const localTime = (t) => new Date(t * 1000).toLocaleTimeString();
const chart = createChart(el, {
  autoSize: true,
  timeScale: { timeVisible: true, secondsVisible: true, tickMarkFormatter: localTime },
  localization: { priceFormatter: (v) => v.toFixed(2), timeFormatter: localTime },
});
const series = chart.addSeries(LineSeries, { color: '#2962ff', lineWidth: 2, title: pair });
const markers = createSeriesMarkers(series, []);
const shown = [];
const pending = [];
let lastTime = 0;
let lastPointTime = -1;
let points = 0;

// The spreads channel carries values, not their event time: points are placed when they
// arrive, in whole seconds as lightweight-charts wants, never going backwards.
function nextTime() {
  lastTime = Math.max(lastTime, Math.floor(Date.now() / 1000));
  return lastTime;
}

function addPoint(value) {
  const time = nextTime();
  // update() replaces the point of the same second and appends a later one.
  const appended = time > lastPointTime;
  if (appended) {
    points++;
    lastPointTime = time;
  }
  series.update({ time, value });
  // Spread the line over the width while there are few points; a reader who scrolled back
  // (the right edge out of view) is left where they are.
  if (appended && chart.timeScale().scrollPosition() >= 0) chart.timeScale().fitContent();
  // What the chart itself holds, for a reader (and the browser test) to check.
  el.dataset.points = String(series.data().length);
}

function listAlert(alert, earlier) {
  const li = document.createElement('li');
  li.dataset.severity = alert.severity;
  // textContent, never innerHTML: an alert's message is data.
  li.textContent = `${earlier ? '(before this page) ' : ''}${alert.eventTime} ${alert.severity.toUpperCase()} ${alert.message}`;
  const list = document.getElementById('alerts');
  list.prepend(li);
  while (list.children.length > MAX_LISTED) list.lastElementChild.remove();
}

function addMarker(alert) {
  // A marker needs a point to sit on: alerts from before the first value wait for it.
  if (points === 0) return void pending.push(alert);
  shown.push({
    time: lastPointTime,
    position: alert.severity === 'info' ? 'belowBar' : 'aboveBar',
    shape: alert.severity === 'critical' ? 'arrowDown' : 'circle',
    color: SEVERITY_COLOR[alert.severity] ?? '#687080',
    text: `${alert.kind.replace(/_/g, ' ')} ${alert.subject}${alert.window ? ` ${alert.window}` : ''}`,
    id: alert.id,
  });
  if (shown.length > MAX_MARKERS) shown.shift();
  markers.setMarkers(shown);
  el.dataset.markers = String(markers.markers().length);
  listAlert(alert, false);
}

const client = new RotationClient({ url: streamUrl, channels: ['alerts', 'spreads'], ...(token ? { token } : {}) });
client.onState('spreads', ({ value }) => {
  const row = value.find((p) => p.pair === pair && p.window === windowLabel);
  if (row?.ratio === null || row?.ratio === undefined) return;
  addPoint(row.ratio);
  for (const alert of pending.splice(0)) addMarker(alert);
});
client.on('alert', (alert, { source }) => {
  if (!allAlerts && alert.subject !== pair) return;
  // Recent alerts replayed on connect happened before the first point: listed, not marked.
  if (source === 'snapshot') return listAlert(alert, true);
  addMarker(alert);
});
client.on('status', (s) => {
  statusEl.dataset.state = s.state === 'open' ? 'live' : s.state;
  statusEl.textContent = s.state === 'open' ? `live from ${s.instance}` : s.state;
});
client.on('error', (e) => console.warn(e.code, e.message));
client.connect().catch((e) => {
  statusEl.dataset.state = 'refused';
  statusEl.textContent = `refused: ${e.message}`;
});
