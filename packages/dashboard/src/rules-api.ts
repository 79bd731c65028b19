import type { RuleSpecInput, RuleView } from '@rotation/schemas';
import { apiHeaders } from './endpoints.js';

export type ApiResult<T> = { ok: true; value: T } | { ok: false; error: string; issues?: Array<{ path: string; message: string }> };

/** The rules API, same origin, with the page's token as a bearer header. */
export function rulesApi(token: string | undefined, base = '') {
  const call = async <T>(method: string, path: string, body?: unknown): Promise<ApiResult<T>> => {
    let res: Response;
    try {
      res = await fetch(`${base}/api/v1/rules${path}`, {
        method,
        cache: 'no-store',
        headers: { ...apiHeaders(token), ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      });
    } catch {
      return { ok: false, error: 'the gateway cannot be reached' };
    }
    const json = (await res.json().catch(() => ({}))) as Record<string, unknown>;
    if (res.ok) return { ok: true, value: json as T };
    return { ok: false, error: String(json.error ?? `HTTP ${res.status}`), ...(Array.isArray(json.issues) ? { issues: json.issues as Array<{ path: string; message: string }> } : {}) };
  };
  return {
    list: () => call<{ rules: RuleView[] }>('GET', ''),
    create: (rule: RuleSpecInput) => call<RuleView>('POST', '', rule),
    act: (id: string, action: 'pause' | 'resume' | 'delete') => (action === 'delete' ? call<unknown>('DELETE', `/${id}`) : call<RuleView>('POST', `/${id}/${action}`)),
  };
}
