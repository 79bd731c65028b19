/// <reference lib="dom" />
/**
 * The two canvases: the spread lines and the RRG scatter. Chart.js is bundled (tree-shaken to the
 * parts registered here) so the page works with no network beyond the gateway.
 */
import { Chart, Filler, Legend, LinearScale, LineController, LineElement, PointElement, ScatterController, Tooltip, type ChartDataset, type Plugin } from 'chart.js';
import { formatLevel, formatPp } from '../format.js';
import { formatNewYork, formatNewYorkShort } from '../market-clock.js';
import { QUADRANT_FILL, seriesStyle } from '../palette.js';
import { QUADRANTS, type RrgModel, type SpreadSeries } from '../view-model.js';

Chart.register(LineController, ScatterController, LineElement, PointElement, LinearScale, Legend, Tooltip, Filler);

const TEXT = '#d8dee6';
const MUTED = '#9aa5b1';
const GRID = 'rgba(216, 222, 230, 0.12)';
const AXIS = 'rgba(216, 222, 230, 0.55)';

Chart.defaults.color = TEXT;
Chart.defaults.font.family = 'system-ui, -apple-system, "Segoe UI", Roboto, sans-serif';
Chart.defaults.font.size = 12;

type XY = { x: number; y: number };

/** Enough decimals that neighbouring ticks never print the same label. */
function tickDigits(ticks: ReadonlyArray<{ value: number }>): number {
  const step = ticks.length > 1 ? Math.abs(ticks[1]!.value - ticks[0]!.value) : 1;
  return step >= 1 ? 0 : step >= 0.1 ? 1 : step >= 0.01 ? 2 : 3;
}

function spansDays(ticks: ReadonlyArray<{ value: number }>): boolean {
  if (ticks.length < 2) return true;
  return formatNewYorkShort(ticks[0]!.value, true).slice(0, 5) !== formatNewYorkShort(ticks[ticks.length - 1]!.value, true).slice(0, 5);
}

export class SpreadChart {
  private readonly chart: Chart<'line', XY[]>;

  constructor(canvas: HTMLCanvasElement) {
    this.chart = new Chart(canvas, {
      type: 'line',
      data: { datasets: [] },
      options: {
        animation: false,
        responsive: true,
        maintainAspectRatio: false,
        parsing: false,
        normalized: true,
        interaction: { mode: 'nearest', intersect: false },
        scales: {
          x: {
            type: 'linear',
            title: { display: true, text: 'market time (event time of the data, New York)', color: MUTED },
            // With the date once the chart spans more than one New York day.
            ticks: { maxTicksLimit: 6, callback: (v, _i, ticks) => formatNewYorkShort(Number(v), spansDays(ticks)) },
            grid: { color: GRID },
          },
          y: {
            title: { display: true, text: 'spread, small minus large (pp)', color: MUTED },
            ticks: { callback: (v, _i, ticks) => formatPp(Number(v), tickDigits(ticks)) },
            // The zero line is where leadership flips: draw it stronger than the grid.
            grid: { color: (ctx) => (ctx.tick.value === 0 ? AXIS : GRID), lineWidth: (ctx) => (ctx.tick.value === 0 ? 2 : 1) },
          },
        },
        plugins: {
          legend: { labels: { usePointStyle: true, boxWidth: 10 } },
          tooltip: { callbacks: { title: (items) => formatNewYork(items[0]?.parsed.x ?? 0), label: (item) => `${item.dataset.label}: ${formatPp(item.parsed.y)}` } },
        },
      },
    });
  }

  update(series: readonly SpreadSeries[]): void {
    // Chart.js spreads a single point over an arbitrary range: show at least the last minute of market time.
    const xs = series.flatMap((s) => s.points.map((p) => p.x));
    const x = this.chart.options.scales!.x!;
    if (xs.length > 0) {
      const lo = Math.min(...xs);
      const hi = Math.max(...xs);
      x.min = hi - lo < 60_000 ? hi - 60_000 : lo;
      x.max = hi;
    } else {
      x.min = undefined;
      x.max = undefined;
    }
    this.chart.data.datasets = series.map((s, i): ChartDataset<'line', XY[]> => {
      const style = seriesStyle(i);
      return {
        label: s.pair,
        data: s.points,
        borderColor: style.colour,
        backgroundColor: style.colour,
        borderDash: style.dash,
        borderWidth: 2,
        pointStyle: style.point,
        // Points only where they are few: a dense line reads better without them.
        pointRadius: s.points.length > 40 ? 0 : 3,
        tension: 0,
      };
    });
    this.chart.update('none');
  }

  destroy(): void {
    this.chart.destroy();
  }
}

/** Quadrant backgrounds and their names, drawn under the data. */
const quadrantPlugin: Plugin<'scatter'> = {
  id: 'rrgQuadrants',
  beforeDatasetsDraw(chart) {
    const { ctx, chartArea: area, scales } = chart;
    const x = scales.x;
    const y = scales.y;
    if (!x || !y) return;
    const cx = x.getPixelForValue(100);
    const cy = y.getPixelForValue(100);
    const rects = {
      leading: [cx, area.top, area.right - cx, cy - area.top],
      weakening: [cx, cy, area.right - cx, area.bottom - cy],
      lagging: [area.left, cy, cx - area.left, area.bottom - cy],
      improving: [area.left, area.top, cx - area.left, cy - area.top],
    } as const;
    ctx.save();
    for (const q of QUADRANTS) {
      const [rx, ry, rw, rh] = rects[q.id];
      ctx.fillStyle = QUADRANT_FILL[q.id];
      ctx.fillRect(rx, ry, rw, rh);
    }
    ctx.font = '600 13px system-ui, sans-serif';
    ctx.fillStyle = TEXT;
    ctx.textBaseline = 'top';
    ctx.textAlign = 'right';
    ctx.fillText('Leading', area.right - 6, area.top + 6);
    ctx.textBaseline = 'bottom';
    ctx.fillText('Weakening', area.right - 6, area.bottom - 6);
    ctx.textAlign = 'left';
    ctx.fillText('Lagging', area.left + 6, area.bottom - 6);
    ctx.textBaseline = 'top';
    ctx.fillText('Improving', area.left + 6, area.top + 6);
    ctx.strokeStyle = AXIS;
    ctx.lineWidth = 1;
    ctx.beginPath();
    ctx.moveTo(cx, area.top);
    ctx.lineTo(cx, area.bottom);
    ctx.moveTo(area.left, cy);
    ctx.lineTo(area.right, cy);
    ctx.stroke();
    ctx.restore();
  },
  // Symbol names beside the heads: the legend is not needed to tell eleven series apart.
  afterDatasetsDraw(chart) {
    const { ctx } = chart;
    ctx.save();
    ctx.font = '600 11px system-ui, sans-serif';
    ctx.textBaseline = 'middle';
    ctx.textAlign = 'left';
    chart.data.datasets.forEach((ds, i) => {
      const meta = chart.getDatasetMeta(i);
      const head = meta.data[meta.data.length - 1];
      if (!head || meta.hidden) return;
      ctx.fillStyle = String(ds.borderColor ?? TEXT);
      ctx.fillText(String(ds.label ?? ''), head.x + 7, head.y);
    });
    ctx.restore();
  },
};

export class RrgChart {
  private readonly chart: Chart<'scatter', XY[]>;

  constructor(canvas: HTMLCanvasElement) {
    this.chart = new Chart(canvas, {
      type: 'scatter',
      data: { datasets: [] },
      plugins: [quadrantPlugin],
      options: {
        animation: false,
        responsive: true,
        maintainAspectRatio: false,
        parsing: false,
        scales: {
          x: { type: 'linear', min: 98, max: 102, title: { display: true, text: 'RS-Ratio (trend vs benchmark, 100 = par)', color: MUTED }, grid: { color: GRID } },
          y: { type: 'linear', min: 98, max: 102, title: { display: true, text: 'RS-Momentum (100 = steady)', color: MUTED }, grid: { color: GRID } },
        },
        plugins: {
          legend: { display: false },
          tooltip: { callbacks: { label: (item) => `${item.dataset.label}: RS-Ratio ${formatLevel(item.parsed.x)}, RS-Momentum ${formatLevel(item.parsed.y)}` } },
        },
      },
    });
  }

  update(model: RrgModel): void {
    this.chart.options.scales!.x!.min = model.bounds.min;
    this.chart.options.scales!.x!.max = model.bounds.max;
    this.chart.options.scales!.y!.min = model.bounds.min;
    this.chart.options.scales!.y!.max = model.bounds.max;
    this.chart.data.datasets = model.series.map((s, i): ChartDataset<'scatter', XY[]> => {
      const style = seriesStyle(i);
      const n = s.tail.length;
      return {
        label: s.symbol,
        data: s.tail,
        showLine: true,
        borderColor: style.colour,
        backgroundColor: style.colour,
        borderWidth: 1.5,
        pointStyle: style.point,
        // The tail fades into the past: small points, the head large.
        pointRadius: s.tail.map((_, j) => (j === n - 1 ? 6 : 2)),
        pointHoverRadius: 7,
      };
    });
    this.chart.update('none');
  }

  destroy(): void {
    this.chart.destroy();
  }
}
