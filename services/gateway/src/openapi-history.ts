/** The `GET /api/v1/history` part of docs/openapi.json (merged by export-openapi.ts). */
import { z } from 'zod';
import { HISTORY_DEFAULT_LIMIT, HISTORY_MAX_LIMIT, HistoryPage } from '@rotation/schemas';

const query = (name: string, description: string, schema: Record<string, unknown>, required = false) => ({ name, in: 'query', required, description, schema });

export function historyOpenApi(problem: (description: string) => unknown, errors: Record<string, unknown>) {
  const { $schema: _drop, ...page } = z.toJSONSchema(HistoryPage, { target: 'draft-2020-12' }) as Record<string, unknown>;
  return {
    paths: {
      '/api/v1/history': {
        get: {
          summary: 'One series\' recorded points by window and event-time range, oldest first (docs/websocket-api.md#history)',
          parameters: [
            query('series', 'spread (of a pair), return (of a symbol or basket), rank (of a sector), rrg (of a sector)', { type: 'string', enum: ['spread', 'return', 'rank', 'rrg'] }, true),
            query('pair', 'series=spread: a configured pair', { type: 'string', examples: ['IWM/SPY'] }),
            query('symbol', 'series=return: a symbol or basket; rank and rrg: a sector', { type: 'string', examples: ['XLK'] }),
            query('window', 'a configured window; required except for rrg, which has none', { type: 'string', examples: ['1d'] }),
            query('from', 'first event time, inclusive: ISO 8601 with a zone or epoch ms', { type: 'string' }),
            query('to', 'last event time, inclusive: ISO 8601 with a zone or epoch ms', { type: 'string' }),
            query('limit', `stored entries a page reads (${HISTORY_DEFAULT_LIMIT} by default); a page holds at most that many points`, { type: 'integer', minimum: 1, maximum: HISTORY_MAX_LIMIT }),
            query('cursor', 'the next of the previous page', { type: 'string', pattern: '^\\d{1,15}-\\d{1,15}$' }),
          ],
          responses: {
            '200': { description: 'a page of points; next is null on the last page', content: { 'application/json': { schema: { $ref: '#/components/schemas/HistoryPage' } } } },
            '400': problem('a bad parameter: one issue per parameter (unknown series, pair, symbol or window; limit out of range; from after to)'),
            ...errors,
          },
        },
      },
    },
    schemas: { HistoryPage: page },
  };
}
