/**
 * Writes docs/openapi.json (OpenAPI 3.1) for the gateway's HTTP API from the zod schemas in
 * packages/schemas (the rules API here, the other routes in openapi-paths.ts). `--check` fails
 * when the committed file differs or does not validate against the OpenAPI 3.1 schema.
 *   pnpm --filter @rotation/gateway asyncapi          (writes this file too)
 *   pnpm --filter @rotation/gateway asyncapi:check    (CI)
 */
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { REPO_ROOT } from '@rotation/config';
import { RulePatch, RuleSpec, RuleView } from '@rotation/schemas';
import { historyOpenApi } from './openapi-history.js';
import { Validator } from '@seriousme/openapi-schema-validator';
import { gatewayPaths, gatewaySchemas, preflight, webhookPaths } from './openapi-paths.js';

export const OPENAPI_FILE = path.join(REPO_ROOT, 'docs', 'openapi.json');

const schema = (s: z.ZodType, io: 'input' | 'output' = 'output') => {
  const { $schema: _drop, ...rest } = z.toJSONSchema(s, { target: 'draft-2020-12', io }) as Record<string, unknown>;
  return rest;
};

const Problem = {
  type: 'object',
  required: ['error'],
  properties: { error: { type: 'string' }, issues: { type: 'array', items: { type: 'object', required: ['path', 'message'], properties: { path: { type: 'string' }, message: { type: 'string' } } } } },
};

const answer = (description: string, ref?: string) => ({ description, ...(ref ? { content: { 'application/json': { schema: { $ref: ref } } } } : {}) });
const problem = (description: string) => answer(description, '#/components/schemas/Problem');
const errors = { '401': problem('no or an unknown credential'), '503': problem('rules still loading at start-up, or the change could not be written (nothing changed)') };
const id = { name: 'id', in: 'path', required: true, schema: { type: 'string', pattern: '^r_[0-9a-f]{24}$' } };
const notFound = problem('no such rule, or another owner\'s (the two cannot be told apart)');

export function render(): string {
  const history = historyOpenApi(problem, { '401': problem('no or an unknown credential'), '503': problem('Redis did not answer in time') });
  const doc = {
    openapi: '3.1.0',
    info: {
      title: 'rotation-stream gateway HTTP API',
      version: '1.0.0',
      description:
        'Snapshot, alert history, point history of the analytics (GET /api/v1/history), Server-Sent Events (docs/websocket-api.md), webhook sinks and alert rules of one\'s own, scoped to the caller\'s owner id (JWT sub or API token name); admins see every owner\'s (docs/rules.md). The websocket protocol is docs/asyncapi.json. Generated from the zod schemas by services/gateway/src/export-openapi.ts; do not edit.',
    },
    servers: [{ url: 'http://localhost:8080' }],
    security: [{ bearer: [] }],
    paths: {
      ...gatewayPaths,
      ...webhookPaths,
      '/api/v1/rules': {
        options: preflight,
        get: {
          summary: 'The caller\'s rules (an admin: everyone\'s, or one owner\'s)',
          parameters: [{ name: 'owner', in: 'query', required: false, schema: { type: 'string' }, description: 'admins only' }],
          responses: { '200': { description: 'the rules, oldest first', content: { 'application/json': { schema: { type: 'object', properties: { rules: { type: 'array', items: { $ref: '#/components/schemas/RuleView' } } } } } } }, '403': problem('owner= without the admin role'), ...errors },
        },
        post: {
          summary: 'Create a rule',
          requestBody: { required: true, content: { 'application/json': { schema: { $ref: '#/components/schemas/Rule' } } } },
          responses: { '201': answer('created', '#/components/schemas/RuleView'), '400': problem('invalid: one issue per field'), '409': problem('the per-owner limit is reached'), '413': problem('body over 16 KiB'), '415': problem('not application/json'), ...errors },
        },
      },
      '/api/v1/rules/{id}': {
        parameters: [id],
        options: preflight,
        get: { summary: 'One rule', responses: { '200': answer('the rule', '#/components/schemas/RuleView'), '404': notFound, ...errors } },
        patch: {
          summary: 'Change fields; the merged rule is validated whole',
          requestBody: { required: true, content: { 'application/json': { schema: { $ref: '#/components/schemas/RulePatch' } } } },
          responses: { '200': answer('the changed rule', '#/components/schemas/RuleView'), '400': problem('invalid: one issue per field'), '404': notFound, ...errors },
        },
        delete: { summary: 'Delete: it never fires again', responses: { '200': answer('deleted'), '404': notFound, ...errors } },
      },
      '/api/v1/rules/{id}/pause': { parameters: [id], options: preflight, post: { summary: 'Stop evaluating', responses: { '200': answer('paused', '#/components/schemas/RuleView'), '404': notFound, ...errors } } },
      '/api/v1/rules/{id}/resume': { parameters: [id], options: preflight, post: { summary: 'Evaluate again, from now on', responses: { '200': answer('active', '#/components/schemas/RuleView'), '404': notFound, ...errors } } },
      // CORS preflights answer on every /api route, the history's too.
      ...Object.fromEntries(Object.entries(history.paths).map(([p, item]) => [p, { options: preflight, ...item }])),
    },
    components: {
      schemas: { Rule: schema(RuleSpec, 'input'), RulePatch: schema(RulePatch, 'input'), RuleView: schema(RuleView), ...history.schemas, Problem, ...gatewaySchemas },
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'An API token (GATEWAY_AUTH_TOKENS, NAME:TOKEN gives owner NAME) or an HS256 JWT (owner = sub)' } },
    },
  };
  return `${JSON.stringify(doc, null, 2)}\n`;
}

/** Structural validation against the OpenAPI 3.1 JSON schema, and every $ref resolvable; the problems, or none. */
export async function validate(text: string): Promise<string[]> {
  const validator = new Validator();
  const result = await validator.validate(JSON.parse(text) as Record<string, unknown>);
  if (!result.valid) return Array.isArray(result.errors) ? result.errors.map((e) => JSON.stringify(e)) : [String(result.errors)];
  if (validator.version !== '3.1') return [`expected OpenAPI 3.1, got ${validator.version}`];
  try {
    validator.resolveRefs();
  } catch (error) {
    return [(error as Error).message];
  }
  return [];
}

async function main(): Promise<void> {
  const text = render();
  if (process.argv.includes('--check')) {
    const current = await readFile(OPENAPI_FILE, 'utf8').catch(() => '');
    if (current !== text) {
      console.error('docs/openapi.json is out of date: run `pnpm --filter @rotation/gateway asyncapi` and commit.');
      process.exit(1);
    }
    const problems = await validate(current);
    if (problems.length > 0) {
      console.error(`docs/openapi.json is not a valid OpenAPI 3.1 document:\n${problems.join('\n')}`);
      process.exit(1);
    }
    console.log('docs/openapi.json is up to date and valid OpenAPI 3.1');
    return;
  }
  await writeFile(OPENAPI_FILE, text);
  console.log(`wrote ${path.relative(REPO_ROOT, OPENAPI_FILE)}`);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  await main();
}
