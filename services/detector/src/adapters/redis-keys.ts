import { keyspace, sharedKeys } from '@rotation/redis';

/** Every key the detector touches: the shared ones (read by the gateway) and its private ones. Documented in docs/redis-keys.md. */
export function detectorKeys(namespace: string) {
  const ks = keyspace(namespace);
  return {
    shared: sharedKeys(namespace),
    /** String: JSON CoreState (small state: lanes, pending buckets, pairs, sectors, RRG, breadth). */
    state: ks.key('detector', 'state'),
    /** List per symbol: finalized step closes, oldest first, trimmed to the ring length. */
    closes: (symbol: string) => ks.key('detector', 'closes', symbol),
    /** Hash: ticks partition -> next offset to consume. Written in the same transaction as the state. */
    offsets: ks.key('detector', 'offsets'),
    /** Hash: rule id -> JSON {record, activeAfter}: the rule's latest record and the event time it applies after. */
    rules: ks.key('detector', 'rules'),
    /** Hash: rule id -> JSON RunState (services/detector/src/core/rules/machine.ts), written when it moves. */
    ruleRuns: ks.key('detector', 'rule-runs'),
    /** Hash: `<ns>.rules` partition -> next offset to consume. Written in the same transaction as the rules. */
    ruleOffsets: ks.key('detector', 'rule-offsets'),
    /** String: number of commits so far; tells a retried commit whether its first attempt landed. */
    commit: ks.key('detector', 'commit'),
    /** String: fencing token, incremented by each instance that takes over; commits check it. */
    fence: ks.key('detector', 'fence'),
    /** String: version of the latest committed snapshot. */
    version: ks.key('detector', 'version'),
    /** String: fingerprint of the universe and settings the state was built with. */
    settings: ks.key('detector', 'settings'),
  } as const;
}
export type DetectorKeys = ReturnType<typeof detectorKeys>;
