/**
 * One shape for every package's errors: a closed list of codes (a `const` object, so the codes are
 * named in code and checked by the compiler) and one Error class that carries a code of that list,
 * a context for logs and an optional cause. Each package defines its own once:
 *
 *   export const GatewayErrorCode = { startFailed: 'GATEWAY_START_FAILED' } as const;
 *   export type GatewayErrorCode = CodeOf<typeof GatewayErrorCode>;
 *   export class GatewayError extends defineErrors('GatewayError', 'GATEWAY_', GatewayErrorCode) {}
 *
 * The prefix is checked when the module loads, so a code pasted from another package's list
 * fails at start-up instead of reaching a log or a dead letter under the wrong owner.
 */
export type ErrorCodes = Readonly<Record<string, string>>;
export type CodeOf<C extends ErrorCodes> = C[keyof C];
/** The codes of one list, or of several (a package whose codes come in groups). */
type CodesIn<C> = C extends readonly (infer L)[] ? (L extends ErrorCodes ? L[keyof L] : never) : C extends ErrorCodes ? C[keyof C] : never;

export interface ErrorOptions {
  cause?: unknown;
}

/** What every defined error class constructs: `new XError(code, message, context?, { cause }?)`. */
export interface CodedErrorClass<Code extends string> {
  new (code: Code, message: string, context?: Record<string, unknown>, options?: ErrorOptions): CodedError<Code>;
  /** Every code of the list, for docs and tests. */
  readonly codes: readonly Code[];
}

export interface CodedError<Code extends string> extends Error {
  readonly code: Code;
  readonly context: Record<string, unknown>;
}

export function defineErrors<const C extends ErrorCodes | readonly ErrorCodes[]>(
  name: string,
  prefix: string | readonly string[],
  codes: C,
): CodedErrorClass<CodesIn<C>> {
  type Code = CodesIn<C>;
  const prefixes = typeof prefix === 'string' ? [prefix] : prefix;
  const lists: readonly ErrorCodes[] = Array.isArray(codes) ? codes : [codes as ErrorCodes];
  const all: Code[] = [];
  for (const [key, code] of lists.flatMap((l) => Object.entries(l))) {
    if (!prefixes.some((p) => code.startsWith(p))) throw new TypeError(`${name}: code ${key} = ${code} does not start with ${prefixes.join(' or ')}`);
    if (all.includes(code as Code)) throw new TypeError(`${name}: code ${code} is listed twice`);
    all.push(code as Code);
  }
  return class extends Error {
    static readonly codes: readonly Code[] = all;
    override readonly name: string = name;
    constructor(
      readonly code: Code,
      message: string,
      readonly context: Record<string, unknown> = {},
      options?: ErrorOptions,
    ) {
      super(message, options);
    }
  };
}
