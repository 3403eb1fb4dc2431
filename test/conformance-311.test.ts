// MQTT 3.1.1 conformance: one or more tests per row of spec/conformance-311.tsv that a codec can check
// (codec_checkable yes or partly), grouped by spec section and named by the row id. A refusal asserts the exact
// error code, 5.0 reason code, rule id and (where it says something) byte offset; an acceptance asserts the exact
// decoded packet. Rows with side `both` are checked on decode and on encode (`invalid-packet`, same rule) wherever
// the packet model can express the fault; where it cannot (fixed-header flags, reserved bits), the encoder's exact
// bytes are asserted instead. The last test reads the TSV so that a checkable row cannot lose its test silently.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  FrameSplitter,
  MAX_PACKET_SIZE_LIMIT,
  MqttError,
  PacketDecoder,
  decode,
  encode,
  encodeInto,
  encodedLength,
  fromHex,
  toHex,
  type MqttErrorCode,
  type Packet,
  type ProtocolVersion,
} from '../src/index.js';
import { thrown as caught } from './support/helpers.js';

// ---------------------------------------------------------------------------------------------------------------
// Building frames by hand

const enc = new TextEncoder();
/** Hex of the UTF-8 bytes of `s` (only for well-formed strings). */
const hexOf = (s: string): string => toHex(enc.encode(s));
/** A length-prefixed field (UTF-8 string or Binary Data) around the given hex bytes. */
function field(hex: string): string {
  const h = hex.replace(/\s+/g, '');
  return (h.length / 2).toString(16).padStart(4, '0') + h;
}
/** A length-prefixed UTF-8 string field of `s`. */
const str = (s: string): string => field(hexOf(s));
/** Remaining Length bytes for `n`, shortest form (the spec's algorithm, section 2.2.3). */
function remainingLength(n: number): string {
  let out = '';
  do {
    let b = n % 128;
    n = Math.floor(n / 128);
    if (n > 0) b |= 0x80;
    out += b.toString(16).padStart(2, '0');
  } while (n > 0);
  return out;
}
/** A whole frame: first byte, Remaining Length, body. */
function frame(first: number, body: string): string {
  const b = body.replace(/\s+/g, '');
  return first.toString(16).padStart(2, '0') + remainingLength(b.length / 2) + b;
}
/**
 * A level 4 CONNECT with Connect Flags `flags` and the given payload hex. With a one-byte Remaining Length the
 * offsets are: Protocol Name 2, Protocol Level 8, Connect Flags 9, Keep Alive 10, payload (Client Identifier) 12.
 */
const connect = (flags: number, payload: string, keepAlive = '0000'): string =>
  frame(0x10, `0004 4d515454 04 ${flags.toString(16).padStart(2, '0')} ${keepAlive} ${payload}`);
/** A level 3 CONNECT (MQIsdp): Connect Flags at 11, Client Identifier at 14. */
const connect3 = (flags: number, payload: string): string =>
  frame(0x10, `0006 4d5149736470 03 ${flags.toString(16).padStart(2, '0')} 0000 ${payload}`);
/** A PUBLISH with the given topic bytes (hex); the topic length prefix is at offset 2. */
const publish = (first: number, topicHex: string, rest = ''): string => frame(first, field(topicHex) + rest);
/** A SUBSCRIBE (packet id 1) with one filter given as raw bytes; the filter is at offset 4. */
const subscribeRaw = (filterHex: string, qos = '00'): string => frame(0x82, `0001 ${field(filterHex)} ${qos}`);
/** An UNSUBSCRIBE (packet id 1) with one filter given as raw bytes; the filter is at offset 4. */
const unsubscribeRaw = (filterHex: string): string => frame(0xa2, `0001 ${field(filterHex)}`);

const bytes = (hex: string): Uint8Array => fromHex(hex);
// long enough for the native paths of both the decoder (64 bytes and up) and the encoder (32 code units and up)
const pad = 'a'.repeat(80);

// ---------------------------------------------------------------------------------------------------------------
// Assertions

interface Refusal {
  code: MqttErrorCode;
  reasonCode: number;
  rule: string | undefined;
  offset?: number;
}
const malformed = (rule: string, offset: number): Refusal => ({ code: 'malformed-packet', reasonCode: 0x81, rule, offset });
const protocol = (rule: string, offset: number, reasonCode = 0x82): Refusal => ({ code: 'protocol-error', reasonCode, rule, offset });
const unsupported = (rule: string, offset: number): Refusal => ({ code: 'unsupported-protocol-version', reasonCode: 0x84, rule, offset });

function summary(e: MqttError, withOffset: boolean): Refusal {
  const s: Refusal = { code: e.code, reasonCode: e.reasonCode, rule: e.rule };
  if (withOffset) s.offset = e.offset as number;
  return s;
}

/** `decode` refuses the frame with exactly this error. */
function refuses(hex: string, want: Refusal, version: ProtocolVersion = 4): void {
  const e = caught(() => decode(bytes(hex), { version }));
  expect(summary(e, want.offset !== undefined)).toStrictEqual(want);
}

/** `encode`, `encodedLength` and `encodeInto` all refuse the object with `invalid-packet` and this rule. */
function encodeRefuses(packet: unknown, rule: string | undefined, reasonCode: number, version: ProtocolVersion = 4): void {
  const want = { code: 'invalid-packet', reasonCode, rule };
  const p = packet as Packet;
  expect(summary(caught(() => encode(p, { version })), false)).toStrictEqual(want);
  expect(summary(caught(() => encodedLength(p, { version })), false)).toStrictEqual(want);
  const target = new Uint8Array(64).fill(0xee);
  expect(summary(caught(() => encodeInto(p, target, 0, { version })), false)).toStrictEqual(want);
  expect(target.every((b) => b === 0xee)).toBe(true);
}

/** `decode` accepts the frame as exactly `packet`, and `encode` gives the frame back. */
function accepts(hex: string, packet: Packet, version: ProtocolVersion = 4): void {
  const h = hex.replace(/\s+/g, '');
  expect(decode(bytes(h), { version })).toStrictEqual(packet);
  expect(toHex(encode(packet, { version }))).toBe(h);
}

const pub = (topic: string, payload: Uint8Array = new Uint8Array(0)): Packet => ({
  type: 'publish',
  topic,
  payload,
  qos: 0,
  retain: false,
  dup: false,
});
const pubQ = (topic: string, qos: 1 | 2, packetId: number, payload: Uint8Array = new Uint8Array(0)): Packet => ({
  type: 'publish',
  topic,
  payload,
  qos,
  retain: false,
  dup: false,
  packetId,
});
const sub = (topicFilter: string): Packet => ({ type: 'subscribe', packetId: 1, subscriptions: [{ topicFilter, qos: 0 }] });
const unsub = (topicFilter: string): Packet => ({ type: 'unsubscribe', packetId: 1, topicFilters: [topicFilter] });
const conn = (extra: Record<string, unknown> = {}): Packet =>
  ({ type: 'connect', protocolVersion: 4, clientId: 'c', clean: true, keepAlive: 0, ...extra }) as Packet;

/** Ill-formed UTF-8 byte sequences (RFC 3629), each with why. */
const ILL_FORMED: [hex: string, why: string][] = [
  ['c080', 'overlong U+0000 (C0 80)'],
  ['c1bf', 'overlong U+007F (C1 BF)'],
  ['e08080', 'overlong U+0000 in three bytes (E0 80 80)'],
  ['e09fbf', 'overlong U+07FF in three bytes (E0 9F BF)'],
  ['f0808080', 'overlong U+0000 in four bytes (F0 80 80 80)'],
  ['f08fbfbf', 'overlong U+FFFF in four bytes (F0 8F BF BF)'],
  ['eda080', 'encoded surrogate U+D800 (ED A0 80)'],
  ['edbfbf', 'encoded surrogate U+DFFF (ED BF BF)'],
  ['eda0bdedb8b5', 'encoded surrogate pair (CESU-8)'],
  ['f4908080', 'U+110000, above U+10FFFF (F4 90 80 80)'],
  ['f5808080', 'lead byte F5'],
  ['ff', 'byte FF'],
  ['fe', 'byte FE'],
  ['c3', 'two-byte sequence truncated at the end of the string'],
  ['e282', 'three-byte sequence truncated at the end of the string'],
  ['f09d84', 'four-byte sequence truncated at the end of the string'],
  ['e28261', 'three-byte sequence cut short by an ASCII byte'],
  ['c320', 'two-byte sequence cut short by a space'],
  ['80', 'stray continuation byte 80'],
  ['bf', 'stray continuation byte BF'],
  ['618062', 'stray continuation byte between ASCII'],
  ['c3a9a9', 'extra continuation byte after é'],
];

// ---------------------------------------------------------------------------------------------------------------

describe('1.5.2 Integer data values', () => {
  it('U311-1.5.2-1 Packet Identifier, Keep Alive and string lengths are big-endian (MSB first)', () => {
    accepts('40 02 1234', { type: 'puback', packetId: 0x1234 });
    accepts('40 02 ff01', { type: 'puback', packetId: 0xff01 });
    accepts(connect(0x02, str('c'), '0102'), conn({ keepAlive: 0x0102 }) as Packet);
    const topic = 'a'.repeat(0x0123);
    const frameBytes = encode(pub(topic));
    // 30, Remaining Length 0x125 = a5 02, then the topic length 01 23
    expect(toHex(frameBytes.subarray(0, 5))).toBe('30a5020123');
    expect(decode(frameBytes)).toStrictEqual(pub(topic));
  });
});

describe('1.5.3 UTF-8 encoded strings', () => {
  for (const [hex, why] of ILL_FORMED) {
    it(`MQTT-1.5.3-1 ${why} in a Topic Name is refused`, () => {
      refuses(publish(0x30, hex), malformed('MQTT-1.5.3-1', 2));
      refuses(publish(0x30, '61' + hex + '62'), malformed('MQTT-1.5.3-1', 2));
    });
    it(`MQTT-1.5.3-1 ${why} in a long string (native decoder path) is refused`, () => {
      refuses(publish(0x30, hexOf(pad) + hex), malformed('MQTT-1.5.3-1', 2));
      refuses(publish(0x30, hex + hexOf(pad)), malformed('MQTT-1.5.3-1', 2));
    });
  }

  it('MQTT-1.5.3-1 ill-formed UTF-8 is refused in every string field, at its offset', () => {
    refuses(connect(0x02, field('c080')), malformed('MQTT-1.5.3-1', 12));
    refuses(connect(0x06, str('c') + field('eda080') + str('m')), malformed('MQTT-1.5.3-1', 15));
    refuses(connect(0x82, str('c') + field('f4908080')), malformed('MQTT-1.5.3-1', 15));
    refuses(subscribeRaw('e08080'), malformed('MQTT-1.5.3-1', 4));
    refuses(unsubscribeRaw('80'), malformed('MQTT-1.5.3-1', 4));
    refuses(frame(0x10, `0004 4d51c054 04 02 0000 ${str('c')}`), malformed('MQTT-1.5.3-1', 2));
  });

  it('MQTT-1.5.3-1 boundary code points that are well-formed are accepted', () => {
    const cases: [hex: string, text: string][] = [
      ['7f', '\u007f'],
      ['c280', '\u0080'],
      ['dfbf', '\u07ff'],
      ['e0a080', '\u0800'],
      ['ed9fbf', '\ud7ff'],
      ['ee8080', '\ue000'],
      ['efbfbd', '\ufffd'],
      ['efbfbf', '\uffff'],
      ['f0908080', '\u{10000}'],
      ['f48fbfbf', '\u{10ffff}'],
    ];
    for (const [hex, text] of cases) {
      accepts(publish(0x30, '61' + hex), pub('a' + text));
      accepts(publish(0x30, hexOf(pad) + hex), pub(pad + text));
    }
  });

  for (const [s, why] of [
    ['\ud800', 'a lone high surrogate'],
    ['a\udc00b', 'a lone low surrogate'],
    ['ab\ud83d', 'a high surrogate at the end'],
    ['\udc00\ud800', 'a reversed surrogate pair'],
    [`${pad}\ud800${pad}`, 'a lone surrogate in a long string'],
  ] as const) {
    it(`MQTT-1.5.3-1 encode refuses a string with ${why}`, () => {
      encodeRefuses(pub(s), 'MQTT-1.5.3-1', 0x81);
      encodeRefuses(conn({ clientId: s }), 'MQTT-1.5.3-1', 0x81);
      encodeRefuses(conn({ username: s }), 'MQTT-1.5.3-1', 0x81);
      encodeRefuses(sub(s), 'MQTT-1.5.3-1', 0x81);
      encodeRefuses(unsub(s), 'MQTT-1.5.3-1', 0x81);
    });
  }

  it('MQTT-1.5.3-2 U+0000 is refused in every string field (decode)', () => {
    refuses(publish(0x30, '00'), malformed('MQTT-1.5.3-2', 2));
    refuses(publish(0x30, '610062'), malformed('MQTT-1.5.3-2', 2));
    refuses(publish(0x30, hexOf(pad) + '00'), malformed('MQTT-1.5.3-2', 2));
    refuses(connect(0x02, field('6300')), malformed('MQTT-1.5.3-2', 12));
    refuses(connect(0x06, str('c') + field('7400') + str('m')), malformed('MQTT-1.5.3-2', 15));
    refuses(connect(0x82, str('c') + field('0075')), malformed('MQTT-1.5.3-2', 15));
    refuses(subscribeRaw('612f00'), malformed('MQTT-1.5.3-2', 4));
    refuses(unsubscribeRaw('00'), malformed('MQTT-1.5.3-2', 4));
  });

  it('MQTT-1.5.3-2 encode refuses U+0000 in every string field', () => {
    encodeRefuses(pub('a\u0000b'), 'MQTT-1.5.3-2', 0x81);
    encodeRefuses(pub(`${pad}\u0000`), 'MQTT-1.5.3-2', 0x81);
    encodeRefuses(conn({ clientId: '\u0000' }), 'MQTT-1.5.3-2', 0x81);
    encodeRefuses(conn({ username: 'u\u0000' }), 'MQTT-1.5.3-2', 0x81);
    encodeRefuses(conn({ will: { topic: 't\u0000', payload: new Uint8Array(0), qos: 0, retain: false } }), 'MQTT-1.5.3-2', 0x81);
    encodeRefuses(sub('a/\u0000'), 'MQTT-1.5.3-2', 0x81);
    encodeRefuses(unsub('\u0000'), 'MQTT-1.5.3-2', 0x81);
  });

  it('U311-1.5.3-1 control characters and noncharacters are accepted by default (the check is a MAY)', () => {
    accepts(publish(0x30, '61 01 62 7f'), pub('a\u0001b\u007f'));
    accepts(publish(0x30, '01 1f 7f c280 c29f efbfbe'), pub('\u0001\u001f\u007f\u0080\u009f\ufffe'));
    accepts(publish(0x30, hexOf(pad) + '017f'), pub(`${pad}\u0001\u007f`));
    accepts(connect(0x82, str('\u0001') + str('\u007f')), conn({ clientId: '\u0001', username: '\u007f' }) as Packet);
  });

  it('MQTT-1.5.3-3 a leading BOM (EF BB BF) is kept as U+FEFF, not stripped', () => {
    accepts(publish(0x30, 'efbbbf 61'), pub('\ufeffa'));
    accepts(publish(0x30, 'efbbbf'), pub('\ufeff'));
    accepts(publish(0x30, 'efbbbf efbbbf'), pub('\ufeff\ufeff'));
    accepts(publish(0x30, '61 efbbbf 62'), pub('a\ufeffb'));
  });

  it('MQTT-1.5.3-3 a leading BOM is kept in long strings (native decoder path) and in every field', () => {
    accepts(publish(0x30, 'efbbbf' + hexOf(pad)), pub(`\ufeff${pad}`));
    accepts(connect(0x82, field('efbbbf63') + field('efbbbf75')), conn({ clientId: '\ufeffc', username: '\ufeffu' }) as Packet);
    accepts(subscribeRaw('efbbbf612f23'), sub('\ufeffa/#'));
    accepts(unsubscribeRaw('efbbbf2f2b'), unsub('\ufeff/+'));
  });

  it('U311-1.5.3-2 a string length prefix that runs past the packet end is refused', () => {
    refuses(frame(0x30, '0005 6162'), malformed('U311-2-1', 4));
    refuses(frame(0x30, '00'), malformed('U311-2-1', 2));
    refuses(frame(0x82, '0001 0004 6162 00'), malformed('U311-2-1', 6));
    refuses(connect(0x82, str('c') + '0009 75'), malformed('U311-2-1', 17));
  });

  it('U311-1.5.3-2 the length counts bytes: 65535 bytes encode and decode, 65536 are refused', () => {
    const max = 'a'.repeat(65535);
    const f = encode(pub(max));
    // Remaining Length 65537 = 81 80 04, then the string length ff ff
    expect(toHex(f.subarray(0, 6))).toBe('30818004ffff');
    expect(decode(f)).toStrictEqual(pub(max));
    encodeRefuses(pub('a'.repeat(65536)), 'U311-1.5.3-2', 0x81);
    // 21845 × '€' is 65535 bytes; one more is 65538 bytes though only 21846 UTF-16 code units
    expect(encodedLength(pub('€'.repeat(21845)))).toBe(1 + 3 + 2 + 65535);
    encodeRefuses(pub('€'.repeat(21846)), 'U311-1.5.3-2', 0x81);
    encodeRefuses(conn({ clientId: 'c'.repeat(65536) }), 'U311-1.5.3-2', 0x81);
    encodeRefuses(conn({ username: 'u'.repeat(65536) }), 'U311-1.5.3-2', 0x81);
  });
});

describe('2.2.1 MQTT Control Packet type', () => {
  it('U311-2.2.1-1 packet types 0 and 15 are refused', () => {
    refuses('00 00', malformed('U311-2.2.1-1', 0));
    refuses('f0 00', malformed('U311-2.2.1-1', 0));
    refuses('f0 02 0000', malformed('U311-2.2.1-1', 0), 3);
    for (const version of [3, 4] as const) {
      const d = new PacketDecoder({ version });
      const e = caught(() => d.push(bytes('c000 f000')));
      expect(summary(e, true)).toStrictEqual(malformed('U311-2.2.1-1', 2));
    }
    // the packet model has no type 0; AUTH (type 15) exists only at level 5
    encodeRefuses({ type: 'auth', reasonCode: 0 }, 'U311-2.2.1-1', 0x81);
    encodeRefuses({ type: 'auth', reasonCode: 0 }, 'U311-2.2.1-1', 0x81, 3);
  });

  const serverOnly: [string, string][] = [
    ['CONNACK', '20020000'],
    ['SUBACK', '9003000100'],
    ['UNSUBACK', 'b0020001'],
    ['PINGRESP', 'd000'],
  ];
  const clientOnly: [string, string][] = [
    ['CONNECT', connect(0x02, str('c'))],
    ['SUBSCRIBE', subscribeRaw(hexOf('a'))],
    ['UNSUBSCRIBE', unsubscribeRaw(hexOf('a'))],
    ['PINGREQ', 'c000'],
    ['DISCONNECT', 'e000'],
  ];
  const bothWays = ['30050001616869', '40020001', '50020001', '62020001', '70020001'];

  for (const [name, hex] of serverOnly) {
    it(`U311-2.2.1-2 a server-role decoder refuses ${name} (server to client only)`, () => {
      const d = new PacketDecoder({ version: 4, role: 'server' });
      expect(summary(caught(() => d.push(bytes('c000' + hex))), true)).toStrictEqual(protocol('U311-2.2.1-2', 2));
      expect(new PacketDecoder({ version: 4, role: 'client' }).push(bytes(hex))).toHaveLength(1);
    });
  }
  for (const [name, hex] of clientOnly) {
    it(`U311-2.2.1-2 a client-role decoder refuses ${name} (client to server only)`, () => {
      const d = new PacketDecoder({ version: 4, role: 'client' });
      expect(summary(caught(() => d.push(bytes('d000' + hex))), true)).toStrictEqual(protocol('U311-2.2.1-2', 2));
      expect(new PacketDecoder({ version: 4, role: 'server' }).push(bytes(hex))).toHaveLength(1);
    });
  }
  it('U311-2.2.1-2 PUBLISH and its acknowledgements flow both ways; without a role every packet is accepted', () => {
    for (const role of ['server', 'client', undefined] as const) {
      const d = new PacketDecoder(role === undefined ? { version: 4 } : { version: 4, role });
      expect(d.push(bytes(bothWays.join(''))).map((p) => p.type)).toEqual(['publish', 'puback', 'pubrec', 'pubrel', 'pubcomp']);
    }
    const any = new PacketDecoder({ version: 4 });
    expect(any.push(bytes([...serverOnly, ...clientOnly].map(([, h]) => h).join(''))).map((p) => p.type)).toEqual([
      'connack', 'suback', 'unsuback', 'pingresp', 'connect', 'subscribe', 'unsubscribe', 'pingreq', 'disconnect',
    ]);
  });
});

describe('2.2.2 Flags', () => {
  const zeroFlagTypes: [name: string, type: number, body: string][] = [
    ['CONNECT', 1, `0004 4d515454 04 02 0000 ${str('c')}`],
    ['CONNACK', 2, '0000'],
    ['PUBACK', 4, '0001'],
    ['PUBREC', 5, '0001'],
    ['PUBCOMP', 7, '0001'],
    ['SUBACK', 9, '000100'],
    ['UNSUBACK', 11, '0001'],
    ['PINGREQ', 12, ''],
    ['PINGRESP', 13, ''],
  ];
  for (const [name, type, body] of zeroFlagTypes) {
    it(`MQTT-2.2.2-1 ${name} with fixed-header flags other than 0000 is refused`, () => {
      for (const flags of [0b0001, 0b0010, 0b0100, 0b1000, 0b1111]) {
        refuses(frame((type << 4) | flags, body), malformed('MQTT-2.2.2-1', 0));
      }
      expect(decode(bytes(frame(type << 4, body))).type).toBe(name.toLowerCase());
    });
  }

  it('MQTT-2.2.2-1 the encoder writes the listed flags: 0010 for PUBREL, SUBSCRIBE, UNSUBSCRIBE, 0000 otherwise', () => {
    const first = (p: Packet): number => encode(p)[0]!;
    expect(first(conn())).toBe(0x10);
    expect(first({ type: 'connack', sessionPresent: false, reasonCode: 0 })).toBe(0x20);
    expect(first({ type: 'puback', packetId: 1 })).toBe(0x40);
    expect(first({ type: 'pubrec', packetId: 1 })).toBe(0x50);
    expect(first({ type: 'pubrel', packetId: 1 })).toBe(0x62);
    expect(first({ type: 'pubcomp', packetId: 1 })).toBe(0x70);
    expect(first(sub('a'))).toBe(0x82);
    expect(first({ type: 'suback', packetId: 1, reasonCodes: [0] })).toBe(0x90);
    expect(first(unsub('a'))).toBe(0xa2);
    expect(first({ type: 'unsuback', packetId: 1 })).toBe(0xb0);
    expect(first({ type: 'pingreq' })).toBe(0xc0);
    expect(first({ type: 'pingresp' })).toBe(0xd0);
    expect(first({ type: 'disconnect' })).toBe(0xe0);
    // PUBLISH: DUP (bit 3), QoS (bits 2-1), RETAIN (bit 0)
    const payload = new Uint8Array(0);
    expect(first({ type: 'publish', topic: 't', payload, qos: 0, retain: true, dup: false })).toBe(0x31);
    expect(first({ type: 'publish', topic: 't', payload, qos: 1, retain: false, dup: true, packetId: 1 })).toBe(0x3a);
    expect(first({ type: 'publish', topic: 't', payload, qos: 2, retain: true, dup: true, packetId: 1 })).toBe(0x3d);
  });

  it('MQTT-2.2.2-2 invalid flags are reported as an error, never normalised into a packet', () => {
    const d = new PacketDecoder({ version: 4 });
    expect(summary(caught(() => d.push(bytes('4102 0001'))), true)).toStrictEqual(malformed('MQTT-2.2.2-1', 0));
    expect(summary(caught(() => d.push(bytes('4002 0001'))), true)).toStrictEqual(malformed('MQTT-2.2.2-1', 0));
    refuses('d800', malformed('MQTT-2.2.2-1', 0));
  });
});

describe('2.2.3 Remaining Length', () => {
  it('U311-2.2.3-1 a fourth length byte with its continuation bit set is refused at once', () => {
    refuses('30 ffffffff 01', malformed('U311-2.2.3-1', 4));
    refuses('c0 80808080 00', malformed('U311-2.2.3-1', 4));
    const s = new FrameSplitter({ version: 4 });
    expect(s.push(bytes('30ffffff'))).toEqual([]);
    expect(s.buffered).toBe(4);
    // no more bytes are awaited: the fourth length byte decides
    expect(summary(caught(() => s.push(bytes('80'))), true)).toStrictEqual(malformed('U311-2.2.3-1', 4));
  });

  it('U311-2.2.3-1 the largest value, 268,435,455 (FF FF FF 7F), is a valid length', () => {
    const s = new FrameSplitter({ version: 4, maxPacketSize: MAX_PACKET_SIZE_LIMIT });
    expect(s.push(bytes('30ffffff7f 0001'))).toEqual([]);
    expect(s.buffered).toBe(7);
    refuses('30ffffff7f 0001 74', malformed('U311-2-1', 8));
  });

  it('U311-2.2.3-2 the splitter waits for exactly Remaining Length bytes, across and within chunks', () => {
    const s = new FrameSplitter({ version: 4 });
    expect(s.push(bytes('30'))).toEqual([]);
    expect(s.push(bytes('05 0001'))).toEqual([]);
    expect(s.push(bytes('74'))).toEqual([]);
    expect(s.buffered).toBe(5);
    const frames = s.push(bytes('6162 c000 4002'));
    expect(frames.map(toHex)).toEqual(['30050001746162', 'c000']);
    expect(s.buffered).toBe(2);
    expect(s.push(bytes('0007')).map(toHex)).toEqual(['40020007']);
    expect(s.buffered).toBe(0);
    s.end();
  });

  it('U311-2.2.3-3 the encoder writes the shortest Remaining Length', () => {
    const sizes: [payload: number, headerBytes: number][] = [
      [0, 2], [124, 2], [125, 3], [16380, 3], [16381, 4], [2097148, 4], [2097149, 5],
    ];
    for (const [n, headerBytes] of sizes) {
      // topic 't' takes 3 bytes of the Remaining Length
      expect(encodedLength(pub('t', new Uint8Array(n)))).toBe(headerBytes + 3 + n);
    }
    expect(toHex(encode(pub('t', new Uint8Array(125))).subarray(0, 3))).toBe('308001');
  });

  it('U311-2.2.3-3 a padded (non-minimal) Remaining Length is refused (the codec refuses them at every level)', () => {
    refuses('c0 8000', malformed('U311-2.2.3-3', 2));
    refuses('c0 808000', malformed('U311-2.2.3-3', 3));
    refuses('30 8500 0003 616263', malformed('U311-2.2.3-3', 2));
    const s = new FrameSplitter({ version: 4 });
    expect(summary(caught(() => s.push(bytes('c000 e08000'))), true)).toStrictEqual(malformed('U311-2.2.3-3', 4));
  });
});

describe('2.3.1 Packet Identifier', () => {
  it('MQTT-2.3.1-1 SUBSCRIBE, UNSUBSCRIBE and PUBLISH QoS 1/2 with Packet Identifier 0 are refused', () => {
    refuses(publish(0x32, hexOf('a/b'), '0000'), protocol('MQTT-2.3.1-1', 7));
    refuses(publish(0x34, hexOf('a/b'), '0000 6869'), protocol('MQTT-2.3.1-1', 7));
    refuses(frame(0x82, `0000 ${str('a')} 00`), protocol('MQTT-2.3.1-1', 2));
    refuses(frame(0xa2, `0000 ${str('a')}`), protocol('MQTT-2.3.1-1', 2));
  });

  it('MQTT-2.3.1-1 encode refuses a Packet Identifier outside 1..65535', () => {
    for (const packetId of [0, 65536, -1, 1.5]) {
      encodeRefuses({ ...pub('t'), qos: 1, packetId }, 'MQTT-2.3.1-1', 0x82);
      encodeRefuses({ ...pub('t'), qos: 2, packetId }, 'MQTT-2.3.1-1', 0x82);
      encodeRefuses({ ...sub('a'), packetId }, 'MQTT-2.3.1-1', 0x82);
      encodeRefuses({ ...unsub('a'), packetId }, 'MQTT-2.3.1-1', 0x82);
    }
    encodeRefuses({ ...pub('t'), qos: 1 }, 'MQTT-2.3.1-1', 0x82);
  });

  it('MQTT-2.3.1-5 a QoS 0 PUBLISH has no Packet Identifier: the bytes after the topic are payload', () => {
    accepts(publish(0x30, hexOf('a/b'), '0001'), pub('a/b', new Uint8Array([0, 1])));
    accepts(publish(0x30, hexOf('a/b'), '0000'), pub('a/b', new Uint8Array([0, 0])));
    accepts(publish(0x30, hexOf('a/b'), '6869'), pub('a/b', enc.encode('hi')));
  });

  it('MQTT-2.3.1-5 encode refuses a QoS 0 PUBLISH with a packetId', () => {
    encodeRefuses({ ...pub('t'), packetId: 1 }, 'MQTT-2.3.1-5', 0x81);
  });

  it('MQTT-2.3.1-6 PUBACK, PUBREC, PUBREL (and PUBCOMP) must carry a non-zero Packet Identifier', () => {
    refuses('40 02 0000', protocol('MQTT-2.3.1-1', 2));
    refuses('50 02 0000', protocol('MQTT-2.3.1-1', 2));
    refuses('62 02 0000', protocol('MQTT-2.3.1-1', 2));
    refuses('70 02 0000', protocol('MQTT-2.3.1-1', 2));
    for (const type of ['puback', 'pubrec', 'pubrel', 'pubcomp'] as const) {
      encodeRefuses({ type, packetId: 0 }, 'MQTT-2.3.1-1', 0x82);
      accepts(toHex(encode({ type, packetId: 0xbeef })), { type, packetId: 0xbeef });
    }
  });

  it('MQTT-2.3.1-7 SUBACK and UNSUBACK must carry a non-zero Packet Identifier', () => {
    refuses('90 03 0000 00', protocol('MQTT-2.3.1-1', 2));
    refuses('b0 02 0000', protocol('MQTT-2.3.1-1', 2));
    encodeRefuses({ type: 'suback', packetId: 0, reasonCodes: [0] }, 'MQTT-2.3.1-1', 0x82);
    encodeRefuses({ type: 'unsuback', packetId: 0 }, 'MQTT-2.3.1-1', 0x82);
  });

  it('U311-2.3.1-1 acknowledgements without a two-byte Packet Identifier are refused', () => {
    refuses('40 00', malformed('U311-3.4-1', 2));
    refuses('50 01 00', malformed('U311-3.4-1', 2));
    refuses('62 00', malformed('U311-3.6-1', 2));
    refuses('70 01 07', malformed('U311-3.4-1', 2));
    refuses('90 01 00', malformed('U311-2-1', 2));
    refuses('b0 00', malformed('U311-3.11-1', 2));
    for (const type of ['puback', 'pubrec', 'pubrel', 'pubcomp', 'unsuback'] as const) {
      encodeRefuses({ type }, 'MQTT-2.3.1-1', 0x82);
    }
    encodeRefuses({ type: 'suback', reasonCodes: [0] }, 'MQTT-2.3.1-1', 0x82);
  });
});

describe('2.4 Payload', () => {
  it('U311-2.4-1 packets without a payload refuse trailing bytes', () => {
    refuses('20 03 0000 00', malformed('U311-3.2.1-1', 2));
    refuses('40 03 0001 00', malformed('U311-3.4-1', 2));
    refuses('50 03 0001 00', malformed('U311-3.4-1', 2));
    refuses('62 03 0001 00', malformed('U311-3.6-1', 2));
    refuses('70 03 0001 00', malformed('U311-3.4-1', 2));
    refuses('b0 03 0001 00', malformed('U311-3.11-1', 2));
    // PINGREQ and PINGRESP have no fields, so the general fill rule reports the extra byte
    refuses('c0 01 00', malformed('U311-2-1', 2));
    refuses('d0 01 00', malformed('U311-2-1', 2));
    refuses('e0 01 00', malformed('U311-3.14-1', 2));
  });

  it('U311-2.4-1 packets that need a payload refuse an empty one', () => {
    refuses(connect(0x02, ''), malformed('U311-2-1', 12));
    refuses('82 02 0001', protocol('MQTT-3.8.3-3', 4));
    refuses('90 02 0001', malformed('U311-3.9-1', 4));
    refuses('a2 02 0001', protocol('MQTT-3.10.3-2', 4));
  });

  it('U311-2.4-1 encode refuses a missing payload and a 5.0-only payload', () => {
    encodeRefuses({ type: 'subscribe', packetId: 1, subscriptions: [] }, 'MQTT-3.8.3-3', 0x82);
    encodeRefuses({ type: 'suback', packetId: 1, reasonCodes: [] }, 'U311-3.9-1', 0x81);
    encodeRefuses({ type: 'unsubscribe', packetId: 1, topicFilters: [] }, 'MQTT-3.10.3-2', 0x82);
    encodeRefuses({ type: 'unsuback', packetId: 1, reasonCodes: [0] }, 'U311-3.11-1', 0x81);
  });
});

describe('2 / 4.8 Fields fill the Remaining Length', () => {
  it('U311-2-1 a field running past the end of the packet is refused', () => {
    refuses(publish(0x32, hexOf('a/b')), malformed('U311-2-1', 7));
    refuses(frame(0x82, `0001 ${str('a/b')}`), malformed('U311-2-1', 9));
    refuses(frame(0xa2, '0001 0005 61'), malformed('U311-2-1', 6));
    refuses(connect(0x06, str('c') + str('t') + '00'), malformed('U311-2-1', 18));
  });

  it('U311-2-1 bytes left over after the last field are refused', () => {
    refuses(connect(0x02, str('id') + 'ff'), malformed('U311-2-1', 16));
    refuses(connect(0xc2, str('c') + str('u') + field('70') + '00'), malformed('U311-2-1', 21));
  });

  it('U311-2-1 a frame shorter or longer than its Remaining Length is refused', () => {
    refuses('30 05 0001 61', malformed('U311-2-1', 5));
    refuses('c0 00 00', malformed('U311-2-1', 2));
    refuses('c0', malformed('U311-2-1', 1));
    refuses('30 80', malformed('U311-2-1', 2));
  });
});

describe('3.1 CONNECT', () => {
  it('U311-3.1.2-1 the variable header is Protocol Name, Level, Connect Flags, Keep Alive (spec example 0xCE, 10)', () => {
    const f = encode(conn({
      clientId: 'c1',
      keepAlive: 10,
      will: { topic: 'w/t', payload: enc.encode('bye'), qos: 1, retain: false },
      username: 'user',
      password: enc.encode('pass'),
    }));
    expect(toHex(f.subarray(2, 12))).toBe('00044d51545404ce000a');
    refuses(frame(0x10, '0004 4d515454 04'), malformed('U311-2-1', 9));
    refuses(frame(0x10, '0004 4d515454 04 02 00'), malformed('U311-2-1', 10));
    refuses(frame(0x10, '0004 4d51'), malformed('U311-2-1', 4));
    // Keep Alive is two bytes: out-of-range values are type errors (no rule id)
    encodeRefuses(conn({ keepAlive: 65536 }), undefined, 0x81);
    encodeRefuses(conn({ keepAlive: -1 }), undefined, 0x81);
  });

  it('MQTT-3.1.2-1 a Protocol Name other than MQTT is reported as not MQTT 3.1.1', () => {
    for (const name of ['mqtt', 'MQTT ', 'MQTS', '']) {
      refuses(frame(0x10, `${str(name)} 04 02 0000 ${str('c')}`), unsupported('MQTT-3.1.2-1', 2));
    }
    // a name that is not MQTT's at all is reported as such, whatever its level byte: no CONNACK 0x01 is owed
    refuses(frame(0x10, `${str('HTTP')} 09 02 0000 ${str('c')}`), unsupported('MQTT-3.1.2-1', 2));
    encodeRefuses(conn({ protocolName: 'mqtt' }), 'MQTT-3.1.2-1', 0x84);
  });

  it('MQTT-3.1.2-2 an MQTT name with a level it does not go with is an unacceptable level (CONNACK 0x01 is owed)', () => {
    // 3.1's name at 3.1.1's level, and 3.1.1's name at 3.1's level: the level is what the server refuses
    refuses(frame(0x10, `${str('MQIsdp')} 04 02 0000 ${str('c')}`), unsupported('MQTT-3.1.2-2', 2));
    refuses(frame(0x10, `${str('MQTT')} 03 02 0000 ${str('c')}`), unsupported('MQTT-3.1.2-2', 2));
    encodeRefuses({ ...conn(), protocolVersion: 3, protocolName: 'MQTT' }, 'MQTT-3.1.2-2', 0x84, 3);
  });

  it('MQTT-3.1.2-2 an unsupported Protocol Level is reported distinctly (the server answers CONNACK 0x01)', () => {
    for (const level of ['00', '01', '02', '06', '07', 'ff']) {
      refuses(frame(0x10, `0004 4d515454 ${level} 02 0000 ${str('c')}`), unsupported('MQTT-3.1.2-2', 8));
    }
    // a CONNECT carries its own level whatever the connection's version
    expect(decode(bytes(connect(0x02, str('c'))), { version: 3 })).toStrictEqual(conn());
  });

  it('MQTT-3.1.2-3 Connect Flags reserved bit 0 set is refused', () => {
    refuses(connect(0x03, str('c')), malformed('MQTT-3.1.2-3', 9));
    refuses(connect(0x01, str('c')), malformed('MQTT-3.1.2-3', 9));
    refuses(connect3(0x03, str('c')), malformed('MQTT-3.1.2-3', 11), 3);
  });

  it('MQTT-3.1.2-3 the encoder never sets the reserved bit', () => {
    const all = conn({ will: { topic: 't', payload: new Uint8Array(1), qos: 2, retain: true }, username: 'u', password: new Uint8Array(1) });
    expect(encode(all)[9]).toBe(0xf6);
    expect(encode(conn({ clean: false }))[9]).toBe(0x00);
  });

  it('MQTT-3.1.2-9 Will Flag 1 without Will Topic or Will Message is refused', () => {
    refuses(connect(0x06, str('c')), malformed('U311-2-1', 15));
    refuses(connect(0x06, str('c') + str('t')), malformed('U311-2-1', 18));
    // a will object without topic or payload is a type error (no rule id, as for any missing field)
    encodeRefuses(conn({ will: { payload: new Uint8Array(0), qos: 0, retain: false } }), undefined, 0x81);
    encodeRefuses(conn({ will: { topic: 't', qos: 0, retain: false } }), undefined, 0x81);
  });

  it('MQTT-3.1.2-11 Will Flag 0: will fields in the payload are refused, and the encoder writes none', () => {
    refuses(connect(0x02, str('c') + str('t') + str('m')), malformed('U311-2-1', 15));
    refuses(connect(0x0a, str('c')), malformed('MQTT-3.1.2-13', 9));
    refuses(connect(0x22, str('c')), malformed('MQTT-3.1.2-15', 9));
    accepts(connect(0x02, str('c')), conn());
  });

  it('MQTT-3.1.2-13 Will QoS other than 0 with Will Flag 0 is refused', () => {
    refuses(connect(0x0a, str('c')), malformed('MQTT-3.1.2-13', 9));
    refuses(connect(0x12, str('c')), malformed('MQTT-3.1.2-13', 9));
    refuses(connect(0x1a, str('c')), malformed('MQTT-3.1.2-13', 9));
    refuses(connect3(0x08, str('c')), malformed('MQTT-3.1.2-13', 11), 3);
  });

  it('MQTT-3.1.2-14 Will QoS 3 is refused', () => {
    refuses(connect(0x1e, str('c') + str('t') + str('m')), malformed('MQTT-3.1.2-14', 9));
    refuses(connect(0x1c, str('c') + str('t') + str('m')), malformed('MQTT-3.1.2-14', 9));
    encodeRefuses(conn({ will: { topic: 't', payload: new Uint8Array(0), qos: 3, retain: false } }), 'MQTT-3.1.2-14', 0x81);
  });

  it('MQTT-3.1.2-15 Will Retain 1 with Will Flag 0 is refused', () => {
    refuses(connect(0x22, str('c')), malformed('MQTT-3.1.2-15', 9));
    refuses(connect(0x20, str('c')), malformed('MQTT-3.1.2-15', 9));
  });

  it('MQTT-3.1.2-18 User Name Flag 0: a User Name field is refused as left-over bytes', () => {
    refuses(connect(0x02, str('c') + str('u')), malformed('U311-2-1', 15));
    expect(toHex(encode(conn()))).toBe(connect(0x02, str('c')));
  });

  it('MQTT-3.1.2-19 User Name Flag 1 without a User Name is refused', () => {
    refuses(connect(0x82, str('c')), malformed('U311-2-1', 15));
    refuses(connect(0x82, str('c') + '00'), malformed('U311-2-1', 15));
  });

  it('MQTT-3.1.2-20 Password Flag 0: a Password field is refused as left-over bytes', () => {
    refuses(connect(0x82, str('c') + str('u') + field('70')), malformed('U311-2-1', 18));
    expect(toHex(encode(conn({ username: 'u' })))).toBe(connect(0x82, str('c') + str('u')));
  });

  it('MQTT-3.1.2-21 Password Flag 1 without a Password is refused', () => {
    refuses(connect(0xc2, str('c') + str('u')), malformed('U311-2-1', 18));
    refuses(connect(0xc2, str('c') + str('u') + '0002 70'), malformed('U311-2-1', 20));
  });

  it('MQTT-3.1.2-22 Password Flag 1 with User Name Flag 0 is refused (levels 3 and 4)', () => {
    refuses(connect(0x42, str('c') + field('70')), malformed('MQTT-3.1.2-22', 9));
    refuses(connect3(0x42, str('c') + field('70')), malformed('MQTT-3.1.2-22', 11), 3);
    encodeRefuses(conn({ password: new Uint8Array([0x70]) }), 'MQTT-3.1.2-22', 0x81);
    encodeRefuses({ ...conn({ password: new Uint8Array([0x70]) }), protocolVersion: 3 }, 'MQTT-3.1.2-22', 0x81, 3);
  });

  it('MQTT-3.1.3-1 payload fields are read and written in the order Client Identifier, Will Topic, Will Message, User Name, Password', () => {
    const packet = conn({
      clientId: 'id',
      will: { topic: 'wt', payload: enc.encode('wm'), qos: 0, retain: false },
      username: 'un',
      password: enc.encode('pw'),
    });
    accepts(connect(0xc6, str('id') + str('wt') + str('wm') + str('un') + str('pw')), packet);
    // the order is positional: the same strings in another order decode to other fields
    expect(decode(bytes(connect(0xc6, str('id') + str('un') + str('wt') + str('wm') + str('pw'))))).toStrictEqual(conn({
      clientId: 'id',
      will: { topic: 'un', payload: enc.encode('wt'), qos: 0, retain: false },
      username: 'wm',
      password: enc.encode('pw'),
    }));
  });

  it('MQTT-3.1.3-3 the Client Identifier length prefix must be present', () => {
    refuses(connect(0x02, ''), malformed('U311-2-1', 12));
    refuses(connect(0x02, '00'), malformed('U311-2-1', 12));
    accepts(connect(0x02, '0000'), conn({ clientId: '' }));
    // a missing clientId is a type error (no rule id)
    encodeRefuses({ type: 'connect', protocolVersion: 4, clean: true, keepAlive: 0 }, undefined, 0x81);
  });

  it('MQTT-3.1.3-4 the Client Identifier must be a valid UTF-8 string', () => {
    refuses(connect(0x02, field('c080')), malformed('MQTT-1.5.3-1', 12));
    refuses(connect(0x02, field('eda080')), malformed('MQTT-1.5.3-1', 12));
    refuses(connect(0x02, field('00')), malformed('MQTT-1.5.3-2', 12));
    encodeRefuses(conn({ clientId: 'a\ud800' }), 'MQTT-1.5.3-1', 0x81);
    encodeRefuses(conn({ clientId: 'a\u0000' }), 'MQTT-1.5.3-2', 0x81);
  });

  it('MQTT-3.1.3-5 Client Identifiers of 1..23 of [0-9a-zA-Z] are accepted, and longer or other ones too', () => {
    for (const id of ['0', 'Z', '0123456789abcdefghijklm', 'ABCDEFGHIJKLMNOPQRSTUVW', 'aZ09']) {
      accepts(connect(0x02, str(id)), conn({ clientId: id }));
    }
    const long = 'x'.repeat(24);
    accepts(connect(0x02, str(long)), conn({ clientId: long }));
    const other = 'client-1/é_€:\u{1f600}';
    accepts(connect(0x02, str(other)), conn({ clientId: other }));
    const veryLong = 'k'.repeat(1000);
    accepts(connect(0x02, str(veryLong)), conn({ clientId: veryLong }));
  });

  it('MQTT-3.1.3-7 a client must not send a zero-length Client Identifier with Clean Session 0', () => {
    encodeRefuses(conn({ clientId: '', clean: false }), 'MQTT-3.1.3-7', 0x85);
    encodeRefuses({ ...conn({ clientId: '', clean: false }), protocolVersion: 3 }, 'MQTT-3.1.3-7', 0x85, 3);
    // the receiving side reports the server's rule (3.1.3-8), see below
    refuses(connect(0x00, '0000'), protocol('MQTT-3.1.3-8', 12, 0x85));
  });

  it('MQTT-3.1.3-8 a zero-length Client Identifier with Clean Session 0 is reported for CONNACK 0x02 (5.0: 0x85)', () => {
    refuses(connect(0x00, '0000'), protocol('MQTT-3.1.3-8', 12, 0x85));
    refuses(connect(0x80, '0000' + str('u')), protocol('MQTT-3.1.3-8', 12, 0x85));
    refuses(connect3(0x00, '0000'), protocol('MQTT-3.1.3-8', 14, 0x85), 3);
    accepts(connect(0x02, '0000'), conn({ clientId: '' }));
  });

  it('MQTT-3.1.3-10 the Will Topic must be a valid UTF-8 string', () => {
    refuses(connect(0x06, str('c') + field('c080') + str('m')), malformed('MQTT-1.5.3-1', 15));
    refuses(connect(0x06, str('c') + field('f4908080') + str('m')), malformed('MQTT-1.5.3-1', 15));
    refuses(connect(0x06, str('c') + field('7400') + str('m')), malformed('MQTT-1.5.3-2', 15));
    encodeRefuses(conn({ will: { topic: '\udfff', payload: new Uint8Array(0), qos: 0, retain: false } }), 'MQTT-1.5.3-1', 0x81);
  });

  it('U311-3.1.3-1 Will Message and Password are binary: any bytes are kept, unchecked', () => {
    const odd = new Uint8Array([0xc0, 0x80, 0x00, 0xed, 0xa0, 0x80, 0xff]);
    accepts(
      connect(0xc6, str('c') + str('t') + field(toHex(odd)) + str('u') + field(toHex(odd))),
      conn({ will: { topic: 't', payload: odd, qos: 0, retain: false }, username: 'u', password: odd }),
    );
  });

  it('U311-3.1.3-1 a binary length past the packet end is refused; more than 65535 bytes is never encoded', () => {
    refuses(connect(0x06, str('c') + str('t') + '0003 0102'), malformed('U311-2-1', 20));
    refuses(connect(0xc2, str('c') + str('u') + 'ffff 00'), malformed('U311-2-1', 20));
    const big = new Uint8Array(65536);
    encodeRefuses(conn({ will: { topic: 't', payload: big, qos: 0, retain: false } }), 'U311-3.1.3-1', 0x81);
    encodeRefuses(conn({ username: 'u', password: big }), 'U311-3.1.3-1', 0x81);
    expect(encodedLength(conn({ username: 'u', password: new Uint8Array(65535) }))).toBe(4 + 10 + 3 + 3 + 2 + 65535);
  });

  it('MQTT-3.1.3-11 the User Name must be a valid UTF-8 string', () => {
    refuses(connect(0x82, str('c') + field('e08080')), malformed('MQTT-1.5.3-1', 15));
    refuses(connect(0x82, str('c') + field('ff')), malformed('MQTT-1.5.3-1', 15));
    refuses(connect(0x82, str('c') + field('7500')), malformed('MQTT-1.5.3-2', 15));
    encodeRefuses(conn({ username: '\ud800' }), 'MQTT-1.5.3-1', 0x81);
  });

  it('MQTT-3.1.4-1 a CONNECT that breaks section 3.1 is refused whole by a server-role decoder', () => {
    const d = new PacketDecoder({ role: 'server' });
    const bad = connect(0x42, str('c') + field('70'));
    expect(summary(caught(() => d.push(bytes(bad))), true)).toStrictEqual(malformed('MQTT-3.1.2-22', 9));
    // nothing after the bad CONNECT is processed
    expect(summary(caught(() => d.push(bytes(connect(0x02, str('c'))))), true)).toStrictEqual(malformed('MQTT-3.1.2-22', 9));
    const ok = new PacketDecoder({ role: 'server' });
    expect(ok.push(bytes(connect(0x02, str('c')) + 'c000'))).toStrictEqual([conn(), { type: 'pingreq' }]);
  });
});

describe('3.2 CONNACK', () => {
  it('U311-3.2.1-1 CONNACK Remaining Length must be exactly 2', () => {
    refuses('20 00', malformed('U311-3.2.1-1', 2));
    refuses('20 01 00', malformed('U311-3.2.1-1', 2));
    refuses('20 03 0000 00', malformed('U311-3.2.1-1', 2));
    refuses('20 03 0000 00', malformed('U311-3.2.1-1', 2), 3);
    encodeRefuses({ type: 'connack', sessionPresent: false, reasonCode: 0, properties: { sessionExpiryInterval: 1 } }, 'U311-3.2.1-1', 0x81);
    expect(toHex(encode({ type: 'connack', sessionPresent: false, reasonCode: 0 }))).toBe('20020000');
  });

  it('U311-3.2.2-1 Connect Acknowledge Flags bits 7-1 must be 0', () => {
    for (const flags of ['02', '03', '80', 'fe', 'ff']) refuses(`20 02 ${flags} 00`, malformed('U311-3.2.2-1', 2));
    expect(toHex(encode({ type: 'connack', sessionPresent: true, reasonCode: 0 }))).toBe('20020100');
  });

  it('MQTT-3.2.2-4 a non-zero return code with Session Present 1 is refused', () => {
    for (const rc of [1, 2, 3, 4, 5]) {
      refuses(`20 02 01 0${rc}`, protocol('MQTT-3.2.2-4', 3));
      encodeRefuses({ type: 'connack', sessionPresent: true, reasonCode: rc }, 'MQTT-3.2.2-4', 0x82);
    }
  });

  it('U311-3.2.2-2 Connect Return codes 6..255 are reserved', () => {
    for (const rc of [6, 0x7f, 0x80, 0x84, 0x87, 0xff]) {
      refuses(`20 02 00 ${rc.toString(16).padStart(2, '0')}`, protocol('U311-3.2.2-2', 3));
      refuses(`20 02 00 ${rc.toString(16).padStart(2, '0')}`, protocol('U311-3.2.2-2', 3), 3);
      encodeRefuses({ type: 'connack', sessionPresent: false, reasonCode: rc }, 'U311-3.2.2-2', 0x82);
    }
  });
});

describe('3.3 PUBLISH', () => {
  it('MQTT-3.3.1-2 DUP 1 with QoS 0 is refused', () => {
    refuses(publish(0x38, hexOf('a/b'), '6869'), malformed('MQTT-3.3.1-2', 0));
    refuses(publish(0x39, hexOf('a/b')), malformed('MQTT-3.3.1-2', 0));
    encodeRefuses({ ...pub('a/b'), dup: true }, 'MQTT-3.3.1-2', 0x81);
  });

  it('MQTT-3.3.1-4 QoS 3 (both QoS bits set) is refused', () => {
    refuses(publish(0x36, hexOf('a/b'), '0001'), malformed('MQTT-3.3.1-4', 0));
    refuses(publish(0x3f, hexOf('a/b'), '0001'), malformed('MQTT-3.3.1-4', 0));
    refuses(publish(0x36, hexOf('a/b'), '0001'), malformed('MQTT-3.3.1-4', 0), 3);
    encodeRefuses({ ...pub('a/b'), qos: 3, packetId: 1 }, 'MQTT-3.3.1-4', 0x81);
  });

  it('MQTT-3.3.2-1 the Topic Name is the first field and a valid UTF-8 string', () => {
    accepts(publish(0x32, hexOf('a/b'), '0005 6869'), pubQ('a/b', 1, 5, enc.encode('hi')));
    refuses(publish(0x30, 'c080', '6869'), malformed('MQTT-1.5.3-1', 2));
    refuses(publish(0x32, 'eda080', '0001'), malformed('MQTT-1.5.3-1', 2));
    refuses(frame(0x30, '0005 61'), malformed('U311-2-1', 4));
    encodeRefuses(pub('a/\ud800'), 'MQTT-1.5.3-1', 0x81);
  });

  it('MQTT-3.3.2-2 a Topic Name with a wildcard is refused', () => {
    for (const topic of ['+', '#', 'a/+', 'a/#', 'sport/tennis/#', 'a+b', '#/a']) {
      refuses(publish(0x30, hexOf(topic), '6869'), protocol('MQTT-3.3.2-2', 2));
      refuses(publish(0x32, hexOf(topic), '0001'), protocol('MQTT-3.3.2-2', 2));
      encodeRefuses(pub(topic), 'MQTT-3.3.2-2', 0x82);
    }
  });

  it('U311-3.3.2-1 a zero-length Topic Name is refused', () => {
    refuses(frame(0x30, '0000'), protocol('U311-3.3.2-1', 2));
    refuses(frame(0x30, '0000 6869'), protocol('U311-3.3.2-1', 2));
    refuses(frame(0x32, '0000 0001'), protocol('U311-3.3.2-1', 2));
    refuses(frame(0x30, '0000 6869'), protocol('U311-3.3.2-1', 2), 3);
    encodeRefuses(pub(''), 'U311-3.3.2-1', 0x82);
    encodeRefuses({ ...pub(''), qos: 1, packetId: 1 }, 'U311-3.3.2-1', 0x82);
  });

  it('U311-3.3.2-2 the Packet Identifier follows the Topic Name only at QoS 1 and 2', () => {
    accepts(publish(0x34, hexOf('t'), 'abcd 00'), pubQ('t', 2, 0xabcd, new Uint8Array([0])));
    accepts(publish(0x30, hexOf('t'), 'abcd 00'), pub('t', new Uint8Array([0xab, 0xcd, 0])));
    refuses(publish(0x32, hexOf('t'), 'ab'), malformed('U311-2-1', 5));
    encodeRefuses({ ...pub('t'), qos: 2 }, 'MQTT-2.3.1-1', 0x82);
  });

  it('U311-3.3.3-1 the payload is everything after the variable header, opaque, possibly empty', () => {
    const odd = new Uint8Array([0x00, 0xc0, 0x80, 0xed, 0xa0, 0x80, 0xef, 0xbb, 0xbf, 0xff]);
    accepts(publish(0x30, hexOf('t'), toHex(odd)), pub('t', odd));
    accepts(publish(0x30, hexOf('t')), pub('t'));
    accepts(publish(0x33, hexOf('t'), '0009'), { ...pubQ('t', 1, 9), retain: true } as Packet);
  });
});

describe('3.4-3.7 PUBACK, PUBREC, PUBREL, PUBCOMP', () => {
  for (const [name, first, type] of [['PUBACK', 0x40, 'puback'], ['PUBREC', 0x50, 'pubrec'], ['PUBCOMP', 0x70, 'pubcomp']] as const) {
    it(`U311-3.4-1 ${name} is flags 0000 and Remaining Length 2, nothing else`, () => {
      accepts(frame(first, '0102'), { type, packetId: 0x0102 });
      refuses(frame(first, '0102 00'), malformed('U311-3.4-1', 2));
      refuses(frame(first, '0102 00 00'), malformed('U311-3.4-1', 2));
      refuses(frame(first, '01'), malformed('U311-3.4-1', 2));
      refuses(frame(first | 2, '0102'), malformed('MQTT-2.2.2-1', 0));
      encodeRefuses({ type, packetId: 1, reasonCode: 0 }, 'U311-3.4-1', 0x81);
      encodeRefuses({ type, packetId: 1, properties: { reasonString: 'x' } }, 'U311-3.4-1', 0x81);
    });
  }

  it('MQTT-3.6.1-1 PUBREL fixed-header flags must be 0010', () => {
    for (const flags of [0b0000, 0b0001, 0b0011, 0b0110, 0b1010]) {
      refuses(frame(0x60 | flags, '0001'), malformed('MQTT-3.6.1-1', 0));
    }
    accepts('62 02 0001', { type: 'pubrel', packetId: 1 });
  });

  it('U311-3.6-1 PUBREL has Remaining Length exactly 2', () => {
    refuses('62 03 0001 00', malformed('U311-3.6-1', 2));
    refuses('62 04 0001 0000', malformed('U311-3.6-1', 2));
    refuses('62 00', malformed('U311-3.6-1', 2));
    encodeRefuses({ type: 'pubrel', packetId: 1, reasonCode: 0x92 }, 'U311-3.6-1', 0x81);
  });
});

describe('3.8 SUBSCRIBE', () => {
  it('MQTT-3.8.1-1 SUBSCRIBE fixed-header flags must be 0010', () => {
    for (const flags of [0b0000, 0b0001, 0b0011, 0b0110, 0b1010]) {
      refuses(frame(0x80 | flags, `0001 ${str('a')} 00`), malformed('MQTT-3.8.1-1', 0));
    }
    accepts(frame(0x82, `0001 ${str('a')} 00`), sub('a'));
  });

  it('MQTT-3.8.3-1 each Topic Filter must be a valid UTF-8 string', () => {
    refuses(subscribeRaw('c080'), malformed('MQTT-1.5.3-1', 4));
    refuses(subscribeRaw('612fedbfbf'), malformed('MQTT-1.5.3-1', 4));
    refuses(frame(0x82, `0001 ${str('a')} 00 ${field('f4908080')} 00`), malformed('MQTT-1.5.3-1', 8));
    refuses(subscribeRaw('2300'), malformed('MQTT-1.5.3-2', 4));
    encodeRefuses(sub('a/\udc00'), 'MQTT-1.5.3-1', 0x81);
  });

  it('MQTT-3.8.3-3 a SUBSCRIBE without any Topic Filter is refused', () => {
    refuses('82 02 0001', protocol('MQTT-3.8.3-3', 4));
    encodeRefuses({ type: 'subscribe', packetId: 1, subscriptions: [] }, 'MQTT-3.8.3-3', 0x82);
  });

  it('MQTT-3.8.3-4 a Requested QoS byte with upper bits set or QoS 3 is refused', () => {
    for (const qos of ['03', '04', '08', '40', '80', 'c1', 'ff']) {
      refuses(subscribeRaw(hexOf('a'), qos), malformed('MQTT-3.8.3-4', 7));
    }
    refuses(frame(0x82, `0001 ${str('a')} 01 ${str('b')} 07`), malformed('MQTT-3.8.3-4', 11));
    encodeRefuses({ type: 'subscribe', packetId: 1, subscriptions: [{ topicFilter: 'a', qos: 3 }] }, 'MQTT-3.8.3-4', 0x81);
    // the 5.0 subscription options would set the upper bits
    encodeRefuses({ type: 'subscribe', packetId: 1, subscriptions: [{ topicFilter: 'a', qos: 0, noLocal: true }] }, 'MQTT-3.8.3-4', 0x81);
    encodeRefuses({ type: 'subscribe', packetId: 1, subscriptions: [{ topicFilter: 'a', qos: 0, retainHandling: 2 }] }, 'MQTT-3.8.3-4', 0x81);
  });

  it('U311-3.8.3-1 each Topic Filter must follow the 4.7 syntax', () => {
    refuses(subscribeRaw(hexOf('a/#/b')), protocol('MQTT-4.7.1-2', 4, 0x8f));
    refuses(subscribeRaw(hexOf('a#')), protocol('MQTT-4.7.1-2', 4, 0x8f));
    refuses(subscribeRaw(hexOf('a+')), protocol('MQTT-4.7.1-3', 4, 0x8f));
    refuses(subscribeRaw(''), protocol('MQTT-4.7.3-1', 4, 0x8f));
    refuses(frame(0x82, `0001 ${str('ok/+')} 00 ${str('bad+')} 00`), protocol('MQTT-4.7.1-3', 11, 0x8f));
    encodeRefuses(sub('a/#/b'), 'MQTT-4.7.1-2', 0x8f);
    encodeRefuses(sub('a+'), 'MQTT-4.7.1-3', 0x8f);
    encodeRefuses(sub(''), 'MQTT-4.7.3-1', 0x8f);
    // '$share' is an ordinary level in 3.1.1
    accepts(subscribeRaw(hexOf('$share/+')), sub('$share/+'));
    accepts(subscribeRaw(hexOf('$share/')), sub('$share/'));
  });
});

describe('3.9 SUBACK', () => {
  it('MQTT-3.9.3-2 SUBACK return codes other than 0x00, 0x01, 0x02, 0x80 are refused', () => {
    for (const rc of [0x03, 0x7f, 0x81, 0x83, 0x87, 0x8f, 0x91, 0x9e, 0xa1, 0xa2, 0xff]) {
      const h = rc.toString(16).padStart(2, '0');
      refuses(`90 03 0001 ${h}`, protocol('MQTT-3.9.3-2', 4));
      refuses(`90 04 0001 00 ${h}`, protocol('MQTT-3.9.3-2', 5));
      encodeRefuses({ type: 'suback', packetId: 1, reasonCodes: [0, rc] }, 'MQTT-3.9.3-2', 0x82);
    }
    accepts('90 06 0001 00 01 02 80', { type: 'suback', packetId: 1, reasonCodes: [0, 1, 2, 0x80] });
  });

  it('U311-3.9-1 SUBACK is flags 0000, a Packet Identifier and at least one return code', () => {
    refuses('90 02 0001', malformed('U311-3.9-1', 4));
    refuses('92 03 0001 00', malformed('MQTT-2.2.2-1', 0));
    encodeRefuses({ type: 'suback', packetId: 1, reasonCodes: [] }, 'U311-3.9-1', 0x81);
    encodeRefuses({ type: 'suback', packetId: 1, reasonCodes: [0], properties: { reasonString: 'x' } }, 'U311-3.9-1', 0x81);
  });
});

describe('3.10 UNSUBSCRIBE', () => {
  it('MQTT-3.10.1-1 UNSUBSCRIBE fixed-header flags must be 0010', () => {
    for (const flags of [0b0000, 0b0001, 0b0011, 0b0110, 0b1010]) {
      refuses(frame(0xa0 | flags, `0001 ${str('a')}`), malformed('MQTT-3.10.1-1', 0));
    }
    accepts(frame(0xa2, `0001 ${str('a')}`), unsub('a'));
  });

  it('MQTT-3.10.3-1 Topic Filters are UTF-8 strings packed back to back, with no options byte', () => {
    accepts(frame(0xa2, `0001 ${str('a/b')} ${str('c/#')} ${str('\ufeff/+')}`), { type: 'unsubscribe', packetId: 1, topicFilters: ['a/b', 'c/#', '\ufeff/+'] });
    // a SUBSCRIBE-shaped payload leaves a stray byte where the next string's length should be
    refuses(frame(0xa2, `0001 ${str('a/b')} 01`), malformed('U311-2-1', 9));
    refuses(unsubscribeRaw('61ff'), malformed('MQTT-1.5.3-1', 4));
    encodeRefuses(unsub('\ud800/a'), 'MQTT-1.5.3-1', 0x81);
  });

  it('MQTT-3.10.3-2 an UNSUBSCRIBE without any Topic Filter is refused', () => {
    refuses('a2 02 0001', protocol('MQTT-3.10.3-2', 4));
    encodeRefuses({ type: 'unsubscribe', packetId: 1, topicFilters: [] }, 'MQTT-3.10.3-2', 0x82);
  });

  it('U311-3.10.3-1 each Topic Filter must follow the 4.7 syntax', () => {
    refuses(unsubscribeRaw(hexOf('#/a')), protocol('MQTT-4.7.1-2', 4, 0x8f));
    refuses(unsubscribeRaw(hexOf('a/b+')), protocol('MQTT-4.7.1-3', 4, 0x8f));
    refuses(unsubscribeRaw(''), protocol('MQTT-4.7.3-1', 4, 0x8f));
    refuses(frame(0xa2, `0001 ${str('a')} ${str('#a')}`), protocol('MQTT-4.7.1-2', 7, 0x8f));
    encodeRefuses(unsub('a/#/'), 'MQTT-4.7.1-2', 0x8f);
    encodeRefuses(unsub('+x'), 'MQTT-4.7.1-3', 0x8f);
    encodeRefuses(unsub(''), 'MQTT-4.7.3-1', 0x8f);
  });
});

describe('3.11 UNSUBACK', () => {
  it('U311-3.11-1 UNSUBACK is flags 0000 and Remaining Length 2; the 5.0 shape is refused', () => {
    accepts('b0 02 0001', { type: 'unsuback', packetId: 1 });
    refuses('b0 03 0001 00', malformed('U311-3.11-1', 2));
    refuses('b0 04 0001 00 00', malformed('U311-3.11-1', 2));
    refuses('b0 01 00', malformed('U311-3.11-1', 2));
    refuses('b8 02 0001', malformed('MQTT-2.2.2-1', 0));
    encodeRefuses({ type: 'unsuback', packetId: 1, reasonCodes: [0] }, 'U311-3.11-1', 0x81);
    encodeRefuses({ type: 'unsuback', packetId: 1, properties: { reasonString: 'x' } }, 'U311-3.11-1', 0x81);
  });
});

describe('3.12-3.14 PINGREQ, PINGRESP, DISCONNECT', () => {
  it('U311-3.12-1 PINGREQ is exactly C0 00', () => {
    accepts('c000', { type: 'pingreq' });
    refuses('c0 01 00', malformed('U311-2-1', 2));
    refuses('c0 02 0000', malformed('U311-2-1', 2));
    refuses('c2 00', malformed('MQTT-2.2.2-1', 0));
  });

  it('U311-3.13-1 PINGRESP is exactly D0 00', () => {
    accepts('d000', { type: 'pingresp' });
    refuses('d0 01 00', malformed('U311-2-1', 2));
    refuses('d1 00', malformed('MQTT-2.2.2-1', 0));
  });

  it('MQTT-3.14.1-1 DISCONNECT reserved flag bits must be 0', () => {
    for (const flags of [0b0001, 0b0010, 0b0100, 0b1000, 0b1111]) refuses(frame(0xe0 | flags, ''), malformed('MQTT-3.14.1-1', 0));
    expect(toHex(encode({ type: 'disconnect' }))).toBe('e000');
  });

  it('U311-3.14-1 DISCONNECT has Remaining Length 0; the 5.0 reason code and properties are refused', () => {
    accepts('e000', { type: 'disconnect' });
    refuses('e0 01 00', malformed('U311-3.14-1', 2));
    refuses('e0 02 0000', malformed('U311-3.14-1', 2));
    refuses('e0 01 00', malformed('U311-3.14-1', 2), 3);
    encodeRefuses({ type: 'disconnect', reasonCode: 0 }, 'U311-3.14-1', 0x81);
    encodeRefuses({ type: 'disconnect', properties: { reasonString: 'bye' } }, 'U311-3.14-1', 0x81);
  });
});

describe('4.7 Topic Names and Topic Filters', () => {
  it('MQTT-4.7.1-1 wildcards are refused in Topic Names: PUBLISH topic and Will Topic', () => {
    refuses(publish(0x30, hexOf('a/+')), protocol('MQTT-3.3.2-2', 2));
    for (const topic of ['#', '+', 'a/#', 'a/+/b', 'x#']) {
      refuses(connect(0x06, str('c') + str(topic) + str('m')), protocol('MQTT-4.7.1-1', 15));
      encodeRefuses(conn({ will: { topic, payload: new Uint8Array(0), qos: 0, retain: false } }), 'MQTT-4.7.1-1', 0x82);
    }
  });

  it("MQTT-4.7.1-2 '#' must be last and fill a whole level", () => {
    for (const f of ['#', 'a/#', '/#', 'a/b/#', '+/#', '$SYS/#']) {
      accepts(subscribeRaw(hexOf(f)), sub(f));
      accepts(unsubscribeRaw(hexOf(f)), unsub(f));
    }
    for (const f of ['a#', 'a/#/b', '#/', '##', 'a/b#', '#+']) {
      refuses(subscribeRaw(hexOf(f)), protocol('MQTT-4.7.1-2', 4, 0x8f));
      refuses(unsubscribeRaw(hexOf(f)), protocol('MQTT-4.7.1-2', 4, 0x8f));
      encodeRefuses(sub(f), 'MQTT-4.7.1-2', 0x8f);
      encodeRefuses(unsub(f), 'MQTT-4.7.1-2', 0x8f);
    }
  });

  it("MQTT-4.7.1-3 '+' must fill a whole level; empty levels are legal", () => {
    for (const f of ['+', '+/a', 'a/+/b', 'a/+', '+/+', '/+', 'a//b', '/a', 'a/', '/', '+/tennis/#']) {
      accepts(subscribeRaw(hexOf(f)), sub(f));
      accepts(unsubscribeRaw(hexOf(f)), unsub(f));
    }
    for (const f of ['a+', '+a', 'a/b+', 'a/+b/c', '++', 'sport+']) {
      refuses(subscribeRaw(hexOf(f)), protocol('MQTT-4.7.1-3', 4, 0x8f));
      refuses(unsubscribeRaw(hexOf(f)), protocol('MQTT-4.7.1-3', 4, 0x8f));
      encodeRefuses(sub(f), 'MQTT-4.7.1-3', 0x8f);
      encodeRefuses(unsub(f), 'MQTT-4.7.1-3', 0x8f);
    }
  });

  it('MQTT-4.7.3-1 Topic Names and Topic Filters are at least one character long', () => {
    refuses(publish(0x30, ''), protocol('U311-3.3.2-1', 2));
    refuses(connect(0x06, str('c') + str('') + str('m')), protocol('MQTT-4.7.3-1', 15));
    refuses(subscribeRaw(''), protocol('MQTT-4.7.3-1', 4, 0x8f));
    refuses(unsubscribeRaw(''), protocol('MQTT-4.7.3-1', 4, 0x8f));
    encodeRefuses(pub(''), 'U311-3.3.2-1', 0x82);
    encodeRefuses(conn({ will: { topic: '', payload: new Uint8Array(0), qos: 0, retain: false } }), 'MQTT-4.7.3-1', 0x82);
    encodeRefuses(sub(''), 'MQTT-4.7.3-1', 0x8f);
    encodeRefuses(unsub(''), 'MQTT-4.7.3-1', 0x8f);
    accepts(publish(0x30, hexOf('/')), pub('/'));
  });

  it('MQTT-4.7.3-2 Topic Names and Topic Filters must not contain U+0000', () => {
    refuses(publish(0x30, '6100'), malformed('MQTT-1.5.3-2', 2));
    refuses(connect(0x06, str('c') + field('0061') + str('m')), malformed('MQTT-1.5.3-2', 15));
    refuses(subscribeRaw('2b2f00'), malformed('MQTT-1.5.3-2', 4));
    refuses(unsubscribeRaw('00'), malformed('MQTT-1.5.3-2', 4));
    encodeRefuses(pub('\u0000'), 'MQTT-1.5.3-2', 0x81);
    encodeRefuses(conn({ will: { topic: 'a\u0000', payload: new Uint8Array(0), qos: 0, retain: false } }), 'MQTT-1.5.3-2', 0x81);
    encodeRefuses(sub('#\u0000'), 'MQTT-1.5.3-2', 0x81);
    encodeRefuses(unsub('+\u0000'), 'MQTT-1.5.3-2', 0x81);
  });

  it('MQTT-4.7.3-3 Topic Names and Topic Filters over 65535 bytes are never encoded', () => {
    const long = 'a/'.repeat(32768); // 65536 bytes
    encodeRefuses(pub(long), 'U311-1.5.3-2', 0x81);
    encodeRefuses(conn({ will: { topic: long, payload: new Uint8Array(0), qos: 0, retain: false } }), 'U311-1.5.3-2', 0x81);
    encodeRefuses(sub(long), 'U311-1.5.3-2', 0x81);
    encodeRefuses(unsub(long), 'U311-1.5.3-2', 0x81);
    encodeRefuses(pub('é'.repeat(32768)), 'U311-1.5.3-2', 0x81);
    const max = long.slice(1); // 65535 bytes
    expect(decode(encode(sub(max)))).toStrictEqual(sub(max));
  });

  it('MQTT-4.7.3-4 decoded topics are byte-exact: no normalisation, no substitution', () => {
    // 'e' + U+0301 stays decomposed, U+212B (Angstrom sign) is not folded to U+00C5
    accepts(publish(0x30, '65cc81'), pub('e\u0301'));
    accepts(publish(0x30, 'e284ab'), pub('\u212b'));
    accepts(subscribeRaw('c3a92f2b'), sub('é/+'));
    expect(decode(bytes(publish(0x30, '65cc81')))).not.toStrictEqual(decode(bytes(publish(0x30, 'c3a9'))));
    // an ill-formed byte is refused, never replaced by U+FFFD
    refuses(publish(0x30, '61ff62'), malformed('MQTT-1.5.3-1', 2));
    refuses(publish(0x30, hexOf(pad) + 'ff'), malformed('MQTT-1.5.3-1', 2));
  });
});

describe('4.8 Handling errors', () => {
  it('MQTT-4.8.0-1 a violation is reported with a typed error and the stream stays failed', () => {
    const d = new PacketDecoder({ version: 4 });
    expect(summary(caught(() => d.push(bytes('c000 9003000103'))), true)).toStrictEqual(protocol('MQTT-3.9.3-2', 6));
    expect(summary(caught(() => d.push(bytes('c000'))), true)).toStrictEqual(protocol('MQTT-3.9.3-2', 6));
    const m = new PacketDecoder({ version: 4 });
    expect(m.push(bytes('c000'))).toStrictEqual([{ type: 'pingreq' }]);
    expect(summary(caught(() => m.push(bytes('4003000100'))), true)).toStrictEqual(malformed('U311-3.4-1', 4));
    expect(summary(caught(() => m.end()), true)).toStrictEqual(malformed('U311-3.4-1', 4));
  });

  it('MQTT-4.8.0-1 a size over the local maxPacketSize is refused as soon as the Remaining Length is read', () => {
    const s = new FrameSplitter({ version: 4, maxPacketSize: 16 });
    expect(s.push(bytes('c000'))).toHaveLength(1);
    const e = caught(() => s.push(bytes('30 0f')));
    expect(summary(e, true)).toStrictEqual({ code: 'packet-too-large', reasonCode: 0x95, rule: undefined, offset: 2 });
    expect(s.buffered).toBe(0);
    const d = new PacketDecoder({ version: 4, maxPacketSize: 16 });
    expect(d.push(bytes('30 0e 0001 74' + '00'.repeat(11)))).toHaveLength(1);
  });
});

describe('6 Using WebSocket as a network transport', () => {
  const stream = [
    connect(0xc2, str('c') + str('u') + field('70')),
    publish(0x32, hexOf('a/b'), '0001 68656c6c6f'),
    'c000',
    frame(0x82, `0002 ${str('a/#')} 01`),
    publish(0x30, hexOf('t'), '61'.repeat(200)),
    'e000',
  ];
  const all = stream.join('');

  it('MQTT-6.0.0-2 packets split across chunks at every byte position come out whole', () => {
    const whole = bytes(all);
    for (let cut = 0; cut <= whole.length; cut++) {
      const s = new FrameSplitter({ version: 4 });
      const frames = [...s.push(whole.subarray(0, cut)), ...s.push(whole.subarray(cut))];
      expect(frames.map(toHex)).toEqual(stream);
      s.end();
    }
  });

  it('MQTT-6.0.0-2 one byte per chunk, and all packets in one chunk, decode the same', () => {
    const whole = bytes(all);
    const one = new PacketDecoder({ version: 4 });
    const got: Packet[] = [];
    for (let i = 0; i < whole.length; i++) got.push(...one.push(whole.subarray(i, i + 1)));
    const packed = new PacketDecoder({ version: 4 }).push(whole);
    expect(got).toStrictEqual(packed);
    expect(packed.map((p) => p.type)).toEqual(['connect', 'publish', 'pingreq', 'subscribe', 'publish', 'disconnect']);
  });
});

describe('Stream', () => {
  it('U311-STREAM-1 after an undecodable Remaining Length the splitter stops and reports, and never resynchronises', () => {
    const s = new FrameSplitter({ version: 4 });
    const want = malformed('U311-2.2.3-1', 6);
    expect(summary(caught(() => s.push(bytes('c000 30ffffffff 01'))), true)).toStrictEqual(want);
    expect(summary(caught(() => s.push(bytes('c000'))), true)).toStrictEqual(want);
    expect(summary(caught(() => s.end()), true)).toStrictEqual(want);
    expect(s.buffered).toBe(0);
    const d = new PacketDecoder({ version: 4 });
    expect(summary(caught(() => d.push(bytes('d000 e0ffffff80'))), true)).toStrictEqual(want);
    expect(summary(caught(() => d.push(bytes('e000'))), true)).toStrictEqual(want);
  });
});

describe('conformance-311.tsv coverage', () => {
  it('every checkable row (yes or partly) has a test named by its id in this file', () => {
    // the spec checklists are kept in fixtures/spec (a copy of the project's shared checklists)
    const candidates = [join(__dirname, '..', 'fixtures', 'spec')].map((d) => join(d, 'conformance-311.tsv'));
    const path = candidates.find((f) => existsSync(f));
    expect(path, `conformance-311.tsv not found in ${candidates.join(', ')}`).toBeDefined();
    const tsv = readFileSync(path!, 'utf8');
    const rows = tsv.trim().split('\n').slice(1).map((line) => line.split('\t'));
    const checkable = rows.filter((r) => r[5] === 'yes' || r[5] === 'partly').map((r) => r[0]!);
    expect(checkable.length).toBeGreaterThan(80);
    const source = readFileSync(__filename, 'utf8');
    const escape = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    const missing = checkable.filter((id) => !new RegExp(`\\bit\\(\\s*['"\`]${escape(id)} `).test(source));
    expect(missing).toEqual([]);
  });
});
