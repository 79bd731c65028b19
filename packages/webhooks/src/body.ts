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

/** Slack's markup reserves &, < and >; everything else is literal. */
export function escapeSlack(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
