import { describe, expect, it } from 'vitest';
import { envHelp } from './cli.js';

describe('envHelp', () => {
  it('shows each named setting with its default (or unset) and its description, in order', () => {
    const text = envHelp(['GATEWAY_PORT', 'GATEWAY_INSTANCE_ID']);
    const lines = text.split('\n');
    expect(lines[1]).toBe('  GATEWAY_PORT=8080');
    expect(lines[2]).toMatch(/^ {6}Gateway HTTP/);
    expect(lines[3]).toBe('  GATEWAY_INSTANCE_ID (unset)');
  });

  it('refuses a name that is not a setting', () => {
    expect(() => envHelp(['GATEWAY_PROT'])).toThrow(/not a setting: GATEWAY_PROT/);
  });
});
