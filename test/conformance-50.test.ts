// MQTT 5.0 conformance: one test per checkable row of fixtures/spec/conformance-50.tsv, named by the row id and
// grouped by spec section. Refusals assert the exact error code, 5.0 reason code and rule; acceptances assert the
// exact decoded packet. Frames are built here from the spec's layouts (not by the encoder under test).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  FrameSplitter,
  MqttError,
  PROPERTY_TABLE,
  PacketDecoder,
  decode,
  encode,
  fitToMaximumPacketSize,
  type Packet,
  type ProtocolVersion,
} from '../src/index.js';

// ---------------------------------------------------------------------------------------------------------------
// Frame building

type Part = number | readonly number[] | Uint8Array;

function bytes(...parts: Part[]): number[] {
  const out: number[] = [];
  for (const p of parts) {
    if (typeof p === 'number') out.push(p);
    else for (const b of p) out.push(b);
  }
  return out;
}
const u16 = (n: number): number[] => [(n >> 8) & 0xff, n & 0xff];
const u32 = (n: number): number[] => [(n >>> 24) & 0xff, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff];
function vbi(n: number): number[] {
  const out: number[] = [];
  do {
    let d = n % 128;
    n = Math.floor(n / 128);
    if (n > 0) d |= 0x80;
    out.push(d);
  } while (n > 0);
  return out;
}
const utf8 = (text: string): Uint8Array => new TextEncoder().encode(text);
/** A UTF-8 Encoded String: two-byte length, then the bytes. */
const s = (text: string): number[] => bytes(u16(utf8(text).length), utf8(text));
/** A string field from raw bytes (for ill-formed UTF-8). */
const sRaw = (...b: number[]): number[] => bytes(u16(b.length), b);
/** Property Length (minimal Variable Byte Integer) and the properties. */
const pr = (...props: Part[]): number[] => {
  const b = bytes(...props);
  return bytes(vbi(b.length), b);
};
/** A whole frame: first byte, minimal Remaining Length, body. */
function frame(first: number, ...body: Part[]): Uint8Array {
  const b = bytes(...body);
  return new Uint8Array(bytes(first, vbi(b.length), b));
}
const EMPTY = new Uint8Array(0);
/** A 5.0 CONNECT frame: flags, properties, then the payload fields. */
const connect = (flags: number, props: Part, ...payload: Part[]): Uint8Array => frame(0x10, s('MQTT'), 5, flags, u16(0), props, ...payload);

// ---------------------------------------------------------------------------------------------------------------
// Assertions

const v5 = { version: 5 } as const;

function caught(f: () => unknown): MqttError {
  try {
    f();
  } catch (e) {
    if (e instanceof MqttError) return e;
    throw new Error(`expected an MqttError, got ${String(e)}`);
  }
  throw new Error('expected an MqttError, nothing was thrown');
}

interface Expected {
  code: MqttError['code'];
  reasonCode: number;
  rule: string | undefined;
}
const malformed = (rule: string): Expected => ({ code: 'malformed-packet', reasonCode: 0x81, rule });
const protocol = (rule: string, reasonCode = 0x82): Expected => ({ code: 'protocol-error', reasonCode, rule });

function errorOf(e: MqttError): Expected {
  return { code: e.code, reasonCode: e.reasonCode, rule: e.rule };
}

/** `decode` refuses the frame with exactly this code, reason code and rule. */
function refuses(f: Uint8Array, expected: Expected, version: ProtocolVersion = 5): void {
  expect(errorOf(caught(() => decode(f, { version })))).toEqual(expected);
}

/** `encode` refuses the object with `invalid-packet`, the rule and (when given) the reason code. */
function encodeRefuses(packet: unknown, rule: string | undefined, reasonCode?: number, version: ProtocolVersion = 5): void {
  const e = caught(() => encode(packet as Packet, { version }));
  expect(e.code).toBe('invalid-packet');
  expect(e.rule).toBe(rule);
  if (reasonCode !== undefined) expect(e.reasonCode).toBe(reasonCode);
}

/** `decode` accepts the frame as exactly `packet`; with `roundTrip`, `encode` gives the frame back. */
function accepts(f: Uint8Array, packet: Packet, roundTrip = true): void {
  expect(decode(f, v5)).toEqual(packet);
  if (roundTrip) expect(encode(packet, v5)).toEqual(f);
}

/** Feeds chunks to a fresh PacketDecoder and returns what it threw. */
function streamError(options: ConstructorParameters<typeof PacketDecoder>[0], ...chunks: Uint8Array[]): Expected {
  const d = new PacketDecoder(options);
  return errorOf(
    caught(() => {
      for (const c of chunks) d.push(c);
    }),
  );
}

const pub0 = (topic: string, props?: object, payload: Uint8Array = EMPTY): Packet =>
  ({ type: 'publish', topic, payload, qos: 0, retain: false, dup: false, ...(props ? { properties: props } : {}) }) as Packet;
const sub = (topicFilter: string, qos: 0 | 1 | 2 = 0, rest: object = {}) => ({
  topicFilter,
  qos,
  noLocal: false,
  retainAsPublished: false,
  retainHandling: 0 as const,
  ...rest,
});

// ---------------------------------------------------------------------------------------------------------------
// Tables from the spec checklists (shared/spec), read independently of the codec's own tables

const specDir = join(__dirname, '..', 'fixtures', 'spec');
function specPath(name: string): string {
  // the spec checklists are kept in fixtures/spec (a copy of the project's shared checklists)
  for (const dir of [specDir]) {
    try {
      readFileSync(join(dir, name));
      return join(dir, name);
    } catch {
      // try the next
    }
  }
  throw new Error(`spec checklist ${name} not found`);
}
function tsv(name: string): Record<string, string>[] {
  const [head, ...rows] = readFileSync(specPath(name), 'utf8').trimEnd().split('\n');
  const cols = head!.split('\t');
  return rows.map((r) => Object.fromEntries(r.split('\t').map((v, i) => [cols[i]!, v])));
}

type Block =
  | 'connect'
  | 'will'
  | 'connack'
  | 'publish'
  | 'puback'
  | 'pubrec'
  | 'pubrel'
  | 'pubcomp'
  | 'subscribe'
  | 'suback'
  | 'unsubscribe'
  | 'unsuback'
  | 'disconnect'
  | 'auth';
const BLOCKS: Block[] = ['connect', 'will', 'connack', 'publish', 'puback', 'pubrec', 'pubrel', 'pubcomp', 'subscribe', 'suback',
  'unsubscribe', 'unsuback', 'disconnect', 'auth'];

interface SpecProperty {
  id: number;
  name: string;
  type: string;
  blocks: Set<Block>;
  once: boolean;
}
const SPEC_PROPERTIES: SpecProperty[] = tsv('v5-properties.tsv').map((r) => ({
  id: Number(r['id_dec']),
  name: r['name']!,
  type: r['type']!,
  blocks: new Set(
    r['packets']!.split(', ').map((p) => (p.startsWith('Will Properties') ? 'will' : p.toLowerCase()) as Block),
  ),
  once: r['repeat'] === 'once',
}));

/** Allowed 5.0 reason codes per packet, from v5-reason-codes.tsv. */
const SPEC_REASON_CODES: Record<string, Set<number>> = {};
for (const r of tsv('v5-reason-codes.tsv')) {
  if (r['version'] !== '5.0') continue;
  (SPEC_REASON_CODES[r['packet']!.toLowerCase()] ??= new Set()).add(Number(r['code_dec']));
}

/** A valid value of each data type, on the wire. */
function sampleWire(type: string): number[] {
  switch (type) {
    case 'Byte':
    case 'Variable Byte Integer':
      return [1];
    case 'Two Byte Integer':
      return u16(1);
    case 'Four Byte Integer':
      return u32(1);
    case 'UTF-8 Encoded String':
      return s('x');
    case 'Binary Data':
      return bytes(u16(1), 7);
    case 'UTF-8 String Pair':
      return bytes(s('n'), s('v'));
  }
  throw new Error(`unknown type ${type}`);
}
/** The same value as a packet object holds it. */
function sampleValue(type: string): unknown {
  switch (type) {
    case 'Byte':
    case 'Variable Byte Integer':
    case 'Two Byte Integer':
    case 'Four Byte Integer':
      return 1;
    case 'UTF-8 Encoded String':
      return 'x';
    case 'Binary Data':
      return new Uint8Array([7]);
    case 'UTF-8 String Pair':
      return [['n', 'v']];
  }
  throw new Error(`unknown type ${type}`);
}
const keyOf = (id: number, block: Block): string =>
  id === 0x0b && block === 'publish' ? 'subscriptionIdentifiers' : PROPERTY_TABLE.find((d) => d.id === id)!.key;
const propWire = (p: SpecProperty): number[] => bytes(p.id, sampleWire(p.type));

/** A frame whose property block `block` holds `props` (a whole block: Property Length and properties). */
const BLOCK_FRAME: Record<Block, (props: Part) => Uint8Array> = {
  connect: (p) => connect(0x02, p, s('c')),
  will: (p) => connect(0x06, pr(), s('c'), p, s('w'), u16(0)),
  connack: (p) => frame(0x20, 0, 0, p),
  publish: (p) => frame(0x30, s('t'), p),
  puback: (p) => frame(0x40, u16(1), 0, p),
  pubrec: (p) => frame(0x50, u16(1), 0, p),
  pubrel: (p) => frame(0x62, u16(1), 0, p),
  pubcomp: (p) => frame(0x70, u16(1), 0, p),
  subscribe: (p) => frame(0x82, u16(1), p, s('t'), 0),
  suback: (p) => frame(0x90, u16(1), p, 0),
  unsubscribe: (p) => frame(0xa2, u16(1), p, s('t')),
  unsuback: (p) => frame(0xb0, u16(1), p, 0),
  disconnect: (p) => frame(0xe0, 0x80, p),
  auth: (p) => frame(0xf0, 0x18, p),
};
/** A packet object whose property block `block` holds `props`. */
const BLOCK_PACKET: Record<Block, (props: Record<string, unknown>) => unknown> = {
  connect: (properties) => ({ type: 'connect', protocolVersion: 5, clientId: 'c', clean: true, keepAlive: 0, properties }),
  will: (properties) => ({
    type: 'connect',
    protocolVersion: 5,
    clientId: 'c',
    clean: true,
    keepAlive: 0,
    will: { topic: 'w', payload: EMPTY, qos: 0, retain: false, properties },
  }),
  connack: (properties) => ({ type: 'connack', sessionPresent: false, reasonCode: 0, properties }),
  publish: (properties) => ({ type: 'publish', topic: 't', payload: EMPTY, qos: 0, retain: false, dup: false, properties }),
  puback: (properties) => ({ type: 'puback', packetId: 1, reasonCode: 0, properties }),
  pubrec: (properties) => ({ type: 'pubrec', packetId: 1, reasonCode: 0, properties }),
  pubrel: (properties) => ({ type: 'pubrel', packetId: 1, reasonCode: 0, properties }),
  pubcomp: (properties) => ({ type: 'pubcomp', packetId: 1, reasonCode: 0, properties }),
  subscribe: (properties) => ({ type: 'subscribe', packetId: 1, subscriptions: [{ topicFilter: 't', qos: 0 }], properties }),
  suback: (properties) => ({ type: 'suback', packetId: 1, reasonCodes: [0], properties }),
  unsubscribe: (properties) => ({ type: 'unsubscribe', packetId: 1, topicFilters: ['t'], properties }),
  unsuback: (properties) => ({ type: 'unsuback', packetId: 1, reasonCodes: [0], properties }),
  disconnect: (properties) => ({ type: 'disconnect', reasonCode: 0x80, properties }),
  auth: (properties) => ({ type: 'auth', reasonCode: 0x18, properties: { authenticationMethod: 'm', ...properties } }),
};
/** Rule ids per property block: an identifier not allowed there, and a once-only property repeated. */
const BLOCK_RULES: Record<Block, { name: string; notAllowed: string; duplicate: string }> = {
  connect: { name: 'CONNECT', notAllowed: 'U5-2.2.2-2', duplicate: 'U5-3.1.2.11-1' },
  will: { name: 'CONNECT Will Properties', notAllowed: 'U5-3.1.3.2-1', duplicate: 'U5-3.1.3.2-2' },
  connack: { name: 'CONNACK', notAllowed: 'U5-2.2.2-2', duplicate: 'U5-3.2.2.3-1' },
  publish: { name: 'PUBLISH', notAllowed: 'U5-3.3.2.3-1', duplicate: 'U5-3.3.2.3-2' },
  puback: { name: 'PUBACK', notAllowed: 'U5-3.4.2.2-1', duplicate: 'U5-3.4.2.2-1' },
  pubrec: { name: 'PUBREC', notAllowed: 'U5-3.5.2.2-1', duplicate: 'U5-3.5.2.2-1' },
  pubrel: { name: 'PUBREL', notAllowed: 'U5-3.6.2.2-1', duplicate: 'U5-3.6.2.2-1' },
  pubcomp: { name: 'PUBCOMP', notAllowed: 'U5-3.7.2.2-1', duplicate: 'U5-3.7.2.2-1' },
  subscribe: { name: 'SUBSCRIBE', notAllowed: 'U5-3.8.2.1-1', duplicate: 'U5-3.8.2.1-1' },
  suback: { name: 'SUBACK', notAllowed: 'U5-3.9-1', duplicate: 'U5-3.9-1' },
  unsubscribe: { name: 'UNSUBSCRIBE', notAllowed: 'U5-3.10.2-1', duplicate: 'U5-2.2.2-5' },
  unsuback: { name: 'UNSUBACK', notAllowed: 'U5-3.11-1', duplicate: 'U5-3.11-1' },
  disconnect: { name: 'DISCONNECT', notAllowed: 'U5-3.14.2.2-1', duplicate: 'U5-3.14.2.2-1' },
  auth: { name: 'AUTH', notAllowed: 'U5-3.15.2.2-1', duplicate: 'U5-3.15.2.2-1' },
};

/** Every property identifier (and a few unknown ones) not allowed in `block` is malformed, on decode and encode. */
function checkNotAllowed(block: Block): void {
  const rule = BLOCK_RULES[block].notAllowed;
  let n = 0;
  for (const p of SPEC_PROPERTIES) {
    if (p.blocks.has(block)) continue;
    refuses(BLOCK_FRAME[block](pr(propWire(p))), malformed(rule));
    encodeRefuses(BLOCK_PACKET[block]({ [keyOf(p.id, block)]: sampleValue(p.type) }), rule, 0x81);
    n++;
  }
  for (const unknown of [0x00, 0x04, 0x0a, 0x7f]) refuses(BLOCK_FRAME[block](pr(unknown, 0)), malformed(rule));
  // a multi-byte identifier (Variable Byte Integer 128) is unknown too
  refuses(BLOCK_FRAME[block](pr(0x80, 0x01, 0)), malformed(rule));
  expect(n).toBeGreaterThan(0);
}

/** Every once-only property allowed in `block`, given twice, is a Protocol Error. */
function checkDuplicates(block: Block): void {
  const rule = BLOCK_RULES[block].duplicate;
  let n = 0;
  for (const p of SPEC_PROPERTIES) {
    if (!p.blocks.has(block)) continue;
    const repeatable = !p.once && (p.id === 0x26 || block === 'publish');
    if (repeatable) continue;
    refuses(BLOCK_FRAME[block](pr(propWire(p), propWire(p))), protocol(rule));
    n++;
  }
  if (block !== 'unsubscribe') expect(n).toBeGreaterThan(0);
}

/** Both checks for a packet's property row (`U5-3.4.2.2-1` and the like). */
function checkBlock(block: Block): void {
  checkNotAllowed(block);
  checkDuplicates(block);
}

/** Every code in the spec's table for `packet` decodes and encodes; every other byte is a Protocol Error. */
function checkReasonCodes(
  packet: string,
  rule: string,
  wire: (code: number) => Uint8Array,
  object: (code: number) => unknown,
  decoded: (code: number) => Packet,
): void {
  const allowed = SPEC_REASON_CODES[packet]!;
  expect(allowed.size).toBeGreaterThan(1);
  for (let code = 0; code < 256; code++) {
    if (allowed.has(code)) {
      expect(decode(wire(code), v5)).toEqual(decoded(code));
      expect(encode(object(code) as Packet, v5).length).toBeGreaterThan(1);
    } else {
      refuses(wire(code), protocol(rule));
      encodeRefuses(object(code), rule, 0x82);
    }
  }
}

// ---------------------------------------------------------------------------------------------------------------

describe('1.5 Data representation', () => {
  it('U5-1.5.2-1 Two and Four Byte Integers are big-endian', () => {
    const f = frame(0x32, s('t'), u16(0x1234), pr(0x02, u32(0x01020304), 0x23, u16(0x0a0b)));
    accepts(f, {
      type: 'publish',
      topic: 't',
      payload: EMPTY,
      qos: 1,
      retain: false,
      dup: false,
      packetId: 0x1234,
      properties: { messageExpiryInterval: 0x01020304, topicAlias: 0x0a0b },
    });
    // and the largest Four Byte Integer stays unsigned
    accepts(frame(0x30, s('t'), pr(0x02, u32(0xffffffff))), pub0('t', { messageExpiryInterval: 0xffffffff }));
  });

  it('MQTT-1.5.4-1 ill-formed UTF-8 is malformed; the encoder refuses lone surrogates', () => {
    const bad = [
      [0xc0, 0xaf], // overlong '/'
      [0xe0, 0x80, 0xaf], // overlong
      [0xed, 0xa0, 0x80], // encoded surrogate U+D800
      [0xf4, 0x90, 0x80, 0x80], // above U+10FFFF
      [0xe2, 0x82], // truncated sequence
      [0x80], // lone continuation byte
      [0xff],
    ];
    for (const b of bad) {
      refuses(frame(0x30, sRaw(0x61, ...b), pr()), malformed('MQTT-1.5.4-1'));
      // long strings (64 bytes and up) take the native decoding path
      refuses(frame(0x30, sRaw(...new Array<number>(80).fill(0x61), ...b), pr()), malformed('MQTT-1.5.4-1'));
      refuses(frame(0x30, s('t'), pr(0x03, sRaw(...b))), malformed('MQTT-1.5.4-1'));
    }
    encodeRefuses(pub0('a\ud800'), 'MQTT-1.5.4-1', 0x81);
    encodeRefuses(pub0('t', { contentType: '\udc00x' }), 'MQTT-1.5.4-1', 0x81);
  });

  it('MQTT-1.5.4-2 U+0000 in a string is malformed, on decode and encode', () => {
    refuses(frame(0x30, sRaw(0x61, 0x00), pr()), malformed('MQTT-1.5.4-2'));
    refuses(frame(0x30, sRaw(...new Array<number>(40).fill(0x61), 0x00), pr()), malformed('MQTT-1.5.4-2'));
    refuses(frame(0x30, s('t'), pr(0x26, s('n'), sRaw(0x00))), malformed('MQTT-1.5.4-2'));
    encodeRefuses(pub0('a\u0000'), 'MQTT-1.5.4-2', 0x81);
    encodeRefuses(pub0('t', { userProperties: [['n', '\u0000']] }), 'MQTT-1.5.4-2', 0x81);
  });

  it('U5-1.5.4-1 control characters and noncharacters are accepted by default (refusing them is only a MAY)', () => {
    const text = 'tab\there \u0001\u001f\u007f\u0085\u009f \ufdd0 \uffff \u{10ffff}';
    const f = frame(0x30, s('t'), pr(0x26, s('k'), s(text)));
    accepts(f, pub0('t', { userProperties: [['k', text]] }));
  });

  it('MQTT-1.5.4-3 a BOM (EF BB BF) is kept as U+FEFF, at the start and inside, short and long', () => {
    accepts(frame(0x30, s('\ufeffa'), pr()), pub0('\ufeffa'));
    const long = `\ufeff${'x'.repeat(40)}\ufeff`;
    accepts(frame(0x30, s(long), pr()), pub0(long));
    expect(s('\ufeffa').slice(0, 5)).toEqual([0, 4, 0xef, 0xbb, 0xbf]);
  });

  it('U5-1.5.4-2 a string is 0..65535 bytes: a length past the packet is malformed, the encoder refuses 65536', () => {
    refuses(frame(0x30, u16(10), 0x61, 0x62), malformed('U5-2-1'));
    const max = 'a'.repeat(65535);
    const f = frame(0x30, s('t'), pr(0x26, s('k'), s(max)));
    accepts(f, pub0('t', { userProperties: [['k', max]] }));
    encodeRefuses(pub0('t', { userProperties: [['k', 'a'.repeat(65536)]] }), 'U5-1.5.4-2', 0x81);
    // the limit is in bytes: 21846 three-byte characters are 65538 bytes
    encodeRefuses(pub0('t', { contentType: '\u20ac'.repeat(21846) }), 'U5-1.5.4-2', 0x81);
    encodeRefuses(pub0('a'.repeat(65536)), 'U5-1.5.4-2', 0x81);
  });

  it('MQTT-1.5.5-1 non-minimal Variable Byte Integers are malformed: Remaining Length, Property Length, Subscription Identifier, property identifier', () => {
    // Remaining Length 0 as 80 00, and 3 as 83 00
    refuses(new Uint8Array([0xc0, 0x80, 0x00]), malformed('MQTT-1.5.5-1'));
    refuses(new Uint8Array([0x30, 0x83, 0x00, 0x00, 0x01, 0x74, 0x00]), malformed('MQTT-1.5.5-1'));
    for (const block of BLOCKS) {
      // Property Length 0 as 80 00
      refuses(BLOCK_FRAME[block]([0x80, 0x00]), malformed('MQTT-1.5.5-1'));
      // a User Property identifier (0x26) as A6 00
      refuses(BLOCK_FRAME[block](pr(0xa6, 0x00, s('n'), s('v'))), malformed('MQTT-1.5.5-1'));
    }
    // Subscription Identifier 1 as 81 00, 5 as 85 80 00
    refuses(frame(0x30, s('t'), pr(0x0b, 0x81, 0x00)), malformed('MQTT-1.5.5-1'));
    refuses(frame(0x82, u16(1), pr(0x0b, 0x85, 0x80, 0x00), s('t'), 0), malformed('MQTT-1.5.5-1'));
    // the encoder writes the shortest form: 127 in one byte, 128 in two, 16384 in three
    expect(encode(pub0('t', { subscriptionIdentifiers: [127, 128, 16384] }), v5)).toEqual(
      frame(0x30, s('t'), pr(0x0b, 0x7f, 0x0b, 0x80, 0x01, 0x0b, 0x80, 0x80, 0x01)),
    );
  });

  it('U5-1.5.5-1 a Variable Byte Integer is at most 4 bytes (268,435,455)', () => {
    refuses(new Uint8Array([0x30, 0xff, 0xff, 0xff, 0xff, 0x01]), malformed('U5-1.5.5-1'));
    refuses(frame(0x30, s('t'), pr(0x0b, 0xff, 0xff, 0xff, 0xff, 0x01)), malformed('U5-1.5.5-1'));
    refuses(frame(0x30, s('t'), [0xff, 0xff, 0xff, 0xff, 0x01]), malformed('U5-1.5.5-1'));
    accepts(frame(0x30, s('t'), pr(0x0b, 0xff, 0xff, 0xff, 0x7f)), pub0('t', { subscriptionIdentifiers: [268435455] }));
    encodeRefuses(pub0('t', { subscriptionIdentifiers: [268435456] }), 'U5-1.5.5-1', 0x81);
    encodeRefuses(
      { type: 'subscribe', packetId: 1, subscriptions: [{ topicFilter: 't', qos: 0 }], properties: { subscriptionIdentifier: 2 ** 28 } },
      'U5-1.5.5-1',
      0x81,
    );
  });

  it('U5-1.5.6-1 Binary Data is a two-byte length and up to 65535 bytes, not UTF-8 checked', () => {
    const raw = new Uint8Array([0xff, 0x00, 0xc0, 0xaf]);
    accepts(frame(0x30, s('t'), pr(0x09, u16(4), raw)), pub0('t', { correlationData: raw }));
    const max = new Uint8Array(65535).fill(0xfe);
    accepts(frame(0x30, s('t'), pr(0x09, u16(65535), max)), pub0('t', { correlationData: max }));
    // a length running past the property block
    refuses(frame(0x30, s('t'), pr(0x09, u16(5), raw)), malformed('U5-2-1'));
    encodeRefuses(pub0('t', { correlationData: new Uint8Array(65536) }), 'U5-1.5.6-1', 0x81);
    encodeRefuses(
      { type: 'connect', protocolVersion: 5, clientId: 'c', clean: true, keepAlive: 0, password: new Uint8Array(65536) },
      'U5-1.5.6-1',
      0x81,
    );
  });

  it('MQTT-1.5.7-1 both name and value of a User Property must be valid strings', () => {
    refuses(frame(0x30, s('t'), pr(0x26, sRaw(0xc3), s('v'))), malformed('MQTT-1.5.4-1'));
    refuses(frame(0x30, s('t'), pr(0x26, s('n'), sRaw(0xed, 0xbf, 0xbf))), malformed('MQTT-1.5.4-1'));
    refuses(frame(0x30, s('t'), pr(0x26, sRaw(0x00), s('v'))), malformed('MQTT-1.5.4-2'));
    // a pair missing its value
    refuses(frame(0x30, s('t'), pr(0x26, s('n'))), malformed('U5-2-1'));
    encodeRefuses(pub0('t', { userProperties: [['\ud800', 'v']] }), 'MQTT-1.5.4-1', 0x81);
    encodeRefuses(pub0('t', { userProperties: [['n', 'a\u0000']] }), 'MQTT-1.5.4-2', 0x81);
    accepts(frame(0x30, s('t'), pr(0x26, s(''), s(''))), pub0('t', { userProperties: [['', '']] }));
  });
});

describe('2 MQTT Control Packet format', () => {
  it('U5-2.1.2-1 packet type 0 is reserved; type 15 is AUTH at level 5 only', () => {
    refuses(new Uint8Array([0x00, 0x00]), malformed('U5-2.1.2-1'));
    expect(streamError({ version: 5 }, new Uint8Array([0x00, 0x00]))).toEqual(malformed('U5-2.1.2-1'));
    expect(decode(new Uint8Array([0xf0, 0x00]), v5)).toEqual({ type: 'auth', reasonCode: 0 });
  });

  it('U5-2.1.2-1 AUTH at level 4 is refused: type 15 is reserved before 5.0', () => {
    refuses(new Uint8Array([0xf0, 0x00]), malformed('U311-2.2.1-1'), 4);
    expect(streamError({ version: 4 }, new Uint8Array([0xf0, 0x00]))).toEqual(malformed('U311-2.2.1-1'));
    encodeRefuses({ type: 'auth', reasonCode: 0 }, 'U311-2.2.1-1', 0x81, 4);
  });

  it('U5-2.1.2-2 direction (Table 2-1): a server-role decoder refuses server-only packets, a client-role decoder client-only ones', () => {
    const serverOnly = [frame(0x20, 0, 0, pr()), frame(0x90, u16(1), pr(), 0), frame(0xb0, u16(1), pr(), 0), frame(0xd0)];
    const clientOnly = [connect(0x02, pr(), s('c')), frame(0x82, u16(1), pr(), s('t'), 0), frame(0xa2, u16(1), pr(), s('t')), frame(0xc0)];
    const both = [frame(0x30, s('t'), pr()), frame(0x40, u16(1)), frame(0x50, u16(1)), frame(0x62, u16(1)), frame(0x70, u16(1)),
      frame(0xe0), frame(0xf0)];
    for (const f of serverOnly) {
      expect(streamError({ version: 5, role: 'server' }, f)).toEqual(protocol('U5-2.1.2-2'));
      expect(new PacketDecoder({ version: 5, role: 'client' }).push(f)).toHaveLength(1);
    }
    for (const f of clientOnly) {
      expect(streamError({ version: 5, role: 'client' }, f)).toEqual(protocol('U5-2.1.2-2'));
      expect(new PacketDecoder({ version: 5, role: 'server' }).push(f)).toHaveLength(1);
    }
    for (const f of both) {
      expect(new PacketDecoder({ version: 5, role: 'server' }).push(f)).toHaveLength(1);
      expect(new PacketDecoder({ version: 5, role: 'client' }).push(f)).toHaveLength(1);
    }
  });

  it('MQTT-2.1.3-1 reserved fixed-header flags must hold their values', () => {
    // CONNECT, CONNACK, PUBACK, PUBREC, PUBCOMP, SUBACK, UNSUBACK, PINGREQ, PINGRESP with flags other than 0000
    for (const first of [0x11, 0x18, 0x21, 0x41, 0x48, 0x51, 0x71, 0x91, 0xb1, 0xc1, 0xd8, 0xd2]) {
      refuses(frame(first, u16(1), 0, 0), malformed('MQTT-2.1.3-1'));
    }
    // the encoder always writes the fixed flags
    const firsts = ([
      { type: 'connack', sessionPresent: false, reasonCode: 0 },
      { type: 'puback', packetId: 1 },
      { type: 'pubrec', packetId: 1 },
      { type: 'pubrel', packetId: 1 },
      { type: 'pubcomp', packetId: 1 },
      { type: 'subscribe', packetId: 1, subscriptions: [{ topicFilter: 't', qos: 0 }] },
      { type: 'suback', packetId: 1, reasonCodes: [0] },
      { type: 'unsubscribe', packetId: 1, topicFilters: ['t'] },
      { type: 'unsuback', packetId: 1, reasonCodes: [0] },
      { type: 'pingreq' },
      { type: 'pingresp' },
      { type: 'disconnect' },
      { type: 'auth', reasonCode: 0 },
    ] as Packet[]).map((p) => encode(p, v5)[0]);
    expect(firsts).toEqual([0x20, 0x40, 0x50, 0x62, 0x70, 0x82, 0x90, 0xa2, 0xb0, 0xc0, 0xd0, 0xe0, 0xf0]);
  });

  it('U5-2.1.4-1 Remaining Length counts variable header and payload; packet size is fixed header plus it', () => {
    const payload = new Uint8Array(200).fill(0x41);
    const f = frame(0x30, s('t'), pr(), payload);
    expect([f[1], f[2]]).toEqual([(204 % 128) | 0x80, 1]); // 204 = 3 + 1 + 200, two length bytes
    expect(f.length).toBe(1 + 2 + 204);
    expect(new FrameSplitter({ maxPacketSize: 207, version: 5 }).push(f)).toEqual([f]);
    expect(errorOf(caught(() => new FrameSplitter({ maxPacketSize: 206, version: 5 }).push(f)))).toEqual({
      code: 'packet-too-large',
      reasonCode: 0x95,
      rule: undefined,
    });
    accepts(f, pub0('t', undefined, payload));
  });

  it('U5-2.2.1-1 the Packet Identifier is in the acknowledgement, SUBSCRIBE, UNSUBSCRIBE families and not in DISCONNECT or AUTH', () => {
    for (const first of [0x40, 0x50, 0x62, 0x70]) refuses(frame(first, 0), malformed('U5-2-1'));
    refuses(frame(0x82, 0), malformed('U5-2-1'));
    refuses(frame(0x32, s('t'), 0), malformed('U5-2-1'));
    // DISCONNECT 00 00: Reason Code 0 and Property Length 0, not a Packet Identifier
    accepts(frame(0xe0, 0x00, 0x00), { type: 'disconnect', reasonCode: 0 }, false);
    encodeRefuses({ type: 'puback' }, 'MQTT-2.2.1-3', 0x82);
    encodeRefuses({ type: 'unsuback', reasonCodes: [0] }, 'MQTT-2.2.1-3', 0x82);
  });

  it('MQTT-2.2.1-2 a QoS 0 PUBLISH has no Packet Identifier: the bytes after the topic are the Property Length', () => {
    accepts(frame(0x30, s('a'), pr(), 0x62), pub0('a', undefined, new Uint8Array([0x62])));
    encodeRefuses({ ...pub0('a'), packetId: 1 }, 'MQTT-2.2.1-2', 0x81);
  });

  it('MQTT-2.2.1-3 Packet Identifier 0 in SUBSCRIBE, UNSUBSCRIBE and QoS > 0 PUBLISH is refused', () => {
    refuses(frame(0x82, u16(0), pr(), s('t'), 0), protocol('MQTT-2.2.1-3'));
    refuses(frame(0xa2, u16(0), pr(), s('t')), protocol('MQTT-2.2.1-3'));
    refuses(frame(0x32, s('t'), u16(0), pr()), protocol('MQTT-2.2.1-3'));
    refuses(frame(0x34, s('t'), u16(0), pr()), protocol('MQTT-2.2.1-3'));
    encodeRefuses({ type: 'subscribe', packetId: 0, subscriptions: [{ topicFilter: 't', qos: 0 }] }, 'MQTT-2.2.1-3', 0x82);
    encodeRefuses({ type: 'unsubscribe', packetId: 0, topicFilters: ['t'] }, 'MQTT-2.2.1-3', 0x82);
    encodeRefuses({ ...pub0('t'), qos: 1, packetId: 0 }, 'MQTT-2.2.1-3', 0x82);
    encodeRefuses({ ...pub0('t'), qos: 2, packetId: 65536 }, 'MQTT-2.2.1-3', 0x82);
  });

  it('MQTT-2.2.1-4 a server-sent QoS > 0 PUBLISH with Packet Identifier 0 is refused by a client-role decoder', () => {
    // the stateless part (identifier not 0) is one check for both senders; the codec reports the client rule's id
    expect(streamError({ version: 5, role: 'client' }, frame(0x32, s('t'), u16(0), pr()))).toEqual(protocol('MQTT-2.2.1-3'));
    expect(new PacketDecoder({ version: 5, role: 'client' }).push(frame(0x32, s('t'), u16(65535), pr()))).toEqual([
      { ...pub0('t'), qos: 1, packetId: 65535 },
    ]);
    encodeRefuses({ ...pub0('t'), qos: 1, packetId: 0 }, 'MQTT-2.2.1-3', 0x82);
  });

  it('MQTT-2.2.2-1 the Property Length is always present in CONNECT, CONNACK, PUBLISH, SUBSCRIBE, SUBACK, UNSUBSCRIBE, UNSUBACK and Will Properties', () => {
    // CONNECT ending after Keep Alive
    refuses(frame(0x10, s('MQTT'), 5, 0x02, u16(0)), malformed('U5-2-1'));
    // Will Properties missing: the Will Topic length 00 01 is read as Property Length 0 then 1 byte of Will Topic length
    refuses(connect(0x06, pr(), s('c')), malformed('U5-2-1'));
    refuses(frame(0x20, 0, 0), malformed('U5-2-1'));
    refuses(frame(0x30, s('t')), malformed('U5-2-1'));
    refuses(frame(0x90, u16(1)), malformed('U5-2-1'));
    refuses(frame(0xb0, u16(1)), malformed('U5-2-1'));
    refuses(frame(0x82, u16(1)), malformed('U5-2-1'));
    refuses(frame(0xa2, u16(1)), malformed('U5-2-1'));
    // the encoder writes Property Length 0 when there are no properties
    expect(encode({ type: 'connack', sessionPresent: false, reasonCode: 0 }, v5)).toEqual(frame(0x20, 0, 0, 0));
    expect(encode(pub0('t'), v5)).toEqual(frame(0x30, s('t'), 0));
    expect(encode({ type: 'suback', packetId: 1, reasonCodes: [0] }, v5)).toEqual(frame(0x90, u16(1), 0, 0));
    expect(encode({ type: 'unsuback', packetId: 1, reasonCodes: [0] }, v5)).toEqual(frame(0xb0, u16(1), 0, 0));
    expect(
      encode({ type: 'connect', protocolVersion: 5, clientId: 'c', clean: true, keepAlive: 0, will: { topic: 'w', payload: EMPTY, qos: 0, retain: false } }),
    ).toEqual(connect(0x06, 0, s('c'), 0, s('w'), u16(0)));
  });

  it('U5-2.2.2-1 the Property Length must not exceed the packet, and the properties must fill it exactly', () => {
    refuses(frame(0x30, s('t'), 5, 0x01, 0x01), malformed('U5-2.2.2-1'));
    refuses(frame(0x20, 0, 0, 3, 0x24, 1), malformed('U5-2.2.2-1'));
    // Property Length 2 holding the start of a Four Byte Integer
    refuses(frame(0x30, s('t'), 2, 0x02, 0x00, 0x00, 0x00, 0x01), malformed('U5-2-1'));
    for (const block of BLOCKS) refuses(BLOCK_FRAME[block]([100, 0x26, ...s('n'), ...s('v')]), malformed('U5-2.2.2-1'));
  });

  for (const block of BLOCKS) {
    it(`U5-2.2.2-2 ${BLOCK_RULES[block].name}: every property identifier the spec does not allow there is malformed`, () => {
      checkNotAllowed(block);
    });
  }

  it('U5-2.2.2-3 a property value of the wrong length or type, or truncated, is malformed, in every packet', () => {
    for (const block of BLOCKS) {
      // a User Property whose value length runs past the property block
      refuses(BLOCK_FRAME[block](pr(0x26, s('n'), u16(5), 0x61)), malformed('U5-2-1'));
      // a User Property that is not well-formed UTF-8
      refuses(BLOCK_FRAME[block](pr(0x26, s('n'), sRaw(0xfe))), malformed('MQTT-1.5.4-1'));
      // every allowed property with its value cut by one byte
      for (const p of SPEC_PROPERTIES) {
        if (!p.blocks.has(block)) continue;
        const w = propWire(p);
        if (p.type === 'Variable Byte Integer') {
          refuses(BLOCK_FRAME[block](pr(p.id, 0x81)), malformed('U5-2-1'));
        } else {
          refuses(BLOCK_FRAME[block](pr(w.slice(0, -1))), malformed('U5-2-1'));
        }
      }
    }
    // a Two Byte Integer given one byte inside a longer packet
    refuses(frame(0x30, s('t'), pr(0x23, 0x01), 0x41, 0x42), malformed('U5-2-1'));
  });

  it('U5-2.2.2-4 properties decode in any order; User Property order and repeats are kept', () => {
    const f = frame(0x30, s('t'), pr(0x26, s('b'), s('2'), 0x03, s('c'), 0x26, s('a'), s('1'), 0x01, 1, 0x26, s('b'), s('2')));
    expect(decode(f, v5)).toEqual(pub0('t', { userProperties: [['b', '2'], ['a', '1'], ['b', '2']], contentType: 'c', payloadFormatIndicator: 1 }));
  });

  it('U5-2.2.2-5 only User Property (and Subscription Identifier in PUBLISH) may repeat', () => {
    for (const block of BLOCKS) {
      if (block === 'auth') {
        expect(decode(BLOCK_FRAME[block](pr(0x15, s('m'), 0x26, s('n'), s('v'), 0x26, s('n'), s('v'))), v5)).toEqual({
          type: 'auth',
          reasonCode: 0x18,
          properties: { authenticationMethod: 'm', userProperties: [['n', 'v'], ['n', 'v']] },
        });
      } else {
        const p = decode(BLOCK_FRAME[block](pr(0x26, s('n'), s('v'), 0x26, s('n'), s('v'))), v5) as { properties?: unknown; will?: { properties?: unknown } };
        expect(block === 'will' ? p.will?.properties : p.properties).toEqual({ userProperties: [['n', 'v'], ['n', 'v']] });
      }
      checkDuplicates(block);
    }
    accepts(frame(0x30, s('t'), pr(0x0b, 1, 0x0b, 2)), pub0('t', { subscriptionIdentifiers: [1, 2] }));
    refuses(frame(0x82, u16(1), pr(0x0b, 1, 0x0b, 2), s('t'), 0), protocol('U5-3.8.2.1-1'));
  });

  it('U5-2.3-1 payload presence: none after CONNACK, acknowledgements, PINGREQ/PINGRESP, DISCONNECT, AUTH; required in SUBSCRIBE, SUBACK, UNSUBSCRIBE, UNSUBACK', () => {
    refuses(frame(0x20, 0, 0, pr(), 0x00), malformed('U5-2-1'));
    for (const first of [0x40, 0x50, 0x62, 0x70]) refuses(frame(first, u16(1), 0, pr(), 0x00), malformed('U5-2-1'));
    refuses(frame(0xc0, 0x00), malformed('U5-2-1'));
    refuses(frame(0xd0, 0x00), malformed('U5-2-1'));
    refuses(frame(0xe0, 0, pr(), 0x00), malformed('U5-2-1'));
    refuses(frame(0xf0, 0x18, pr(0x15, s('m')), 0x00), malformed('U5-2-1'));
    refuses(frame(0x82, u16(1), pr()), protocol('MQTT-3.8.3-2'));
    refuses(frame(0xa2, u16(1), pr()), protocol('MQTT-3.10.3-2'));
    refuses(frame(0x90, u16(1), pr()), malformed('U5-3.9-1'));
    refuses(frame(0xb0, u16(1), pr()), malformed('U5-3.11-1'));
    // PUBLISH payload is optional
    accepts(frame(0x30, s('t'), pr()), pub0('t'));
    encodeRefuses({ type: 'suback', packetId: 1, reasonCodes: [] }, 'U5-3.9-1', 0x81);
    encodeRefuses({ type: 'unsuback', packetId: 1, reasonCodes: [] }, 'U5-3.11-1', 0x81);
    encodeRefuses({ type: 'unsuback', packetId: 1 }, 'U5-3.11-1', 0x81);
  });

  it('U5-2-1 fields must fill the Remaining Length exactly: trailing bytes and fields running past the end are malformed', () => {
    refuses(new Uint8Array([0xc0, 0x00, 0x00]), malformed('U5-2-1'));
    refuses(new Uint8Array([0x30, 0x05, 0x00, 0x01, 0x74]), malformed('U5-2-1'));
    refuses(connect(0x42, pr(), s('c'), bytes(u16(3), 0x70)), malformed('U5-2-1'));
    refuses(connect(0x02, pr(), s('c'), 0x00), malformed('U5-2-1'));
    refuses(frame(0x90, u16(1), 4, 0x1f, u16(5), 0x61), malformed('U5-2-1'));
    refuses(new Uint8Array([0xe0]), malformed('U5-2-1'));
  });

  it('U5-2.4-1 each packet may carry only its own Reason Codes (tables 3-1 to 3-11)', () => {
    checkReasonCodes('puback', 'MQTT-3.4.2-1', (c) => frame(0x40, u16(1), c), (c) => ({ type: 'puback', packetId: 1, reasonCode: c }),
      (c) => ({ type: 'puback', packetId: 1, reasonCode: c }));
    checkReasonCodes('disconnect', 'MQTT-3.14.2-1', (c) => frame(0xe0, c), (c) => ({ type: 'disconnect', reasonCode: c }),
      (c) => ({ type: 'disconnect', reasonCode: c }));
    // 0x00 stands for success in every packet that has a Reason Code
    for (const p of ['connack', 'puback', 'pubrec', 'pubrel', 'pubcomp', 'suback', 'unsuback', 'disconnect', 'auth']) {
      expect(SPEC_REASON_CODES[p]!.has(0)).toBe(true);
    }
  });
});

describe('3.1 CONNECT', () => {
  const base = { type: 'connect', protocolVersion: 5, clientId: 'c', clean: true, keepAlive: 0 } as const;

  it('MQTT-3.1.2-1 the Protocol Name must be MQTT (0x84 Unsupported Protocol Version)', () => {
    const unsupported = { code: 'unsupported-protocol-version', reasonCode: 0x84, rule: 'MQTT-3.1.2-1' } as const;
    refuses(frame(0x10, s('mqtt'), 5, 0x02, u16(0), pr(), s('c')), unsupported);
    // 3.1's name with level 5: an MQTT name, a level it does not take (MQTT-3.1.2-2, as an unknown level)
    refuses(frame(0x10, s('MQIsdp'), 5, 0x02, u16(0), pr(), s('c')), { ...unsupported, rule: 'MQTT-3.1.2-2' });
    encodeRefuses({ ...base, protocolName: 'MQTX' }, 'MQTT-3.1.2-1', 0x84);
  });

  it('MQTT-3.1.2-2 the Protocol Version selects the layout; an unknown level is 0x84', () => {
    const unsupported = { code: 'unsupported-protocol-version', reasonCode: 0x84, rule: 'MQTT-3.1.2-2' } as const;
    for (const level of [0, 2, 6, 255]) refuses(frame(0x10, s('MQTT'), level, 0x02, u16(0), pr(), s('c')), unsupported);
    // level 4 has no properties: the same bytes after Keep Alive are the Client Identifier
    expect(decode(frame(0x10, s('MQTT'), 4, 0x02, u16(0), s('c')), v5)).toEqual({ ...base, protocolVersion: 4 });
    accepts(connect(0x02, pr(0x11, u32(10)), s('c')), { ...base, properties: { sessionExpiryInterval: 10 } });
  });

  it('MQTT-3.1.2-2 a 5.0 CONNECT switches a PacketDecoder without a fixed version to level 5', () => {
    const d = new PacketDecoder();
    expect(d.version).toBe(4);
    const got = d.push(new Uint8Array([...connect(0x02, pr(), s('c')), ...frame(0x40, u16(7), 0x10), ...frame(0xe0, 0x04)]));
    expect(d.version).toBe(5);
    expect(got).toEqual([base, { type: 'puback', packetId: 7, reasonCode: 0x10 }, { type: 'disconnect', reasonCode: 0x04 }]);
    // the same PUBACK at level 4 is malformed (Remaining Length must be 2)
    expect(streamError({ version: 4 }, frame(0x40, u16(7), 0x10)).code).toBe('malformed-packet');
  });

  it('MQTT-3.1.2-3 the reserved Connect Flags bit 0 must be 0', () => {
    refuses(connect(0x03, pr(), s('c')), malformed('MQTT-3.1.2-3'));
    expect(encode(base, v5)[9]).toBe(0x02);
  });

  it('MQTT-3.1.2-9 with the Will Flag, Will Properties, Will Topic and Will Payload must follow the Client Identifier', () => {
    refuses(connect(0x06, pr(), s('c')), malformed('U5-2-1'));
    refuses(connect(0x06, pr(), s('c'), pr()), malformed('U5-2-1'));
    refuses(connect(0x06, pr(), s('c'), pr(), s('w')), malformed('U5-2-1'));
    accepts(connect(0x06, pr(), s('c'), pr(), s('w'), u16(0)), { ...base, will: { topic: 'w', payload: EMPTY, qos: 0, retain: false } });
    encodeRefuses({ ...base, will: { payload: EMPTY, qos: 0, retain: false } }, undefined, 0x81);
  });

  it('MQTT-3.1.2-11 Will Flag 0 requires Will QoS 0', () => {
    refuses(connect(0x0a, pr(), s('c')), malformed('MQTT-3.1.2-11'));
    refuses(connect(0x12, pr(), s('c')), malformed('MQTT-3.1.2-11'));
    expect(encode(base, v5)[9]! & 0x18).toBe(0);
  });

  it('MQTT-3.1.2-12 Will QoS 3 is malformed', () => {
    refuses(connect(0x1e, pr(), s('c'), pr(), s('w'), u16(0)), malformed('MQTT-3.1.2-12'));
    encodeRefuses({ ...base, will: { topic: 'w', payload: EMPTY, qos: 3, retain: false } }, 'MQTT-3.1.2-12', 0x81);
  });

  it('MQTT-3.1.2-13 Will Flag 0 requires Will Retain 0', () => {
    refuses(connect(0x22, pr(), s('c')), malformed('MQTT-3.1.2-13'));
    expect(encode(base, v5)[9]! & 0x20).toBe(0);
  });

  it('MQTT-3.1.2-16 User Name Flag 0: no User Name in the payload', () => {
    refuses(connect(0x02, pr(), s('c'), s('user')), malformed('U5-2-1'));
    expect(encode(base, v5)).toEqual(connect(0x02, pr(), s('c')));
  });

  it('MQTT-3.1.2-17 User Name Flag 1: a User Name must be present', () => {
    refuses(connect(0x82, pr(), s('c')), malformed('U5-2-1'));
    accepts(connect(0x82, pr(), s('c'), s('user')), { ...base, username: 'user' });
    accepts(connect(0x82, pr(), s('c'), s('')), { ...base, username: '' });
  });

  it('MQTT-3.1.2-18 Password Flag 0: no Password in the payload', () => {
    refuses(connect(0x82, pr(), s('c'), s('user'), u16(2), 1, 2), malformed('U5-2-1'));
    expect(encode({ ...base, username: 'user' }, v5)).toEqual(connect(0x82, pr(), s('c'), s('user')));
  });

  it('MQTT-3.1.2-19 Password Flag 1: a Password must be present', () => {
    refuses(connect(0xc2, pr(), s('c'), s('user')), malformed('U5-2-1'));
    accepts(connect(0xc2, pr(), s('c'), s('user'), u16(2), 1, 2), { ...base, username: 'user', password: new Uint8Array([1, 2]) });
    accepts(connect(0xc2, pr(), s('c'), s('user'), u16(0)), { ...base, username: 'user', password: EMPTY });
  });

  it('U5-3.1.2.9-1 a Password without a User Name is accepted at level 5', () => {
    accepts(connect(0x42, pr(), s('c'), u16(3), 0xff, 0x00, 0x61), { ...base, password: new Uint8Array([0xff, 0x00, 0x61]) });
  });

  it('U5-3.1.2.11-1 CONNECT properties other than User Property appear at most once', () => {
    checkDuplicates('connect');
  });

  it('U5-3.1.2.11-2 Receive Maximum 0 is a Protocol Error', () => {
    refuses(connect(0x02, pr(0x21, u16(0)), s('c')), protocol('U5-3.1.2.11-2'));
    encodeRefuses({ ...base, properties: { receiveMaximum: 0 } }, 'U5-3.1.2.11-2', 0x82);
    accepts(connect(0x02, pr(0x21, u16(1)), s('c')), { ...base, properties: { receiveMaximum: 1 } });
  });

  it('U5-3.1.2.11-3 Maximum Packet Size 0 is a Protocol Error', () => {
    refuses(connect(0x02, pr(0x27, u32(0)), s('c')), protocol('U5-3.1.2.11-3'));
    encodeRefuses({ ...base, properties: { maximumPacketSize: 0 } }, 'U5-3.1.2.11-3', 0x82);
    accepts(connect(0x02, pr(0x27, u32(1)), s('c')), { ...base, properties: { maximumPacketSize: 1 } });
  });

  it('MQTT-3.1.2-24 a packet above the Maximum Packet Size is refused (0x95) on its fixed header, before its body arrives', () => {
    // 30 65: a PUBLISH announcing Remaining Length 101 (a 103-byte packet), limit 100
    const d = new PacketDecoder({ version: 5, role: 'client', maxPacketSize: 100 });
    const e = caught(() => d.push(new Uint8Array([0x30, 0x65])));
    expect(errorOf(e)).toEqual({ code: 'packet-too-large', reasonCode: 0x95, rule: undefined });
    expect(d.buffered).toBe(0);
    // a 100-byte packet passes
    const ok = frame(0x30, s('t'), pr(), new Uint8Array(94));
    expect(ok.length).toBe(100);
    expect(new PacketDecoder({ version: 5, role: 'client', maxPacketSize: 100 }).push(ok)).toHaveLength(1);
    // the sending side: fitToMaximumPacketSize refuses what cannot fit
    const big = pub0('t', undefined, new Uint8Array(95));
    expect(errorOf(caught(() => fitToMaximumPacketSize(big, 100, v5)))).toEqual({ code: 'packet-too-large', reasonCode: 0x95, rule: undefined });
  });

  // Topic Alias Maximum is negotiated state the codec does not hold; the syntactic part is the alias range 1..65535
  it('MQTT-3.1.2-26 a Topic Alias must be 1..65535 (the negotiated maximum is the caller\'s)', () => {
    expect(encode(pub0('t', { topicAlias: 65535 }), v5)).toEqual(frame(0x30, s('t'), pr(0x23, u16(65535))));
    encodeRefuses(pub0('t', { topicAlias: 0 }), 'MQTT-3.3.2-8', 0x94);
    encodeRefuses(pub0('t', { topicAlias: 65536 }), undefined, 0x81);
  });

  it('MQTT-3.1.2-27 with no Topic Alias Maximum no alias is sent: a PUBLISH without topicAlias carries none', () => {
    expect(encode(pub0('t'), v5)).toEqual(frame(0x30, s('t'), 0));
    encodeRefuses(pub0(''), 'U5-3.3.2.1-1', 0x82);
  });

  it('U5-3.1.2.11-4 Request Response Information and Request Problem Information are 0 or 1', () => {
    for (const id of [0x17, 0x19]) {
      for (const v of [2, 0xff]) refuses(connect(0x02, pr(id, v), s('c')), protocol('U5-3.1.2.11-4'));
    }
    encodeRefuses({ ...base, properties: { requestResponseInformation: 2 } }, 'U5-3.1.2.11-4', 0x82);
    encodeRefuses({ ...base, properties: { requestProblemInformation: 2 } }, 'U5-3.1.2.11-4', 0x82);
    accepts(connect(0x02, pr(0x17, 0, 0x19, 1), s('c')), { ...base, properties: { requestProblemInformation: 0, requestResponseInformation: 1 } });
  });

  it('U5-3.1.2.11-5 Authentication Data without Authentication Method is a Protocol Error', () => {
    refuses(connect(0x02, pr(0x16, u16(1), 9), s('c')), protocol('U5-3.1.2.11-5'));
    encodeRefuses({ ...base, properties: { authenticationData: new Uint8Array([9]) } }, 'U5-3.1.2.11-5', 0x82);
    accepts(connect(0x02, pr(0x15, s('m'), 0x16, u16(1), 9), s('c')), {
      ...base,
      properties: { authenticationMethod: 'm', authenticationData: new Uint8Array([9]) },
    });
  });

  it('MQTT-3.1.3-1 payload fields come in the order Client Identifier, Will Properties, Will Topic, Will Payload, User Name, Password', () => {
    accepts(connect(0xee, pr(), s('id'), pr(0x18, u32(5)), s('wt'), u16(2), 0x77, 0x70, s('un'), u16(2), 0x70, 0x77), {
      ...base,
      clientId: 'id',
      username: 'un',
      password: new Uint8Array([0x70, 0x77]),
      will: { topic: 'wt', payload: new Uint8Array([0x77, 0x70]), qos: 1, retain: true, properties: { willDelayInterval: 5 } },
    });
  });

  it('MQTT-3.1.3-3 the Client Identifier is always present, possibly empty', () => {
    refuses(connect(0x02, pr()), malformed('U5-2-1'));
    accepts(connect(0x00, pr(), s('')), { ...base, clientId: '', clean: false });
  });

  it('MQTT-3.1.3-4 the Client Identifier is a UTF-8 Encoded String', () => {
    refuses(connect(0x02, pr(), sRaw(0x63, 0xc0)), malformed('MQTT-1.5.4-1'));
    refuses(connect(0x02, pr(), sRaw(0x63, 0x00)), malformed('MQTT-1.5.4-2'));
    encodeRefuses({ ...base, clientId: '\udfff' }, 'MQTT-1.5.4-1', 0x81);
  });

  it('MQTT-3.1.3-5 Client Identifiers of 1..23 [0-9a-zA-Z] are accepted, and longer ones are not capped', () => {
    const id23 = '0123456789abcdefghijXYZ';
    accepts(connect(0x02, pr(), s(id23)), { ...base, clientId: id23 });
    const long = 'client-'.repeat(100);
    accepts(connect(0x02, pr(), s(long)), { ...base, clientId: long });
  });

  it('U5-3.1.3.2-1 Will Properties may hold only the seven Will properties', () => {
    checkNotAllowed('will');
    refuses(connect(0x06, pr(), s('c'), pr(0x23, u16(1)), s('w'), u16(0)), malformed('U5-3.1.3.2-1'));
    refuses(connect(0x06, pr(), s('c'), pr(0x0b, 1), s('w'), u16(0)), malformed('U5-3.1.3.2-1'));
  });

  it('U5-3.1.3.2-2 each Will property except User Property at most once', () => {
    checkDuplicates('will');
  });

  it('U5-3.1.3.2-3 Will Payload Format Indicator is 0 or 1', () => {
    refuses(connect(0x06, pr(), s('c'), pr(0x01, 2), s('w'), u16(0)), protocol('U5-3.1.3.2-3'));
    encodeRefuses({ ...base, will: { topic: 'w', payload: EMPTY, qos: 0, retain: false, properties: { payloadFormatIndicator: 2 } } },
      'U5-3.1.3.2-3', 0x82);
    accepts(connect(0x06, pr(), s('c'), pr(0x01, 1), s('w'), u16(2), 0x6f, 0x6b), {
      ...base,
      will: { topic: 'w', payload: utf8('ok'), qos: 0, retain: false, properties: { payloadFormatIndicator: 1 } },
    });
  });

  it('MQTT-3.1.3-10 Will User Properties keep their order', () => {
    const f = connect(0x06, pr(), s('c'), pr(0x26, s('z'), s('1'), 0x26, s('a'), s('2'), 0x26, s('z'), s('3')), s('w'), u16(0));
    accepts(f, {
      ...base,
      will: { topic: 'w', payload: EMPTY, qos: 0, retain: false, properties: { userProperties: [['z', '1'], ['a', '2'], ['z', '3']] } },
    });
  });

  it('MQTT-3.1.3-11 the Will Topic is a UTF-8 Encoded String (and a Topic Name)', () => {
    refuses(connect(0x06, pr(), s('c'), pr(), sRaw(0xc1, 0x81), u16(0)), malformed('MQTT-1.5.4-1'));
    refuses(connect(0x06, pr(), s('c'), pr(), s('a/#'), u16(0)), protocol('MQTT-4.7.0-1', 0x90));
    encodeRefuses({ ...base, will: { topic: '\ud800', payload: EMPTY, qos: 0, retain: false } }, 'MQTT-1.5.4-1', 0x81);
    encodeRefuses({ ...base, will: { topic: 'a/+', payload: EMPTY, qos: 0, retain: false } }, 'MQTT-4.7.0-1', 0x90);
  });

  it('U5-3.1.3.5-1 Will Payload and Password are Binary Data, not strings', () => {
    const raw = [0xff, 0xfe, 0x00, 0xc0];
    accepts(connect(0x46, pr(), s('c'), pr(), s('w'), u16(4), raw, u16(4), raw), {
      ...base,
      password: new Uint8Array(raw),
      will: { topic: 'w', payload: new Uint8Array(raw), qos: 0, retain: false },
    });
    refuses(connect(0x46, pr(), s('c'), pr(), s('w'), u16(5), raw), malformed('U5-2-1'));
    encodeRefuses({ ...base, password: 'secret' }, undefined, 0x81);
  });

  it('MQTT-3.1.3-12 the User Name is a UTF-8 Encoded String', () => {
    refuses(connect(0x82, pr(), s('c'), sRaw(0xe0, 0x80, 0x80)), malformed('MQTT-1.5.4-1'));
    encodeRefuses({ ...base, username: 'a\u0000' }, 'MQTT-1.5.4-2', 0x81);
  });

  it('MQTT-3.1.4-1 a CONNECT that breaks section 3.1 is refused with the class a server answers with', () => {
    refuses(connect(0x01, pr(), s('c')), malformed('MQTT-3.1.2-3'));
    refuses(connect(0x02, pr(0x21, u16(0)), s('c')), protocol('U5-3.1.2.11-2'));
    refuses(connect(0x02, pr(0x23, u16(1)), s('c')), malformed('U5-2.2.2-2'));
    refuses(frame(0x10, s('MQTT'), 7, 0x02, u16(0), pr(), s('c')), { code: 'unsupported-protocol-version', reasonCode: 0x84, rule: 'MQTT-3.1.2-2' });
  });
});

describe('3.2 CONNACK', () => {
  const ack = (props?: object) => ({ type: 'connack', sessionPresent: false, reasonCode: 0, ...(props ? { properties: props } : {}) }) as Packet;

  it('MQTT-3.2.2-1 Connect Acknowledge Flags bits 7-1 are reserved', () => {
    for (const flags of [0x02, 0x80, 0xff]) refuses(frame(0x20, flags, 0, pr()), malformed('MQTT-3.2.2-1'));
    expect(encode({ type: 'connack', sessionPresent: true, reasonCode: 0 }, v5)).toEqual(frame(0x20, 1, 0, 0));
  });

  it('MQTT-3.2.2-6 a non-zero Reason Code requires Session Present 0', () => {
    refuses(frame(0x20, 1, 0x80, pr()), protocol('MQTT-3.2.2-6'));
    encodeRefuses({ type: 'connack', sessionPresent: true, reasonCode: 0x87 }, 'MQTT-3.2.2-6', 0x82);
    accepts(frame(0x20, 0, 0x87, pr()), { type: 'connack', sessionPresent: false, reasonCode: 0x87 });
  });

  it('MQTT-3.2.2-8 CONNACK carries only Connect Reason Codes (Table 3-1)', () => {
    checkReasonCodes('connack', 'MQTT-3.2.2-8', (c) => frame(0x20, 0, c, pr()), (c) => ({ type: 'connack', sessionPresent: false, reasonCode: c }),
      (c) => ({ type: 'connack', sessionPresent: false, reasonCode: c }));
  });

  it('U5-3.2.2.3-1 CONNACK properties other than User Property appear at most once', () => {
    checkDuplicates('connack');
    checkNotAllowed('connack');
  });

  it('U5-3.2.2.3-2 Receive Maximum and Maximum Packet Size are not 0; the byte properties are 0 or 1 (Maximum QoS 2 included)', () => {
    refuses(frame(0x20, 0, 0, pr(0x21, u16(0))), protocol('U5-3.2.2.3-2'));
    refuses(frame(0x20, 0, 0, pr(0x27, u32(0))), protocol('U5-3.2.2.3-2'));
    encodeRefuses(ack({ receiveMaximum: 0 }), 'U5-3.2.2.3-2', 0x82);
    encodeRefuses(ack({ maximumPacketSize: 0 }), 'U5-3.2.2.3-2', 0x82);
    const bytesProps: [number, string][] = [[0x24, 'maximumQos'], [0x25, 'retainAvailable'], [0x28, 'wildcardSubscriptionAvailable'],
      [0x29, 'subscriptionIdentifiersAvailable'], [0x2a, 'sharedSubscriptionAvailable']];
    for (const [id, key] of bytesProps) {
      refuses(frame(0x20, 0, 0, pr(id, 2)), protocol('U5-3.2.2.3-2'));
      encodeRefuses(ack({ [key]: 2 }), 'U5-3.2.2.3-2', 0x82);
      accepts(frame(0x20, 0, 0, pr(id, 0)), ack({ [key]: 0 }));
      accepts(frame(0x20, 0, 0, pr(id, 1)), ack({ [key]: 1 }));
    }
  });

  it('U5-3.2.2-1 CONNACK is flags, Reason Code and properties, nothing more', () => {
    accepts(frame(0x20, 0, 0, pr()), ack());
    refuses(frame(0x20, 0, 0, pr(), 0), malformed('U5-2-1'));
    refuses(frame(0x20, 0), malformed('U5-2-1'));
    refuses(frame(0x20, 0, 0), malformed('U5-2-1'));
  });

  it('MQTT-3.2.2-15 a server-role decoder refuses a packet above its Maximum Packet Size (0x95) on the fixed header', () => {
    const f = frame(0x30, s('t'), pr(), new Uint8Array(300));
    const d = new PacketDecoder({ version: 5, role: 'server', maxPacketSize: 200 });
    expect(errorOf(caught(() => d.push(f.subarray(0, 3))))).toEqual({ code: 'packet-too-large', reasonCode: 0x95, rule: undefined });
    expect(d.buffered).toBe(0);
    // and the splitter alone, likewise
    expect(errorOf(caught(() => new FrameSplitter({ maxPacketSize: 200, version: 5 }).push(f.subarray(0, 3))))).toEqual({
      code: 'packet-too-large',
      reasonCode: 0x95,
      rule: undefined,
    });
  });

  it('MQTT-3.2.2-17 a client sends Topic Aliases 1..65535 only (the negotiated maximum is the caller\'s)', () => {
    encodeRefuses(pub0('t', { topicAlias: 0 }), 'MQTT-3.3.2-8', 0x94);
    expect(encode(pub0('t', { topicAlias: 1 }), v5)).toEqual(frame(0x30, s('t'), pr(0x23, u16(1))));
  });

  it('MQTT-3.2.2-18 without a Topic Alias Maximum a client sends no Topic Alias: an empty topic needs one', () => {
    encodeRefuses(pub0(''), 'U5-3.3.2.1-1', 0x82);
    expect(encode(pub0('t'), v5)).toEqual(frame(0x30, s('t'), 0));
  });

  const big = 'x'.repeat(50);
  it('MQTT-3.2.2-19 the Reason String is left out when it would exceed the client\'s Maximum Packet Size', () => {
    const p = ack({ reasonString: big, userProperties: [['a', 'b']] });
    const fitted = fitToMaximumPacketSize(p, 20, v5);
    expect(fitted).toEqual({ packet: ack({ userProperties: [['a', 'b']] }), size: 12 });
    expect(encode(fitted.packet, v5)).toEqual(frame(0x20, 0, 0, pr(0x26, s('a'), s('b'))));
  });

  it('MQTT-3.2.2-20 User Properties are left out when they would exceed the client\'s Maximum Packet Size', () => {
    const p = ack({ userProperties: [['k', big]], sessionExpiryInterval: 1 });
    expect(fitToMaximumPacketSize(p, 10, v5)).toEqual({ packet: ack({ sessionExpiryInterval: 1 }), size: 10 });
  });
});

describe('3.3 PUBLISH', () => {
  it('MQTT-3.3.1-2 DUP must be 0 with QoS 0', () => {
    refuses(frame(0x38, s('t'), pr()), malformed('MQTT-3.3.1-2'));
    refuses(frame(0x39, s('t'), pr()), malformed('MQTT-3.3.1-2'));
    encodeRefuses({ ...pub0('t'), dup: true }, 'MQTT-3.3.1-2', 0x81);
  });

  it('MQTT-3.3.1-4 QoS 3 is malformed', () => {
    refuses(frame(0x36, s('t'), u16(1), pr()), malformed('MQTT-3.3.1-4'));
    refuses(frame(0x3f, s('t'), u16(1), pr()), malformed('MQTT-3.3.1-4'));
    encodeRefuses({ ...pub0('t'), qos: 3, packetId: 1 }, 'MQTT-3.3.1-4', 0x81);
  });

  it('MQTT-3.3.2-1 the Topic Name is the first field, a UTF-8 Encoded String', () => {
    refuses(frame(0x30, sRaw(0x74, 0xf5, 0x80, 0x80, 0x80), pr()), malformed('MQTT-1.5.4-1'));
    refuses(frame(0x30, u16(3), 0x74), malformed('U5-2-1'));
    accepts(frame(0x30, s('\u00e9t\u00e9/\u{1f600}'), pr()), pub0('\u00e9t\u00e9/\u{1f600}'));
  });

  it('MQTT-3.3.2-2 the Topic Name has no wildcards (0x90 Topic Name invalid)', () => {
    for (const topic of ['#', 'a/#', '+', 'a/+/b', 'a+']) {
      refuses(frame(0x30, s(topic), pr()), protocol('MQTT-3.3.2-2', 0x90));
      encodeRefuses(pub0(topic), 'MQTT-3.3.2-2', 0x90);
    }
  });

  it('U5-3.3.2.1-1 a zero-length Topic Name is a Protocol Error unless a Topic Alias is present', () => {
    refuses(frame(0x30, s(''), pr()), protocol('U5-3.3.2.1-1'));
    refuses(frame(0x30, s(''), pr(0x26, s('n'), s('v'))), protocol('U5-3.3.2.1-1'));
    encodeRefuses(pub0(''), 'U5-3.3.2.1-1', 0x82);
    accepts(frame(0x30, s(''), pr(0x23, u16(4))), pub0('', { topicAlias: 4 }));
  });

  it('U5-3.3.2-1 the variable header is Topic Name, Packet Identifier (QoS 1, 2), properties; the rest is payload', () => {
    accepts(frame(0x34, s('a/b'), u16(0x0102), pr(0x02, u32(9)), 0x70, 0x6c), {
      type: 'publish',
      topic: 'a/b',
      payload: new Uint8Array([0x70, 0x6c]),
      qos: 2,
      retain: false,
      dup: false,
      packetId: 0x0102,
      properties: { messageExpiryInterval: 9 },
    });
  });

  it('U5-3.3.2.3-1 PUBLISH may carry only its eight properties', () => {
    checkNotAllowed('publish');
    encodeRefuses(pub0('t', { subscriptionIdentifier: 1 }), 'U5-3.3.2.3-1', 0x81);
  });

  it('U5-3.3.2.3-2 single-valued PUBLISH properties appear at most once', () => {
    checkDuplicates('publish');
  });

  it('U5-3.3.2.3-3 Payload Format Indicator is 0 or 1', () => {
    for (const v of [2, 0x80, 0xff]) refuses(frame(0x30, s('t'), pr(0x01, v)), protocol('U5-3.3.2.3-3'));
    encodeRefuses(pub0('t', { payloadFormatIndicator: 2 }), 'U5-3.3.2.3-3', 0x82);
    accepts(frame(0x30, s('t'), pr(0x01, 0), 0xff), pub0('t', { payloadFormatIndicator: 0 }, new Uint8Array([0xff])));
    accepts(frame(0x30, s('t'), pr(0x01, 1), 0x68, 0x69), pub0('t', { payloadFormatIndicator: 1 }, utf8('hi')));
  });

  it('MQTT-3.3.2-8 Topic Alias 0 is refused with 0x94 Topic Alias invalid', () => {
    refuses(frame(0x30, s('t'), pr(0x23, u16(0))), protocol('MQTT-3.3.2-8', 0x94));
    refuses(frame(0x30, s(''), pr(0x23, u16(0))), protocol('MQTT-3.3.2-8', 0x94));
    encodeRefuses(pub0('t', { topicAlias: 0 }), 'MQTT-3.3.2-8', 0x94);
  });

  it('MQTT-3.3.2-9 a client sends only Topic Aliases from 1 (the upper bound is negotiated)', () => {
    encodeRefuses(pub0('', { topicAlias: 0 }), 'MQTT-3.3.2-8', 0x94);
    expect(encode(pub0('', { topicAlias: 2 }), v5)).toEqual(frame(0x30, s(''), pr(0x23, u16(2))));
  });

  it('MQTT-3.3.2-10 a client-role decoder accepts every Topic Alias from 1 to 65535', () => {
    for (const alias of [1, 2, 255, 256, 65535]) {
      expect(new PacketDecoder({ version: 5, role: 'client' }).push(frame(0x30, s(''), pr(0x23, u16(alias))))).toEqual([pub0('', { topicAlias: alias })]);
    }
  });

  it('MQTT-3.3.2-11 a server sends only Topic Aliases from 1 (the upper bound is negotiated)', () => {
    encodeRefuses(pub0('t', { topicAlias: 0 }), 'MQTT-3.3.2-8', 0x94);
    encodeRefuses(pub0('t', { topicAlias: -1 }), undefined, 0x81);
  });

  it('MQTT-3.3.2-12 a server-role decoder accepts every Topic Alias from 1 to 65535', () => {
    for (const alias of [1, 7, 65534, 65535]) {
      expect(new PacketDecoder({ version: 5, role: 'server' }).push(frame(0x30, s('t'), pr(0x23, u16(alias))))).toEqual([pub0('t', { topicAlias: alias })]);
    }
  });

  it('MQTT-3.3.2-13 the Response Topic is a UTF-8 Encoded String', () => {
    refuses(frame(0x30, s('t'), pr(0x08, sRaw(0x72, 0xed, 0xa0, 0x80))), malformed('MQTT-1.5.4-1'));
    refuses(frame(0x30, s('t'), pr(0x08, sRaw(0x72, 0x00))), malformed('MQTT-1.5.4-2'));
    encodeRefuses(pub0('t', { responseTopic: 'r\ud800' }), 'MQTT-1.5.4-1', 0x81);
    accepts(frame(0x30, s('t'), pr(0x08, s('r/1'))), pub0('t', { responseTopic: 'r/1' }));
  });

  it('MQTT-3.3.2-14 the Response Topic has no wildcards', () => {
    for (const rt of ['r/#', 'r/+', '#']) {
      refuses(frame(0x30, s('t'), pr(0x08, s(rt))), protocol('MQTT-3.3.2-14'));
      encodeRefuses(pub0('t', { responseTopic: rt }), 'MQTT-3.3.2-14', 0x82);
      refuses(connect(0x06, pr(), s('c'), pr(0x08, s(rt)), s('w'), u16(0)), protocol('MQTT-3.3.2-14'));
    }
  });

  it('MQTT-3.3.2-18 User Properties keep their order', () => {
    const pairs: [string, string][] = [['3', 'c'], ['1', 'a'], ['2', 'b'], ['1', 'a']];
    accepts(frame(0x30, s('t'), pr(...pairs.map(([n, v]) => bytes(0x26, s(n), s(v))))), pub0('t', { userProperties: pairs }));
  });

  it('U5-3.3.2.3-4 Subscription Identifier 0 is a Protocol Error in PUBLISH and SUBSCRIBE', () => {
    refuses(frame(0x30, s('t'), pr(0x0b, 0)), protocol('U5-3.3.2.3-4'));
    refuses(frame(0x30, s('t'), pr(0x0b, 1, 0x0b, 0)), protocol('U5-3.3.2.3-4'));
    refuses(frame(0x82, u16(1), pr(0x0b, 0), s('t'), 0), protocol('U5-3.3.2.3-4'));
    encodeRefuses(pub0('t', { subscriptionIdentifiers: [0] }), 'U5-3.3.2.3-4', 0x82);
    encodeRefuses({ type: 'subscribe', packetId: 1, subscriptions: [{ topicFilter: 't', qos: 0 }], properties: { subscriptionIdentifier: 0 } },
      'U5-3.3.2.3-4', 0x82);
  });

  it('MQTT-3.3.2-19 the Content Type is a UTF-8 Encoded String', () => {
    refuses(frame(0x30, s('t'), pr(0x03, sRaw(0xc2))), malformed('MQTT-1.5.4-1'));
    encodeRefuses(pub0('t', { contentType: '\udc00' }), 'MQTT-1.5.4-1', 0x81);
    accepts(frame(0x30, s('t'), pr(0x03, s('text/plain; charset=utf-8'))), pub0('t', { contentType: 'text/plain; charset=utf-8' }));
  });

  it('U5-3.3.3-1 the payload is everything after the properties, possibly empty, as opaque bytes', () => {
    accepts(frame(0x30, s('t'), pr()), pub0('t'));
    const raw = new Uint8Array([0x00, 0xff, 0xc0, 0x80, 0x30, 0x00]);
    accepts(frame(0x30, s('t'), pr(), raw), pub0('t', undefined, raw));
  });

  it('MQTT-3.3.4-6 a server-role decoder refuses a PUBLISH with a Subscription Identifier', () => {
    const f = frame(0x30, s('t'), pr(0x0b, 3));
    expect(streamError({ version: 5, role: 'server' }, f)).toEqual(protocol('MQTT-3.3.4-6'));
    expect(new PacketDecoder({ version: 5, role: 'client' }).push(f)).toEqual([pub0('t', { subscriptionIdentifiers: [3] })]);
  });
});

// PUBACK, PUBREC, PUBREL, PUBCOMP share one layout: Remaining Length 2, 3 or >= 4
const ACKS = {
  puback: { first: 0x40, fail: 0x10 },
  pubrec: { first: 0x50, fail: 0x80 },
  pubrel: { first: 0x62, fail: 0x92 },
  pubcomp: { first: 0x70, fail: 0x92 },
} as const;
type AckType = keyof typeof ACKS;

function checkShortForms(type: AckType): void {
  const { first, fail } = ACKS[type];
  accepts(frame(first, u16(1)), { type, packetId: 1, reasonCode: 0 } as Packet);
  accepts(frame(first, u16(1), fail), { type, packetId: 1, reasonCode: fail } as Packet);
  accepts(frame(first, u16(1), fail, pr(0x1f, s('r'))), { type, packetId: 1, reasonCode: fail, properties: { reasonString: 'r' } } as Packet);
  // longer forms that carry nothing more decode the same; the encoder writes the shortest
  expect(decode(frame(first, u16(1), 0), v5)).toEqual({ type, packetId: 1, reasonCode: 0 });
  expect(decode(frame(first, u16(1), fail, pr()), v5)).toEqual({ type, packetId: 1, reasonCode: fail });
  refuses(frame(first, 0), malformed('U5-2-1'));
  refuses(frame(first, u16(1), fail, 4, 0x1f, u16(0)), malformed('U5-2.2.2-1'));
  refuses(frame(first, u16(1), fail, pr(), 0), malformed('U5-2-1'));
}

function checkAckReasonCodes(type: AckType, rule: string): void {
  const { first } = ACKS[type];
  checkReasonCodes(type, rule, (c) => frame(first, u16(1), c), (c) => ({ type, packetId: 1, reasonCode: c }),
    (c) => ({ type, packetId: 1, reasonCode: c }) as Packet);
}

function checkFitDrops(type: AckType | 'suback' | 'unsuback' | 'disconnect' | 'auth', what: 'reasonString' | 'userProperties'): void {
  const make = (properties: object): Packet => {
    switch (type) {
      case 'suback':
        return { type, packetId: 1, reasonCodes: [0x80], properties };
      case 'unsuback':
        return { type, packetId: 1, reasonCodes: [0x80], properties };
      case 'disconnect':
        return { type, reasonCode: 0x80, properties };
      case 'auth':
        return { type, reasonCode: 0x18, properties: { authenticationMethod: 'm', ...properties } };
      default:
        return { type, packetId: 1, reasonCode: ACKS[type].fail, properties } as Packet;
    }
  };
  const long = 'y'.repeat(40);
  const full = make(what === 'reasonString' ? { reasonString: long, userProperties: [['a', 'b']] } : { userProperties: [['k', long]] });
  const kept = what === 'reasonString' ? make({ userProperties: [['a', 'b']] }) : undefined;
  const size = encode(full, v5).length;
  const fitted = fitToMaximumPacketSize(full, size - 1, v5);
  expect(fitted.size).toBe(encode(fitted.packet, v5).length);
  expect(fitted.size).toBeLessThan(size - 40);
  const props = (fitted.packet as { properties?: Record<string, unknown> }).properties;
  expect(props?.['reasonString']).toBeUndefined();
  if (kept !== undefined) expect(fitted.packet).toEqual(kept);
  else expect(props?.['userProperties']).toBeUndefined();
}

describe('3.4 PUBACK', () => {
  it('U5-3.4.2-1 PUBACK has three forms: Remaining Length 2, 3 and >= 4', () => checkShortForms('puback'));
  it('MQTT-3.4.2-1 PUBACK carries only PUBACK Reason Codes', () => checkAckReasonCodes('puback', 'MQTT-3.4.2-1'));
  it('U5-3.4.2.2-1 PUBACK properties: Reason String once and User Property only', () => checkBlock('puback'));
  it('MQTT-3.4.2-2 the Reason String is left out rather than exceed the Maximum Packet Size', () => checkFitDrops('puback', 'reasonString'));
  it('MQTT-3.4.2-3 User Properties are left out rather than exceed the Maximum Packet Size', () => checkFitDrops('puback', 'userProperties'));
});

describe('3.5 PUBREC', () => {
  it('U5-3.5.2-1 PUBREC has three forms: Remaining Length 2, 3 and >= 4', () => checkShortForms('pubrec'));
  it('MQTT-3.5.2-1 PUBREC carries only PUBREC Reason Codes', () => checkAckReasonCodes('pubrec', 'MQTT-3.5.2-1'));
  it('U5-3.5.2.2-1 PUBREC properties: Reason String once and User Property only', () => checkBlock('pubrec'));
  it('MQTT-3.5.2-2 the Reason String is left out rather than exceed the Maximum Packet Size', () => checkFitDrops('pubrec', 'reasonString'));
  it('MQTT-3.5.2-3 User Properties are left out rather than exceed the Maximum Packet Size', () => checkFitDrops('pubrec', 'userProperties'));
});

describe('3.6 PUBREL', () => {
  it('MQTT-3.6.1-1 PUBREL fixed-header flags must be 0010', () => {
    for (const first of [0x60, 0x61, 0x63, 0x66, 0x6a]) refuses(frame(first, u16(1)), malformed('MQTT-3.6.1-1'));
    expect(encode({ type: 'pubrel', packetId: 1 }, v5)).toEqual(new Uint8Array([0x62, 0x02, 0x00, 0x01]));
  });
  it('U5-3.6.2-1 PUBREL has three forms: Remaining Length 2, 3 and >= 4', () => checkShortForms('pubrel'));
  it('MQTT-3.6.2-1 PUBREL carries only 0x00 or 0x92', () => checkAckReasonCodes('pubrel', 'MQTT-3.6.2-1'));
  it('U5-3.6.2.2-1 PUBREL properties: Reason String once and User Property only', () => checkBlock('pubrel'));
  it('MQTT-3.6.2-2 the Reason String is left out rather than exceed the Maximum Packet Size', () => checkFitDrops('pubrel', 'reasonString'));
  it('MQTT-3.6.2-3 User Properties are left out rather than exceed the Maximum Packet Size', () => checkFitDrops('pubrel', 'userProperties'));
});

describe('3.7 PUBCOMP', () => {
  it('U5-3.7.2-1 PUBCOMP has three forms: Remaining Length 2, 3 and >= 4', () => checkShortForms('pubcomp'));
  it('MQTT-3.7.2-1 PUBCOMP carries only 0x00 or 0x92', () => checkAckReasonCodes('pubcomp', 'MQTT-3.7.2-1'));
  it('U5-3.7.2.2-1 PUBCOMP properties: Reason String once and User Property only', () => checkBlock('pubcomp'));
  it('MQTT-3.7.2-2 the Reason String is left out rather than exceed the Maximum Packet Size', () => checkFitDrops('pubcomp', 'reasonString'));
  it('MQTT-3.7.2-3 User Properties are left out rather than exceed the Maximum Packet Size', () => checkFitDrops('pubcomp', 'userProperties'));
});

describe('3.8 SUBSCRIBE', () => {
  const subscribe = (...subs: object[]) => ({ type: 'subscribe', packetId: 1, subscriptions: subs });

  it('MQTT-3.8.1-1 SUBSCRIBE fixed-header flags must be 0010', () => {
    for (const first of [0x80, 0x81, 0x83, 0x8a]) refuses(frame(first, u16(1), pr(), s('t'), 0), malformed('MQTT-3.8.1-1'));
    expect(encode(subscribe({ topicFilter: 't', qos: 0 }) as Packet, v5)[0]).toBe(0x82);
  });

  it('U5-3.8.2.1-1 SUBSCRIBE properties: one Subscription Identifier and User Properties only', () => {
    checkBlock('subscribe');
    refuses(frame(0x82, u16(1), pr(0x0b, 1, 0x0b, 1), s('t'), 0), protocol('U5-3.8.2.1-1'));
    refuses(frame(0x82, u16(1), pr(0x0b, 0), s('t'), 0), protocol('U5-3.3.2.3-4'));
    encodeRefuses({ ...subscribe({ topicFilter: 't', qos: 0 }), properties: { subscriptionIdentifiers: [1] } }, 'U5-3.8.2.1-1', 0x81);
    accepts(frame(0x82, u16(1), pr(0x0b, 0xff, 0xff, 0xff, 0x7f), s('t'), 0), {
      type: 'subscribe',
      packetId: 1,
      subscriptions: [sub('t')],
      properties: { subscriptionIdentifier: 268435455 },
    });
  });

  it('MQTT-3.8.3-1 each Topic Filter is a UTF-8 Encoded String followed by a Subscription Options byte', () => {
    refuses(frame(0x82, u16(1), pr(), s('t')), malformed('U5-2-1'));
    refuses(frame(0x82, u16(1), pr(), s('a'), 0, s('b')), malformed('U5-2-1'));
    refuses(frame(0x82, u16(1), pr(), sRaw(0x61, 0xc0), 0), malformed('MQTT-1.5.4-1'));
    encodeRefuses(subscribe({ topicFilter: 'a\ud800', qos: 0 }), 'MQTT-1.5.4-1', 0x81);
    accepts(frame(0x82, u16(1), pr(), s('a'), 1, s('b/c'), 2), { type: 'subscribe', packetId: 1, subscriptions: [sub('a', 1), sub('b/c', 2)] });
  });

  it('MQTT-3.8.3-2 a SUBSCRIBE without Topic Filters is a Protocol Error', () => {
    refuses(frame(0x82, u16(1), pr()), protocol('MQTT-3.8.3-2'));
    refuses(frame(0x82, u16(1), pr(0x26, s('n'), s('v'))), protocol('MQTT-3.8.3-2'));
    encodeRefuses(subscribe(), 'MQTT-3.8.3-2', 0x82);
  });

  it('U5-3.8.3.1-1 Maximum QoS 3 is a Protocol Error', () => {
    refuses(frame(0x82, u16(1), pr(), s('t'), 3), protocol('U5-3.8.3.1-1'));
    refuses(frame(0x82, u16(1), pr(), s('t'), 0x2f), protocol('U5-3.8.3.1-1'));
    encodeRefuses(subscribe({ topicFilter: 't', qos: 3 }), 'U5-3.8.3.1-1', 0x82);
  });

  it('MQTT-3.8.3-4 No Local on a Shared Subscription is a Protocol Error', () => {
    refuses(frame(0x82, u16(1), pr(), s('$share/g/t'), 0x04), protocol('MQTT-3.8.3-4'));
    encodeRefuses(subscribe({ topicFilter: '$share/g/t', qos: 0, noLocal: true }), 'MQTT-3.8.3-4', 0x82);
    // No Local on an ordinary filter, and a shared one without it, are fine
    accepts(frame(0x82, u16(1), pr(), s('$shared/t'), 0x04, s('$share/g/t'), 0x01), {
      type: 'subscribe',
      packetId: 1,
      subscriptions: [sub('$shared/t', 0, { noLocal: true }), sub('$share/g/t', 1)],
    });
  });

  it('U5-3.8.3.1-2 Retain Handling 3 is a Protocol Error', () => {
    refuses(frame(0x82, u16(1), pr(), s('t'), 0x30), protocol('U5-3.8.3.1-2'));
    encodeRefuses(subscribe({ topicFilter: 't', qos: 0, retainHandling: 3 }), 'U5-3.8.3.1-2', 0x82);
    accepts(frame(0x82, u16(1), pr(), s('t'), 0x2e), {
      type: 'subscribe',
      packetId: 1,
      subscriptions: [sub('t', 2, { noLocal: true, retainAsPublished: true, retainHandling: 2 })],
    });
  });

  it('MQTT-3.8.3-5 Subscription Options bits 6 and 7 are reserved', () => {
    for (const o of [0x40, 0x80, 0xc1]) refuses(frame(0x82, u16(1), pr(), s('t'), o), malformed('MQTT-3.8.3-5'));
    // every option set still leaves bits 6 and 7 clear
    const all = encode(subscribe({ topicFilter: 't', qos: 2, noLocal: true, retainAsPublished: true, retainHandling: 2 }) as Packet, v5);
    expect(all[all.length - 1]).toBe(0x2e);
  });

  it('U5-3.8.3-1 each Topic Filter obeys 4.7 and 4.8.2 (0x8F Topic Filter invalid)', () => {
    const bad: [string, string][] = [['a/#/b', 'MQTT-4.7.1-1'], ['a#', 'MQTT-4.7.1-1'], ['a+', 'MQTT-4.7.1-2'], ['+a', 'MQTT-4.7.1-2'],
      ['', 'MQTT-4.7.3-1'], ['$share//t', 'MQTT-4.8.2-1'], ['$share/g', 'MQTT-4.8.2-2']];
    for (const [filter, rule] of bad) {
      refuses(frame(0x82, u16(1), pr(), s('ok'), 0, s(filter), 0), protocol(rule, 0x8f));
      encodeRefuses(subscribe({ topicFilter: 'ok', qos: 0 }, { topicFilter: filter, qos: 0 }), rule, 0x8f);
    }
  });
});

describe('3.9 SUBACK', () => {
  it('U5-3.9-1 SUBACK is Packet Identifier, properties (Reason String once, User Property), then one or more Reason Codes', () => {
    checkBlock('suback');
    refuses(frame(0x90, u16(1), pr()), malformed('U5-3.9-1'));
    encodeRefuses({ type: 'suback', packetId: 1, reasonCodes: [] }, 'U5-3.9-1', 0x81);
    accepts(frame(0x90, u16(1), pr(0x1f, s('r')), 0, 1, 2), { type: 'suback', packetId: 1, reasonCodes: [0, 1, 2], properties: { reasonString: 'r' } });
  });
  it('MQTT-3.9.2-1 the Reason String is left out rather than exceed the client\'s Maximum Packet Size', () => checkFitDrops('suback', 'reasonString'));
  it('MQTT-3.9.2-2 User Properties are left out rather than exceed the client\'s Maximum Packet Size', () => checkFitDrops('suback', 'userProperties'));
  it('MQTT-3.9.3-2 each SUBACK code is a Subscribe Reason Code', () => {
    checkReasonCodes('suback', 'MQTT-3.9.3-2', (c) => frame(0x90, u16(1), pr(), 0, c), (c) => ({ type: 'suback', packetId: 1, reasonCodes: [0, c] }),
      (c) => ({ type: 'suback', packetId: 1, reasonCodes: [0, c] }));
  });
});

describe('3.10 UNSUBSCRIBE', () => {
  it('MQTT-3.10.1-1 UNSUBSCRIBE fixed-header flags must be 0010', () => {
    for (const first of [0xa0, 0xa1, 0xa3, 0xaa]) refuses(frame(first, u16(1), pr(), s('t')), malformed('MQTT-3.10.1-1'));
    expect(encode({ type: 'unsubscribe', packetId: 1, topicFilters: ['t'] }, v5)[0]).toBe(0xa2);
  });

  it('U5-3.10.2-1 UNSUBSCRIBE properties: User Property only', () => {
    checkNotAllowed('unsubscribe');
    refuses(frame(0xa2, u16(1), pr(0x0b, 1), s('t')), malformed('U5-3.10.2-1'));
    accepts(frame(0xa2, u16(1), pr(0x26, s('n'), s('v')), s('t')), {
      type: 'unsubscribe',
      packetId: 1,
      topicFilters: ['t'],
      properties: { userProperties: [['n', 'v']] },
    });
  });

  it('MQTT-3.10.3-1 Topic Filters are UTF-8 Encoded Strings packed back to back', () => {
    accepts(frame(0xa2, u16(1), pr(), s('a'), s('b/+'), s('#')), { type: 'unsubscribe', packetId: 1, topicFilters: ['a', 'b/+', '#'] });
    refuses(frame(0xa2, u16(1), pr(), s('a'), 0), malformed('U5-2-1'));
    refuses(frame(0xa2, u16(1), pr(), sRaw(0xf8)), malformed('MQTT-1.5.4-1'));
    encodeRefuses({ type: 'unsubscribe', packetId: 1, topicFilters: ['\udfff'] }, 'MQTT-1.5.4-1', 0x81);
  });

  it('MQTT-3.10.3-2 an UNSUBSCRIBE without Topic Filters is a Protocol Error', () => {
    refuses(frame(0xa2, u16(1), pr()), protocol('MQTT-3.10.3-2'));
    encodeRefuses({ type: 'unsubscribe', packetId: 1, topicFilters: [] }, 'MQTT-3.10.3-2', 0x82);
  });

  it('U5-3.10.3-1 each Topic Filter obeys 4.7 and 4.8.2 (0x8F)', () => {
    const bad: [string, string][] = [['#/a', 'MQTT-4.7.1-1'], ['a/b+', 'MQTT-4.7.1-2'], ['', 'MQTT-4.7.3-1'], ['$share/', 'MQTT-4.8.2-1'],
      ['$share/a#/b', 'MQTT-4.8.2-2']];
    for (const [filter, rule] of bad) {
      refuses(frame(0xa2, u16(1), pr(), s(filter)), protocol(rule, 0x8f));
      encodeRefuses({ type: 'unsubscribe', packetId: 1, topicFilters: [filter] }, rule, 0x8f);
    }
  });
});

describe('3.11 UNSUBACK', () => {
  it('U5-3.11-1 UNSUBACK is Packet Identifier, properties (Reason String once, User Property), then one or more Reason Codes', () => {
    checkBlock('unsuback');
    refuses(frame(0xb0, u16(1), pr()), malformed('U5-3.11-1'));
    // the 3.1.1 form (Packet Identifier only) is not a 5.0 UNSUBACK
    refuses(frame(0xb0, u16(1)), malformed('U5-2-1'));
    encodeRefuses({ type: 'unsuback', packetId: 1 }, 'U5-3.11-1', 0x81);
    accepts(frame(0xb0, u16(1), pr(), 0x00, 0x11), { type: 'unsuback', packetId: 1, reasonCodes: [0x00, 0x11] });
  });
  it('MQTT-3.11.2-1 the Reason String is left out rather than exceed the client\'s Maximum Packet Size', () => checkFitDrops('unsuback', 'reasonString'));
  it('MQTT-3.11.2-2 User Properties are left out rather than exceed the client\'s Maximum Packet Size', () => checkFitDrops('unsuback', 'userProperties'));
  it('MQTT-3.11.3-2 each UNSUBACK code is an Unsubscribe Reason Code', () => {
    checkReasonCodes('unsuback', 'MQTT-3.11.3-2', (c) => frame(0xb0, u16(1), pr(), c), (c) => ({ type: 'unsuback', packetId: 1, reasonCodes: [c] }),
      (c) => ({ type: 'unsuback', packetId: 1, reasonCodes: [c] }));
  });
});

describe('3.12 PINGREQ and 3.13 PINGRESP', () => {
  it('U5-3.12-1 PINGREQ is C0 00', () => {
    accepts(new Uint8Array([0xc0, 0x00]), { type: 'pingreq' });
    refuses(new Uint8Array([0xc0, 0x01, 0x00]), malformed('U5-2-1'));
    refuses(new Uint8Array([0xc2, 0x00]), malformed('MQTT-2.1.3-1'));
  });
  it('U5-3.13-1 PINGRESP is D0 00', () => {
    accepts(new Uint8Array([0xd0, 0x00]), { type: 'pingresp' });
    refuses(new Uint8Array([0xd0, 0x02, 0x00, 0x00]), malformed('U5-2-1'));
    refuses(new Uint8Array([0xd1, 0x00]), malformed('MQTT-2.1.3-1'));
  });
});

describe('3.14 DISCONNECT', () => {
  it('MQTT-3.14.1-1 DISCONNECT reserved flags must be 0', () => {
    for (const first of [0xe1, 0xe2, 0xe8]) refuses(frame(first), malformed('MQTT-3.14.1-1'));
    expect(encode({ type: 'disconnect', reasonCode: 0x04 }, v5)).toEqual(new Uint8Array([0xe0, 0x01, 0x04]));
  });

  it('U5-3.14.2-1 DISCONNECT has three forms: Remaining Length 0, 1 and >= 2', () => {
    accepts(frame(0xe0), { type: 'disconnect', reasonCode: 0 });
    accepts(frame(0xe0, 0x8d), { type: 'disconnect', reasonCode: 0x8d });
    accepts(frame(0xe0, 0x8d, pr(0x1f, s('r'))), { type: 'disconnect', reasonCode: 0x8d, properties: { reasonString: 'r' } });
    expect(decode(frame(0xe0, 0x00), v5)).toEqual({ type: 'disconnect', reasonCode: 0 });
    expect(decode(frame(0xe0, 0x8d, pr()), v5)).toEqual({ type: 'disconnect', reasonCode: 0x8d });
    refuses(frame(0xe0, 0x8d, 4, 0x11, 0, 0), malformed('U5-2.2.2-1'));
    refuses(frame(0xe0, 0x8d, pr(), 0), malformed('U5-2-1'));
  });

  it('MQTT-3.14.2-1 DISCONNECT carries only Disconnect Reason Codes', () => {
    checkReasonCodes('disconnect', 'MQTT-3.14.2-1', (c) => frame(0xe0, c), (c) => ({ type: 'disconnect', reasonCode: c }),
      (c) => ({ type: 'disconnect', reasonCode: c }));
  });

  it('U5-3.14.2.2-1 DISCONNECT properties: Session Expiry Interval, Reason String, Server Reference once, User Property', () => {
    checkBlock('disconnect');
  });

  it('MQTT-3.14.2-2 a client-role decoder refuses a DISCONNECT with Session Expiry Interval (only a client may send it)', () => {
    const f = frame(0xe0, 0x00, pr(0x11, u32(30)));
    expect(streamError({ version: 5, role: 'client' }, f)).toEqual(protocol('MQTT-3.14.2-2'));
    expect(new PacketDecoder({ version: 5, role: 'server' }).push(f)).toEqual([
      { type: 'disconnect', reasonCode: 0, properties: { sessionExpiryInterval: 30 } },
    ]);
  });

  it('MQTT-3.14.2-3 the Reason String is left out rather than exceed the Maximum Packet Size', () => checkFitDrops('disconnect', 'reasonString'));
  it('MQTT-3.14.2-4 User Properties are left out rather than exceed the Maximum Packet Size', () => checkFitDrops('disconnect', 'userProperties'));
});

describe('3.15 AUTH', () => {
  it('MQTT-3.15.1-1 AUTH fixed-header flags must be 0', () => {
    for (const first of [0xf1, 0xf2, 0xff]) refuses(frame(first), malformed('MQTT-3.15.1-1'));
  });

  it('U5-3.15.2-1 AUTH is either Remaining Length 0 or Reason Code, Property Length and properties', () => {
    accepts(frame(0xf0), { type: 'auth', reasonCode: 0 });
    refuses(frame(0xf0, 0x18), malformed('U5-3.15.2-1'));
    refuses(frame(0xf0, 0x00), malformed('U5-3.15.2-1'));
    accepts(frame(0xf0, 0x18, pr(0x15, s('m'))), { type: 'auth', reasonCode: 0x18, properties: { authenticationMethod: 'm' } });
    expect(encode({ type: 'auth', reasonCode: 0 }, v5)).toEqual(new Uint8Array([0xf0, 0x00]));
  });

  it('MQTT-3.15.2-1 AUTH carries only 0x00, 0x18 or 0x19', () => {
    checkReasonCodes('auth', 'MQTT-3.15.2-1', (c) => frame(0xf0, c, pr(0x15, s('m'))),
      (c) => ({ type: 'auth', reasonCode: c, properties: { authenticationMethod: 'm' } }),
      (c) => ({ type: 'auth', reasonCode: c, properties: { authenticationMethod: 'm' } }));
  });

  it('U5-3.15.2.2-1 AUTH properties: Authentication Method required and once, Authentication Data and Reason String once, User Property', () => {
    checkBlock('auth');
    refuses(frame(0xf0, 0x18, pr()), protocol('U5-3.15.2.2-1'));
    refuses(frame(0xf0, 0x19, pr(0x16, u16(1), 1, 0x1f, s('r'))), protocol('U5-3.15.2.2-1'));
    encodeRefuses({ type: 'auth', reasonCode: 0x18 }, 'U5-3.15.2.2-1', 0x82);
    encodeRefuses({ type: 'auth', reasonCode: 0x18, properties: { authenticationData: new Uint8Array([1]) } }, 'U5-3.15.2.2-1', 0x82);
  });

  it('MQTT-3.15.2-2 the Reason String is left out rather than exceed the Maximum Packet Size', () => checkFitDrops('auth', 'reasonString'));
  it('MQTT-3.15.2-3 User Properties are left out rather than exceed the Maximum Packet Size', () => checkFitDrops('auth', 'userProperties'));
});

describe('4.7 Topic Names and Topic Filters, 4.8.2 Shared Subscriptions', () => {
  const subscribeFrame = (filter: string) => frame(0x82, u16(1), pr(), s(filter), 0);
  const unsubscribeFrame = (filter: string) => frame(0xa2, u16(1), pr(), s(filter));
  const refusesFilter = (filter: string, rule: string) => {
    refuses(subscribeFrame(filter), protocol(rule, 0x8f));
    refuses(unsubscribeFrame(filter), protocol(rule, 0x8f));
    encodeRefuses({ type: 'subscribe', packetId: 1, subscriptions: [{ topicFilter: filter, qos: 0 }] }, rule, 0x8f);
    encodeRefuses({ type: 'unsubscribe', packetId: 1, topicFilters: [filter] }, rule, 0x8f);
  };
  const acceptsFilter = (filter: string) => {
    accepts(subscribeFrame(filter), { type: 'subscribe', packetId: 1, subscriptions: [sub(filter)] });
    accepts(unsubscribeFrame(filter), { type: 'unsubscribe', packetId: 1, topicFilters: [filter] });
  };

  it('MQTT-4.7.0-1 wildcards never appear in a Topic Name (PUBLISH, Will Topic): 0x90', () => {
    for (const name of ['#', '+', 'a/+', 'a/#']) {
      refuses(connect(0x06, pr(), s('c'), pr(), s(name), u16(0)), protocol('MQTT-4.7.0-1', 0x90));
      refuses(frame(0x30, s(name), pr()), protocol('MQTT-3.3.2-2', 0x90));
    }
  });

  it("MQTT-4.7.1-1 '#' is the whole filter or follows '/', and is last", () => {
    for (const f of ['a/#/b', 'a#', '#/', '##', 'a/b#']) refusesFilter(f, 'MQTT-4.7.1-1');
    for (const f of ['#', 'a/#', '/#', '+/#']) acceptsFilter(f);
  });

  it("MQTT-4.7.1-2 '+' fills a whole level; empty levels are legal", () => {
    for (const f of ['a+', '+a', 'a/+b/c', '++']) refusesFilter(f, 'MQTT-4.7.1-2');
    for (const f of ['+', '+/+', 'a/+/c', '/+', '+/', 'a//b', '/', '//']) acceptsFilter(f);
  });

  it('MQTT-4.7.3-1 Topic Names and Topic Filters are at least one character', () => {
    refusesFilter('', 'MQTT-4.7.3-1');
    refuses(connect(0x06, pr(), s('c'), pr(), s(''), u16(0)), protocol('MQTT-4.7.3-1'));
    encodeRefuses({ type: 'connect', protocolVersion: 5, clientId: 'c', clean: true, keepAlive: 0, will: { topic: '', payload: EMPTY, qos: 0, retain: false } },
      'MQTT-4.7.3-1', 0x82);
    refuses(frame(0x30, s(''), pr()), protocol('U5-3.3.2.1-1'));
  });

  it('MQTT-4.7.3-2 Topic Names and Topic Filters contain no U+0000', () => {
    refuses(frame(0x30, sRaw(0x61, 0x00, 0x62), pr()), malformed('MQTT-1.5.4-2'));
    refuses(frame(0x82, u16(1), pr(), sRaw(0x00), 0), malformed('MQTT-1.5.4-2'));
    refuses(frame(0xa2, u16(1), pr(), sRaw(0x61, 0x00)), malformed('MQTT-1.5.4-2'));
    refuses(connect(0x06, pr(), s('c'), pr(), sRaw(0x00), u16(0)), malformed('MQTT-1.5.4-2'));
    encodeRefuses(pub0('a\u0000b'), 'MQTT-1.5.4-2', 0x81);
    encodeRefuses({ type: 'subscribe', packetId: 1, subscriptions: [{ topicFilter: '\u0000', qos: 0 }] }, 'MQTT-1.5.4-2', 0x81);
  });

  it('MQTT-4.7.3-3 the encoder refuses Topic Names and Filters over 65,535 bytes', () => {
    const long = 'a/'.repeat(32768);
    encodeRefuses(pub0(long), 'U5-1.5.4-2', 0x81);
    encodeRefuses({ type: 'subscribe', packetId: 1, subscriptions: [{ topicFilter: long, qos: 0 }] }, 'U5-1.5.4-2', 0x81);
    encodeRefuses({ type: 'unsubscribe', packetId: 1, topicFilters: [long] }, 'U5-1.5.4-2', 0x81);
    const max = 'b'.repeat(65535);
    expect(decode(encode(pub0(max), v5), v5)).toEqual(pub0(max));
  });

  it('MQTT-4.7.3-4 topics decode without normalisation or substitution', () => {
    const composed = 'caf\u00e9';
    const decomposed = 'cafe\u0301';
    accepts(frame(0x30, s(composed), pr()), pub0(composed));
    accepts(frame(0x30, s(decomposed), pr()), pub0(decomposed));
    expect((decode(frame(0x30, s(decomposed), pr()), v5) as { topic: string }).topic).not.toBe(composed);
    // bad bytes are refused, never replaced by U+FFFD
    refuses(frame(0x30, sRaw(0x61, 0xff), pr()), malformed('MQTT-1.5.4-1'));
    accepts(frame(0x30, s('\ufffd'), pr()), pub0('\ufffd'));
  });

  it("MQTT-4.8.2-1 a Shared Subscription starts with '$share/' and has a ShareName of at least one character", () => {
    refusesFilter('$share//t', 'MQTT-4.8.2-1');
    refusesFilter('$share/', 'MQTT-4.8.2-1');
    acceptsFilter('$share/g/t');
    acceptsFilter('$share/consumer-1/a/+/#');
    // '$share' without the slash, or '$sharex/...', is an ordinary filter
    acceptsFilter('$share');
    acceptsFilter('$sharex/g');
  });

  it("MQTT-4.8.2-2 the ShareName has no '/', '+' or '#' and is followed by '/' and a valid Topic Filter", () => {
    for (const f of ['$share/g', '$share/g/', '$share/g+/t', '$share/#/t', '$share/a+b/t']) refusesFilter(f, 'MQTT-4.8.2-2');
    refusesFilter('$share/g/a#', 'MQTT-4.7.1-1');
    refusesFilter('$share/g/a+', 'MQTT-4.7.1-2');
    acceptsFilter('$share/g/#');
    acceptsFilter('$share/g//');
  });
});

describe('4.13 Errors', () => {
  it('MQTT-4.13.1-1 errors are classified so the caller can pick 0x81, 0x82 or the specific reason code', () => {
    const cases: [Uint8Array, Expected][] = [
      [frame(0x30, sRaw(0xff), pr()), malformed('MQTT-1.5.4-1')],
      [frame(0x82, u16(1), pr()), protocol('MQTT-3.8.3-2')],
      [frame(0x10, s('MQTT'), 9, 0x02, u16(0), pr(), s('c')), { code: 'unsupported-protocol-version', reasonCode: 0x84, rule: 'MQTT-3.1.2-2' }],
      [frame(0x82, u16(1), pr(), s('a#'), 0), protocol('MQTT-4.7.1-1', 0x8f)],
      [frame(0x30, s('a/+'), pr()), protocol('MQTT-3.3.2-2', 0x90)],
      [frame(0x30, s('t'), pr(0x23, u16(0))), protocol('MQTT-3.3.2-8', 0x94)],
    ];
    for (const [f, expected] of cases) {
      refuses(f, expected);
      expect(streamError({ version: 5 }, f)).toEqual(expected);
    }
    expect(streamError({ version: 5, maxPacketSize: 10 }, frame(0x30, s('t'), pr(), new Uint8Array(10)))).toEqual({
      code: 'packet-too-large',
      reasonCode: 0x95,
      rule: undefined,
    });
  });
});

describe('6 WebSocket and stream framing', () => {
  it('MQTT-6.0.0-2 packets are found whatever the chunk boundaries: several per chunk, or one across many', () => {
    const a = frame(0x30, s('a'), pr(), 0x31);
    const b = frame(0x40, u16(2), 0x10);
    const c = frame(0x30, s('c'), pr(0x26, s('k'), s('v')), new Uint8Array(300));
    const all = new Uint8Array([...a, ...b, ...c, ...frame(0xe0)]);
    const expected = [pub0('a', undefined, new Uint8Array([0x31])), { type: 'puback', packetId: 2, reasonCode: 0x10 },
      pub0('c', { userProperties: [['k', 'v']] }, new Uint8Array(300)), { type: 'disconnect', reasonCode: 0 }];
    for (const size of [1, 2, 3, 7, 64, all.length]) {
      const d = new PacketDecoder({ version: 5 });
      const got: Packet[] = [];
      for (let i = 0; i < all.length; i += size) got.push(...d.push(all.subarray(i, i + size)));
      d.end();
      expect(got).toEqual(expected);
    }
  });

  it('U5-STREAM-1 after a Remaining Length that cannot be decoded the stream stops for good', () => {
    const fifth = { code: 'malformed-packet', reasonCode: 0x81, rule: 'U5-1.5.5-1' } as const;
    const d = new PacketDecoder({ version: 5 });
    expect(errorOf(caught(() => d.push(new Uint8Array([0x30, 0xff, 0xff, 0xff, 0xff]))))).toEqual(fifth);
    expect(errorOf(caught(() => d.push(new Uint8Array([0xc0, 0x00]))))).toEqual(fifth);
    const s2 = new FrameSplitter({ version: 5 });
    expect(errorOf(caught(() => s2.push(new Uint8Array([0x30, 0x80, 0x00]))))).toEqual(malformed('MQTT-1.5.5-1'));
    expect(errorOf(caught(() => s2.push(new Uint8Array([0xc0, 0x00]))))).toEqual(malformed('MQTT-1.5.5-1'));
    const s3 = new FrameSplitter({ version: 5, maxPacketSize: 16 });
    const tooLarge = { code: 'packet-too-large', reasonCode: 0x95, rule: undefined } as const;
    expect(errorOf(caught(() => s3.push(new Uint8Array([0x30, 0x7f]))))).toEqual(tooLarge);
    expect(errorOf(caught(() => s3.push(new Uint8Array([0xc0, 0x00]))))).toEqual(tooLarge);
  });
});

describe('checklist coverage', () => {
  it('every codec-checkable row of conformance-50.tsv has a test named by its id in this file', () => {
    const source = readFileSync(__filename, 'utf8');
    const named = new Set<string>();
    for (const m of source.matchAll(/\bit\(\s*['"`]((?:MQTT|U5)-[0-9A-Z][\w.-]*?) /g)) named.add(m[1]!);
    const rows = tsv('conformance-50.tsv').filter((r) => r['codec_checkable'] === 'yes' || r['codec_checkable'] === 'partly');
    expect(rows.length).toBe(161);
    const missing = rows.map((r) => r['id']!).filter((id) => !named.has(id));
    expect(missing).toEqual([]);
  });
});
