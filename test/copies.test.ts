// Copies of payload bytes made by PacketDecoder, counted by wrapping every way JavaScript copies typed-array bytes
// (test/support/copy-counter.ts) while the decoder takes the chunks. The chunks are cut before counting starts.
import { describe, expect, it } from 'vitest';
import { PacketDecoder, encode, type PublishPacket } from '../src/index.js';
import { countCopies } from './support/copy-counter.js';

const MiB = 1024 * 1024;
const topic = 'firmware/device-42/image';
/** Fixed header 1 + 3 (Remaining Length of 1 MiB - 4), topic length 2 + 24: the payload starts at byte 30. */
const PAYLOAD_AT = 4 + 2 + topic.length;
// the frame is exactly 1 MiB, the decoder's default maxPacketSize
const payload = new Uint8Array(MiB - PAYLOAD_AT).map((_, i) => (i * 7) & 0xff);
const frame = encode({ type: 'publish', topic, payload, qos: 0, retain: false, dup: false });

/** `frame` cut into pieces of `size` bytes, each in a buffer of its own as a socket delivers them. */
function cut(size: number): Uint8Array[] {
  const chunks: Uint8Array[] = [];
  for (let i = 0; i < frame.length; i += size) chunks.push(frame.slice(i, i + size));
  return chunks;
}

/** Pushes `chunks` into a new PacketDecoder, counting copies; returns the one packet and the copies. */
function decodeCounting(chunks: readonly Uint8Array[], copy = false) {
  const decoder = new PacketDecoder({ copy });
  const counted = countCopies(() => chunks.flatMap((c) => decoder.push(c)));
  expect(counted.result).toHaveLength(1);
  const packet = counted.result[0] as PublishPacket;
  // the payload arrived intact whatever was copied
  expect(packet.payload.length).toBe(payload.length);
  expect(Buffer.compare(packet.payload, payload)).toBe(0);
  return { packet, copies: counted.copies, bytes: counted.bytes };
}

describe('the copy counter', () => {
  it('counts every copying form, and neither views nor allocations', () => {
    const a = new Uint8Array(10);
    const { copies } = countCopies(() => {
      a.set([1, 2, 3]);
      a.slice(1);
      new Uint8Array(a);
      Uint8Array.from(a);
      a.buffer.slice(0, 4);
      a.copyWithin(0, 5);
      new Uint8Array([1, 2]);
      // not copies:
      new Uint8Array(a.buffer, 2, 3);
      a.subarray(3);
      new Uint8Array(64);
    });
    expect(copies).toEqual([
      { how: 'TypedArray.prototype.set', bytes: 3 },
      { how: 'TypedArray.prototype.slice', bytes: 9 },
      { how: 'new Uint8Array(source)', bytes: 10 },
      { how: 'TypedArray.from', bytes: 10 },
      { how: 'ArrayBuffer.prototype.slice', bytes: 4 },
      { how: 'TypedArray.prototype.copyWithin', bytes: 5 },
      { how: 'new Uint8Array(source)', bytes: 2 },
    ]);
  });

  it('puts everything back: outside the count, nothing is wrapped', () => {
    const before = [Uint8Array, Uint8Array.prototype.set, Uint8Array.prototype.slice, ArrayBuffer.prototype.slice, Uint8Array.from];
    expect(() => countCopies(() => {
      throw new Error('inside');
    })).toThrow('inside');
    expect([Uint8Array, Uint8Array.prototype.set, Uint8Array.prototype.slice, ArrayBuffer.prototype.slice, Uint8Array.from]).toEqual(before);
    expect(new Uint8Array(1).constructor).toBe(Uint8Array);
  });
});

describe('copies of the payload of a 1 MiB PUBLISH through PacketDecoder', () => {
  it('in 16 chunks of 64 KiB: exactly one copy of the payload bytes (the frame gathered once), the payload a view of it', () => {
    const { packet, copies, bytes } = decodeCounting(cut(64 * 1024));
    // every byte of the frame copied once, header and topic included: so each payload byte exactly once
    expect(bytes).toBe(frame.length);
    expect(copies).toHaveLength(16);
    expect(new Set(copies.map((c) => c.how))).toEqual(new Set(['TypedArray.prototype.set']));
    // the payload is not copied again out of the gathered frame
    expect(packet.payload.buffer.byteLength).toBe(frame.length);
    expect(packet.payload.byteOffset).toBe(PAYLOAD_AT);
  });

  it('in 64 KiB Node Buffer chunks: exactly one copy too', () => {
    const { bytes } = decodeCounting(cut(64 * 1024).map((c) => Buffer.from(c.buffer, c.byteOffset, c.length)));
    expect(bytes).toBe(frame.length);
  });

  it('in one chunk: no copy, the payload is a view of the chunk', () => {
    const chunk = frame.slice();
    const { packet, bytes } = decodeCounting([chunk]);
    expect(bytes).toBe(0);
    expect(packet.payload.buffer).toBe(chunk.buffer);
    expect(packet.payload.byteOffset).toBe(PAYLOAD_AT);
  });

  it('a frame split after its header (7 bytes, then the rest): the held header bytes twice, the payload once', () => {
    const { bytes } = decodeCounting([frame.slice(0, 7), frame.slice(7)]);
    // 7 bytes staged (a piece under 1 KiB is copied into the splitter's staging block), then the frame gathered
    expect(bytes).toBe(7 + frame.length);
  });

  it('in pieces under 1 KiB: each byte copied twice (staged, then gathered), except the last piece, copied once', () => {
    // The splitter copies pieces under 1 KiB (SMALL_PIECE) into staging blocks instead of holding a view of each:
    // a bet on memory against peers that trickle a frame in tiny segments (see src/stream/splitter.ts).
    const chunks = cut(1000);
    const last = chunks[chunks.length - 1]!.length;
    const { bytes } = decodeCounting(chunks);
    expect(bytes).toBe(2 * frame.length - last);
  });

  it('copy: true in one chunk: exactly one copy, of the payload alone', () => {
    const chunk = frame.slice();
    const { packet, copies } = decodeCounting([chunk], true);
    expect(copies).toEqual([{ how: 'TypedArray.prototype.slice', bytes: payload.length }]);
    expect(packet.payload.buffer).not.toBe(chunk.buffer);
  });

  it('copy: true in 64 KiB chunks: exactly one copy too (the gathered frame is the decoder\'s own; the payload a view of it)', () => {
    const chunks = cut(64 * 1024);
    const { copies, bytes, packet } = decodeCounting(chunks, true);
    expect(bytes).toBe(frame.length);
    expect(copies.every((c) => c.how !== 'TypedArray.prototype.slice')).toBe(true);
    // the payload owns its bytes all the same: overwriting the chunks changes nothing
    for (const c of chunks) c.fill(0);
    expect(Buffer.compare(packet.payload, payload)).toBe(0);
  });
});

describe('copies in a stream of small frames', () => {
  it('1,000 small PUBLISH in one chunk: no copy at all', () => {
    const frames = Array.from({ length: 1000 }, (_, i) =>
      encode({ type: 'publish', topic: `sensor/${i % 100}/t`, payload: new TextEncoder().encode(`{"v":${i}}`), qos: 0, retain: false, dup: false }),
    );
    const chunk = new Uint8Array(frames.reduce((n, f) => n + f.length, 0));
    let o = 0;
    for (const f of frames) {
      chunk.set(f, o);
      o += f.length;
    }
    const decoder = new PacketDecoder();
    const { result, bytes } = countCopies(() => decoder.push(chunk));
    expect(result).toHaveLength(1000);
    expect(bytes).toBe(0);
  });
});
