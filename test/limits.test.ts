// Negotiated limits: the receiver's Maximum Packet Size on encode, and the Topic Alias Maximum on decode
// (the `partly` rows of conformance-50.tsv that need a limit the codec is told).
import { describe, expect, it } from 'vitest';
import { PacketDecoder, PacketEncoderStream, encode, encodeInto, encodedLength, type Packet, type PublishPacket } from '../src/index.js';
import { concat, thrown } from './support/helpers.js';

const publish = (topicAlias?: number): PublishPacket => ({
  type: 'publish',
  topic: 't/1',
  payload: new Uint8Array(10),
  qos: 0,
  retain: false,
  dup: false,
  ...(topicAlias === undefined ? {} : { properties: { topicAlias } }),
});

describe('encode with the receiver\'s maximumPacketSize', () => {
  // 0x30, Remaining Length 19: topic (2 + 3), Property Length 1 + Topic Alias (3), payload 10: 21 bytes in all
  const p = publish(1);
  const size = encode(p, { version: 5 }).length;

  it('MQTT-3.1.2-24 a frame of exactly the maximum is written', () => {
    expect(size).toBe(21);
    expect(encode(p, { version: 5, maximumPacketSize: size }).length).toBe(size);
    expect(encodedLength(p, { version: 5, maximumPacketSize: size })).toBe(size);
  });

  it('MQTT-3.2.2-15 a frame one byte over is refused with packet-too-large 0x95, and encodeInto writes nothing', () => {
    for (const f of [
      () => encode(p, { version: 5, maximumPacketSize: size - 1 }),
      () => encodedLength(p, { version: 5, maximumPacketSize: size - 1 }),
    ]) {
      const e = thrown(f);
      expect([e.code, e.reasonCode, e.rule]).toEqual(['packet-too-large', 0x95, 'MQTT-3.1.2-24']);
      expect(e.message).toBe(`PUBLISH frame of ${size} bytes exceeds the receiver's Maximum Packet Size of ${size - 1} bytes (MQTT-3.1.2-24)`);
    }
    const target = new Uint8Array(64).fill(0xee);
    const e = thrown(() => encodeInto(p, target, 3, { version: 5, maximumPacketSize: size - 1 }));
    expect(e.code).toBe('packet-too-large');
    expect(target.every((b) => b === 0xee)).toBe(true);
  });

  it('an invalid packet is still invalid-packet under a limit it would also break', () => {
    const bad = { ...publish(), topic: 'a/#' } as PublishPacket;
    const e = thrown(() => encode(bad, { maximumPacketSize: 2 }));
    expect([e.code, e.rule]).toEqual(['invalid-packet', 'MQTT-3.3.2-2']);
  });

  it('a maximumPacketSize that is not a positive integer is refused', () => {
    for (const m of [0, -1, 1.5, Number.NaN]) {
      const e = thrown(() => encode({ type: 'pingreq' }, { maximumPacketSize: m }));
      expect(e.code).toBe('invalid-packet');
      expect(e.message).toContain('maximumPacketSize must be a positive integer');
    }
  });

  it('PacketEncoderStream passes the limit on: an oversized packet errors the stream', async () => {
    const source = new ReadableStream<Packet>({
      start(c) {
        c.enqueue({ type: 'pingreq' });
        c.enqueue(p);
        c.close();
      },
    });
    const out: Uint8Array[] = [];
    const reader = source.pipeThrough(new PacketEncoderStream({ version: 5, maximumPacketSize: 10 })).getReader();
    const e = await (async () => {
      try {
        for (;;) {
          const { done, value } = await reader.read();
          if (done) return undefined;
          out.push(value);
        }
      } catch (err) {
        return err as Error & { code?: string };
      }
    })();
    expect(out).toEqual([new Uint8Array([0xc0, 0x00])]);
    expect(e?.code).toBe('packet-too-large');
  });
});

describe('PacketDecoder topicAliasMaximum', () => {
  const frames = (...aliases: number[]) => concat(aliases.map((a) => encode(publish(a), { version: 5 })));

  it('MQTT-3.3.2-12 every alias from 1 to the maximum is accepted', () => {
    const d = new PacketDecoder({ version: 5, role: 'server', topicAliasMaximum: 3 });
    const got = d.push(frames(1, 2, 3)).map((q) => (q as PublishPacket).properties?.topicAlias);
    expect(got).toEqual([1, 2, 3]);
  });

  it('MQTT-3.2.2-17 a server refuses an alias above its CONNACK maximum with 0x94, at the frame offset', () => {
    const d = new PacketDecoder({ version: 5, role: 'server', topicAliasMaximum: 3 });
    const first = encode(publish(3), { version: 5 });
    const e = thrown(() => d.push(frames(3, 4)));
    expect([e.code, e.reasonCode, e.rule, e.offset]).toEqual(['protocol-error', 0x94, 'MQTT-3.2.2-17', first.length]);
    expect(e.message).toContain('Topic Alias 4 is above the Topic Alias Maximum of 3');
  });

  it('MQTT-3.1.2-26 a client refuses an alias above its CONNECT maximum with 0x94', () => {
    const d = new PacketDecoder({ version: 5, role: 'client', topicAliasMaximum: 10 });
    const e = thrown(() => d.push(frames(11)));
    expect([e.code, e.reasonCode, e.rule]).toEqual(['protocol-error', 0x94, 'MQTT-3.1.2-26']);
  });

  it('MQTT-3.1.2-27 with a maximum of 0 any Topic Alias is refused; a PUBLISH without one passes', () => {
    const d = new PacketDecoder({ version: 5, role: 'client', topicAliasMaximum: 0 });
    expect(d.push(encode(publish(), { version: 5 }))).toEqual([publish()]);
    const e = thrown(() => d.push(frames(1)));
    expect([e.reasonCode, e.rule]).toEqual([0x94, 'MQTT-3.1.2-26']);
  });

  it('without the option no alias is refused (the codec does not know the negotiated maximum)', () => {
    const d = new PacketDecoder({ version: 5 });
    expect(d.push(frames(65535)).length).toBe(1);
  });

  it('a topicAliasMaximum out of range is refused when the decoder is made', () => {
    for (const m of [-1, 65536, 2.5]) {
      expect(thrown(() => new PacketDecoder({ topicAliasMaximum: m })).code).toBe('invalid-packet');
    }
  });
});
