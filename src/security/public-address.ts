/**
 * Whether an IP address is a public unicast one: what we may connect to on a third party's word (result
 * downloads, customers' webhooks). Everything else is
 * refused — loopback, private (10/8, 172.16/12, 192.168/16), carrier-grade NAT, link-local
 * (169.254/16, fe80::/10), unique-local (fc00::/7), unspecified (0.0.0.0, ::), multicast, reserved and
 * documentation ranges — including IPv4 addresses written inside IPv6 ones (IPv4-mapped ::ffff:a.b.c.d,
 * IPv4-compatible ::a.b.c.d, NAT64 64:ff9b::/96, 6to4 2002::/16), which reach the same hosts.
 */
import { BlockList, isIPv4, isIPv6 } from 'node:net';

const NOT_PUBLIC_V4 = new BlockList();
for (const [network, prefix] of [
  ['0.0.0.0', 8], // "this network", 0.0.0.0
  ['10.0.0.0', 8],
  ['100.64.0.0', 10], // carrier-grade NAT
  ['127.0.0.0', 8],
  ['169.254.0.0', 16], // link-local, cloud metadata
  ['172.16.0.0', 12],
  ['192.0.0.0', 24], // IETF protocol assignments
  ['192.0.2.0', 24], // documentation
  ['192.88.99.0', 24], // 6to4 relay anycast
  ['192.168.0.0', 16],
  ['198.18.0.0', 15], // benchmarking
  ['198.51.100.0', 24], // documentation
  ['203.0.113.0', 24], // documentation
  ['224.0.0.0', 4], // multicast
  ['240.0.0.0', 4], // reserved, broadcast
] as const) {
  NOT_PUBLIC_V4.addSubnet(network, prefix, 'ipv4');
}

/** Global unicast IPv6 (2000::/3) that is still not a public host. */
const NOT_PUBLIC_V6 = new BlockList();
for (const [network, prefix] of [
  ['2001::', 32], // Teredo (tunnels to an IPv4 address)
  ['2001:2::', 48], // benchmarking
  ['2001:db8::', 32], // documentation
  ['3fff::', 20], // documentation
] as const) {
  NOT_PUBLIC_V6.addSubnet(network, prefix, 'ipv6');
}

export function isPublicAddress(address: string): boolean {
  const ip = address.replace(/^\[|\]$/g, '').replace(/%.*$/, '');
  if (isIPv4(ip)) return !NOT_PUBLIC_V4.check(ip, 'ipv4');
  if (!isIPv6(ip)) return false;
  const b = ipv6Bytes(ip);
  const v4 = (at: number) => `${b[at]}.${b[at + 1]}.${b[at + 2]}.${b[at + 3]}`;
  const zeros = (from: number, to: number) => b.slice(from, to).every((x) => x === 0);
  // ::/96 (IPv4-compatible; also :: and ::1) and ::ffff:0:0/96 (IPv4-mapped).
  if (zeros(0, 10) && ((b[10] === 0 && b[11] === 0) || (b[10] === 0xff && b[11] === 0xff)))
    return isPublicAddress(v4(12));
  // NAT64, well-known prefix: the IPv4 address in the last 32 bits.
  if (b[0] === 0x00 && b[1] === 0x64 && b[2] === 0xff && b[3] === 0x9b && zeros(4, 12))
    return isPublicAddress(v4(12));
  // 6to4: the IPv4 address in bits 16–47.
  if (b[0] === 0x20 && b[1] === 0x02) return isPublicAddress(v4(2));
  // Outside global unicast: link-local, unique-local, multicast, NAT64 local-use, reserved.
  if ((b[0]! & 0xe0) !== 0x20) return false;
  return !NOT_PUBLIC_V6.check(ip, 'ipv6');
}

/** The 16 bytes of an IPv6 address (valid per net.isIPv6, without zone), dotted-quad tail included. */
function ipv6Bytes(ip: string): number[] {
  let text = ip;
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (dotted) {
    const [a, b, c, d] = dotted[1]!.split('.').map(Number) as [number, number, number, number];
    text = `${text.slice(0, dotted.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head = '', tail] = text.split('::');
  const groups = (s: string) => (s ? s.split(':') : []);
  const left = groups(head);
  const right = tail === undefined ? [] : groups(tail);
  const hextets = [...left, ...Array<string>(8 - left.length - right.length).fill('0'), ...right];
  return hextets.flatMap((h) => {
    const n = parseInt(h, 16);
    return [n >> 8, n & 0xff];
  });
}
