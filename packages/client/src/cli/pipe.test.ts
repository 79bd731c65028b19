import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { pipeClosed } from './pipe.js';

const epipe = () => Object.assign(new Error('write EPIPE'), { code: 'EPIPE' });

describe('pipeClosed', () => {
  it('resolves on EPIPE from either stream and absorbs the failures of writes still queued', async () => {
    const stdout = new EventEmitter();
    const stderr = new EventEmitter();
    const closed = pipeClosed([stdout, stderr]);
    stderr.emit('error', epipe());
    // Without a listener a second 'error' would throw here.
    expect(() => stderr.emit('error', epipe())).not.toThrow();
    await expect(closed).resolves.toBeUndefined();
  });
  it('rejects on any other stream error, so it is reported rather than taken for a stop', async () => {
    const stdout = new EventEmitter();
    const closed = pipeClosed([stdout]);
    stdout.emit('error', Object.assign(new Error('no space left'), { code: 'ENOSPC' }));
    await expect(closed).rejects.toThrow('no space left');
  });
});
