import { inspect } from 'node:util';

/**
 * Holds a credential so that logging or serialising a config object can never print it:
 * JSON, string conversion and util.inspect all yield "[redacted]". Call reveal() at the
 * single place the value goes on the wire.
 */
export class Secret {
  readonly #value: string;
  constructor(value: string) {
    this.#value = value;
  }
  reveal(): string {
    return this.#value;
  }
  toJSON(): string {
    return '[redacted]';
  }
  toString(): string {
    return '[redacted]';
  }
  [inspect.custom](): string {
    return '[redacted]';
  }
}
