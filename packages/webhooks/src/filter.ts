import type { Alert, AlertKind, Severity } from '@rotation/schemas';

const RANK: Record<Severity, number> = { info: 0, warning: 1, critical: 2 };

export interface AlertFilter {
  kinds?: readonly AlertKind[] | undefined;
  minSeverity: Severity;
}

export function acceptsAlert(filter: AlertFilter, alert: Pick<Alert, 'kind' | 'severity'>): boolean {
  if (filter.kinds && !filter.kinds.includes(alert.kind)) return false;
  return RANK[alert.severity] >= RANK[filter.minSeverity];
}
