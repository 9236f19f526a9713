import { isIPv4, isIPv6 } from 'node:net';

/** The IPv6 prefix that one customer of a network gets at the least: one throttled client. */
export const IPV6_CLIENT_PREFIX = 64;

/** The eight 16-bit groups of an IPv6 address (valid, without zone), an IPv4 tail as two. */
function ipv6Groups(address: string): number[] {
  const ipv4Tail = /(\d+\.\d+\.\d+\.\d+)$/.exec(address);
  let text = address;
  if (ipv4Tail) {
    const [a, b, c, d] = ipv4Tail[1].split('.').map(Number);
    text = `${address.slice(0, ipv4Tail.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head, tail] = text.split('::');
  const parse = (part: string | undefined) => (part ? part.split(':').map((group) => parseInt(group, 16)) : []);
  if (tail === undefined) return parse(head);
  const [front, back] = [parse(head), parse(tail)];
  return [...front, ...new Array<number>(8 - front.length - back.length).fill(0), ...back];
}

/**
 * Who a throttle or a rate limit counts, from the client's address: an IPv4 address as it is (an
 * IPv4-mapped IPv6 one too), an IPv6 address as its /64 network. Anyone given a network has a /64
 * at least, so counting single IPv6 addresses would let one client take a fresh one for each
 * request and never be counted twice. Null (the connection is gone) is `unknown`.
 */
export function addressGroup(address: string | null | undefined): string {
  if (!address) return 'unknown';
  const bare = address.split('%')[0];
  if (isIPv4(bare) || !isIPv6(bare)) return bare;
  const groups = ipv6Groups(bare);
  if (groups.slice(0, 5).every((group) => group === 0) && groups[5] === 0xffff)
    return [groups[6] >> 8, groups[6] & 0xff, groups[7] >> 8, groups[7] & 0xff].join('.');
  const kept = IPV6_CLIENT_PREFIX / 16;
  return `${groups
    .slice(0, kept)
    .map((group) => group.toString(16))
    .join(':')}::/${IPV6_CLIENT_PREFIX}`;
}
