import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ClientCommand, ServerMessage } from '@rotation/schemas';
import { ASYNCAPI_FILE, render } from './export-asyncapi.js';
import { clientExamples, serverExamples } from './protocol-examples.js';

describe('protocol examples', () => {
  it.each(Object.entries(clientExamples))('command %s is valid', (_name, example) => {
    expect(ClientCommand.safeParse(example).success).toBe(true);
  });
  it.each(Object.entries(serverExamples))('server message %s is valid', (_name, example) => {
    expect(ServerMessage.safeParse(example).success).toBe(true);
  });
});

describe('AsyncAPI document', () => {
  const doc = JSON.parse(render()) as {
    asyncapi: string;
    operations: Record<string, { messages: Array<{ $ref: string }> }>;
    components: { messages: Record<string, { payload: { $ref: string } }>; schemas: Record<string, unknown> };
  };
  it('describes every message with a resolvable payload schema', () => {
    expect(doc.asyncapi).toBe('3.0.0');
    expect(Object.keys(doc.components.messages)).toHaveLength(Object.keys(clientExamples).length + Object.keys(serverExamples).length);
    for (const m of Object.values(doc.components.messages)) {
      expect(doc.components.schemas[m.payload.$ref.split('/').at(-1)!]).toBeDefined();
    }
    expect(doc.operations.receiveMessage!.messages).toHaveLength(Object.keys(serverExamples).length);
  });
  it('is the committed docs/asyncapi.json', () => {
    expect(readFileSync(ASYNCAPI_FILE, 'utf8')).toBe(render());
  });
});
