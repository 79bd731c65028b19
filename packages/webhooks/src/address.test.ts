import { describe, expect, it } from 'vitest';
import { classifyAddress, targetAllowed, type AddressClass } from './address.js';

describe('classifyAddress', () => {
  it.each<[string, AddressClass]>([
    ['93.184.216.34', 'public'],
    ['8.8.8.8', 'public'],
    ['127.0.0.1', 'loopback'],
    ['127.255.0.9', 'loopback'],
    ['0.0.0.0', 'unspecified'],
    ['10.1.2.3', 'private'],
    ['172.16.0.1', 'private'],
    ['172.31.255.255', 'private'],
    ['172.32.0.1', 'public'],
    ['192.168.1.1', 'private'],
    ['100.64.0.1', 'private'],
    ['169.254.169.254', 'link_local'],
    ['224.0.0.1', 'multicast'],
    ['255.255.255.255', 'reserved'],
    ['198.18.0.1', 'reserved'],
    ['::1', 'loopback'],
    ['[::1]', 'loopback'],
    ['0:0:0:0:0:0:0:1', 'loopback'],
    ['::', 'unspecified'],
    ['fc00::1', 'private'],
    ['fd12:3456::1', 'private'],
    ['fe80::1%eth0', 'link_local'],
    ['febf::1', 'link_local'],
    ['fec0::1', 'private'],
    ['ff02::1', 'multicast'],
    ['::ffff:127.0.0.1', 'loopback'],
    ['::ffff:7f00:1', 'loopback'],
    ['::ffff:169.254.169.254', 'link_local'],
    ['::ffff:8.8.8.8', 'public'],
    ['64:ff9b::10.0.0.1', 'private'],
    ['::127.0.0.1', 'reserved'],
    ['2001:db8::1', 'reserved'],
    ['2606:4700:4700::1111', 'public'],
    ['2a00:1450:4001:82a::200e', 'public'],
  ])('%s is %s', (address, cls) => {
    expect(classifyAddress(address)).toBe(cls);
  });

  // Spellings a URL parser normalises (2130706433, 0x7f.1) never reach here as such; if they
  // did, they are not addresses and are refused rather than guessed at.
  it.each(['2130706433', '0x7f.1', '127.1', '1.2.3.256', 'localhost', '1::2::3', '1:2:3:4:5:6:7:8:9', '::ffff:1.2.3', ''])('%s is invalid', (address) => {
    expect(classifyAddress(address)).toBe('invalid');
  });
});

describe('targetAllowed', () => {
  it('allows only public addresses by default', () => {
    expect(targetAllowed('93.184.216.34', false)).toBe(true);
    for (const a of ['127.0.0.1', '10.0.0.1', '169.254.169.254', '::1', 'fd00::1', 'fe80::1', '::ffff:127.0.0.1', '0.0.0.0']) expect(targetAllowed(a, false)).toBe(false);
  });

  it('allows private, loopback and link-local when told to, never multicast or garbage', () => {
    for (const a of ['127.0.0.1', '10.0.0.1', '169.254.169.254', '::1', 'fd00::1']) expect(targetAllowed(a, true)).toBe(true);
    expect(targetAllowed('224.0.0.1', true)).toBe(false);
    expect(targetAllowed('not-an-ip', true)).toBe(false);
  });
});
