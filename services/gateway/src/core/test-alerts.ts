import type { Alert } from '@rotation/schemas';
import type { SequencedAlert } from './alert-log.js';

/**
 * A sequenced alert for the gateway's unit tests: seq `seq` of kind `spread_zscore` about
 * IWM/SPY unless told otherwise; with `owner`, a user's rule alert (kind `rule`, rule `r1`).
 */
export function testAlert(seq: number, o: { kind?: Alert['kind']; subject?: string; owner?: string; message?: string } = {}): SequencedAlert {
  return {
    id: `a${seq}`,
    kind: o.owner ? 'rule' : (o.kind ?? 'spread_zscore'),
    severity: 'info',
    subject: o.subject ?? 'IWM/SPY',
    eventTime: '2024-03-08T21:00:00.000Z',
    message: o.message ?? `alert ${seq}`,
    metrics: {},
    ...(o.owner ? { owner: o.owner, rule: 'r1' } : {}),
    seq,
  };
}
