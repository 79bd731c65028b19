/**
 * Writes docs/asyncapi.json (AsyncAPI 3.0) from the zod schemas of protocol v1 and the
 * examples in protocol-examples.ts. `--check` fails when the committed file differs.
 *   pnpm --filter @rotation/gateway asyncapi          (write)
 *   pnpm --filter @rotation/gateway asyncapi:check    (CI)
 */
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { REPO_ROOT } from '@rotation/config';
import {
  Alert,
  Breadth,
  CloseCode,
  ErrorMessage,
  EventMessage,
  HeartbeatMessage,
  PingCommand,
  PongMessage,
  PROTOCOL_VERSION,
  ResyncMessage,
  RrgPoint,
  SectorWindow,
  ShutdownMessage,
  SnapshotMessage,
  SpreadPoint,
  SubscribeCommand,
  SubscribedMessage,
  UnsubscribeCommand,
  UnsubscribedMessage,
  WelcomeMessage,
  WsErrorCode,
} from '@rotation/schemas';
import { ALL_CHANNELS } from './core/channels.js';
import { clientExamples, serverExamples } from './protocol-examples.js';

export const ASYNCAPI_FILE = path.join(REPO_ROOT, 'docs', 'asyncapi.json');

const client = [
  { name: 'subscribe', schema: SubscribeCommand, summary: 'Subscribe to channels; `resume` maps an alert channel to the last seq seen.' },
  { name: 'unsubscribe', schema: UnsubscribeCommand, summary: 'Stop receiving channels.' },
  { name: 'ping', schema: PingCommand, summary: 'Application-level ping; answered with `pong`.' },
] as const;

const server = [
  { name: 'welcome', schema: WelcomeMessage, summary: 'First frame on every connection: protocol version, server time, heartbeat interval, epoch, instance.' },
  { name: 'subscribed', schema: SubscribedMessage, summary: 'Acknowledges a subscribe with the channels now subscribed.' },
  { name: 'unsubscribed', schema: UnsubscribedMessage, summary: 'Acknowledges an unsubscribe.' },
  { name: 'snapshot', schema: SnapshotMessage, summary: 'Current value of a channel right after subscribing (state: full value; alerts: recent alerts and the position).' },
  { name: 'event', schema: EventMessage, summary: 'One update; `seq` increases per channel and `prevSeq` is the previous seq on that channel.' },
  { name: 'resync', schema: ResyncMessage, summary: 'A resume history cannot serve: current data and the new position.' },
  { name: 'error', schema: ErrorMessage, summary: 'A command was refused; the connection stays open unless a close follows.' },
  { name: 'heartbeat', schema: HeartbeatMessage, summary: 'Sent every heartbeatMs so browsers (no protocol pings) can detect a dead link.' },
  { name: 'pong', schema: PongMessage, summary: 'Answer to `ping`.' },
  { name: 'shutdown', schema: ShutdownMessage, summary: 'The server is going away; reconnect (to any instance) after reconnectAfterMs and resume.' },
] as const;

function jsonSchema(schema: z.ZodType): Record<string, unknown> {
  const { $schema: _drop, ...rest } = z.toJSONSchema(schema, { target: 'draft-7', io: 'output' }) as Record<string, unknown>;
  return rest;
}

export function render(): string {
  const messages: Record<string, unknown> = {};
  const schemas: Record<string, unknown> = {};
  for (const m of [...client, ...server]) {
    const key = `${client.some((c) => c.name === m.name) ? 'command' : 'server'}-${m.name}`;
    schemas[key] = jsonSchema(m.schema);
    const example = (clientExamples as Record<string, unknown>)[m.name] ?? (serverExamples as Record<string, unknown>)[m.name];
    messages[key] = { name: m.name, title: m.name, summary: m.summary, contentType: 'application/json', payload: { $ref: `#/components/schemas/${key}` }, examples: [{ name: m.name, payload: example }] };
  }
  for (const [name, schema] of Object.entries({ Alert, SpreadPoint, SectorWindow, RrgPoint, Breadth })) schemas[name] = jsonSchema(schema);
  const ref = (key: string) => ({ $ref: `#/channels/stream/messages/${key}` });
  const doc = {
    asyncapi: '3.0.0',
    info: {
      title: 'rotation-stream gateway',
      version: `${PROTOCOL_VERSION}.0.0`,
      description: [
        'Live market-leadership rotation feeds and alerts. JSON text frames over a websocket.',
        `Channels: ${ALL_CHANNELS.join(', ')}.`,
        `Error codes: ${WsErrorCode.options.join(', ')}.`,
        `Close codes: ${Object.entries(CloseCode).map(([k, v]) => `${v} ${k}`).join(', ')}.`,
        'Full prose in docs/websocket-api.md. Generated from the zod schemas by services/gateway/src/export-asyncapi.ts; do not edit.',
      ].join('\n'),
    },
    defaultContentType: 'application/json',
    servers: {
      local: {
        host: 'localhost:8080',
        protocol: 'ws',
        description: 'A local gateway (GATEWAY_PORT). Auth, when configured: bearer header or `token` query parameter.',
        security: [{ $ref: '#/components/securitySchemes/bearer' }, { $ref: '#/components/securitySchemes/queryToken' }],
      },
    },
    channels: {
      stream: {
        address: '/v1/stream',
        title: 'Protocol v1 stream',
        messages: Object.fromEntries(Object.keys(messages).map((k) => [k, { $ref: `#/components/messages/${k}` }])),
        bindings: { ws: { query: { type: 'object', properties: { token: { type: 'string', description: 'API token or JWT, for clients that cannot set headers' } } } } },
      },
    },
    operations: {
      sendCommand: { action: 'send', channel: { $ref: '#/channels/stream' }, summary: 'Client -> server commands', messages: client.map((c) => ref(`command-${c.name}`)) },
      receiveMessage: { action: 'receive', channel: { $ref: '#/channels/stream' }, summary: 'Server -> client messages', messages: server.map((s) => ref(`server-${s.name}`)) },
    },
    components: {
      messages,
      schemas,
      securitySchemes: {
        bearer: { type: 'http', scheme: 'bearer', description: 'A token from GATEWAY_AUTH_TOKENS or an HS256 JWT signed with GATEWAY_JWT_SECRET' },
        queryToken: { type: 'httpApiKey', name: 'token', in: 'query', description: 'The same token as a query parameter (browsers)' },
      },
    },
  };
  return `${JSON.stringify(doc, null, 2)}\n`;
}

async function main(): Promise<void> {
  const text = render();
  if (process.argv.includes('--check')) {
    const current = await readFile(ASYNCAPI_FILE, 'utf8').catch(() => '');
    if (current !== text) {
      console.error('docs/asyncapi.json is out of date: run `pnpm --filter @rotation/gateway asyncapi` and commit.');
      process.exit(1);
    }
    console.log('docs/asyncapi.json is up to date');
    return;
  }
  await writeFile(ASYNCAPI_FILE, text);
  console.log(`wrote ${path.relative(REPO_ROOT, ASYNCAPI_FILE)}`);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  await main();
}
