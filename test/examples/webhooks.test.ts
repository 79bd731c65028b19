/**
 * examples/slack and examples/discord as a user runs them: the example's own sinks file, with
 * only its URL pointed at a local receiver (and loopback allowed), on a live gateway over the
 * real broker and Redis. The receiver must get a Slack-shaped and a Discord-shaped body for the
 * alerts the example's filters accept, and nothing for the ones they leave out.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach } from 'vitest';
import { REPO_ROOT } from '@rotation/config';
import type { Alert } from '@rotation/schemas';
import { DetectorSim, gateway, until } from '../gateway/support.js';
import { describe, expect, test } from '../support/fixtures.js';
import { Receiver } from '../webhooks/receiver.js';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c().catch(() => undefined);
});

const MESSAGE = 'Small caps lead: IWM +3.25% vs SPY -0.72% over 7d (spread +3.97 pp)';

/** What each example's format must post for `alert` (of kind size_regime_change, severity warning). */
function expectedBody(format: 'slack' | 'discord', alert: Alert & { seq: number }): unknown {
  if (format === 'slack') return { text: `:warning: *WARNING* size regime change — IWM/SPY · 7d\n${MESSAGE}\n_${alert.eventTime}_` };
  return {
    username: 'rotation-stream',
    allowed_mentions: { parse: [] },
    embeds: [{ title: 'WARNING · size regime change — IWM/SPY · 7d', description: MESSAGE, color: 0xe0a030, timestamp: alert.eventTime, footer: { text: `${alert.id} · #${alert.seq}` } }],
  };
}

/** The event time a chat body shows: the Slack text's last line, the Discord embed's timestamp. */
function eventTimeOf(body: { text?: string; embeds?: Array<{ timestamp: string }> }): string | undefined {
  return body.text ? /\n_([^_]+)_$/.exec(body.text)?.[1] : body.embeds?.[0]?.timestamp;
}

describe('webhook examples', () => {
  test.for(['slack', 'discord'] as const)('examples/%s/webhooks.json posts its chat-shaped body for an alert it accepts, and nothing for one it filters out', { timeout: 180_000 }, async (example, { ns, kafka, redis, logger, withTopics }) => {
    await withTopics();
    const sim = await DetectorSim.start(redis, kafka, ns);
    cleanups.push(() => sim.close());
    const rx = await new Receiver().listen();
    // Slack answers 200, Discord 204.
    rx.respond = () => (example === 'slack' ? 200 : 204);
    cleanups.push(() => rx.close());

    const file = JSON.parse(await readFile(path.join(REPO_ROOT, 'examples', example, 'webhooks.json'), 'utf8')) as { sinks: Array<{ url: string; format: string }> };
    expect(file.sinks).toHaveLength(1);
    expect(file.sinks[0]!.format).toBe(example);
    file.sinks[0]!.url = rx.url;
    const dir = await mkdtemp(path.join(tmpdir(), `rotation-example-${example}-`));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    await writeFile(path.join(dir, 'webhooks.json'), JSON.stringify(file), { mode: 0o600 });
    const gw = await gateway(ns, logger, { WEBHOOKS_FILE: path.join(dir, 'webhooks.json'), WEBHOOKS_ALLOW_PRIVATE_TARGETS: 'true' });
    cleanups.push(async () => void (await gw.stop()));

    // A new consumer group starts at the end of the alerts topic: publish until the relay posts.
    // Each round: an alert the example filters out (spread_zscore), then one it accepts.
    const accepted = new Map<string, Alert & { seq: number }>();
    await until(
      async () => {
        await sim.alerts(1, () => ({ kind: 'spread_zscore' }));
        for (const a of await sim.alerts(1, () => ({ kind: 'size_regime_change', message: MESSAGE }))) accepted.set(a.eventTime, a);
        await new Promise((r) => setTimeout(r, 300));
        return rx.requests.length > 0;
      },
      `the ${example} sink to post`,
      120_000,
    );
    const request = rx.requests[0]!;
    expect(request.headers['content-type']).toBe('application/json');
    const body = JSON.parse(request.body) as { text?: string; embeds?: Array<{ timestamp: string }> };
    const alert = accepted.get(eventTimeOf(body) ?? '');
    expect(alert, `a body for one of the accepted alerts: ${request.body}`).toBeDefined();
    expect(body).toEqual(expectedBody(example, alert!));
    // Every request is an accepted kind: the filtered ones never left the gateway.
    for (const r of rx.requests) expect(r.body).toMatch(/size regime change/);
  });
});
