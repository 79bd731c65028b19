import type { z } from 'zod';
import { EnvSchema } from './env.js';

export interface EnvEntry {
  name: string;
  /** The default as written in an environment; undefined when unset by default, null when required. */
  defaultValue: string | undefined | null;
  description: string;
}

function defaultOf(schema: z.ZodType): string | undefined | null {
  const def = (schema as { def?: { type?: string; defaultValue?: unknown } }).def;
  if (def?.type === 'default') {
    const v = typeof def.defaultValue === 'function' ? (def.defaultValue as () => unknown)() : def.defaultValue;
    return Array.isArray(v) ? v.join(',') : String(v);
  }
  return def?.type === 'optional' ? undefined : null;
}

/** Names, defaults and descriptions of the environment (all, or the named ones in that order): for docs and --help. */
export function envReference(names?: readonly string[]): EnvEntry[] {
  const shape = EnvSchema.shape as Record<string, z.ZodType>;
  return (names ?? Object.keys(shape)).map((name) => {
    const schema = shape[name];
    if (!schema) throw new Error(`not a setting: ${name}`);
    return { name, defaultValue: defaultOf(schema), description: schema.description ?? '' };
  });
}
