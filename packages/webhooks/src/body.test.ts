import { describe, expect, it } from 'vitest';
import type { Alert } from '@rotation/schemas';
import { discordBody, escapeDiscord, escapeSlack, jsonBody, slackBody } from './body.js';

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

  it('the Discord body is one embed: severity and kind as title, the message escaped, colour by severity, the event time, no mentions', () => {
    expect(JSON.parse(discordBody({ ...alert, message: 'IWM *up* @everyone_now' }))).toEqual({
      username: 'rotation-stream',
      allowed_mentions: { parse: [] },
      embeds: [
        {
          title: 'CRITICAL · size regime change — IWM/SPY · 7d',
          description: 'IWM \\*up\\* @everyone\\_now',
          color: 0xd93f3f,
          timestamp: '2024-03-08T21:00:00.000Z',
          footer: { text: 'a_1 · #42' },
        },
      ],
    });
  });

  it('a Discord body stays within the embed limits and has a colour per severity', () => {
    const { window: _w, seq: _q, ...bare } = alert;
    const body = JSON.parse(discordBody({ ...bare, severity: 'info', message: 'x'.repeat(5000) })) as { embeds: Array<{ title: string; description: string; color: number; footer: { text: string } }> };
    const embed = body.embeds[0]!;
    expect(embed.title).toBe('INFO · size regime change — IWM/SPY');
    expect(embed.description).toHaveLength(4096);
    expect(embed.description.endsWith('…')).toBe(true);
    expect(embed.footer.text).toBe('a_1');
    expect(new Set((['info', 'warning', 'critical'] as const).map((severity) => (JSON.parse(discordBody({ ...alert, severity })) as typeof body).embeds[0]!.color)).size).toBe(3);
  });

  it.each([
    ['a*b_c', 'a\\*b\\_c'],
    ['`code` | > quote ~x~', '\\`code\\` \\| \\> quote \\~x\\~'],
    ['back\\slash', 'back\\\\slash'],
    ['plain +3.97 pp', 'plain +3.97 pp'],
  ])('escapeDiscord(%j)', (input, out) => {
    expect(escapeDiscord(input)).toBe(out);
  });
});
