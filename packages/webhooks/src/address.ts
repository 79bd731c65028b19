/**
 * What kind of network an IP address belongs to, so a webhook is never posted into the
 * gateway's own host or network (cloud metadata at 169.254.169.254, Redis on 127.0.0.1:6379,
 * an admin panel on 10.x). Pure: it judges addresses, never names; the transport resolves the
 * name and asks about every address it would connect to.
 */
export type AddressClass = 'public' | 'loopback' | 'private' | 'link_local' | 'unspecified' | 'multicast' | 'reserved' | 'invalid';

/** Prefix rules, first match wins. Anything not listed is public. */
const V4_RULES: Array<[number, number, AddressClass]> = [
  [ip4(0, 0, 0, 0), 8, 'unspecified'],
  [ip4(127, 0, 0, 0), 8, 'loopback'],
  [ip4(10, 0, 0, 0), 8, 'private'],
  [ip4(172, 16, 0, 0), 12, 'private'],
  [ip4(192, 168, 0, 0), 16, 'private'],
  // Carrier-grade NAT: not the internet, often the provider's own infrastructure.
  [ip4(100, 64, 0, 0), 10, 'private'],
  [ip4(169, 254, 0, 0), 16, 'link_local'],
  [ip4(192, 0, 0, 0), 24, 'reserved'],
  [ip4(192, 0, 2, 0), 24, 'reserved'],
  [ip4(198, 18, 0, 0), 15, 'reserved'],
  [ip4(198, 51, 100, 0), 24, 'reserved'],
  [ip4(203, 0, 113, 0), 24, 'reserved'],
  [ip4(224, 0, 0, 0), 4, 'multicast'],
  [ip4(240, 0, 0, 0), 4, 'reserved'],
];

function ip4(a: number, b: number, c: number, d: number): number {
  return ((a << 24) >>> 0) + (b << 16) + (c << 8) + d;
}

/** Dotted quad only: the transport sees addresses as the resolver returns them. */
function parseV4(s: string): number | undefined {
  const parts = s.split('.');
  if (parts.length !== 4 || !parts.every((p) => /^\d{1,3}$/.test(p) && Number(p) <= 255)) return undefined;
  const [a, b, c, d] = parts.map(Number) as [number, number, number, number];
  return ip4(a, b, c, d);
}

function classifyV4(n: number): AddressClass {
  for (const [base, bits, cls] of V4_RULES) {
    const mask = bits === 0 ? 0 : (~0 << (32 - bits)) >>> 0;
    if (((n & mask) >>> 0) === base) return cls;
  }
  return 'public';
}

/** Eight 16-bit groups, or undefined. Accepts `::` and a trailing dotted quad. */
function parseV6(input: string): number[] | undefined {
  let s = input.replace(/^\[|\]$/g, '');
  const zone = s.indexOf('%');
  if (zone >= 0) s = s.slice(0, zone);
  const lastColon = s.lastIndexOf(':');
  if (s.slice(lastColon + 1).includes('.')) {
    // A trailing dotted quad is the last two groups written in IPv4 notation.
    const v4 = parseV4(s.slice(lastColon + 1));
    if (v4 === undefined) return undefined;
    s = `${s.slice(0, lastColon + 1)}${(v4 >>> 16).toString(16)}:${(v4 & 0xffff).toString(16)}`;
  }
  const halves = s.split('::');
  if (halves.length > 2) return undefined;
  const group = (h: string) => (h === '' ? [] : h.split(':'));
  const head = group(halves[0] ?? '');
  const rest = halves.length === 2 ? group(halves[1] ?? '') : [];
  if (![...head, ...rest].every((g) => /^[0-9a-f]{1,4}$/i.test(g))) return undefined;
  const known = head.length + rest.length;
  if (halves.length === 1 ? known !== 8 : known > 7) return undefined;
  const zeros = new Array<number>(8 - known).fill(0);
  return [...head.map((g) => parseInt(g, 16)), ...zeros, ...rest.map((g) => parseInt(g, 16))];
}

function classifyV6(g: number[]): AddressClass {
  const [g0 = 0, g1 = 0, , , , g5 = 0, g6 = 0, g7 = 0] = g;
  const zeroUpTo = (n: number) => g.slice(0, n).every((x) => x === 0);
  if (zeroUpTo(8)) return 'unspecified';
  if (zeroUpTo(7) && g7 === 1) return 'loopback';
  const embedded = ((g6 << 16) >>> 0) + g7;
  // ::ffff:a.b.c.d reaches the IPv4 host a.b.c.d: judge it as that address.
  if (zeroUpTo(5) && g5 === 0xffff) return classifyV4(embedded);
  // NAT64 (64:ff9b::/96) reaches the embedded IPv4 address too.
  if (g0 === 0x64 && g1 === 0xff9b && g.slice(2, 6).every((x) => x === 0)) return classifyV4(embedded);
  // Deprecated IPv4-compatible ::a.b.c.d: no legitimate receiver uses it.
  if (zeroUpTo(6)) return 'reserved';
  if ((g0 & 0xfe00) === 0xfc00) return 'private';
  if ((g0 & 0xffc0) === 0xfe80) return 'link_local';
  // Site-local (deprecated, still routed inside some networks).
  if ((g0 & 0xffc0) === 0xfec0) return 'private';
  if ((g0 & 0xff00) === 0xff00) return 'multicast';
  if (g0 === 0x2001 && g1 === 0x0db8) return 'reserved';
  return 'public';
}

/** The class of a literal IPv4 or IPv6 address (brackets and a zone id allowed). */
export function classifyAddress(address: string): AddressClass {
  const v4 = parseV4(address);
  if (v4 !== undefined) return classifyV4(v4);
  if (!address.includes(':')) return 'invalid';
  const v6 = parseV6(address.toLowerCase());
  return v6 ? classifyV6(v6) : 'invalid';
}

/** True when a webhook may connect to `address`: only public ones, unless private targets are allowed. */
export function targetAllowed(address: string, allowPrivate: boolean): boolean {
  const cls = classifyAddress(address);
  if (cls === 'public') return true;
  if (cls === 'invalid' || cls === 'multicast') return false;
  return allowPrivate;
}
