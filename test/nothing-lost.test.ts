// Nothing completed is lost: every packet (or frame) before an error is handed over first, in stream order, with
// onPacket/onFrame, in the error's `packets`/`frames`, and by the streams; the level switch happens only on a
// delivered CONNECT; a callback that throws loses nothing either.
import { describe, expect, it } from 'vitest';
import {
  FrameSplitter,
  MqttError,
  PacketDecoder,
  PacketDecoderStream,
  encode,
  fromHex,
  toHex,
  type Packet,
} from '../src/index.js';
import './support/byte-equality.js';
import { concat, thrown } from './support/helpers.js';

const utf8 = (s: string) => new TextEncoder().encode(s);
const q1a = encode({ type: 'publish', topic: 'a', payload: utf8('one'), qos: 1, packetId: 1, retain: false, dup: false });
const q1b = encode({ type: 'publish', topic: 'b', payload: utf8('two'), qos: 1, packetId: 2, retain: false, dup: false });
const q0 = encode({ type: 'publish', topic: 'c', payload: utf8('three'), qos: 0, retain: false, dup: false });
// PUBLISH with both QoS bits set: malformed, MQTT-3.3.1-4
const BAD_QOS = fromHex('36 03 0001 61');
const DISCONNECT = fromHex('e000');
// packet type 0 is reserved
const JUNK = fromHex('00 00');
const CONNECT5 = encode({ type: 'connect', protocolVersion: 5, clientId: 'c', clean: true, keepAlive: 30 });
// a 5.0 PUBLISH to 'a/#': the 5.0 reading gives Topic Name invalid 0x90 (3.1.1 would give 0x82)
const WILDCARD_PUBLISH = fromHex('30 06 0003 612f23 00');

const expected: Packet[] = [
  { type: 'publish', topic: 'a', payload: utf8('one'), qos: 1, packetId: 1, retain: false, dup: false },
  { type: 'publish', topic: 'b', payload: utf8('two'), qos: 1, packetId: 2, retain: false, dup: false },
  { type: 'publish', topic: 'c', payload: utf8('three'), qos: 0, retain: false, dup: false },
];

describe('PacketDecoder hands over every packet before an error', () => {
  const chunk = concat([q1a, q1b, q0, BAD_QOS]);
  const badAt = q1a.length + q1b.length + q0.length;

  it('with onPacket: two QoS 1 and a QoS 0 PUBLISH are handed over, then the malformed fourth frame throws', () => {
    const got: Packet[] = [];
    const e = thrown(() => new PacketDecoder().push(chunk, (p) => got.push(p)));
    expect(got).toEqual(expected);
    expect([e.code, e.reasonCode, e.rule, e.offset, e.packetType, e.protocolVersion]).toEqual([
      'malformed-packet',
      0x81,
      'MQTT-3.3.1-4',
      badAt,
      'publish',
      4,
    ]);
    expect(e.packets).toEqual(expected);
  });

  it('without onPacket: the error carries the packets completed earlier in that call, in order', () => {
    const e = thrown(() => new PacketDecoder().push(chunk));
    expect(e.packets).toEqual(expected);
  });

  it('the same when the frames arrive in pieces: packets of earlier calls were returned, the error has this call’s', () => {
    const d = new PacketDecoder();
    expect(d.push(chunk.subarray(0, q1a.length + 3))).toEqual([expected[0]]);
    const e = thrown(() => d.push(chunk.subarray(q1a.length + 3)));
    expect(e.packets).toEqual([expected[1], expected[2]]);
    expect(e.offset).toBe(badAt);
  });

  it('after the error every call throws that same error (its packets are those of the call that found it)', () => {
    const d = new PacketDecoder();
    const e = thrown(() => d.push(chunk));
    expect(thrown(() => d.push(q0))).toBe(e);
    expect(thrown(() => d.end())).toBe(e);
    expect(e.packets).toEqual(expected);
  });

  it('a normal DISCONNECT followed by junk in the same chunk is delivered: no Will may be published', () => {
    const got: Packet[] = [];
    const e = thrown(() => new PacketDecoder({ version: 4 }).push(concat([DISCONNECT, JUNK]), (p) => got.push(p)));
    expect(got).toEqual([{ type: 'disconnect' }]);
    expect([e.code, e.rule, e.offset]).toEqual(['malformed-packet', 'U311-2.2.1-1', 2]);
  });

  it('a bad Remaining Length after whole frames: the frames come first, then the header error at its own offset', () => {
    const got: Packet[] = [];
    // 30 ff ff ff ff: a continuation bit on the fourth length byte
    const e = thrown(() => new PacketDecoder().push(concat([q1a, q0, fromHex('30ffffffff')]), (p) => got.push(p)));
    expect(got).toEqual([expected[0], expected[2]]);
    expect([e.code, e.rule, e.offset]).toEqual(['malformed-packet', 'U311-2.2.3-1', q1a.length + q0.length + 4]);
  });
});

describe('PacketDecoder switches level only on a delivered CONNECT', () => {
  it('a 5.0 CONNECT then a bad PUBLISH in one chunk: the CONNECT is delivered, then the PUBLISH fails by the 5.0 rules', () => {
    const d = new PacketDecoder();
    const got: Packet[] = [];
    const e = thrown(() => d.push(concat([CONNECT5, WILDCARD_PUBLISH]), (p) => got.push(p)));
    expect(got).toEqual([{ type: 'connect', protocolVersion: 5, clientId: 'c', clean: true, keepAlive: 30 }]);
    expect(d.version).toBe(5);
    expect([e.code, e.reasonCode, e.rule, e.offset, e.protocolVersion]).toEqual(['protocol-error', 0x90, 'MQTT-3.3.2-2', CONNECT5.length + 2, 5]);
  });

  it('onPacket sees the new level already when it gets the CONNECT', () => {
    const d = new PacketDecoder();
    const seen: number[] = [];
    d.push(concat([CONNECT5, fromHex('c000')]), () => seen.push(d.version));
    expect(seen).toEqual([5, 5]);
  });

  it('a CONNECT refused by an optional check is not delivered and does not switch the level', () => {
    // Client Identifier with a control character: refused with strictStrings
    const bad = encode({ type: 'connect', protocolVersion: 5, clientId: 'a\u0001', clean: true, keepAlive: 0 });
    const d = new PacketDecoder({ strictStrings: true });
    const e = thrown(() => d.push(bad));
    expect(e.packets).toEqual([]);
    expect([e.rule, e.protocolVersion, e.packetType]).toEqual(['U5-1.5.4-1', 5, 'connect']);
    expect(d.version).toBe(4);
  });
});

describe('FrameSplitter hands over every frame before an error', () => {
  it('onFrame gets the whole frames before a bad header; the error carries them as frames', () => {
    const got: string[] = [];
    const s = new FrameSplitter();
    const e = thrown(() => s.push(concat([q1a, q0, fromHex('30ffffffff')]), (f) => got.push(toHex(f))));
    expect(got).toEqual([toHex(q1a), toHex(q0)]);
    expect(e.frames!.map(toHex)).toEqual([toHex(q1a), toHex(q0)]);
    expect([e.rule, e.offset]).toEqual(['U311-2.2.3-1', q1a.length + q0.length + 4]);
  });

  it('a frame over maxPacketSize after a good one: the good one first, then packet-too-large naming the packet type', () => {
    const s = new FrameSplitter({ maxPacketSize: 16 });
    const big = encode({ type: 'publish', topic: 't', payload: new Uint8Array(32), qos: 0 });
    const e = thrown(() => s.push(concat([q0, big])));
    expect(e.frames!.map(toHex)).toEqual([toHex(q0)]);
    expect([e.code, e.reasonCode, e.offset, e.packetType]).toEqual(['packet-too-large', 0x95, q0.length, 'publish']);
  });
});

describe('PacketDecoderStream enqueues every packet before it errors', () => {
  it('the three PUBLISHes are read, then the stream errors with the MqttError', async () => {
    const readable = new ReadableStream<Uint8Array>({
      start(c) {
        c.enqueue(concat([q1a, q1b, q0, BAD_QOS]));
        c.close();
      },
    }).pipeThrough(new PacketDecoderStream());
    const reader = readable.getReader();
    const got: Packet[] = [];
    let error: unknown;
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        got.push(value);
      }
    } catch (e) {
      error = e;
    }
    expect(got).toEqual(expected);
    expect(error).toBeInstanceOf(MqttError);
    expect((error as MqttError).rule).toBe('MQTT-3.3.1-4');
  });
});

describe('a callback that throws loses nothing', () => {
  it('onPacket throwing on the first packet: its exception propagates; the rest come with the next push', () => {
    const d = new PacketDecoder();
    const oops = new Error('application failure');
    let calls = 0;
    expect(() =>
      d.push(concat([q1a, q1b, q0]), () => {
        calls++;
        throw oops;
      }),
    ).toThrow(oops);
    expect(calls).toBe(1);
    // the frames after it were not skipped: an empty push (or the next chunk) delivers them first
    expect(d.push(new Uint8Array(0))).toEqual([expected[1], expected[2]]);
    expect(d.push(q1a)).toEqual([expected[0]]);
  });

  it('end() delivers what is still waiting, then checks for a partial frame', () => {
    const d = new PacketDecoder();
    expect(() =>
      d.push(concat([q1a, q1b, q0.subarray(0, 3)]), () => {
        throw new Error('x');
      }),
    ).toThrow('x');
    const e = thrown(() => d.end());
    // q1b was still waiting: it is decoded before end() finds the partial third frame; the error carries it
    expect(e.packets).toEqual([expected[1]]);
    expect([e.rule, e.offset]).toEqual(['U311-2-1', q1a.length + q1b.length]);
  });

  it('a chunk pushed while frames still wait is queued behind them, never reordered', () => {
    const d = new PacketDecoder();
    let first = true;
    expect(() =>
      d.push(concat([q1a, q1b]), () => {
        if (first) {
          first = false;
          throw new Error('once');
        }
      }),
    ).toThrow('once');
    expect(d.push(q0)).toEqual([expected[1], expected[2]]);
  });

  it('FrameSplitter: onFrame throwing keeps the later frames for the next push', () => {
    const s = new FrameSplitter();
    expect(() =>
      s.push(concat([q1a, q0]), () => {
        throw new Error('stop');
      }),
    ).toThrow('stop');
    expect(s.push(new Uint8Array(0)).map(toHex)).toEqual([toHex(q0)]);
  });

  it('push called from inside its own onPacket is refused with invalid-packet; the decoder goes on afterwards', () => {
    const d = new PacketDecoder();
    let inner: unknown;
    const outer = d.push(concat([q1a, q0]), () => {
      try {
        d.push(q1b);
      } catch (e) {
        inner = e;
      }
    });
    expect(outer).toEqual([expected[0], expected[2]]);
    expect(inner).toBeInstanceOf(MqttError);
    expect((inner as MqttError).code).toBe('invalid-packet');
    expect((inner as MqttError).message).toContain('from inside its own onPacket callback');
    expect(d.push(q1b)).toEqual([expected[1]]);
  });
});

describe('onPacket is told where each frame lay', () => {
  it('the stream offset of the frame and its size, header included, whatever the chunking', () => {
    const stream = concat([q1a, q0, q1b]);
    for (const cut of [stream.length, 1, 5]) {
      const d = new PacketDecoder();
      const places: [string, number, number][] = [];
      for (let i = 0; i < stream.length; i += cut) d.push(stream.subarray(i, i + cut), (p, offset, size) => places.push([p.type, offset, size]));
      expect(places).toEqual([
        ['publish', 0, q1a.length],
        ['publish', q1a.length, q0.length],
        ['publish', q1a.length + q0.length, q1b.length],
      ]);
    }
  });
});
