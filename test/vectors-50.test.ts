// MQTT 5.0 byte vectors (fixtures/vectors-50.json): each decodes to its packet, and the packet encodes back to the
// same bytes (or to `reencodeHex`, the shortest form, for vectors written in a longer form the spec allows).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  PROPERTY_TABLE,
  PacketDecoder,
  decode,
  encode,
  encodeInto,
  encodedLength,
  fromHex,
  packetFromJson,
  packetToJson,
  toHex,
  type Packet,
} from '../src/index.js';

interface Vector {
  name: string;
  version: 5;
  hex: string;
  packet: unknown;
  reencodeHex?: string;
  note?: string;
}

const vectors = JSON.parse(readFileSync(join(__dirname, '..', 'fixtures', 'vectors-50.json'), 'utf8')) as Vector[];
const v5 = { version: 5 } as const;

describe('MQTT 5.0 vectors', () => {
  for (const v of vectors) {
    describe(v.name, () => {
      const bytes = fromHex(v.hex);
      const expected = packetFromJson(v.packet);
      const shortest = v.reencodeHex ?? v.hex;

      it('decodes to the packet', () => {
        expect(v.version).toBe(5);
        const decoded = decode(bytes, v5);
        expect(decoded).toEqual(expected);
        expect(packetToJson(decoded)).toEqual(v.packet);
      });

      it('encodes to the bytes', () => {
        expect(toHex(encode(expected, v5))).toBe(shortest);
        expect(encodedLength(expected, v5)).toBe(shortest.length / 2);
      });

      it('encodeInto writes the same bytes at an offset and nothing else', () => {
        const size = shortest.length / 2;
        const target = new Uint8Array(size + 7).fill(0xaa);
        expect(encodeInto(expected, target, 3, v5)).toBe(size);
        expect(toHex(target.subarray(3, 3 + size))).toBe(shortest);
        expect([...target.subarray(0, 3), ...target.subarray(3 + size)]).toEqual([0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa]);
      });

      const reencodeHex = v.reencodeHex;
      if (reencodeHex !== undefined) {
        it('the shortest form decodes to the same packet', () => {
          // the encoder's form: shorter, or (for properties it writes grouped) as long and reordered
          expect(reencodeHex).not.toBe(v.hex);
          expect(reencodeHex.length).toBeLessThanOrEqual(v.hex.length);
          expect(decode(fromHex(reencodeHex), v5)).toEqual(expected);
        });
      }
    });
  }

  it('the vectors decode one after another from a stream cut into 3-byte chunks, after a 5.0 CONNECT', () => {
    const connect = vectors.find((v) => v.name === 'connect-all-properties')!;
    const all = [connect, ...vectors.filter((v) => v !== connect)];
    const stream = fromHex(all.map((v) => v.hex).join(''));
    // no version given: the decoder starts at level 4 and switches to 5 on the CONNECT
    const decoder = new PacketDecoder();
    const got: Packet[] = [];
    for (let i = 0; i < stream.length; i += 3) got.push(...decoder.push(stream.subarray(i, i + 3)));
    decoder.end();
    expect(decoder.version).toBe(5);
    expect(got).toEqual(all.map((v) => packetFromJson(v.packet)));
  });

  it('cover all fifteen packet types, every property and every property data type', () => {
    const types = new Set(vectors.map((v) => (v.packet as { type: string }).type));
    expect([...types].sort()).toEqual(
      ['auth', 'connack', 'connect', 'disconnect', 'pingreq', 'pingresp', 'puback', 'pubcomp', 'publish', 'pubrec', 'pubrel', 'suback',
        'subscribe', 'unsuback', 'unsubscribe'],
    );
    const keys = new Set<string>();
    for (const v of vectors) {
      const p = packetFromJson(v.packet) as Packet & { properties?: object; will?: { properties?: object } };
      for (const k of Object.keys(p.properties ?? {})) keys.add(k);
      for (const k of Object.keys(p.will?.properties ?? {})) keys.add(k);
    }
    const wanted = [...PROPERTY_TABLE.map((d) => d.key as string), 'subscriptionIdentifiers'].sort();
    expect([...keys].sort()).toEqual(wanted);
    const typesSeen = new Set(PROPERTY_TABLE.filter((d) => keys.has(d.key)).map((d) => d.type));
    expect([...typesSeen].sort()).toEqual(['binary', 'byte', 'pair', 'string', 'u16', 'u32', 'varint']);
    // the three short forms of each acknowledgement, DISCONNECT and AUTH
    const lengths = (type: string) =>
      new Set(vectors.filter((v) => (v.packet as { type: string }).type === type).map((v) => decodeRemainingLength(fromHex(v.hex))));
    for (const type of ['puback', 'pubrec', 'pubrel', 'pubcomp']) {
      const rl = lengths(type);
      expect([rl.has(2), rl.has(3), [...rl].some((n) => n >= 4)]).toEqual([true, true, true]);
    }
    const drl = lengths('disconnect');
    expect([drl.has(0), drl.has(1), [...drl].some((n) => n >= 2)]).toEqual([true, true, true]);
    const arl = lengths('auth');
    expect([arl.has(0), [...arl].some((n) => n >= 2)]).toEqual([true, true]);
  });
});

function decodeRemainingLength(frame: Uint8Array): number {
  let value = 0;
  let mul = 1;
  for (let i = 1; i < 5; i++) {
    const b = frame[i]!;
    value += (b & 0x7f) * mul;
    if (b < 0x80) return value;
    mul *= 128;
  }
  throw new Error('bad Remaining Length in vector');
}
