// PacketDecoderStream and PacketEncoderStream: WHATWG TransformStreams over PacketDecoder and encode. Random chunkings
// decode to the same packets, encoder output decodes back, and codec errors error the stream with the MqttError.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { packetArbitrary } from '../src/arbitraries.js';
import {
  FrameSplitter,
  MqttError,
  PacketDecoder,
  PacketDecoderStream,
  PacketEncoderStream,
  decode,
  encode,
  fromHex,
  type Packet,
} from '../src/index.js';
import './support/byte-equality.js';
import { concat } from './support/helpers.js';

function readableOf<T>(items: readonly T[]): ReadableStream<T> {
  let i = 0;
  return new ReadableStream<T>({
    pull(controller) {
      if (i < items.length) controller.enqueue(items[i++]!);
      else controller.close();
    },
  });
}

async function collect<T>(stream: ReadableStream<T>): Promise<T[]> {
  const out: T[] = [];
  const reader = stream.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return out;
    out.push(value);
  }
}

/** The error a stream fails with, and the items read before it. */
async function failure<T>(stream: ReadableStream<T>): Promise<{ error: MqttError; before: T[] }> {
  const before: T[] = [];
  const reader = stream.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      before.push(value);
    }
  } catch (e) {
    expect(e).toBeInstanceOf(MqttError);
    return { error: e as MqttError, before };
  }
  throw new Error('expected the stream to error, it closed');
}

function chunksOf(stream: Uint8Array, sizes: readonly number[]): Uint8Array[] {
  const chunks: Uint8Array[] = [];
  let pos = 0;
  for (const n of sizes) {
    chunks.push(stream.slice(pos, pos + n));
    pos = Math.min(stream.length, pos + n);
  }
  chunks.push(stream.slice(pos));
  return chunks;
}

/** Where `decode` stops on a frame it refuses, relative to the frame. */
function offsetInFrame(frame: Uint8Array): number {
  try {
    decode(frame);
  } catch (e) {
    return (e as MqttError).offset!;
  }
  throw new Error('the frame should not decode');
}

const session50 = new Uint8Array(readFileSync(join(__dirname, '..', 'fixtures', 'session-50.bin')));
const utf8 = (s: string) => new TextEncoder().encode(s);

describe('PacketDecoderStream', () => {
  it('a ReadableStream of random chunks (empty and 1-byte ones included) gives the packets of decoding frame by frame', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(3, 4, 5).chain((version) => fc.tuple(fc.constant(version), fc.array(packetArbitrary(version), { minLength: 1, maxLength: 8 }))),
        fc.array(fc.oneof(fc.constant(0), fc.constant(1), fc.integer({ min: 0, max: 600 })), { maxLength: 100 }),
        async ([version, packets], sizes) => {
          const frames = packets.map((p) => encode(p, { version }));
          const expected = frames.map((f) => decode(f, { version }));
          const out = await collect(readableOf(chunksOf(concat(frames), sizes)).pipeThrough(new PacketDecoderStream({ version })));
          expect(out).toEqual(expected);
        },
      ),
      { numRuns: 60 },
    );
  });

  it('follows the CONNECT level like PacketDecoder: the 5.0 sample decodes without a version', async () => {
    const expected = new FrameSplitter().push(session50).map((f) => decode(f, { version: 5 }));
    const out = await collect(readableOf(chunksOf(session50, [1, 2, 3, 100, 0, 5])).pipeThrough(new PacketDecoderStream()));
    expect(out).toEqual(expected);
    expect(out).toHaveLength(23);
  });

  it('a malformed packet errors the stream with its MqttError, after the packets before it', async () => {
    // PINGREQ, then a PUBLISH with QoS bits 11 (MQTT-3.3.1-4) at stream offset 2
    const stream = fromHex('c000' + '36050001610001');
    const { error, before } = await failure(readableOf([stream.subarray(0, 2), stream.subarray(2)]).pipeThrough(new PacketDecoderStream()));
    expect(before).toEqual([{ type: 'pingreq' }]);
    expect([error.code, error.reasonCode, error.rule]).toEqual(['malformed-packet', 0x81, 'MQTT-3.3.1-4']);
    expect(error.offset).toBe(2 + offsetInFrame(stream.subarray(2)));
  });

  it('a partial frame at the end of the stream errors it at flush: malformed U311-2-1 at the frame start', async () => {
    const { error, before } = await failure(readableOf([fromHex('c000'), fromHex('320900')]).pipeThrough(new PacketDecoderStream()));
    expect(before).toEqual([{ type: 'pingreq' }]);
    expect([error.code, error.rule, error.offset]).toEqual(['malformed-packet', 'U311-2-1', 2]);
  });

  it('a frame over maxPacketSize errors the stream with packet-too-large 0x95', async () => {
    const big = encode({ type: 'publish', topic: 't', payload: new Uint8Array(500), qos: 0, retain: false, dup: false });
    const { error } = await failure(readableOf([big]).pipeThrough(new PacketDecoderStream({ maxPacketSize: 100 })));
    expect([error.code, error.reasonCode, error.offset]).toEqual(['packet-too-large', 0x95, 0]);
  });

  it('a server-role stream refuses a CONNACK with protocol-error', async () => {
    const { error } = await failure(readableOf([fromHex('20020000')]).pipeThrough(new PacketDecoderStream({ role: 'server' })));
    expect([error.code, error.reasonCode, error.rule]).toEqual(['protocol-error', 0x82, 'U311-2.2.1-2']);
  });
});

describe('PacketEncoderStream', () => {
  it('emits one frame per packet, and its output decodes back to the packets', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(packetArbitrary(5), { minLength: 1, maxLength: 8 }), async (packets) => {
        const frames = await collect(readableOf(packets).pipeThrough(new PacketEncoderStream({ version: 5 })));
        expect(frames).toEqual(packets.map((p) => encode(p, { version: 5 })));
        const decoded = new PacketDecoder({ version: 5 }).push(concat(frames));
        expect(decoded).toEqual(frames.map((f) => decode(f, { version: 5 })));
      }),
      { numRuns: 60 },
    );
  });

  it('without a version, follows the CONNECT level: encoder then decoder streams give the packets back', async () => {
    const packets: Packet[] = [
      { type: 'connect', protocolVersion: 5, clientId: 'c', clean: true, keepAlive: 10 },
      { type: 'puback', packetId: 3, reasonCode: 0x10 },
      { type: 'disconnect', reasonCode: 0 },
    ];
    const frames = await collect(readableOf(packets).pipeThrough(new PacketEncoderStream()));
    // 5.0 PUBACK with reason code 0x10: 40 03 0003 10; 5.0 DISCONNECT 0x00 in its short form: e0 00
    expect(frames.slice(1)).toEqual([fromHex('4003000310'), fromHex('e000')]);
    const back = await collect(readableOf(packets).pipeThrough(new PacketEncoderStream()).pipeThrough(new PacketDecoderStream()));
    expect(back).toEqual(packets);
  });

  it('an invalid packet errors the stream with invalid-packet', async () => {
    const packets = [
      { type: 'pingreq' },
      { type: 'publish', topic: 'a/#', payload: utf8('x'), qos: 0, retain: false, dup: false },
    ] as Packet[];
    const { error, before } = await failure(readableOf(packets).pipeThrough(new PacketEncoderStream()));
    expect(before).toEqual([fromHex('c000')]);
    expect([error.code, error.rule]).toEqual(['invalid-packet', 'MQTT-3.3.2-2']);
  });
});
