// Byte vectors for MQTT 3.1.1 (level 4) and MQTT 3.1 (level 3): fixtures/vectors-311.json holds each frame as hex
// with the packet it stands for in the JSON form of src/json.ts. Each vector must decode to that packet, encode back
// to the same bytes, and agree with encodedLength and encodeInto.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  decode,
  encode,
  encodedLength,
  encodeInto,
  fromHex,
  packetFromJson,
  packetToJson,
  toHex,
  type Packet,
  type ProtocolVersion,
} from '../src/index.js';

interface Vector {
  name: string;
  version: ProtocolVersion;
  hex: string;
  packet: unknown;
}

const vectors = JSON.parse(readFileSync(join(__dirname, '..', 'fixtures', 'vectors-311.json'), 'utf8')) as Vector[];

describe('fixtures/vectors-311.json', () => {
  it('holds well-formed entries with unique names at levels 3 and 4 only', () => {
    expect(vectors.length).toBeGreaterThan(60);
    const names = new Set<string>();
    for (const v of vectors) {
      expect(typeof v.name).toBe('string');
      expect(names.has(v.name)).toBe(false);
      names.add(v.name);
      expect([3, 4]).toContain(v.version);
      expect(v.hex).toMatch(/^([0-9a-f]{2})+$/);
    }
  });

  it('covers every 3.x packet type at both levels', () => {
    const types = ['connect', 'connack', 'publish', 'puback', 'pubrec', 'pubrel', 'pubcomp', 'subscribe', 'suback', 'unsubscribe', 'unsuback', 'pingreq', 'pingresp', 'disconnect'];
    for (const version of [3, 4]) {
      const seen = new Set(vectors.filter((v) => v.version === version).map((v) => (v.packet as { type: string }).type));
      expect([...seen].sort()).toEqual([...types].sort());
    }
  });

  it('covers every CONNACK return code 0..5 and each SUBACK return code at level 4', () => {
    const v4 = vectors.filter((v) => v.version === 4).map((v) => packetFromJson(v.packet));
    const connack = new Set(v4.flatMap((p) => (p.type === 'connack' ? [p.reasonCode] : [])));
    expect([...connack].sort()).toEqual([0, 1, 2, 3, 4, 5]);
    const suback = new Set(v4.flatMap((p) => (p.type === 'suback' ? p.reasonCodes : [])));
    expect([...suback].sort((a, b) => a - b)).toEqual([0, 1, 2, 0x80]);
    const willQos = new Set(v4.flatMap((p) => (p.type === 'connect' && p.will !== undefined ? [`${p.will.qos}/${p.will.retain}`] : [])));
    for (const q of ['0/false', '0/true', '1/false', '1/true', '2/false', '2/true']) expect(willQos).toContain(q);
  });
});

for (const v of vectors) {
  describe(`level ${v.version}: ${v.name}`, () => {
    const bytes = fromHex(v.hex);
    const expected: Packet = packetFromJson(v.packet);
    const options = { version: v.version };

    it('decodes to the packet', () => {
      expect(decode(bytes, options)).toStrictEqual(expected);
    });

    it('decodes to the same JSON form', () => {
      expect(packetToJson(decode(bytes, options))).toStrictEqual(v.packet);
    });

    it('encodes to the exact bytes', () => {
      expect(toHex(encode(expected, options))).toBe(v.hex);
    });

    it('encodedLength is the frame length', () => {
      expect(encodedLength(expected, options)).toBe(bytes.length);
    });

    it('encodeInto writes the same bytes at an offset and nothing else', () => {
      const target = new Uint8Array(bytes.length + 7).fill(0xee);
      const written = encodeInto(expected, target, 3, options);
      expect(written).toBe(bytes.length);
      expect(toHex(target.subarray(3, 3 + written))).toBe(v.hex);
      expect([...target.subarray(0, 3), ...target.subarray(3 + written)]).toEqual([0xee, 0xee, 0xee, 0xee, 0xee, 0xee, 0xee]);
    });
  });
}

/**
 * Remaining Length boundaries (section 2.2.3, Table 2.4) that are too big to keep as hex: a QoS 0 PUBLISH to topic
 * 't' (3 bytes of variable header) whose payload fills the rest. The header bytes are the spec's table values.
 */
describe('Remaining Length boundaries (Table 2.4)', () => {
  const cases: [remainingLength: number, header: string][] = [
    [0, '30'], // not a PUBLISH: checked with PINGREQ below
    [127, '307f'],
    [128, '308001'],
    [16383, '30ff7f'],
    [16384, '30808001'],
    [2097151, '30ffff7f'],
    [2097152, '3080808001'],
  ];

  it('Remaining Length 0 is the single byte 00 (PINGREQ, DISCONNECT)', () => {
    expect(toHex(encode({ type: 'pingreq' }))).toBe('c000');
    expect(toHex(encode({ type: 'disconnect' }))).toBe('e000');
    expect(decode(fromHex('e000'))).toStrictEqual({ type: 'disconnect' });
  });

  for (const [remainingLength, header] of cases.slice(1)) {
    it(`Remaining Length ${remainingLength} is written and read as ${header.slice(2)}`, () => {
      const payload = new Uint8Array(remainingLength - 3);
      for (let i = 0; i < payload.length; i++) payload[i] = i & 0xff;
      const packet: Packet = { type: 'publish', topic: 't', payload, qos: 0, retain: false, dup: false };
      const frame = encode(packet);
      const headerBytes = header.length / 2;
      expect(frame.length).toBe(headerBytes + remainingLength);
      expect(toHex(frame.subarray(0, headerBytes + 3))).toBe(`${header}000174`);
      // Buffer.equals: an element-wise toStrictEqual over megabytes takes tens of seconds
      expect(Buffer.from(frame.subarray(headerBytes + 3)).equals(payload)).toBe(true);
      expect(encodedLength(packet)).toBe(frame.length);
      const target = new Uint8Array(frame.length + 1);
      expect(encodeInto(packet, target, 1)).toBe(frame.length);
      expect(Buffer.from(target.subarray(1)).equals(frame)).toBe(true);
      const decoded = decode(frame);
      expect({ ...decoded, payload: null }).toStrictEqual({ ...packet, payload: null });
      expect(decoded.type === 'publish' && Buffer.from(decoded.payload).equals(payload)).toBe(true);
    });
  }
});
