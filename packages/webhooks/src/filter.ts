import type { Alert, AlertKind, Severity } from '@rotation/schemas';

const RANK: Record<Severity, number> = { info: 0, warning: 1, critical: 2 };

export interface AlertFilter {
  kinds?: readonly AlertKind[] | undefined;
  minSeverity: Severity;
  /** The sink's name: a rule alert names the sink it goes to. */
  name?: string | undefined;
  /** A sink of one owner gets that owner's rule alerts that name it, and nothing else. */
  owner?: string | undefined;
}

/**
 * Built-in alerts go to sinks without an owner; a rule alert goes only to the sink its rule
 * names, and only if that sink belongs to the rule's owner (a rule cannot send to another
 * owner's sink, nor to the operator's shared ones).
 */
export function acceptsAlert(filter: AlertFilter, alert: Pick<Alert, 'kind' | 'severity' | 'owner' | 'deliver'>): boolean {
  if (alert.kind === 'rule') {
    if (filter.owner === undefined || alert.owner !== filter.owner || alert.deliver?.webhook !== filter.name) return false;
  } else {
    if (filter.owner !== undefined) return false;
    if (filter.kinds && !filter.kinds.includes(alert.kind)) return false;
  }
  return RANK[alert.severity] >= RANK[filter.minSeverity];
}
