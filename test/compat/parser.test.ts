// parser(): the event emitter, the packet objects, the stream (chunks, bytes left, errors and what comes before
// them), settings, and the leniencies mqtt-packet's users depend on, each beside mqtt-packet's own result.

import mqttPacket from 'mqtt-packet';
import { describe, expect, it } from 'vitest';
import { MqttError, encode } from '../../src/index.js';
import { parser, type Parser } from '../../src/compat/index.js';
import '../support/byte-equality.js';

const b = (...bytes: number[]): Buffer => Buffer.from(bytes);
const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ''), 'hex');

/** Everything a parser emits for the chunks, in order, as plain objects (the error as its message). */
function collect(p: Parser, ...chunks: Uint8Array[]): unknown[] {
  const out: unknown[] = [];
  p.on('packet', (packet: object) => out.push({ ...packet }));
  p.on('error', (e: Error) => out.push(e.message));
  for (const c of chunks) p.parse(c);
  return out;
}

/** mqtt-packet's events for the same chunks. */
function theirs(opts: object, ...chunks: Uint8Array[]): unknown[] {
  const p = mqttPacket.parser(opts);
  const out: unknown[] = [];
  p.on('packet', (packet: object) => out.push({ ...packet }));
  p.on('error', (e: Error) => out.push(e.message));
  for (const c of chunks) p.parse(Buffer.from(c));
  return out;
}

// PUBLISH QoS 1 'a/b' id 7 payload 'hi' (3.1.1)
const PUBLISH = hex('32 09 0003 612f62 0007 6869');
// CONNECT 3.1.1 clientId 'c' clean, keep alive 30
const CONNECT_4 = hex('10 0d 0004 4d515454 04 02 001e 0001 63');
const PINGREQ = hex('c0 00');

describe('packet objects', () => {
  it("a PUBLISH has mqtt-packet's fields in its order, and its payload is a Buffer view of the chunk", () => {
    const p = parser();
    let packet: Record<string, unknown> = {};
    p.on('packet', (x: Record<string, unknown>) => (packet = x));
    const chunk = Buffer.concat([PINGREQ, PUBLISH]);
    expect(p.parse(chunk)).toBe(0);
    expect(Object.keys(packet)).toStrictEqual(['cmd', 'retain', 'qos', 'dup', 'length', 'topic', 'payload', 'messageId']);
    expect({ ...packet }).toStrictEqual({ cmd: 'publish', retain: false, qos: 1, dup: false, length: 9, topic: 'a/b', payload: b(0x68, 0x69), messageId: 7 });
    expect(packet.constructor.name).toBe('Packet');
    const payload = packet['payload'] as Buffer;
    expect(Buffer.isBuffer(payload)).toBe(true);
    // no copy: the payload is the chunk's memory
    expect(payload.buffer).toBe(chunk.buffer);
    expect(payload.byteOffset).toBe(chunk.byteOffset + 2 + 9);
  });

  it('other packets carry topic and payload as null, and the fixed header bits (PUBREL and SUBSCRIBE: qos 1)', () => {
    const frames = [hex('62 02 0005'), hex('82 08 0009 0003 612f23 01'), PINGREQ];
    expect(collect(parser(), ...frames)).toStrictEqual(theirs({}, ...frames));
    expect(collect(parser(), ...frames)).toStrictEqual([
      { cmd: 'pubrel', retain: false, qos: 1, dup: false, length: 2, topic: null, payload: null, messageId: 5 },
      { cmd: 'subscribe', retain: false, qos: 1, dup: false, length: 8, topic: null, payload: null, subscriptions: [{ topic: 'a/#', qos: 1 }], messageId: 9 },
      { cmd: 'pingreq', retain: false, qos: 0, dup: false, length: 0, topic: null, payload: null },
    ]);
  });

  it('5.0 properties: flags as booleans, maximumQoS, userProperties as an object without prototype, repeated names as arrays', () => {
    const connack = encode(
      {
        type: 'connack',
        sessionPresent: false,
        reasonCode: 0,
        properties: { maximumQos: 1, retainAvailable: 0, userProperties: [['a', '1'], ['b', '2'], ['a', '3']], wildcardSubscriptionAvailable: 1 },
      },
      { version: 5 },
    );
    const p = parser({ protocolVersion: 5 });
    let packet: Record<string, any> = {};
    p.on('packet', (x: Record<string, any>) => (packet = x));
    p.parse(Buffer.from(connack));
    expect(packet['properties']).toStrictEqual({
      maximumQoS: 1,
      retainAvailable: false,
      userProperties: Object.assign(Object.create(null), { a: ['1', '3'], b: '2' }),
      wildcardSubscriptionAvailable: true,
    });
    expect(Object.getPrototypeOf(packet['properties'].userProperties)).toBe(null);
    expect(collect(parser({ protocolVersion: 5 }), connack)).toStrictEqual(theirs({ protocolVersion: 5 }, connack));
  });

  it('a PUBLISH with several Subscription Identifiers has them as an array, one as a number', () => {
    const one = encode({ type: 'publish', topic: 't', payload: new Uint8Array(0), qos: 0, retain: false, dup: false, properties: { subscriptionIdentifiers: [5] } }, { version: 5 });
    const three = encode({ type: 'publish', topic: 't', payload: new Uint8Array(0), qos: 0, retain: false, dup: false, properties: { subscriptionIdentifiers: [5, 1000, 7] } }, { version: 5 });
    const got = collect(parser({ protocolVersion: 5 }), one, three) as { properties: unknown }[];
    expect(got.map((p) => p.properties)).toStrictEqual([{ subscriptionIdentifier: 5 }, { subscriptionIdentifier: [5, 1000, 7] }]);
  });
});

describe('events', () => {
  it("'packet' is emitted inside parse(), synchronously, with this the parser; callers may hang fields on it", () => {
    const p = parser() as Parser & { client?: string };
    p.client = 'mine';
    const seen: unknown[] = [];
    p.on('packet', function (this: Parser & { client?: string }) {
      seen.push(this === p, this.client);
    });
    p.parse(PINGREQ);
    expect(seen).toStrictEqual([true, 'mine']);
  });

  it('an error with no listener is thrown, as an EventEmitter throws it', () => {
    const p = parser();
    let error: unknown;
    try {
      p.parse(b(0x00, 0x00));
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(MqttError);
    expect((error as Error).message).toBe('Not supported');
    expect(p.error).toBe(error);
  });
});

describe('the stream', () => {
  it('a stream cut at every position gives the same packets as in one chunk', () => {
    const stream = Buffer.concat([CONNECT_4, PUBLISH, PINGREQ, hex('40 02 0007'), hex('e0 00')]);
    const whole = collect(parser(), stream);
    expect(whole).toHaveLength(5);
    for (let i = 0; i <= stream.length; i++) {
      for (let j = i; j <= stream.length; j++) {
        expect(collect(parser(), stream.subarray(0, i), stream.subarray(i, j), stream.subarray(j))).toStrictEqual(whole);
      }
    }
  });

  it("parse() returns the bytes held as mqtt-packet counts them: after the fixed header once it is read", () => {
    // mqtt-packet's own 'split length parse' and 'splitted publish parse' cases, and a cut inside a 2-byte length
    const cases: Buffer[][] = [
      [hex('30 0a 0004 74657374'), hex('74657374')],
      [hex('30ff'), hex('01 0004 74657374'), Buffer.alloc(249, 0x61)],
      [hex('30'), hex('ff01 0004'), hex('74657374'), Buffer.alloc(249, 0x61)],
    ];
    for (const chunks of cases) {
      const ours = parser();
      const reference = mqttPacket.parser();
      for (const c of chunks) expect(ours.parse(c)).toBe(reference.parse(c));
    }
  });

  it('packets before a fault are emitted first; then the error, with mqtt-packet message and the codec fields', () => {
    // CONNECT, PINGREQ, then a SUBSCRIBE with flags 0000 (MQTT-3.8.1-1), then a PINGREQ that is never read
    const stream = Buffer.concat([CONNECT_4, PINGREQ, hex('80 08 0009 0003 612f23 01'), PINGREQ]);
    const p = parser();
    const events: unknown[] = [];
    let error: MqttError | undefined;
    p.on('packet', (x: { cmd: string }) => events.push(x.cmd));
    p.on('error', (e: MqttError) => {
      events.push('error');
      error = e;
    });
    p.parse(stream);
    expect(events).toStrictEqual(['connect', 'pingreq', 'error']);
    expect(error).toBeInstanceOf(MqttError);
    expect(error!.message).toBe('Invalid header flag bits, must be 0x2 for subscribe packet');
    expect([error!.code, error!.reasonCode, error!.rule]).toStrictEqual(['malformed-packet', 0x81, 'MQTT-3.8.1-1']);
    // a stream offset: the SUBSCRIBE's first byte
    expect(error!.offset).toBe(CONNECT_4.length + 2);
    expect(p.error).toBe(error);
    expect(events).toStrictEqual(theirs({}, stream).map((e) => (typeof e === 'string' ? 'error' : (e as { cmd: string }).cmd)));
  });

  it('the next parse() after an error starts afresh, as a new parser', () => {
    const p = parser();
    const events: unknown[] = [];
    p.on('packet', (x: { cmd: string }) => events.push(x.cmd));
    p.on('error', () => events.push('error'));
    // an error, with the start of a PUBLISH after it in the same chunk: dropped
    p.parse(Buffer.concat([b(0x00, 0x00), PUBLISH.subarray(0, 4)]));
    expect(p.parse(PINGREQ)).toBe(0);
    expect(p.error).toBe(null);
    expect(events).toStrictEqual(['error', 'pingreq']);
  });

  it('a listener that parses more bytes has them parsed after the rest of the current chunk, in order', () => {
    const p = parser();
    const seen: string[] = [];
    let fed = false;
    p.on('packet', (x: { cmd: string }) => {
      seen.push(x.cmd);
      if (!fed) {
        fed = true;
        p.parse(hex('e0 00'));
      }
    });
    p.parse(Buffer.concat([PINGREQ, hex('40 02 0007')]));
    expect(seen).toStrictEqual(['pingreq', 'puback', 'disconnect']);
  });

  it('a listener that throws: the error leaves parse(), and the bytes after its packet are parsed by the next call', () => {
    const p = parser();
    const seen: string[] = [];
    p.on('packet', (x: { cmd: string }) => {
      seen.push(x.cmd);
      if (x.cmd === 'pingreq') throw new Error('listener failed');
    });
    expect(() => p.parse(Buffer.concat([PINGREQ, hex('40 02 0007')]))).toThrow('listener failed');
    expect(seen).toStrictEqual(['pingreq']);
    p.parse(hex('e0 00'));
    expect(seen).toStrictEqual(['pingreq', 'puback', 'disconnect']);
  });

  it('refuses a chunk that is not bytes, with an error event', () => {
    const p = parser();
    const errors: MqttError[] = [];
    p.on('error', (e: MqttError) => errors.push(e));
    p.parse('c000' as unknown as Buffer);
    expect(errors.map((e) => [e.code, e.message])).toStrictEqual([['invalid-packet', 'parse expects a Buffer or Uint8Array, got string']]);
  });
});

describe('settings', () => {
  it('are the options given, and become the CONNECT, whose level reads the frames after it', () => {
    const opts = { protocolVersion: 4 };
    const p = parser(opts);
    expect(p.settings).toBe(opts);
    const connect5 = hex('10 0e 0004 4d515454 05 02 001e 00 0001 63');
    // at 5.0 a PUBACK of Remaining Length 2 has reason code 0
    const events = collect(p, Buffer.concat([connect5, hex('40 02 0007')]));
    expect((p.settings as { cmd: string }).cmd).toBe('connect');
    expect(p.settings.protocolVersion).toBe(5);
    expect(events[1]).toStrictEqual({ cmd: 'puback', retain: false, qos: 0, dup: false, length: 2, topic: null, payload: null, messageId: 7, reasonCode: 0 });
  });

  it('protocolVersion is read for every frame, so a caller may change it between calls', () => {
    const p = parser({ protocolVersion: 4 });
    const events = collect(p);
    p.parse(hex('40 02 0007'));
    p.settings.protocolVersion = 5;
    p.parse(hex('40 02 0007'));
    expect(events.map((e) => (e as { reasonCode?: number }).reasonCode)).toStrictEqual([undefined, 0]);
  });
});

describe('leniencies mqtt-packet users depend on (each as mqtt-packet reads it)', () => {
  const same = (opts: object, ...chunks: Buffer[]): unknown[] => {
    const ours = collect(parser({ ...opts }), ...chunks);
    expect(ours).toStrictEqual(theirs({ ...opts }, ...chunks));
    return ours;
  };

  it("a bridge's CONNECT (level + 0x80) at every level; a 3.1.1 SUBSCRIBE then carries the bridge's options", () => {
    for (const [name, level] of [['4d515454', 0x84], ['4d5149736470', 0x83], ['4d515454', 0x85]] as const) {
      const nameBytes = name.length / 2;
      const body = `00${nameBytes.toString(16).padStart(2, '0')} ${name} ${level.toString(16)} 02 001e ${level === 0x85 ? '00' : ''} 0001 63`;
      const frame = hex(`10 ${(hex(body).length).toString(16).padStart(2, '0')} ${body}`);
      const [connect] = same({}, frame) as { bridgeMode: boolean; protocolVersion: number }[];
      expect([connect!.bridgeMode, connect!.protocolVersion]).toStrictEqual([true, level - 0x80]);
    }
    const p = parser();
    const events = collect(p, hex('10 0d 0004 4d515454 84 02 001e 0001 63'), hex('82 08 0009 0003 612f23 01'));
    expect(events[1]).toStrictEqual({
      cmd: 'subscribe', retain: false, qos: 1, dup: false, length: 8, topic: null, payload: null,
      subscriptions: [{ topic: 'a/#', qos: 1, rh: 0, rap: true, nl: true }], messageId: 9,
    });
  });

  it("either protocol name at any level ('MQTT' at 3, 'MQIsdp' at 4 and 5)", () => {
    const mqtt3 = same({}, hex('10 0d 0004 4d515454 03 02 001e 0001 63'))[0] as { protocolId: string; protocolVersion: number };
    expect([mqtt3.protocolId, mqtt3.protocolVersion]).toStrictEqual(['MQTT', 3]);
    const mqisdp5 = same({}, hex('10 10 0006 4d5149736470 05 02 001e 00 0001 63'))[0] as { protocolId: string; protocolVersion: number };
    expect([mqisdp5.protocolId, mqisdp5.protocolVersion]).toStrictEqual(['MQIsdp', 5]);
  });

  it('a 5.0 CONNACK of Remaining Length 1 or 2 (a 3.1.1 server answering a 5.0 client)', () => {
    expect(same({ protocolVersion: 5 }, hex('20 01 01'), hex('20 02 00 01'))).toStrictEqual([
      { cmd: 'connack', retain: false, qos: 0, dup: false, length: 1, topic: null, payload: null, sessionPresent: true, reasonCode: 0 },
      { cmd: 'connack', retain: false, qos: 0, dup: false, length: 2, topic: null, payload: null, sessionPresent: false, reasonCode: 1 },
    ]);
    // still the codec's checks: Session Present with a refusal (MQTT-3.2.2-6)
    const err = errorOf(parser({ protocolVersion: 5 }), hex('20 02 01 01'));
    expect([err.code, err.rule]).toStrictEqual(['protocol-error', 'MQTT-3.2.2-6']);
  });

  it('a 3.x CONNACK return code above 5 (aedes sends 6 for a refused keep-alive)', () => {
    expect((same({}, hex('20 02 00 06'), hex('20 02 00 ff')) as { returnCode: number }[]).map((p) => p.returnCode)).toStrictEqual([6, 255]);
    const err = errorOf(parser(), hex('20 02 01 06'));
    expect([err.code, err.rule]).toStrictEqual(['protocol-error', 'MQTT-3.2.2-4']);
  });

  it('Maximum QoS 2 in a 5.0 CONNACK (servers have sent it), without touching the caller\'s bytes', () => {
    const frame = hex('20 05 00 00 02 24 02');
    const copy = Buffer.from(frame);
    expect((same({ protocolVersion: 5 }, frame)[0] as { properties: unknown }).properties).toStrictEqual({ maximumQoS: 2 });
    expect(frame).toStrictEqual(copy);
    // 3 is refused still (U5-3.2.2.3-2)
    expect(errorOf(parser({ protocolVersion: 5 }), hex('20 05 00 00 02 24 03')).rule).toBe('U5-3.2.2.3-2');
  });

  it('a Topic Name with a wildcard (aedes answers it itself), and Packet Identifier 0', () => {
    const events = same({}, hex('30 05 0003 612f23'), hex('32 07 0003 612f2b 0000'), hex('82 06 0000 0001 61 00'), hex('90 03 0000 00'), hex('40 02 0000'));
    expect(events.map((e) => [(e as { topic?: string }).topic, (e as { messageId?: number }).messageId])).toStrictEqual([
      ['a/#', undefined],
      ['a/+', 0],
      [null, 0],
      [null, 0],
      [null, 0],
    ]);
  });
});

function errorOf(p: Parser, ...chunks: Uint8Array[]): MqttError {
  let error: MqttError | undefined;
  p.on('error', (e: MqttError) => (error = e));
  for (const c of chunks) p.parse(c);
  if (error === undefined) throw new Error('no error emitted');
  return error;
}

/**
 * Frames mqtt-packet accepts and the compat layer refuses, with the rule each breaks. The README lists the same
 * rules (section "mqtt-packet compatibility").
 */
export const REFUSED_FRAMES: [what: string, opts: object, frame: string, code: string, rule: string][] = [
  ['a string that is not UTF-8', {}, '30 05 0003 61ff62', 'malformed-packet', 'MQTT-1.5.3-1'],
  ['a string with U+0000', {}, '30 05 0003 610062', 'malformed-packet', 'MQTT-1.5.3-2'],
  ['an empty Topic Name (3.1.1)', {}, '30 02 0000', 'protocol-error', 'U311-3.3.2-1'],
  ['DUP with QoS 0', {}, '38 05 0003 612f62', 'malformed-packet', 'MQTT-3.3.1-2'],
  ["a Topic Filter with '#' not last", {}, '82 0a 0001 0005 612f232f62 00', 'protocol-error', 'MQTT-4.7.1-2'],
  ['a SUBSCRIBE without a Topic Filter', {}, '82 02 0001', 'protocol-error', 'MQTT-3.8.3-3'],
  ['a 3.1.1 PUBACK longer than 2 bytes', {}, '40 03 0001 00', 'malformed-packet', 'U311-3.4-1'],
  ['a 3.1.1 DISCONNECT with a body', {}, 'e0 01 00', 'malformed-packet', 'U311-3.14-1'],
  ['a 3.1.1 PINGREQ with a body', {}, 'c0 01 00', 'malformed-packet', 'U311-2-1'],
  ['bytes left after the last field (CONNECT)', {}, '10 0e 0004 4d515454 04 02 001e 0001 63 00', 'malformed-packet', 'U311-2-1'],
  ['a password without a user name (3.1.1)', {}, '10 0f 0004 4d515454 04 42 001e 0001 63 0000', 'malformed-packet', 'MQTT-3.1.2-22'],
  ['an empty Client Identifier without Clean Session (3.1.1)', {}, '10 0c 0004 4d515454 04 00 001e 0000', 'protocol-error', 'MQTT-3.1.3-8'],
  ['an empty Client Identifier at MQTT 3.1', {}, '10 0e 0006 4d5149736470 03 02 0000 0000', 'protocol-error', 'MQTT-3.1.3-8'],
  ['Will QoS 3', {}, '10 13 0004 4d515454 04 1e 001e 0001 63 0001 74 0001 78', 'malformed-packet', 'MQTT-3.1.2-14'],
  ['a padded Remaining Length', {}, '30 85 00 0003 612f62', 'malformed-packet', 'U311-2.2.3-3'],
  ['a 5.0 property twice', { protocolVersion: 5 }, '30 0c 0001 74 08 03 0001 61 03 0001 62', 'protocol-error', 'U5-3.3.2.3-2'],
  ['a 5.0 property the packet may not carry', { protocolVersion: 5 }, '30 09 0001 74 05 11 00000001', 'malformed-packet', 'U5-3.3.2.3-1'],
  ['a 5.0 property value out of range (Receive Maximum 0)', { protocolVersion: 5 }, '20 06 00 00 03 21 0000', 'protocol-error', 'U5-3.2.2.3-2'],
  ['a 5.0 CONNACK reason code that is not one', { protocolVersion: 5 }, '20 03 00 01 00', 'protocol-error', 'MQTT-3.2.2-8'],
  ['a Topic Alias of 0', { protocolVersion: 5 }, '30 07 0001 74 03 23 0000', 'protocol-error', 'MQTT-3.3.2-8'],
];

describe('strict where mqtt-packet is not: each frame below mqtt-packet accepts, the compat layer refuses', () => {
  for (const [what, opts, frame, code, rule] of REFUSED_FRAMES) {
    it(`${what} (${rule})`, () => {
      const bytes = hex(frame);
      const accepted = theirs(opts, bytes);
      expect(accepted.length).toBeGreaterThan(0);
      expect(typeof accepted[0]).toBe('object');
      const err = errorOf(parser({ ...opts }), bytes);
      expect([err.code, err.rule]).toStrictEqual([code, rule]);
    });
  }
});
