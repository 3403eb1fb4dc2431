// From a link-layer record to a TCP segment: Ethernet (with 802.1Q tags), Linux cooked v1 and v2, BSD loopback
// (null and loop), raw IP; IPv4 and IPv6 (extension headers skipped); TCP header and payload.

/** Link types (tcpdump.org/linktypes): the ones read here. */
export const LINKTYPE = { NULL: 0, ETHERNET: 1, RAW: 101, LOOP: 108, LINUX_SLL: 113, IPV4: 228, IPV6: 229, LINUX_SLL2: 276 } as const;

export interface TcpSegment {
  src: string;
  dst: string;
  srcPort: number;
  dstPort: number;
  seq: number;
  syn: boolean;
  ack: boolean;
  fin: boolean;
  rst: boolean;
  payload: Uint8Array;
}

/** The TCP segment a record carries, or undefined for anything else (ARP, UDP, IP fragments, unknown links). */
export function tcpSegment(linkType: number, data: Uint8Array): TcpSegment | undefined {
  const ip = ipPayload(linkType, data);
  if (ip === undefined) return undefined;
  return ip[0] === 4 ? ipv4(ip[1]) : ipv6(ip[1]);
}

const u16 = (b: Uint8Array, p: number): number => (b[p]! << 8) | b[p + 1]!;
const u32 = (b: Uint8Array, p: number): number => ((b[p]! << 24) >>> 0) + ((b[p + 1]! << 16) | (b[p + 2]! << 8) | b[p + 3]!);

/** [IP version, IP packet] inside a link-layer frame. */
function ipPayload(linkType: number, d: Uint8Array): [4 | 6, Uint8Array] | undefined {
  switch (linkType) {
    case LINKTYPE.ETHERNET: {
      let p = 12;
      let etherType = d.length >= 14 ? u16(d, p) : -1;
      // 802.1Q / 802.1ad tags
      while ((etherType === 0x8100 || etherType === 0x88a8) && d.length >= p + 6) {
        p += 4;
        etherType = u16(d, p);
      }
      return byEtherType(etherType, d.subarray(p + 2));
    }
    case LINKTYPE.LINUX_SLL:
      return d.length >= 16 ? byEtherType(u16(d, 14), d.subarray(16)) : undefined;
    case LINKTYPE.LINUX_SLL2:
      return d.length >= 20 ? byEtherType(u16(d, 0), d.subarray(20)) : undefined;
    case LINKTYPE.NULL:
    case LINKTYPE.LOOP: {
      if (d.length < 4) return undefined;
      // NULL: the address family in the capturing host's byte order; LOOP: network order
      const be = u32(d, 0);
      const le = d[0]! | (d[1]! << 8) | (d[2]! << 16) | (d[3]! << 24);
      const family = linkType === LINKTYPE.LOOP ? be : le < 256 ? le : be;
      if (family === 2) return [4, d.subarray(4)];
      // AF_INET6 is 24 (BSDs), 28 (FreeBSD), 30 (macOS)
      if (family === 24 || family === 28 || family === 30) return [6, d.subarray(4)];
      return undefined;
    }
    case LINKTYPE.RAW:
    case 12:
    case LINKTYPE.IPV4:
    case LINKTYPE.IPV6: {
      const v = (d[0] ?? 0) >> 4;
      return v === 4 || v === 6 ? [v, d] : undefined;
    }
    default:
      return undefined;
  }
}

function byEtherType(etherType: number, d: Uint8Array): [4 | 6, Uint8Array] | undefined {
  if (etherType === 0x0800) return [4, d];
  if (etherType === 0x86dd) return [6, d];
  return undefined;
}

function ipv4(d: Uint8Array): TcpSegment | undefined {
  if (d.length < 20 || d[0]! >> 4 !== 4) return undefined;
  const ihl = (d[0]! & 0x0f) * 4;
  const total = Math.min(u16(d, 2), d.length);
  const fragment = u16(d, 6);
  // a fragment (More Fragments, or a non-zero offset) is not reassembled here
  if ((fragment & 0x2000) !== 0 || (fragment & 0x1fff) !== 0) return undefined;
  if (d[9] !== 6 || total < ihl) return undefined;
  const src = `${d[12]}.${d[13]}.${d[14]}.${d[15]}`;
  const dst = `${d[16]}.${d[17]}.${d[18]}.${d[19]}`;
  return tcp(d.subarray(ihl, total), src, dst);
}

/** IPv6 extension headers that are skipped to reach TCP: hop-by-hop, routing, destination options. */
const SKIPPED = new Set([0, 43, 60]);

function ipv6(d: Uint8Array): TcpSegment | undefined {
  if (d.length < 40 || d[0]! >> 4 !== 6) return undefined;
  const end = Math.min(40 + u16(d, 4), d.length);
  let next = d[6]!;
  let p = 40;
  while (SKIPPED.has(next) && p + 8 <= end) {
    next = d[p]!;
    p += (d[p + 1]! + 1) * 8;
  }
  if (next !== 6 || p > end) return undefined;
  return tcp(d.subarray(p, end), ipv6Text(d.subarray(8, 24)), ipv6Text(d.subarray(24, 40)));
}

/** RFC 5952 text of an IPv6 address: lowercase, the longest run of zero groups as '::'. */
export function ipv6Text(a: Uint8Array): string {
  const groups: number[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(u16(a, i));
  let best = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen) {
      best = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (best === -1) return hex.join(':');
  return `${hex.slice(0, best).join(':')}::${hex.slice(best + bestLen).join(':')}`;
}

function tcp(d: Uint8Array, src: string, dst: string): TcpSegment | undefined {
  if (d.length < 20) return undefined;
  const offset = (d[12]! >> 4) * 4;
  if (offset < 20 || offset > d.length) return undefined;
  const flags = d[13]!;
  return {
    src,
    dst,
    srcPort: u16(d, 0),
    dstPort: u16(d, 2),
    seq: u32(d, 4),
    syn: (flags & 0x02) !== 0,
    ack: (flags & 0x10) !== 0,
    fin: (flags & 0x01) !== 0,
    rst: (flags & 0x04) !== 0,
    payload: d.subarray(offset),
  };
}
