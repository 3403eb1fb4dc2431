// The strict UTF-8 layer has two paths each way, chosen by length (NATIVE_DECODE_MIN, NATIVE_ENCODE_MIN in
// src/wire/utf8.ts, tuned by `npm run bench`). Moving a constant must not change a result or an error, so the two
// paths are held equal here on any input: same string or same fault (MQTT-1.5.3-1/-2, MQTT-1.5.4-1/-2).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decode, encode, type PublishPacket } from '../src/index.js';
import { HAS_NULL, decodeUtf8, decodeUtf8Cached, decodeUtf8Hand, decodeUtf8Native, encodeUtf8Hand, encodeUtf8Native, utf8Length } from '../src/wire/utf8.js';

/** What one path makes of `bytes`: the string, or the fault it reports. */
function outcome(path: typeof decodeUtf8Hand, bytes: Uint8Array): string {
  const s = path(bytes, 0, bytes.length);
  return typeof s === 'string' ? `ok:${s}` : `fault:${s === HAS_NULL ? 'null' : 'ill-formed'}`;
}

// Bytes that are mostly UTF-8 with faults put in: U+0000, stray continuation bytes, overlong and surrogate
// encodings, leads that never start a character, sequences cut short.
const FAULTS = [[0x00], [0x80], [0xbf], [0xc0, 0x80], [0xc1, 0xbf], [0xe0, 0x80, 0x80], [0xed, 0xa0, 0x80], [0xf4, 0x90, 0x80, 0x80], [0xf5], [0xff], [0xe2, 0x82], [0xf0, 0x9f]];
const enc = new TextEncoder();
const piece = fc.oneof(
  fc.string({ unit: 'grapheme', maxLength: 8 }).map((s) => enc.encode(s.replace(/\0/g, ''))),
  fc.constantFrom(...FAULTS).map((b) => Uint8Array.from(b)),
  fc.uint8Array({ maxLength: 4 }),
);
const mixedBytes = fc.array(piece, { maxLength: 40 }).map((parts) => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
});

describe('strict UTF-8: the hand and native paths agree', () => {
  it('MQTT-1.5.4-1 MQTT-1.5.4-2 decoding: the same string or the same fault for any bytes, at any length', () => {
    fc.assert(
      fc.property(mixedBytes, (bytes) => {
        expect(outcome(decodeUtf8Native, bytes)).toBe(outcome(decodeUtf8Hand, bytes));
      }),
      { numRuns: 3000 },
    );
  });

  it('MQTT-1.5.4-1 MQTT-1.5.4-2 the string cache: the same outcome as decodeUtf8 for any bytes, however often and in whatever order they come', () => {
    // a small pool of byte strings (valid, faulty, and strings of one length that may share a slot) decoded in a
    // random order, each from a different offset of a fresh buffer: a cached answer must always be the right one
    const pool = fc.array(mixedBytes, { minLength: 1, maxLength: 12 });
    fc.assert(
      fc.property(pool, fc.array(fc.nat(), { minLength: 1, maxLength: 60 }), fc.nat(7), (bytes, order, pad) => {
        for (const k of order) {
          const b = bytes[k % bytes.length]!;
          const framed = new Uint8Array(pad + b.length + 3).fill(0x61);
          framed.set(b, pad);
          expect(decodeUtf8Cached(framed, pad, pad + b.length)).toEqual(decodeUtf8(b, 0, b.length));
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('the string cache: 4,096 distinct ASCII strings of one length, each decoded twice in turn, come back as themselves', () => {
    const ascii = (i: number) => `k${i.toString(36).padStart(6, '0')}`;
    for (let round = 0; round < 2; round++) {
      for (let i = 0; i < 4096; i++) {
        const b = enc.encode(ascii(i));
        expect(decodeUtf8Cached(b, 0, b.length)).toBe(ascii(i));
      }
    }
  });

  it('MQTT-1.5.3-1 MQTT-1.5.3-2 the first fault in order decides, on both sides of NATIVE_DECODE_MIN', () => {
    // an ill-formed byte before a U+0000 is reported as ill-formed, whatever the length of the string
    for (const n of [1, 31, 32, 63, 64, 65, 200]) {
      const illFirst = Uint8Array.from([...new Array<number>(n).fill(0x61), 0xff, 0x00]);
      const nullFirst = Uint8Array.from([...new Array<number>(n).fill(0x61), 0x00, 0xff]);
      const cutByNull = Uint8Array.from([...new Array<number>(n).fill(0x61), 0xe2, 0x82, 0x00]);
      for (const path of [decodeUtf8Hand, decodeUtf8Native]) {
        expect(outcome(path, illFirst)).toBe('fault:ill-formed');
        expect(outcome(path, nullFirst)).toBe('fault:null');
        expect(outcome(path, cutByNull)).toBe('fault:ill-formed');
      }
      // and through the codec: a PUBLISH topic of that string, at 3.1.1 and 5.0
      const topic = (b: Uint8Array, v5: boolean): Uint8Array => {
        const body = [b.length >> 8, b.length & 0xff, ...b, ...(v5 ? [0] : [])];
        return Uint8Array.from([0x30, ...(body.length < 128 ? [body.length] : [(body.length & 0x7f) | 0x80, body.length >> 7]), ...body]);
      };
      expect(() => decode(topic(illFirst, false))).toThrow(expect.objectContaining({ rule: 'MQTT-1.5.3-1' }));
      expect(() => decode(topic(nullFirst, false))).toThrow(expect.objectContaining({ rule: 'MQTT-1.5.3-2' }));
      expect(() => decode(topic(illFirst, true), { version: 5 })).toThrow(expect.objectContaining({ rule: 'MQTT-1.5.4-1' }));
      expect(() => decode(topic(nullFirst, true), { version: 5 })).toThrow(expect.objectContaining({ rule: 'MQTT-1.5.4-2' }));
    }
  });

  it('encoding: both paths write the same bytes as TextEncoder for any string the encoder accepts', () => {
    const buf = new Uint8Array(4 * 200 + 8);
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 200 }), (s) => {
        fc.pre(utf8Length(s) >= 0);
        const want = enc.encode(s);
        const hand = encodeUtf8Hand(s, buf, 3);
        expect(hand - 3).toBe(want.length);
        expect(buf.subarray(3, hand)).toEqual(want);
        const native = encodeUtf8Native(s, buf, 3);
        expect(native).toBe(hand);
        expect(buf.subarray(3, native)).toEqual(want);
      }),
      { numRuns: 2000 },
    );
  });

  it('a PUBLISH topic round-trips on both sides of both constants', () => {
    for (const n of [31, 32, 33, 63, 64, 65, 130]) {
      for (const unit of ['a', 'é', '€', '😀']) {
        // n code units or just over, never cutting a surrogate pair
        const name = unit.repeat(Math.ceil(n / unit.length));
        const packet: PublishPacket = { type: 'publish', topic: name, payload: new Uint8Array([1]), qos: 0, retain: false, dup: false };
        expect((decode(encode(packet)) as PublishPacket).topic).toBe(name);
      }
    }
  });
});
