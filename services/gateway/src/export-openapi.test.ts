import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { EVENTS_PATH } from './core/event-stream.js';
import { OPENAPI_FILE, render, validate } from './export-openapi.js';

describe('OpenAPI document', () => {
  const text = render();
  const doc = JSON.parse(text) as { openapi: string; paths: Record<string, Record<string, unknown>> };

  it('is valid OpenAPI 3.1 with every $ref resolvable', async () => {
    expect(doc.openapi).toBe('3.1.0');
    expect(await validate(text)).toEqual([]);
  });

  it('refuses a document that is not: a parameter in the body (OpenAPI 2), a dangling $ref', async () => {
    const broken = structuredClone(doc) as { paths: Record<string, Record<string, { parameters: Array<{ in: string }> }>> };
    broken.paths['/api/v1/alerts']!.get!.parameters[0]!.in = 'body';
    expect((await validate(JSON.stringify(broken))).length).toBeGreaterThan(0);
    const dangling = text.replace('"#/components/schemas/Snapshot"', '"#/components/schemas/Nope"');
    expect((await validate(dangling)).length).toBeGreaterThan(0);
  });

  it('describes every HTTP route of the gateway, with a CORS preflight on each /api one', () => {
    for (const path of ['/healthz', '/readyz', '/api/v1/snapshot', '/api/v1/alerts', EVENTS_PATH, '/api/v1/rules', '/api/v1/rules/{id}', '/api/v1/rules/{id}/pause', '/api/v1/rules/{id}/resume', '/api/v1/webhooks', '/api/v1/webhooks/{name}']) {
      expect(doc.paths[path], path).toBeDefined();
      if (path.startsWith('/api/')) expect(doc.paths[path]!.options, path).toBeDefined();
    }
  });

  it('is the committed docs/openapi.json', () => {
    expect(readFileSync(OPENAPI_FILE, 'utf8')).toBe(text);
  });
});
