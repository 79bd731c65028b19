import { describe, expect, it } from 'vitest';
import type { Alert } from '@rotation/schemas';
import { escapeSlack, jsonBody, slackBody } from './body.js';

const alert: Alert = {
  id: 'a_1',
  kind: 'size_regime_change',
  severity: 'critical',
  subject: 'IWM/SPY',
  window: '7d',
  eventTime: '2024-03-08T21:00:00.000Z',
  message: 'Small caps lead: IWM +3.25% vs SPY -0.72% over 7d (spread +3.97 pp) <b>&</b>',
  metrics: { spreadPp: 3.97 },
  seq: 42,
};

describe('bodies', () => {
  it('the JSON body is versioned and carries the alert unchanged', () => {
    expect(JSON.parse(jsonBody(alert))).toEqual({ v: 1, type: 'alert', alert });
  });

  it('the Slack body is a single text with severity, kind, subject, window and the message, escaped', () => {
    expect(JSON.parse(slackBody(alert))).toEqual({
      text: ':rotating_light: *CRITICAL* size regime change — IWM/SPY · 7d\nSmall caps lead: IWM +3.25% vs SPY -0.72% over 7d (spread +3.97 pp) &lt;b&gt;&amp;&lt;/b&gt;\n_2024-03-08T21:00:00.000Z_',
    });
  });

  it('a Slack body without a window leaves it out', () => {
    const { window: _w, ...noWindow } = alert;
    expect(JSON.parse(slackBody({ ...noWindow, severity: 'info' })).text).toMatch(/^:information_source: \*INFO\* size regime change — IWM\/SPY\n/);
  });

  it.each([
    ['a < b', 'a &lt; b'],
    ['x & y', 'x &amp; y'],
    ['plain', 'plain'],
  ])('escapeSlack(%s)', (input, out) => {
    expect(escapeSlack(input)).toBe(out);
  });
});
