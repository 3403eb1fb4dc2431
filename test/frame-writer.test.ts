// FrameWriter: frames written one after another into one buffer and handed over whole by flush(). Exact bytes, flush
// semantics, the batch bound, and errors that leave the batch exactly as it was.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { packetArbitrary } from '../src/arbitraries.js';
import {
  DEFAULT_MAX_BATCH_SIZE,
  FrameWriter,
  MqttError,
  encode,
  fromHex,
  toHex,
  type Packet,
  type ProtocolVersion,
  type PublishPacket,
} from '../src/index.js';
import './support/byte-equality.js';
import { concat, thrown } from './support/helpers.js';

const utf8 = (s: string) => new TextEncoder().encode(s);
const publish = (topic: string, payload: Uint8Array, extra: Partial<PublishPacket> = {}): PublishPacket =>
  ({ type: 'publish', topic, payload, qos: 0, retain: false, dup: false, ...extra }) as PublishPacket;

/** The error `f` throws, as the fields a caller reads. */
function fields(e: MqttError): [string, number, string | undefined, string] {
  return [e.code, e.reasonCode, e.rule, e.message];
}

describe('FrameWriter: bytes', () => {
  it('writes frames back to back, byte for byte what encode gives each (3.1.1)', () => {
    const w = new FrameWriter();
    expect(w.write({ type: 'pingreq' })).toBe(2);
    expect(w.write({ type: 'puback', packetId: 7 })).toBe(4);
    expect(w.write(publish('a/b', utf8('hi')))).toBe(9);
    expect(w.size).toBe(15);
    expect(w.pending).toBe(3);
    // PINGREQ | PUBACK id 7 | PUBLISH QoS 0 'a/b' payload 'hi'
    expect(toHex(w.flush())).toBe('c000' + '40020007' + '3007' + '0003612f62' + '6869');
  });

  it('writes 5.0 frames with properties at the version given', () => {
    const w = new FrameWriter({ version: 5 });
    w.write(publish('a', utf8('x'), { properties: { messageExpiryInterval: 60 } }));
    w.write({ type: 'puback', packetId: 1, reasonCode: 0x10 });
    // PUBLISH: topic 'a', Property Length 5, Message Expiry Interval (0x02) 60, payload 'x';
    // PUBACK id 1, reason 0x10 (No matching subscribers), no properties
    expect(w.flush()).toEqual(fromHex('300a' + '000161' + '05' + '020000003c' + '78' + '4003' + '0001' + '10'));
  });

  it('without a version, a CONNECT sets the level of itself and of the frames after it', () => {
    const w = new FrameWriter();
    const connect: Packet = { type: 'connect', protocolVersion: 5, clientId: 'c', clean: true, keepAlive: 30 };
    const p = publish('t', utf8('v'), { properties: { contentType: 'text/plain' } });
    expect(w.version).toBe(4);
    w.write(connect);
    expect(w.version).toBe(5);
    w.write(p);
    expect(w.flush()).toEqual(concat([encode(connect), encode(p, { version: 5 })]));
  });

  it('with a version given, a CONNECT of another level is refused as encode refuses it, and nothing is written', () => {
    const w = new FrameWriter({ version: 4 });
    const connect: Packet = { type: 'connect', protocolVersion: 5, clientId: 'c', clean: true, keepAlive: 30 };
    const e = thrown(() => w.write(connect));
    expect(fields(e)).toEqual(fields(thrown(() => encode(connect, { version: 4 }))));
    expect([w.version, w.size, w.pending]).toEqual([4, 0, 0]);
  });
});

describe('FrameWriter: flush', () => {
  it('an empty writer flushes an empty array, and size and pending start at 0', () => {
    const w = new FrameWriter();
    expect(w.size).toBe(0);
    expect(w.pending).toBe(0);
    expect(w.flush()).toEqual(new Uint8Array(0));
  });

  it('flush hands over exactly the bytes written and resets size and pending', () => {
    const w = new FrameWriter();
    w.write({ type: 'pingresp' });
    const out = w.flush();
    expect(out).toEqual(fromHex('d000'));
    expect(out.constructor).toBe(Uint8Array);
    expect([w.size, w.pending]).toEqual([0, 0]);
    expect(w.flush()).toEqual(new Uint8Array(0));
  });

  it('each flush starts a new buffer: what a flush returned is never written again', () => {
    const w = new FrameWriter();
    w.write({ type: 'puback', packetId: 1 });
    const first = w.flush();
    for (let i = 2; i < 2000; i++) w.write({ type: 'puback', packetId: i });
    const second = w.flush();
    expect(first).toEqual(fromHex('40020001'));
    expect(second.buffer).not.toBe(first.buffer);
    expect(second.length).toBe(1998 * 4);
    expect(toHex(second.subarray(0, 4))).toBe('40020002');
    expect(toHex(second.subarray(second.length - 4))).toBe('400207cf');
  });

  it('a flushed buffer can be transferred, and the writer goes on', () => {
    const w = new FrameWriter();
    w.write({ type: 'pingreq' });
    const out = w.flush();
    const moved = structuredClone(out, { transfer: [out.buffer] });
    expect(out.buffer.byteLength).toBe(0); // detached: it was the writer's buffer, now the receiver's
    expect(moved).toEqual(fromHex('c000'));
    w.write({ type: 'pingresp' });
    expect(w.flush()).toEqual(fromHex('d000'));
  });

  it('grows past its first buffer by doubling, keeping every frame written before', () => {
    const w = new FrameWriter();
    const frames: Uint8Array[] = [];
    // 300 frames of 1 + 2 + 2 + 5 + 30 = 40 bytes: 12,000 bytes, past the 4 KiB first buffer twice
    for (let i = 0; i < 300; i++) {
      const p = publish(`s/${String(i % 1000).padStart(3, '0')}`, new Uint8Array(30).fill(i & 0xff));
      frames.push(encode(p));
      w.write(p);
    }
    const out = w.flush();
    expect(out).toEqual(concat(frames));
    expect(out.buffer.byteLength).toBe(16 * 1024);
  });
});

describe('FrameWriter: the batch bound', () => {
  it('defaults to 1 MiB', () => {
    expect(DEFAULT_MAX_BATCH_SIZE).toBe(1024 * 1024);
    expect(new FrameWriter().maxBatchSize).toBe(1024 * 1024);
  });

  it('a write that would take a non-empty batch past maxBatchSize throws packet-too-large and writes nothing', () => {
    const w = new FrameWriter({ maxBatchSize: 10_000 });
    // 1 type byte + 2 length bytes + 3 topic bytes + 2995 payload bytes = 3001 each: three fit (9003), a fourth
    // would make 12,004
    const p = publish('t', new Uint8Array(2995).fill(7));
    for (let i = 0; i < 3; i++) expect(w.write(p)).toBe(3001);
    const e = thrown(() => w.write(p));
    expect([e.code, e.reasonCode, e.rule, e.packetType, e.protocolVersion]).toEqual(['packet-too-large', 0x95, undefined, 'publish', 4]);
    expect(e.message).toBe('FrameWriter: a PUBLISH frame of 3001 bytes would take the batch from 9003 to 12004 bytes, over maxBatchSize 10000: flush first');
    expect([w.size, w.pending]).toEqual([9003, 3]);
    const out = w.flush();
    expect(out).toEqual(concat([encode(p), encode(p), encode(p)]));
    // the buffer doubled from 4 KiB towards 16 KiB but stopped at the bound
    expect(out.buffer.byteLength).toBe(10_000);
    // after a flush the same packet is written
    w.write(p);
    expect(w.flush()).toEqual(encode(p));
  });

  it('a bound under the first buffer size holds too, before and after a frame larger than it', () => {
    const w = new FrameWriter({ maxBatchSize: 10 });
    // PUBACKs of 4 bytes: two fit in 10, a third would make 12
    w.write({ type: 'puback', packetId: 1 });
    w.write({ type: 'puback', packetId: 2 });
    expect(thrown(() => w.write({ type: 'puback', packetId: 3 })).code).toBe('packet-too-large');
    expect(w.flush()).toEqual(fromHex('40020001' + '40020002'));
    // a 24-byte frame alone, then the bound again for the next batch
    const big = publish('t', new Uint8Array(19));
    w.write(big);
    expect(thrown(() => w.write({ type: 'pingreq' })).code).toBe('packet-too-large');
    expect(w.flush()).toEqual(encode(big));
    for (let i = 0; i < 5; i++) w.write({ type: 'pingreq' });
    expect(thrown(() => w.write({ type: 'pingreq' })).code).toBe('packet-too-large');
    expect(w.size).toBe(10);
    expect(w.flush().buffer.byteLength).toBeLessThanOrEqual(10);
  });

  it('an empty writer takes a frame larger than the bound, in a buffer of exactly its size', () => {
    const w = new FrameWriter({ maxBatchSize: 100 });
    const p = publish('big', new Uint8Array(5000).fill(1));
    expect(w.write(p)).toBe(5008);
    const out = w.flush();
    expect(out).toEqual(encode(p));
    expect(out.buffer.byteLength).toBe(5008);
  });

  it('refuses options that are not what encode takes, naming them', () => {
    const bad = (options: object) => thrown(() => new FrameWriter(options));
    expect(fields(bad({ version: 6 }))).toEqual(['unsupported-protocol-version', 0x84, undefined, 'FrameWriter: version 6 is not 3, 4 or 5']);
    expect(fields(bad({ maximumPacketSize: 0 }))).toEqual([
      'invalid-packet',
      0x81,
      undefined,
      'FrameWriter: maximumPacketSize must be a positive integer, got 0',
    ]);
    expect(fields(bad({ maxBatchSize: 1.5 }))).toEqual(['invalid-packet', 0x81, undefined, 'FrameWriter: maxBatchSize must be a positive integer, got 1.5']);
    expect(fields(bad({ maxPacketSize: 100 }))).toEqual([
      'invalid-packet',
      0x81,
      undefined,
      "FrameWriter: unknown option 'maxPacketSize' (did you mean 'maximumPacketSize'?); the options are version, maximumPacketSize, maxBatchSize",
    ]);
  });
});

describe('FrameWriter: errors leave nothing half-written', () => {
  /** A writer holding two frames, and those frames. */
  function started(options = {}): { w: FrameWriter; before: Uint8Array } {
    const w = new FrameWriter(options);
    w.write({ type: 'pingreq' });
    w.write(publish('x', utf8('y')));
    return { w, before: concat([encode({ type: 'pingreq' }), encode(publish('x', utf8('y')))]) };
  }

  const invalid: [string, unknown][] = [
    ['a PUBLISH topic with a wildcard (MQTT-3.3.2-2)', publish('a/#', utf8('p'))],
    ['a PUBLISH with QoS 3', publish('a', utf8('p'), { qos: 3 as 0 })],
    ['QoS 1 without a packet id', publish('a', utf8('p'), { qos: 1 })],
    ['a SUBSCRIBE with no subscriptions (MQTT-3.8.3-3)', { type: 'subscribe', packetId: 1, subscriptions: [] }],
    ['5.0 properties at 3.1.1', publish('a', utf8('p'), { properties: { messageExpiryInterval: 1 } })],
    ['an unknown packet type', { type: 'hello' }],
    ['null', null],
    // too large for the room left, and invalid: must be reported as invalid, not grown into
    ['an invalid PUBLISH larger than the free room', publish('a/+', new Uint8Array(64 * 1024))],
  ];
  for (const [what, packet] of invalid) {
    it(`${what}: the error encode gives, and the batch as it was`, () => {
      const { w, before } = started();
      const expected = thrown(() => encode(packet as Packet));
      const e = thrown(() => w.write(packet as Packet));
      expect(fields(e)).toEqual(fields(expected));
      expect([w.size, w.pending]).toEqual([before.length, 2]);
      w.write({ type: 'pingresp' });
      expect(w.flush()).toEqual(concat([before, fromHex('d000')]));
    });
  }

  it('over the receiver maximumPacketSize: packet-too-large MQTT-3.1.2-24, nothing written', () => {
    const { w, before } = started({ maximumPacketSize: 20 });
    const e = thrown(() => w.write(publish('topic', new Uint8Array(20))));
    expect([e.code, e.reasonCode, e.rule]).toEqual(['packet-too-large', 0x95, 'MQTT-3.1.2-24']);
    expect(w.flush()).toEqual(before);
  });

  it('a packet whose fields throw or change while being read: an MqttError and the batch as it was, or one whole frame', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 8 }), fc.constantFrom('throw', 'grow'), fc.boolean(), (failAt, how, full) => {
        const w = new FrameWriter();
        // 2047 PINGREQs leave 2 bytes of the 4 KiB first buffer, so the write goes through the growing path
        const held = full ? 2047 : 1;
        for (let i = 0; i < held; i++) w.write({ type: 'pingreq' });
        const before = w.size;
        let reads = 0;
        const packet = {
          type: 'publish',
          qos: 0,
          retain: false,
          dup: false,
          payload: utf8('p'),
          get topic(): string {
            if (++reads < failAt) return 't';
            if (how === 'throw') throw new Error('boom');
            return 't/'.repeat(50);
          },
        } as unknown as Packet;
        let error: unknown;
        try {
          w.write(packet);
        } catch (e) {
          error = e;
        }
        const out = w.flush();
        expect(out.subarray(0, before)).toEqual(concat(Array.from({ length: held }, () => fromHex('c000'))));
        if (error !== undefined) {
          expect(error).toBeInstanceOf(MqttError);
          expect((error as MqttError).code).toBe('invalid-packet');
          expect(out.length).toBe(before);
        } else {
          // written whole: one PUBLISH frame whose Remaining Length (one byte here) covers the rest
          expect(out[before]).toBe(0x30);
          expect(before + 2 + out[before + 1]!).toBe(out.length);
        }
      }),
      { numRuns: 100 },
    );
  });
});

describe('FrameWriter: properties', () => {
  it('concatenating the flushes equals concatenating encode of each packet, wherever the flushes fall and whatever the bound', () => {
    fc.assert(
      fc.property(
        fc.constantFrom<ProtocolVersion>(3, 4, 5).chain((version) =>
          fc.tuple(fc.constant(version), fc.array(fc.tuple(packetArbitrary(version), fc.boolean()), { maxLength: 40 })),
        ),
        fc.integer({ min: 1, max: 4096 }),
        ([version, steps], maxBatchSize) => {
          const w = new FrameWriter({ version, maxBatchSize });
          const flushed: { bytes: Uint8Array; frames: number }[] = [];
          const flush = () => flushed.push({ frames: w.pending, bytes: w.flush() });
          const frames: Uint8Array[] = [];
          for (const [packet, flushAfter] of steps) {
            const frame = encode(packet, { version });
            frames.push(frame);
            let written: number;
            try {
              written = w.write(packet);
            } catch (e) {
              // the batch is full: flush and write again, as a caller would
              expect(e).toBeInstanceOf(MqttError);
              expect([(e as MqttError).code, w.size > 0, w.size + frame.length > maxBatchSize]).toEqual(['packet-too-large', true, true]);
              flush();
              written = w.write(packet);
            }
            expect(written).toBe(frame.length);
            if (flushAfter) flush();
          }
          flush();
          expect(concat(flushed.map((f) => f.bytes))).toEqual(concat(frames));
          // a batch of two frames or more stays within the bound
          for (const f of flushed) if (f.frames > 1) expect(f.bytes.length).toBeLessThanOrEqual(maxBatchSize);
        },
      ),
      { numRuns: 150 },
    );
  });

  it('no version given: the flushes equal encode at the level of the CONNECT that opened the stream', () => {
    fc.assert(
      fc.property(
        fc.constantFrom<ProtocolVersion>(3, 4, 5).chain((version) =>
          fc.tuple(fc.constant(version), fc.array(packetArbitrary(version), { maxLength: 20 })),
        ),
        ([version, packets]) => {
          const connect: Packet = { type: 'connect', protocolVersion: version, clientId: 'c', clean: true, keepAlive: 0 };
          const w = new FrameWriter();
          w.write(connect);
          for (const p of packets) w.write(p);
          expect(w.flush()).toEqual(concat([encode(connect), ...packets.map((p) => encode(p, { version }))]));
        },
      ),
      { numRuns: 60 },
    );
  });
});
