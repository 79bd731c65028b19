import { describe, expect, it } from 'vitest';
import { TypedEmitter } from './emitter.js';

type Events = { n: [value: number]; s: [a: string, b: string] };

describe('TypedEmitter', () => {
  it('delivers to every listener in order and stops after off()', () => {
    const e = new TypedEmitter<Events>();
    const seen: string[] = [];
    const off = e.on('n', (v) => seen.push(`a${v}`));
    e.on('n', (v) => seen.push(`b${v}`));
    e.emit('n', 1);
    off();
    e.emit('n', 2);
    expect(seen).toEqual(['a1', 'b1', 'b2']);
  });

  it('once() fires a single time', () => {
    const e = new TypedEmitter<Events>();
    const seen: string[] = [];
    e.once('s', (a, b) => seen.push(a + b));
    e.emit('s', 'x', 'y');
    e.emit('s', 'x', 'z');
    expect(seen).toEqual(['xy']);
    expect(e.listenerCount('s')).toBe(0);
  });

  it('a throwing listener neither stops the others nor escapes emit()', () => {
    const errors: unknown[] = [];
    const e = new TypedEmitter<Events>((error, event) => errors.push([event, (error as Error).message]));
    const seen: number[] = [];
    e.on('n', () => {
      throw new Error('boom');
    });
    e.on('n', (v) => seen.push(v));
    expect(() => e.emit('n', 7)).not.toThrow();
    expect(seen).toEqual([7]);
    expect(errors).toEqual([['n', 'boom']]);
  });
});
