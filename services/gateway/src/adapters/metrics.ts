import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { registerProcessMetrics } from '@rotation/service';

/** One registry per gateway instance, so several instances can run in one process (tests). */
export function createMetrics() {
  const registry = new Registry();
  registerProcessMetrics(registry);
  const counter = (name: string, help: string, labelNames: string[] = []) => new Counter({ name, help, labelNames, registers: [registry] });
  const gauge = (name: string, help: string, labelNames: string[] = []) => new Gauge({ name, help, labelNames, registers: [registry] });
  return {
    registry,
    connections: gauge('gateway_connections', 'Open websocket connections'),
    subscriptions: gauge('gateway_subscriptions', 'Subscriptions per channel', ['channel']),
    messagesOut: counter('gateway_messages_out_total', 'Frames handed to sockets'),
    bytesOut: counter('gateway_bytes_out_total', 'Payload bytes handed to sockets'),
    coalesced: counter('gateway_coalesced_total', 'State frames replaced by a newer value before a slow client read them'),
    dropped: counter('gateway_dropped_frames_total', 'Frames discarded because their connection was closed as a slow consumer'),
    slowDisconnects: counter('gateway_slow_consumer_disconnects_total', 'Connections closed with 4008 (outbound buffer overflow)'),
    abuseDisconnects: counter('gateway_abuse_disconnects_total', 'Connections closed with 4009 (sustained abuse)'),
    heartbeatTimeouts: counter('gateway_heartbeat_timeouts_total', 'Connections terminated for missing pongs'),
    commandErrors: counter('gateway_command_errors_total', 'Error frames sent, by code', ['code']),
    authFailures: counter('gateway_auth_failures_total', 'Refused upgrades and API calls', ['status']),
    capRefusals: counter('gateway_connection_cap_refusals_total', 'Upgrades refused with 429 because their token or address held its cap', ['limit']),
    tokenExpiries: counter('gateway_token_expired_closes_total', 'Connections closed with 4003 when their JWT expired'),
    resumes: counter('gateway_resumes_total', 'Alert-channel resumes by outcome', ['outcome']),
    alertsForwarded: counter('gateway_alerts_forwarded_total', 'Alerts fanned out'),
    alertDuplicates: counter('gateway_alert_duplicates_total', 'Alerts dropped as already forwarded'),
    alertGapsFilled: counter('gateway_alert_gap_fills_total', 'Alerts fetched from Redis history to fill a gap'),
    alertGapsUnfilled: counter('gateway_alert_gaps_unfilled_total', 'Gaps that history could not fill (Redis down or trimmed)'),
    badRecords: counter('gateway_bad_records_total', 'Kafka records that failed validation', ['topic']),
    snapshotsForwarded: counter('gateway_snapshots_forwarded_total', 'Snapshot versions fanned out'),
    consumerLag: gauge('gateway_consumer_lag', 'Records behind the partition end at the last batch', ['topic', 'partition']),
    redisUp: gauge('gateway_redis_up', '1 when the last Redis probe answered'),
    webhookAlerts: counter('gateway_webhook_alerts_total', 'Alerts a webhook sink finished with, by outcome (delivered, max_attempts, rejected, refused_target, queue_full)', ['sink', 'outcome']),
    webhookQueued: gauge('gateway_webhook_queued', 'Alerts waiting in a webhook sink', ['sink']),
    kafkaUp: gauge('gateway_kafka_consumer_up', '1 while the Kafka consumer is running'),
    alertLatency: new Histogram({
      name: 'gateway_alert_event_to_send_seconds',
      help: 'End-to-end latency of an alert: from its event time (the market time of the step that raised it, its Kafka timestamp) to this gateway handing it to its sockets. On a live feed it includes the provider delay and the allowed lateness (60 s by default); a replay lands in +Inf',
      buckets: [1, 5, 15, 30, 45, 60, 75, 90, 120, 180, 300, 600, 1800],
      registers: [registry],
    }),
    eventToPush: new Histogram({
      name: 'gateway_event_to_push_seconds',
      help: 'Event time of what a frame carries (a snapshot\'s asOf, an alert\'s eventTime) to this gateway handing the frame to its subscribers, by kind (snapshot, alert). Event time because it is the one timestamp every record carries from the tick to the socket; on a live feed it includes the provider delay and the allowed lateness, with zero lateness and event time = wall clock (pnpm bench) it is the pipeline latency',
      labelNames: ['kind'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 15, 30, 60, 75, 90, 120, 300, 600, 1800],
      registers: [registry],
    }),
  };
}
export type Metrics = ReturnType<typeof createMetrics>;
