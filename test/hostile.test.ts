// Hostile or changing inputs: encode reads each field of the caller's object once, checks everything, then writes.
// Whatever getters, Proxies, detached buffers or re-entrant calls do, the result is a valid frame of the returned
// length or an MqttError with nothing written. Also the smaller input checks: options keys, stream input, 3.x
// subscription options, topicMatches on invalid filters.
import { describe, expect, it } from 'vitest';
import {
  FrameSplitter,
  MqttError,
  PacketDecoder,
  PacketEncoderStream,
  decode,
  encode,
  encodeInto,
  encodedLength,
  fitToMaximumPacketSize,
  topicMatches,
  type Packet,
  type PacketInput,
} from '../src/index.js';
import './support/byte-equality.js';
import { thrown } from './support/helpers.js';

const utf8 = (s: string) => new TextEncoder().encode(s);

/** A Proxy of `target` that counts reads of each key. */
function counting<T extends object>(target: T, reads: Map<PropertyKey, number>): T {
  return new Proxy(target, {
    get(t, key, receiver) {
      reads.set(key, (reads.get(key) ?? 0) + 1);
      return Reflect.get(t, key, receiver) as unknown;
    },
  });
}

function detached(n: number): Uint8Array {
  const a = new Uint8Array(n).fill(1);
  structuredClone(a.buffer, { transfer: [a.buffer] });
  return a;
}

describe('encode reads each field once', () => {
  it('a PUBLISH behind a counting Proxy: every field of packet and properties is read at most once', () => {
    const reads = new Map<PropertyKey, number>();
    const propReads = new Map<PropertyKey, number>();
    const p = counting(
      {
        type: 'publish',
        topic: 'a/b',
        payload: utf8('x'),
        qos: 1,
        packetId: 3,
        retain: true,
        dup: false,
        properties: counting({ contentType: 'text/plain', userProperties: [['k', 'v']] }, propReads),
      } as Packet,
      reads,
    );
    const frame = encode(p, { version: 5 });
    for (const [key, n] of [...reads, ...propReads]) expect([key, n]).toEqual([key, 1]);
    expect(decode(frame, { version: 5 })).toEqual({
      type: 'publish',
      topic: 'a/b',
      payload: utf8('x'),
      qos: 1,
      packetId: 3,
      retain: true,
      dup: false,
      properties: { contentType: 'text/plain', userProperties: [['k', 'v']] },
    });
  });

  it('a getter that changes value on every read cannot make the bytes differ from the size', () => {
    let n = 0;
    const topics = ['short', 'a-much-longer-topic-name/with/levels'];
    const p = {
      type: 'publish',
      get topic() {
        return topics[n++ % 2]!;
      },
      payload: utf8('payload'),
      qos: 0,
    } as unknown as PacketInput;
    for (let i = 0; i < 4; i++) {
      const target = new Uint8Array(100);
      const written = encodeInto(p, target, 0);
      const frame = target.subarray(0, written);
      const back = decode(frame);
      expect(back.type === 'publish' && topics.includes(back.topic)).toBe(true);
      expect(encode(back)).toEqual(frame);
    }
  });

  it('a Proxy whose properties change keys between enumerations is read once: the frame holds one consistent set', () => {
    let round = 0;
    const props = new Proxy({} as Record<string, unknown>, {
      ownKeys: () => (round++ % 2 === 0 ? ['reasonString'] : ['reasonString', 'userProperties']),
      getOwnPropertyDescriptor: (_t, key) => ({ enumerable: true, configurable: true, value: key === 'reasonString' ? 'why' : [['a', 'b']] }),
      get: (_t, key) => (key === 'reasonString' ? 'why' : key === 'userProperties' ? [['a', 'b']] : undefined),
    });
    const frame = encode({ type: 'puback', packetId: 1, reasonCode: 0x80, properties: props }, { version: 5 });
    expect(decode(frame, { version: 5 })).toEqual({ type: 'puback', packetId: 1, reasonCode: 0x80, properties: { reasonString: 'why' } });
  });

  it('a User Property list that grows each time its length is read: the length is read once, the frame holds that many', () => {
    const list: [string, string][] = [['a', '1']];
    let lengthReads = 0;
    const growing = new Proxy(list, {
      get(t, key, r) {
        if (key === 'length') {
          lengthReads++;
          t.push([`k${t.length}`, 'v']);
        }
        return Reflect.get(t, key, r) as unknown;
      },
    });
    const frame = encode({ type: 'disconnect', reasonCode: 0, properties: { userProperties: growing } }, { version: 5 });
    expect(lengthReads).toBe(1);
    expect(decode(frame, { version: 5 })).toEqual({ type: 'disconnect', reasonCode: 0, properties: { userProperties: [['a', '1'], ['k1', 'v']] } });
  });

  it('a Uint8Array subclass lying about its length: the frame uses the real length', () => {
    class Liar extends Uint8Array {
      override get length(): number {
        return 1000;
      }
    }
    const payload = new Liar(3).fill(7);
    const frame = encode({ type: 'publish', topic: 't', payload, qos: 0 });
    expect(frame).toEqual(encode({ type: 'publish', topic: 't', payload: new Uint8Array([7, 7, 7]), qos: 0 }));
  });
});

describe('detached buffers are refused before anything is written', () => {
  const cases: [string, (b: Uint8Array) => PacketInput, (4 | 5)?][] = [
    ['PUBLISH payload', (b) => ({ type: 'publish', topic: 't', payload: b, qos: 0 })],
    ['CONNECT password', (b) => ({ type: 'connect', protocolVersion: 5, clientId: 'c', clean: true, keepAlive: 0, password: b })],
    ['CONNECT will.payload', (b) => ({ type: 'connect', protocolVersion: 4, clientId: 'c', clean: true, keepAlive: 0, will: { topic: 'w', payload: b, qos: 0 } })],
    ['PUBLISH correlationData', (b) => ({ type: 'publish', topic: 't', payload: utf8('x'), qos: 0, properties: { correlationData: b } }), 5],
  ];
  for (const [field, make, version] of cases) {
    it(`${field}: encodeInto throws invalid-packet and leaves the target as it was`, () => {
      const target = new Uint8Array(64).fill(0xee);
      const e = thrown(() => encodeInto(make(detached(8)), target, 0, version === undefined ? {} : { version }));
      expect(e.code).toBe('invalid-packet');
      expect(e.message).toContain('detached');
      expect(target.every((b) => b === 0xee)).toBe(true);
    });
  }

  it('an empty (not detached) payload is fine', () => {
    expect(encode({ type: 'publish', topic: 't', payload: new Uint8Array(0), qos: 0 })).toEqual(new Uint8Array([0x30, 0x03, 0x00, 0x01, 0x74]));
  });
});

describe('encodeInto leaves the target as it was when it refuses, and runs no method of the target', () => {
  // the topics are long enough that a fault found while copying them would come after bytes already placed
  // [what, topic, rule at 3.1.1, rule at 5.0]
  const refused: [string, string, string, string][] = [
    ['a wildcard at the end', 'sensor/42/temperature/#', 'MQTT-3.3.2-2', 'MQTT-3.3.2-2'],
    ['a + in the middle', 'sensor/+/temperature', 'MQTT-3.3.2-2', 'MQTT-3.3.2-2'],
    ['U+0000', 'sensor/42/temp\u0000erature', 'MQTT-1.5.3-2', 'MQTT-1.5.4-2'],
    ['a lone surrogate after non-ASCII', 'sensor/\u00e9/\ud800', 'MQTT-1.5.3-1', 'MQTT-1.5.4-1'],
  ];
  for (const [what, topic, rule311, rule50] of refused) {
    for (const version of [4, 5] as const) {
      const rule = version === 5 ? rule50 : rule311;
      it(`${rule} ${what} at level ${version}: invalid-packet and not one byte of the target changed`, () => {
        const target = new Uint8Array(128).fill(0xee);
        const e = thrown(() => encodeInto({ type: 'publish', topic, payload: utf8('{"v":21.5}'), qos: 1, packetId: 7 }, target, 3, { version }));
        expect([e.code, e.rule]).toEqual(['invalid-packet', rule]);
        expect(target.every((b) => b === 0xee)).toBe(true);
      });
    }
  }

  it('a Function.prototype.call replaced after the codec loaded is never called by encode or encodeInto', () => {
    const packets: PacketInput[] = [
      { type: 'publish', topic: 'a/b', payload: utf8('x'), qos: 1, packetId: 3 },
      { type: 'publish', topic: 'caf\u00e9', payload: new Uint8Array(0), qos: 0 },
    ];
    const expected = packets.map((p) => encode(p, { version: 5 }));
    const target = new Uint8Array(64);
    const original = Function.prototype.call;
    let calls = 0;
    const frames: Uint8Array[] = [];
    let written = 0;
    try {
      Function.prototype.call = function (this: (...a: unknown[]) => unknown, ...args: unknown[]) {
        calls++;
        return Reflect.apply(this, args[0], args.slice(1));
      } as typeof original;
      for (const p of packets) {
        frames.push(encode(p, { version: 5 }));
        written = encodeInto(p, target, 0, { version: 5 });
      }
    } finally {
      Function.prototype.call = original;
    }
    expect(calls).toBe(0);
    expect(frames).toEqual(expected);
    expect(target.subarray(0, written)).toEqual(expected[1]);
  });

  it('a non-ASCII topic is written whole, the same bytes as encode', () => {
    const packet: PacketInput = { type: 'publish', topic: 'capteur/température', payload: utf8('x'), qos: 0 };
    const target = new Uint8Array(64).fill(0xee);
    const n = encodeInto(packet, target, 5);
    expect(target.subarray(5, 5 + n)).toEqual(encode(packet));
    expect(target.subarray(0, 5).every((b) => b === 0xee) && target.subarray(5 + n).every((b) => b === 0xee)).toBe(true);
  });

  it('a Uint8Array subclass target whose set() is overridden: the frame is written without calling it', () => {
    let calls = 0;
    class Watched extends Uint8Array {
      override set(...args: Parameters<Uint8Array['set']>): void {
        calls++;
        super.set(...args);
      }
    }
    for (const version of [4, 5] as const) {
      const packet: PacketInput = { type: 'publish', topic: 'a/b', payload: new Uint8Array(100).fill(9), qos: 1, packetId: 1, ...(version === 5 ? { properties: { contentType: 'x'.repeat(80) } } : {}) };
      const target = new Watched(300);
      const n = encodeInto(packet, target, 2, { version });
      expect(new Uint8Array(target.buffer, 2, n)).toEqual(encode(packet, { version }));
    }
    expect(calls).toBe(0);
  });
});

describe('re-entrant calls from getters and Proxy traps see no half-done state', () => {
  it('a getter that encodes and decodes other packets while the outer encode plans', () => {
    const inner = encode({ type: 'publish', topic: 'inner/topic/longer', payload: utf8('inner'), qos: 1, packetId: 9 }, { version: 5 });
    const p = {
      type: 'publish',
      get topic() {
        // both directions, 5.0 properties included, from inside the outer plan
        const again = encode({ type: 'publish', topic: 'x', payload: utf8('y'), qos: 0, properties: { userProperties: [['u', 'v']] } }, { version: 5 });
        expect(decode(again, { version: 5 })).toMatchObject({ topic: 'x' });
        expect(decode(inner, { version: 5 })).toMatchObject({ topic: 'inner/topic/longer', packetId: 9 });
        return 'outer';
      },
      payload: utf8('outer payload'),
      qos: 2,
      packetId: 5,
      properties: { contentType: 'c' },
    } as unknown as PacketInput;
    const frame = encode(p, { version: 5 });
    expect(decode(frame, { version: 5 })).toEqual({
      type: 'publish',
      topic: 'outer',
      payload: utf8('outer payload'),
      qos: 2,
      packetId: 5,
      retain: false,
      dup: false,
      properties: { contentType: 'c' },
    });
    expect(encodedLength(p, { version: 5 })).toBe(frame.length);
  });

  it('a Uint8Array subclass whose subarray decodes another frame while the outer decode reads', () => {
    const other = encode({ type: 'publish', topic: 'other', payload: utf8('o'), qos: 0 });
    let nested: Packet | undefined;
    class Sneaky extends Uint8Array {
      override subarray(begin?: number, end?: number): Uint8Array<ArrayBuffer> {
        nested ??= decode(other);
        return super.subarray(begin, end);
      }
    }
    const bytes = encode({ type: 'publish', topic: 'outer', payload: utf8('payload'), qos: 1, packetId: 2 });
    const frame = new Sneaky(bytes.length);
    frame.set(bytes);
    const outer = decode(frame);
    expect(outer).toMatchObject({ topic: 'outer', packetId: 2 });
    expect(outer.type === 'publish' && Uint8Array.from(outer.payload)).toEqual(utf8('payload'));
    expect(nested).toMatchObject({ topic: 'other' });
  });
});

describe('smaller input checks', () => {
  it('an options key the function does not know is refused, naming the keys it knows', () => {
    const frame = encode({ type: 'pingreq' });
    expect(thrown(() => new PacketDecoder({ maximumPacketSize: 10 } as never)).message).toBe(
      "PacketDecoder: unknown option 'maximumPacketSize' (did you mean 'maxPacketSize'?); the options are version, maxPacketSize, copy, role, topicAliasMaximum, strictStrings, checkPayloadFormat",
    );
    expect(thrown(() => encode({ type: 'pingreq' }, { maxPacketSize: 10 } as never)).message).toBe(
      "encode: unknown option 'maxPacketSize' (did you mean 'maximumPacketSize'?); the options are version, maximumPacketSize",
    );
    expect(thrown(() => decode(frame, { protocolVersion: 5 } as never)).message).toBe(
      "decode: unknown option 'protocolVersion' (did you mean 'version'?); the options are version, copy",
    );
    expect(thrown(() => new FrameSplitter({ max: 3 } as never)).code).toBe('invalid-packet');
    expect(thrown(() => new PacketEncoderStream({ versoin: 5 } as never)).message).toContain("unknown option 'versoin'");
    expect(thrown(() => fitToMaximumPacketSize({ type: 'pingreq' }, 10, { vers: 4 } as never)).code).toBe('invalid-packet');
    // an options object reused across calls is checked once and keeps working
    const options = { version: 5 } as const;
    for (let i = 0; i < 3; i++) expect(decode(encode({ type: 'pingresp' }, options), options)).toEqual({ type: 'pingresp' });
  });

  it('PacketEncoderStream given null errors the stream with invalid-packet, not a TypeError', async () => {
    const stream = new PacketEncoderStream();
    const writer = stream.writable.getWriter();
    const reading = stream.readable.getReader().read();
    await expect(writer.write(null as unknown as Packet)).rejects.toBeInstanceOf(MqttError);
    await expect(reading).rejects.toMatchObject({ code: 'invalid-packet' });
  });

  it('MQTT-3.8.3-4 a 3.1.1 SUBSCRIBE with noLocal 1 or "1" is refused, not silently dropped', () => {
    for (const noLocal of [1, '1', true]) {
      const e = thrown(() => encode({ type: 'subscribe', packetId: 1, subscriptions: [{ topicFilter: 'a', qos: 0, noLocal }] } as unknown as Packet));
      expect(e.code).toBe('invalid-packet');
    }
    // false is what 3.1.1 means anyway
    expect(encode({ type: 'subscribe', packetId: 1, subscriptions: [{ topicFilter: 'a', qos: 0, noLocal: false }] })).toEqual(
      encode({ type: 'subscribe', packetId: 1, subscriptions: [{ topicFilter: 'a', qos: 0 }] }),
    );
  });

  it('MQTT-4.7.1-2 topicMatches is false for a filter that is not valid, whatever the name', () => {
    expect(topicMatches('a/#/b', 'a/q')).toBe(false);
    expect(topicMatches('a/b+', 'a/b+')).toBe(false);
    expect(topicMatches('a/#', 'a/+')).toBe(false);
    expect(topicMatches('a/#', 'a/q')).toBe(true);
  });

  it('a PUBLISH or Will without retain/dup encodes as if they were false', () => {
    expect(encode({ type: 'publish', topic: 't', payload: utf8('x'), qos: 1, packetId: 1 })).toEqual(
      encode({ type: 'publish', topic: 't', payload: utf8('x'), qos: 1, packetId: 1, retain: false, dup: false }),
    );
    expect(encode({ type: 'connect', protocolVersion: 4, clientId: 'c', clean: true, keepAlive: 0, will: { topic: 'w', payload: utf8('b'), qos: 0 } })).toEqual(
      encode({ type: 'connect', protocolVersion: 4, clientId: 'c', clean: true, keepAlive: 0, will: { topic: 'w', payload: utf8('b'), qos: 0, retain: false } }),
    );
    expect(thrown(() => encode({ type: 'publish', topic: 't', payload: utf8('x'), qos: 0, retain: 1 } as unknown as Packet)).message).toBe(
      'PUBLISH retain must be a boolean, got 1',
    );
  });
});

describe('packetFromJson', () => {
  it('refuses a "__proto__" key, which would otherwise supply every field it holds', async () => {
    const { packetFromJson } = await import('../src/index.js');
    const json = JSON.parse('{"type":"publish","topic":"t","payload":{"utf8":"x"},"qos":0,"retain":false,"dup":false,"__proto__":{"qos":1,"packetId":5}}') as unknown;
    const e = thrown(() => packetFromJson(json));
    expect([e.code, e.message]).toEqual(['invalid-packet', 'a JSON packet may not have a "__proto__" key']);
  });
});
