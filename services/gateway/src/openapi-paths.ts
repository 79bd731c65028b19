/**
 * The OpenAPI description of the gateway's routes other than the rules API (export-openapi.ts
 * holds that one): probes, snapshot, alerts, the event stream, CORS preflights. Kept apart so
 * each route family is described next to its neighbours, not in one long literal.
 */
import { z } from 'zod';
import { Alert, Snapshot } from '@rotation/schemas';
import { SinkConfig } from '@rotation/webhooks';
import { MAX_WEBHOOK_BODY_BYTES } from './core/webhooks-api.js';
import { MAX_CHANNELS_PARAM } from './core/event-stream.js';
import { ALL_CHANNELS } from './core/channels.js';

export const jsonSchema = (s: z.ZodType, io: 'input' | 'output' = 'output') => {
  const { $schema: _drop, ...rest } = z.toJSONSchema(s, { target: 'draft-2020-12', io }) as Record<string, unknown>;
  return rest;
};

const problem = (description: string) => ({ description, content: { 'application/json': { schema: { $ref: '#/components/schemas/Problem' } } } });
const unauthorised = { '401': problem('no or an unknown credential (WWW-Authenticate: Bearer)'), '403': problem('an Origin not in GATEWAY_ALLOWED_ORIGINS') };
const open: never[] = [];

/** OPTIONS on an /api/* route: the CORS preflight (GATEWAY_CORS_ORIGINS). */
export const preflight = {
  summary: 'CORS preflight (GATEWAY_CORS_ORIGINS)',
  security: open,
  parameters: [
    { name: 'Origin', in: 'header', required: false, schema: { type: 'string' } },
    { name: 'Access-Control-Request-Method', in: 'header', required: false, schema: { type: 'string' } },
  ],
  responses: {
    '204': {
      description: 'an allowed origin (or no Origin): Access-Control-Allow-Origin, -Methods, -Headers, -Max-Age and Vary: Origin',
      headers: {
        'Access-Control-Allow-Origin': { schema: { type: 'string' } },
        'Access-Control-Allow-Methods': { schema: { type: 'string' } },
        'Access-Control-Allow-Headers': { schema: { type: 'string' } },
        'Access-Control-Max-Age': { schema: { type: 'integer' } },
      },
    },
    '403': problem('an origin that is not allowed: no CORS headers'),
  },
};

const status = { type: 'object', required: ['ready', 'kafka', 'redis'], properties: { ready: { type: 'boolean' }, kafka: { type: 'boolean' }, redis: { type: 'boolean' } } };

export const gatewayPaths = {
  '/healthz': {
    get: { summary: 'Liveness', security: open, responses: { '200': { description: 'the process runs', content: { 'application/json': { schema: { type: 'object', properties: { status: { const: 'ok' } } } } } } } },
  },
  '/readyz': {
    get: {
      summary: 'Readiness: the Kafka consumer runs and Redis answers',
      security: open,
      responses: {
        '200': { description: 'ready', content: { 'application/json': { schema: status } } },
        '503': { description: 'not ready (or shutting down)', content: { 'application/json': { schema: status } } },
      },
    },
  },
  '/api/v1/snapshot': {
    options: preflight,
    get: {
      summary: 'The latest rotation snapshot',
      responses: {
        '200': {
          description: 'the snapshot',
          headers: { 'X-Snapshot-Version': { schema: { type: 'integer' } }, 'X-Epoch': { schema: { type: 'string' } } },
          content: { 'application/json': { schema: { $ref: '#/components/schemas/Snapshot' } } },
        },
        '404': problem('no snapshot yet'),
        ...unauthorised,
      },
    },
  },
  '/api/v1/alerts': {
    options: preflight,
    get: {
      summary: 'Alert history: built-in alerts and the caller\'s own rule alerts (an admin: every rule alert)',
      parameters: [
        { name: 'since', in: 'query', required: false, schema: { type: 'integer', minimum: 0 }, description: 'alerts with seq > since, oldest first; page forward with the last seq' },
        { name: 'limit', in: 'query', required: false, schema: { type: 'integer', minimum: 1, default: 100 }, description: 'at most this many (capped at 1 000)' },
      ],
      responses: {
        '200': {
          description: 'a page of alerts, newest last',
          content: {
            'application/json': {
              schema: { type: 'object', required: ['alerts', 'epoch', 'head'], properties: { alerts: { type: 'array', items: { $ref: '#/components/schemas/Alert' } }, epoch: { type: 'string' }, head: { type: 'integer' } } },
            },
          },
        },
        '400': problem('since or limit is not an integer in range'),
        '503': problem('neither memory nor Redis can answer'),
        ...unauthorised,
      },
    },
  },
  '/api/v1/events': {
    options: preflight,
    get: {
      summary: 'Server-Sent Events: the websocket\'s channels and frames, resumable with Last-Event-ID',
      description:
        'Each event\'s data is one websocket frame (docs/asyncapi.json, ServerMessage). An alert-channel frame that moves the position on carries id <epoch>:<seq>; reconnecting with it as Last-Event-ID (or ?lastEventId=) resumes every alert channel of the stream like a websocket resume. Heartbeats are comments. Counted in the websocket connection caps. docs/websocket-api.md.',
      parameters: [
        {
          name: 'channels',
          in: 'query',
          required: false,
          description: `comma-separated channel names (default alerts), at most GATEWAY_MAX_SUBSCRIPTIONS, ${MAX_CHANNELS_PARAM} characters`,
          schema: { type: 'string', maxLength: MAX_CHANNELS_PARAM, examples: ['alerts,spreads'] },
          'x-channels': ALL_CHANNELS,
        },
        { name: 'Last-Event-ID', in: 'header', required: false, schema: { type: 'string', pattern: '^([A-Za-z0-9._-]{1,64}:)?\\d{1,15}$' } },
        { name: 'lastEventId', in: 'query', required: false, description: 'the same, for clients that cannot set headers (EventSource polyfills)', schema: { type: 'string' } },
        { name: 'token', in: 'query', required: false, description: 'the bearer token, for EventSource (which cannot set headers)', schema: { type: 'string' } },
      ],
      responses: {
        '200': { description: 'the stream (text/event-stream), until the client leaves, the gateway shuts down or the client falls too far behind', content: { 'text/event-stream': { schema: { type: 'string' } } } },
        '400': problem('an unknown channel, too many, or a malformed Last-Event-ID'),
        '429': problem('the token or address holds its connection cap (websockets and streams together); Retry-After: 5'),
        '503': problem('shutting down, or the instance has its maximum of connections'),
        ...unauthorised,
      },
    },
  },
};

const sinkName = { name: 'name', in: 'path', required: true, schema: { type: 'string', pattern: '^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$' } };
const sinkAnswer = (description: string) => ({ description, content: { 'application/json': { schema: { $ref: '#/components/schemas/WebhookSinkView' } } } });
const sinkBody = { required: true, content: { 'application/json': { schema: { $ref: '#/components/schemas/WebhookSink' } } } };
const sinkErrors = { ...unauthorised, '429': problem('too many changes; Retry-After: 1'), '503': problem('Redis did not take the change (nothing changed)') };
const noSink = problem('no such sink, or one the caller may not see (the two cannot be told apart)');

/** The webhook sinks API (docs/webhooks.md): sinks added, changed and removed without a restart. */
export const webhookPaths = {
  '/api/v1/webhooks': {
    options: preflight,
    get: {
      summary: 'The caller\'s webhook sinks (an admin: every sink, WEBHOOKS_FILE\'s included)',
      responses: {
        '200': {
          description: 'the sinks, and whether this gateway\'s relay is posting',
          content: {
            'application/json': {
              schema: { type: 'object', required: ['sinks', 'relay'], properties: { sinks: { type: 'array', items: { $ref: '#/components/schemas/WebhookSinkView' } }, relay: { type: 'object', properties: { running: { type: 'boolean' } } } } },
            },
          },
        },
        ...unauthorised,
      },
    },
    post: {
      summary: 'Add a sink: the caller\'s own (their rule alerts that name it); an admin may add shared ones (built-in alerts) or another owner\'s',
      requestBody: sinkBody,
      responses: {
        ...sinkErrors,
        '201': sinkAnswer('added; Location names it'),
        '400': problem('invalid: one issue per field (URL http(s), at most 2 048 characters, no user:pass@, no literal private address unless WEBHOOKS_ALLOW_PRIVATE_TARGETS)'),
        '403': problem('an owner other than the caller without the admin role, or an Origin not in GATEWAY_ALLOWED_ORIGINS'),
        '409': problem('the name is taken (by any owner, or WEBHOOKS_FILE), or the owner has 16 sinks'),
        '413': problem(`body over ${MAX_WEBHOOK_BODY_BYTES} bytes`),
        '415': problem('not application/json'),
      },
    },
  },
  '/api/v1/webhooks/{name}': {
    parameters: [sinkName],
    options: preflight,
    get: { summary: 'One sink', responses: { '200': sinkAnswer('the sink (no secret, no header values, the URL\'s origin only)'), '404': noSink, ...unauthorised } },
    put: {
      summary: 'Replace the sink\'s config (name and owner stay unless an admin changes the owner); applies from the next delivery attempt',
      requestBody: sinkBody,
      responses: { ...sinkErrors, '200': sinkAnswer('changed'), '400': problem('invalid'), '403': problem('a WEBHOOKS_FILE sink, or an Origin not in GATEWAY_ALLOWED_ORIGINS'), '404': noSink, '409': problem('changed meanwhile by another request') },
    },
    delete: { summary: 'Remove the sink: what it still held is dead-lettered as removed', responses: { ...sinkErrors, '200': { description: 'deleted' }, '403': problem('a WEBHOOKS_FILE sink, or an Origin not in GATEWAY_ALLOWED_ORIGINS'), '404': noSink } },
  },
};

const SinkView = {
  type: 'object',
  required: ['name', 'owner', 'source', 'target', 'format', 'secret', 'headers'],
  properties: {
    name: { type: 'string' },
    owner: { type: ['string', 'null'], description: 'null: a shared sink (built-in alerts)' },
    source: { enum: ['api', 'file'] },
    target: { type: 'string', description: 'the URL\'s origin only: its path may be a credential (Slack)' },
    format: { enum: ['json', 'slack'] },
    kinds: { type: ['array', 'null'], items: { type: 'string' } },
    minSeverity: { type: 'string' },
    timeoutMs: { type: 'integer' },
    maxAttempts: { type: 'integer' },
    backoff: { type: 'object', properties: { baseMs: { type: 'integer' }, capMs: { type: 'integer' } } },
    queueSize: { type: 'integer' },
    secret: { type: 'boolean', description: 'whether a signing secret is set (never shown)' },
    headers: { type: 'array', items: { type: 'string' }, description: 'the names of the extra headers (values never shown)' },
    createdAt: { type: ['string', 'null'], format: 'date-time' },
    updatedAt: { type: ['string', 'null'], format: 'date-time' },
    version: { type: ['integer', 'null'] },
  },
};

export const gatewaySchemas = { Snapshot: jsonSchema(Snapshot), Alert: jsonSchema(Alert), WebhookSink: jsonSchema(SinkConfig, 'input'), WebhookSinkView: SinkView };
