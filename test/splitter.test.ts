// FrameSplitter: whole frames out of arbitrary chunks. Awkward cuts (each commented), views versus copies, linear
// gathering, bounded memory against a hostile peer, poisoning, end() with a partial frame, stream offsets in errors,
// and a property: any partition of a stream into chunks gives back exactly its frames.
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { packetArbitrary } from '../src/arbitraries.js';
import {
  DEFAULT_MAX_PACKET_SIZE,
  FrameSplitter,
  MAX_PACKET_SIZE_LIMIT,
  MqttError,
  encode,
  fromHex,
  toHex,
  type Packet,
  type ProtocolVersion,
} from '../src/index.js';
import './support/byte-equality.js';
import { concat, thrown } from './support/helpers.js';

/** Cuts `bytes` at the given positions (duplicates give empty chunks). Chunks are fresh copies, as a socket gives. */
function cut(bytes: Uint8Array, positions: readonly number[]): Uint8Array[] {
  const chunks: Uint8Array[] = [];
  let from = 0;
  for (const p of positions) {
    chunks.push(bytes.slice(from, p));
    from = p;
  }
  chunks.push(bytes.slice(from));
  return chunks;
}

/** Pushes each chunk; returns, per push, the frames it returned as hex. */
function pushAll(splitter: FrameSplitter, chunks: readonly Uint8Array[]): string[][] {
  return chunks.map((c) => splitter.push(c).map(toHex));
}

const utf8 = (s: string) => new TextEncoder().encode(s);

// The stream every cut below is applied to. Sizes chosen so the Remaining Length takes 1, 2 and 3 bytes.
const PINGREQ = 'c000';
// PUBLISH QoS 1 'a/b' id 10, payload 'hi': 32 09 | 0003 612f62 | 000a | 6869
const PUBLISH_SMALL = '3209' + '0003612f62' + '000a' + '6869';
// SUBSCRIBE id 1, filter 'x/#' QoS 1: 82 08 | 0001 | 0003 782f23 | 01
const SUBSCRIBE = '8208' + '0001' + '0003782f23' + '01';
const publish200 = encode({ type: 'publish', topic: 't', payload: new Uint8Array(200).fill(0x41), qos: 0, retain: false, dup: false });
const publish20k = encode({ type: 'publish', topic: 'big', payload: new Uint8Array(20_000).fill(0x42), qos: 0, retain: false, dup: false });

describe('FrameSplitter fixtures', () => {
  it('the fixture frames have 1-, 2- and 3-byte Remaining Lengths', () => {
    // 200 + 3 = 203 = 0xcb 0x01; 20000 + 5 = 20005 = 0xa5 0x9c 0x01
    expect(toHex(publish200.subarray(0, 3))).toBe('30cb01');
    expect(toHex(publish20k.subarray(0, 4))).toBe('30a59c01');
    expect(toHex(encode({ type: 'publish', topic: 'a/b', payload: utf8('hi'), qos: 1, packetId: 10, retain: false, dup: false }))).toBe(PUBLISH_SMALL);
    expect(toHex(encode({ type: 'subscribe', packetId: 1, subscriptions: [{ topicFilter: 'x/#', qos: 1 }] }))).toBe(SUBSCRIBE);
  });
});

describe('FrameSplitter awkward cuts (U311-2.2.3-2, MQTT-6.0.0-2)', () => {
  it('three whole frames in one chunk come out in one push', () => {
    const s = new FrameSplitter();
    expect(pushAll(s, [fromHex(PINGREQ + PUBLISH_SMALL + SUBSCRIBE)])).toEqual([[PINGREQ, PUBLISH_SMALL, SUBSCRIBE]]);
    expect(s.buffered).toBe(0);
  });

  it('a cut right after the type byte waits for the Remaining Length', () => {
    // | 32 | 09 0003 612f62 000a 6869 |
    const s = new FrameSplitter();
    expect(pushAll(s, cut(fromHex(PUBLISH_SMALL), [1]))).toEqual([[], [PUBLISH_SMALL]]);
  });

  it('a cut inside a 2-byte Remaining Length waits, then gathers the frame', () => {
    // | c000 30 cb | 01 0001 74 41… | : the first length byte 0xcb has its continuation bit set
    const stream = concat([fromHex(PINGREQ), publish200]);
    const s = new FrameSplitter();
    expect(pushAll(s, cut(stream, [4]))).toEqual([[PINGREQ], [toHex(publish200)]]);
  });

  it('a 3-byte Remaining Length cut after each of its bytes', () => {
    // | 30 | a5 | 9c | 01 0003 626967 42… |
    const s = new FrameSplitter();
    const pushes = pushAll(s, cut(publish20k, [1, 2, 3]));
    expect(pushes).toEqual([[], [], [], [toHex(publish20k)]]);
  });

  it('a cut inside a string length (the topic length 0003 of a PUBLISH) changes nothing for the splitter', () => {
    // | 3209 00 | 03 612f62 000a 6869 8208… |
    const stream = fromHex(PUBLISH_SMALL + SUBSCRIBE);
    const s = new FrameSplitter();
    expect(pushAll(s, cut(stream, [3]))).toEqual([[], [PUBLISH_SMALL, SUBSCRIBE]]);
  });

  it('a cut inside the Packet Identifier, then a chunk that ends one frame and starts the next header', () => {
    // | 3209 0003612f62 00 | 0a 6869 82 | 08 0001 0003782f23 01 |
    const stream = fromHex(PUBLISH_SMALL + SUBSCRIBE);
    const s = new FrameSplitter();
    expect(pushAll(s, cut(stream, [8, 12]))).toEqual([[], [PUBLISH_SMALL], [SUBSCRIBE]]);
  });

  it('cuts exactly on frame boundaries return one frame per push and hold nothing', () => {
    // | c000 | 3209… | 8208… |
    const s = new FrameSplitter();
    expect(pushAll(s, cut(fromHex(PINGREQ + PUBLISH_SMALL + SUBSCRIBE), [2, 13]))).toEqual([[PINGREQ], [PUBLISH_SMALL], [SUBSCRIBE]]);
    expect(s.buffered).toBe(0);
  });

  it('empty chunks anywhere, including between the bytes of a Remaining Length, return nothing and change nothing', () => {
    // | (empty) | c0 | (empty) | 00 30 | (empty) | cb | (empty) | 01 … |
    const stream = concat([fromHex(PINGREQ), publish200]);
    const s = new FrameSplitter();
    expect(pushAll(s, cut(stream, [0, 1, 1, 3, 3, 4, 4]))).toEqual([[], [], [], [PINGREQ], [], [], [], [toHex(publish200)]]);
  });

  it('1-byte chunks: every frame comes out on the push of its last byte', () => {
    const frames = [PINGREQ, PUBLISH_SMALL, SUBSCRIBE, toHex(publish200)];
    const stream = fromHex(frames.join(''));
    const s = new FrameSplitter();
    const out: string[] = [];
    const completedAt: number[] = [];
    for (let i = 0; i < stream.length; i++) {
      const got = s.push(stream.subarray(i, i + 1)).map(toHex);
      if (got.length > 0) completedAt.push(i);
      out.push(...got);
    }
    expect(out).toEqual(frames);
    // last byte of each frame: 1, 1 + 11, 12 + 10, 22 + 206
    expect(completedAt).toEqual([1, 12, 22, 228]);
    s.end();
  });

  it('a frame of Remaining Length 0 after a split header: c0 | 00', () => {
    const s = new FrameSplitter();
    expect(pushAll(s, [fromHex('c0'), fromHex('00c0'), fromHex('00')])).toEqual([[], [PINGREQ], [PINGREQ]]);
  });
});

describe('FrameSplitter views and copies', () => {
  it('frames inside one chunk are views of it (same buffer, no copy)', () => {
    const chunk = fromHex(PINGREQ + PUBLISH_SMALL + SUBSCRIBE);
    const frames = new FrameSplitter().push(chunk);
    expect(frames.map((f) => f.buffer === chunk.buffer)).toEqual([true, true, true]);
    expect(frames.map((f) => [f.byteOffset, f.length])).toEqual([
      [0, 2],
      [2, 11],
      [13, 10],
    ]);
  });

  it('a view follows the chunk it views (documented: chunks must not be modified after push)', () => {
    const chunk = fromHex(PUBLISH_SMALL);
    const [frame] = new FrameSplitter().push(chunk);
    chunk[10] = 0x21;
    expect(frame![10]).toBe(0x21);
  });

  it('a frame spread over chunks is a fresh array of exactly its size, sharing no buffer with the chunks', () => {
    const chunks = cut(publish20k, [2, 5000, 12000]);
    const s = new FrameSplitter();
    const out = chunks.flatMap((c) => s.push(c));
    expect(out).toHaveLength(1);
    const frame = out[0]!;
    expect(frame).toEqual(publish20k);
    expect(frame.byteOffset).toBe(0);
    expect(frame.buffer.byteLength).toBe(publish20k.length);
    for (const c of chunks) expect(frame.buffer === c.buffer).toBe(false);
  });

  it('frames after a gathered one in the same chunk are views of that chunk', () => {
    const stream = fromHex(PUBLISH_SMALL + PINGREQ + SUBSCRIBE);
    const chunks = cut(stream, [5]);
    const s = new FrameSplitter();
    expect(s.push(chunks[0]!)).toEqual([]);
    const frames = s.push(chunks[1]!);
    expect(frames.map(toHex)).toEqual([PUBLISH_SMALL, PINGREQ, SUBSCRIBE]);
    expect(frames.map((f) => f.buffer === chunks[1]!.buffer)).toEqual([false, true, true]);
  });
});

describe('FrameSplitter gathers linearly', () => {
  // Counts the bytes every Uint8Array#set copies while `f` runs: the splitter's only way of copying.
  const originalSet = Uint8Array.prototype.set;
  afterEach(() => {
    Uint8Array.prototype.set = originalSet;
  });
  function bytesCopiedBy(f: () => void): number {
    let copied = 0;
    Uint8Array.prototype.set = function set(this: Uint8Array, source: ArrayLike<number>, offset?: number) {
      copied += source.length;
      originalSet.call(this, source, offset);
    } as typeof originalSet;
    try {
      f();
    } finally {
      Uint8Array.prototype.set = originalSet;
    }
    return copied;
  }

  // 1 + 3 length bytes + 2 + 1 topic bytes + payload = exactly 1 MiB, the default limit
  const MiB = 1024 * 1024;
  const frame1MiB = encode({ type: 'publish', topic: 't', payload: new Uint8Array(MiB - 7).fill(0x5a), qos: 0, retain: false, dup: false });

  it('the 1 MiB fixture is exactly DEFAULT_MAX_PACKET_SIZE bytes', () => {
    expect(frame1MiB.length).toBe(MiB);
    expect(DEFAULT_MAX_PACKET_SIZE).toBe(MiB);
  });

  it('a 1 MiB frame fed one byte per push: buffered grows by one per byte, bytes copied stay under twice the frame', () => {
    const s = new FrameSplitter();
    const out: Uint8Array[] = [];
    const copied = bytesCopiedBy(() => {
      for (let i = 0; i < MiB; i++) {
        const got = s.push(frame1MiB.subarray(i, i + 1));
        if (got.length > 0) out.push(...got);
        else if (s.buffered !== i + 1) throw new Error(`buffered ${s.buffered} after ${i + 1} bytes`);
      }
    });
    expect(out).toHaveLength(1);
    expect(out[0]).toEqual(frame1MiB);
    expect(s.buffered).toBe(0);
    // Each byte is copied into a staging block and once more into the frame; a splitter that re-joined what it
    // holds on every push would copy ~MiB²/2 bytes here.
    expect(copied).toBeGreaterThanOrEqual(MiB);
    expect(copied).toBeLessThanOrEqual(2 * MiB + 64);
  });

  it('a frame in a few large chunks is gathered once: exactly its size is copied', () => {
    const s = new FrameSplitter();
    const chunks = cut(frame1MiB, [100_000, 500_000, 900_000]);
    let out: Uint8Array[] = [];
    const copied = bytesCopiedBy(() => {
      out = chunks.flatMap((c) => s.push(c));
    });
    expect(out).toHaveLength(1);
    expect(out[0]).toEqual(frame1MiB);
    expect(copied).toBe(MiB);
  });

  it('frames inside one chunk are never copied', () => {
    const chunk = concat([publish20k, publish200, publish20k]);
    const s = new FrameSplitter();
    expect(bytesCopiedBy(() => expect(s.push(chunk)).toHaveLength(3))).toBe(0);
  });
});

describe('FrameSplitter bounded memory', () => {
  it('a huge declared Remaining Length is refused at the header with packet-too-large 0x95, before any body byte', () => {
    const s = new FrameSplitter();
    // 30 ff ff ff 7f declares 268,435,455 bytes: the largest Remaining Length there is
    expect(s.push(fromHex('30ffff'))).toEqual([]);
    expect(s.buffered).toBe(3);
    const e = thrown(() => s.push(fromHex('ff7f')));
    expect(e.code).toBe('packet-too-large');
    expect(e.reasonCode).toBe(0x95);
    expect(e.offset).toBe(0);
    expect(e.message).toContain(`packet of ${MAX_PACKET_SIZE_LIMIT} bytes exceeds the maximum packet size of ${DEFAULT_MAX_PACKET_SIZE} bytes`);
    expect(s.buffered).toBe(0);
    // the peer trickles body bytes: every one is refused with the same error, nothing is held
    for (let i = 0; i < 100; i++) {
      expect(thrown(() => s.push(new Uint8Array([i])))).toBe(e);
      expect(s.buffered).toBe(0);
    }
  });

  it('the limit counts the whole packet: header plus Remaining Length', () => {
    // limit 100: 30 62 declares 98 body bytes = 100 in all (accepted); 30 63 = 101 (refused at once)
    const ok = new FrameSplitter({ maxPacketSize: 100 });
    expect(ok.push(fromHex('3062'))).toEqual([]);
    expect(ok.buffered).toBe(2);
    const refused = new FrameSplitter({ maxPacketSize: 100 });
    const e = thrown(() => refused.push(fromHex('3063')));
    expect([e.code, e.reasonCode, e.offset]).toEqual(['packet-too-large', 0x95, 0]);
  });

  it('a frame of the largest allowed size is held to one byte short of it, never more, then returned', () => {
    const max = 4096;
    const frame = encode({ type: 'publish', topic: 't', payload: new Uint8Array(max - 6).fill(7), qos: 0, retain: false, dup: false });
    expect(frame.length).toBe(max);
    const s = new FrameSplitter({ maxPacketSize: max });
    let peak = 0;
    const out: Uint8Array[] = [];
    for (let i = 0; i < frame.length; i += 3) {
      out.push(...s.push(frame.subarray(i, i + 3)));
      peak = Math.max(peak, s.buffered);
    }
    expect(out).toEqual([frame]);
    expect(peak).toBe(max - 1);
  });

  it('nothing is allocated from a declared length: after a 1 MiB declaration, allocations stay within twice the bytes received', () => {
    const NativeUint8Array = Uint8Array;
    let allocated = 0;
    // sum every Uint8Array the splitter allocates by length (the global is looked up at call time)
    globalThis.Uint8Array = new Proxy(NativeUint8Array, {
      construct(target, args: unknown[]) {
        if (typeof args[0] === 'number') allocated += args[0];
        return Reflect.construct(target, args) as object;
      },
    });
    const s = new FrameSplitter();
    const trace: [received: number, allocated: number][] = [];
    try {
      // 30 f8 ff 3f: Remaining Length 1,048,568, a 1,048,572-byte packet under the 1 MiB limit; then a trickle of body bytes
      s.push(new NativeUint8Array([0x30, 0xf8, 0xff, 0x3f]));
      trace.push([4, allocated]);
      for (let i = 1; i <= 3000; i++) {
        s.push(new NativeUint8Array([i & 0xff]));
        trace.push([4 + i, allocated]);
      }
    } finally {
      globalThis.Uint8Array = NativeUint8Array;
    }
    expect(s.buffered).toBe(3004);
    for (const [received, total] of trace) {
      if (total > 2 * received + 128) throw new Error(`${total} bytes allocated after receiving ${received}`);
    }
    expect(trace.at(-1)![1]).toBeGreaterThanOrEqual(3004);
  });

  it('an endless stream of valid frames holds at most one partial frame: buffered is the bytes since the last boundary', () => {
    // 3000 frames of sizes 2..20007 in chunks of varying sizes; after each push the splitter holds exactly the
    // bytes of the frame in progress
    let state = 42; // a fixed linear congruential sequence: the same stream and cuts on every run
    const next = (n: number) => {
      state = (state * 1103515245 + 12345) % 2 ** 31;
      return state % n;
    };
    const kinds = [fromHex(PINGREQ), fromHex(PUBLISH_SMALL), fromHex(SUBSCRIBE), publish200, publish20k];
    const frames = Array.from({ length: 3000 }, () => kinds[next(kinds.length)]!);
    const boundaries: number[] = [];
    let end = 0;
    for (const f of frames) boundaries.push((end += f.length));
    const stream = concat(frames);
    const s = new FrameSplitter();
    let pos = 0;
    let b = 0;
    let count = 0;
    while (pos < stream.length) {
      const size = [0, 1, 3, 50, 700, 4096, 30000][next(7)]!;
      count += s.push(stream.subarray(pos, pos + size)).length;
      pos = Math.min(stream.length, pos + size);
      while (b < boundaries.length && boundaries[b]! <= pos) b++;
      const lastBoundary = b === 0 ? 0 : boundaries[b - 1]!;
      if (s.buffered !== pos - lastBoundary) throw new Error(`at ${pos}: buffered ${s.buffered}, expected ${pos - lastBoundary}`);
    }
    expect(count).toBe(frames.length);
    expect(s.buffered).toBe(0);
  });

  it('maxPacketSize must be an integer of at least 2, and is capped at the protocol limit', () => {
    for (const bad of [0, 1, 1.5, Number.NaN, -4]) {
      expect(thrown(() => new FrameSplitter({ maxPacketSize: bad })).code).toBe('invalid-packet');
    }
    expect(new FrameSplitter({ maxPacketSize: 2 ** 40 }).maxPacketSize).toBe(MAX_PACKET_SIZE_LIMIT);
    expect(new FrameSplitter().maxPacketSize).toBe(DEFAULT_MAX_PACKET_SIZE);
  });
});

describe('FrameSplitter malformed Remaining Length', () => {
  it('U311-2.2.3-1 a continuation bit on the fourth length byte is malformed at once, without waiting for a fifth', () => {
    const s = new FrameSplitter();
    const e = thrown(() => s.push(fromHex('3080808080')));
    expect([e.code, e.reasonCode, e.rule, e.offset]).toEqual(['malformed-packet', 0x81, 'U311-2.2.3-1', 4]);
  });

  it('U5-1.5.5-1 the same at level 5, with the 5.0 rule id', () => {
    const s = new FrameSplitter({ version: 5 });
    const e = thrown(() => s.push(fromHex('3080808080')));
    expect([e.code, e.reasonCode, e.rule, e.offset]).toEqual(['malformed-packet', 0x81, 'U5-1.5.5-1', 4]);
  });

  it('U311-2.2.3-1 the fourth length byte arriving alone in its own chunk fails on that push', () => {
    const s = new FrameSplitter();
    for (const b of ['30', '80', '80', '80']) expect(s.push(fromHex(b))).toEqual([]);
    expect(s.buffered).toBe(4);
    const e = thrown(() => s.push(fromHex('80')));
    expect([e.code, e.rule, e.offset]).toEqual(['malformed-packet', 'U311-2.2.3-1', 4]);
  });

  it('MQTT-1.5.5-1 a padded (non-minimal) Remaining Length is malformed, also split across chunks', () => {
    // 30 80 00: value 0 in two bytes
    const whole = thrown(() => new FrameSplitter({ version: 5 }).push(fromHex('308000')));
    expect([whole.code, whole.rule, whole.offset]).toEqual(['malformed-packet', 'MQTT-1.5.5-1', 2]);
    const split = new FrameSplitter({ version: 5 });
    split.push(fromHex('3080'));
    const e = thrown(() => split.push(fromHex('00')));
    expect([e.code, e.rule, e.offset]).toEqual(['malformed-packet', 'MQTT-1.5.5-1', 2]);
  });
});

describe('FrameSplitter poisoning (U311-STREAM-1, U5-STREAM-1)', () => {
  it('after an error every push and end() throw the same error', () => {
    const s = new FrameSplitter();
    const e = thrown(() => s.push(fromHex(PINGREQ + '3080808080' + PINGREQ)));
    expect(thrown(() => s.push(new Uint8Array(0)))).toBe(e);
    expect(thrown(() => s.push(fromHex(PINGREQ)))).toBe(e);
    expect(thrown(() => s.end())).toBe(e);
    expect(s.buffered).toBe(0);
  });

  it('a chunk that is not a Uint8Array is refused with invalid-packet and does not poison', () => {
    const s = new FrameSplitter();
    expect(thrown(() => s.push('c000' as unknown as Uint8Array)).code).toBe('invalid-packet');
    expect(s.push(fromHex(PINGREQ)).map(toHex)).toEqual([PINGREQ]);
  });
});

describe('FrameSplitter end()', () => {
  it('end() on a frame boundary is silent', () => {
    const s = new FrameSplitter();
    s.push(fromHex(PINGREQ + PUBLISH_SMALL));
    expect(() => s.end()).not.toThrow();
  });

  it('end() inside a frame body: malformed U311-2-1 at the stream offset where the partial frame starts', () => {
    const s = new FrameSplitter();
    s.push(fromHex(PINGREQ + PUBLISH_SMALL.slice(0, 10)));
    const e = thrown(() => s.end());
    expect([e.code, e.reasonCode, e.rule, e.offset]).toEqual(['malformed-packet', 0x81, 'U311-2-1', 2]);
    expect(e.message).toContain('stream ended inside a frame: 5 byte(s) of a 11-byte frame buffered');
    expect(thrown(() => s.push(fromHex(PINGREQ)))).toBe(e);
  });

  it('end() inside a split header at level 5: U5-2-1, the offset of the type byte', () => {
    const s = new FrameSplitter({ version: 5 });
    s.push(fromHex(PINGREQ + PINGREQ + '30'));
    s.push(fromHex('cb'));
    const e = thrown(() => s.end());
    expect([e.code, e.rule, e.offset]).toEqual(['malformed-packet', 'U5-2-1', 4]);
    expect(e.message).toContain('2 byte(s) of an unfinished header');
  });
});

describe('FrameSplitter error offsets are stream offsets', () => {
  it('a bad header after three frames in one chunk, and the same bytes in 1-byte chunks, report the same offset', () => {
    const prefix = PINGREQ + PUBLISH_SMALL + SUBSCRIBE; // 23 bytes
    const stream = fromHex(prefix + '3080808080');
    const whole = thrown(() => new FrameSplitter().push(stream));
    expect(whole.offset).toBe(23 + 4);
    const s = new FrameSplitter();
    const bytewise = thrown(() => {
      for (let i = 0; i < stream.length; i++) s.push(stream.subarray(i, i + 1));
    });
    expect(bytewise.offset).toBe(23 + 4);
    expect(s.offset).toBe(stream.length);
  });

  it('packet-too-large points at the first byte of the refused frame, wherever the chunks fell', () => {
    const stream = concat([fromHex(PINGREQ), publish200, publish20k]);
    for (const positions of [[], [1], [3, 205], [204], [205, 206, 207]]) {
      const s = new FrameSplitter({ maxPacketSize: 1000 });
      const e = thrown(() => cut(stream, positions).forEach((c) => s.push(c)));
      expect([e.code, e.offset]).toEqual(['packet-too-large', 2 + publish200.length]);
    }
  });

  it('offset counts every byte pushed, empty chunks included', () => {
    const s = new FrameSplitter();
    s.push(new Uint8Array(0));
    s.push(fromHex(PINGREQ + '32'));
    expect([s.offset, s.buffered]).toEqual([3, 1]);
  });
});

describe('FrameSplitter property', () => {
  const streamArb = (version: ProtocolVersion) =>
    fc.array(packetArbitrary(version), { minLength: 1, maxLength: 12 }).map((packets: Packet[]) => packets.map((p) => encode(p, { version })));
  // chunk sizes: empty and 1-byte chunks often, header-sized and larger ones too
  const sizesArb = fc.array(fc.oneof(fc.constant(0), fc.constant(1), fc.integer({ min: 2, max: 6 }), fc.integer({ min: 0, max: 3000 })), {
    maxLength: 300,
  });

  for (const version of [4, 5] as const) {
    it(`MQTT-6.0.0-2 any partition of a level-${version} stream into chunks yields exactly its frames`, () => {
      fc.assert(
        fc.property(streamArb(version), sizesArb, (frames, sizes) => {
          const stream = concat(frames);
          const positions: number[] = [];
          let p = 0;
          for (const n of sizes) positions.push((p = Math.min(stream.length, p + n)));
          const s = new FrameSplitter({ version, maxPacketSize: MAX_PACKET_SIZE_LIMIT });
          const out = cut(stream, positions).flatMap((c) => s.push(c));
          s.end();
          expect(out).toEqual(frames);
        }),
        { numRuns: 150 },
      );
    });
  }
});
