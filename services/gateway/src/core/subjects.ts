/**
 * Subject-scoped channels (`<channel>@<subject>`, packages/schemas SubjectChannel): which
 * alerts and state rows are about a subject. Pure. A subject is a symbol (`XLK`) or a pair
 * (`IWM/SPY`); a symbol is also about every pair it is a side of.
 */
import { SubjectChannelBase, type Alert, type Channel, type RrgPoint, type SectorWindow, type SpreadPoint } from '@rotation/schemas';

export interface ScopedChannel {
  base: SubjectChannelBase;
  subject: string;
}

/** The base channel and subject of `alerts@IWM/SPY`; undefined for an unscoped channel. */
export function scopeOf(channel: Channel): ScopedChannel | undefined {
  const at = channel.indexOf('@');
  if (at < 0) return undefined;
  const base = SubjectChannelBase.safeParse(channel.slice(0, at));
  return base.success ? { base: base.data, subject: channel.slice(at + 1) } : undefined;
}

/** Whether something named `name` (an alert subject, a spread pair, a symbol) is about `subject`. */
export function about(subject: string, name: string): boolean {
  if (name === subject) return true;
  // A symbol is part of the pairs it is a side of; a pair is only itself.
  return !subject.includes('/') && name.includes('/') && name.split('/').includes(subject);
}

export function alertAbout(subject: string, alert: Pick<Alert, 'subject'>): boolean {
  return about(subject, alert.subject);
}

export function spreadsAbout(subject: string, rows: readonly SpreadPoint[]): SpreadPoint[] {
  return rows.filter((r) => about(subject, r.pair) || r.small === subject || r.large === subject);
}

/** Each window with only the subject's ranking entry; leader and laggard stay (they say where it stands). */
export function sectorsAbout(subject: string, rows: readonly SectorWindow[]): SectorWindow[] {
  return rows.map((w) => ({ ...w, ranking: w.ranking.filter((r) => r.symbol === subject) }));
}

export function rrgAbout(subject: string, rows: readonly RrgPoint[]): RrgPoint[] {
  return rows.filter((p) => p.symbol === subject);
}
