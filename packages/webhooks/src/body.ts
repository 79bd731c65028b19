import type { Alert, Severity } from '@rotation/schemas';

/** The JSON body: versioned so receivers can tell future shapes apart. */
export function jsonBody(alert: Alert): string {
  return JSON.stringify({ v: 1, type: 'alert', alert });
}

const ICON: Record<Severity, string> = { info: ':information_source:', warning: ':warning:', critical: ':rotating_light:' };

/** A body for Slack-compatible incoming webhooks (Slack, Mattermost, Rocket.Chat, Discord's /slack endpoint). */
export function slackBody(alert: Alert): string {
  const where = [alert.subject, alert.window].filter(Boolean).join(' · ');
  const text = `${ICON[alert.severity]} *${alert.severity.toUpperCase()}* ${escapeSlack(alert.kind.replace(/_/g, ' '))} — ${escapeSlack(where)}\n${escapeSlack(alert.message)}\n_${alert.eventTime}_`;
  return JSON.stringify({ text });
}

// Discord's embed colours (decimal RGB): red, amber, blue, as the dashboard shows severities.
const DISCORD_COLOR: Record<Severity, number> = { critical: 0xd93f3f, warning: 0xe0a030, info: 0x3f7fd9 };
// Discord refuses the whole message past these (embed title 256, description 4096 characters).
const DISCORD_TITLE_MAX = 256;
const DISCORD_DESCRIPTION_MAX = 4096;

/**
 * A body for Discord's own webhook endpoint (`https://discord.com/api/webhooks/<id>/<token>`):
 * one embed with the severity as colour and the event time as its timestamp. `allowed_mentions`
 * is empty so a message can never ping `@everyone` or a role.
 */
export function discordBody(alert: Alert): string {
  const where = [alert.subject, alert.window].filter(Boolean).join(' · ');
  const title = `${alert.severity.toUpperCase()} · ${alert.kind.replace(/_/g, ' ')}${where ? ` — ${where}` : ''}`;
  return JSON.stringify({
    username: 'rotation-stream',
    allowed_mentions: { parse: [] },
    embeds: [
      {
        title: truncate(title, DISCORD_TITLE_MAX),
        description: truncate(escapeDiscord(alert.message), DISCORD_DESCRIPTION_MAX),
        color: DISCORD_COLOR[alert.severity],
        timestamp: alert.eventTime,
        footer: { text: `${alert.id}${alert.seq !== undefined ? ` · #${alert.seq}` : ''}` },
      },
    ],
  });
}

/** Discord renders Markdown in descriptions: a literal `*` or `_` in a message must stay one. */
export function escapeDiscord(s: string): string {
  return s.replace(/[\\*_~`|>]/g, (c) => `\\${c}`);
}

function truncate(s: string, max: number): string {
  return s.length <= max ? s : `${s.slice(0, max - 1)}…`;
}

/** Slack's markup reserves &, < and >; everything else is literal. */
export function escapeSlack(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
