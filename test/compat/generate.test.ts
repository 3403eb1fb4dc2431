// generate() and writeToStream(): mqtt-packet's bytes (the forms it chooses where the spec allows several), its
// checks and messages, its leniencies, the stream contract (one write, cork until the next tick, back-pressure,
// destroy on a bad packet), cacheNumbers, and the Maximum Packet Size fitting; each beside mqtt-packet's result.

import mqttPacket from 'mqtt-packet';
import { describe, expect, it } from 'vitest';
import { MqttError } from '../../src/index.js';
import { generate, writeToStream, type GenerateOptions, type Packet } from '../../src/compat/index.js';
import '../support/byte-equality.js';

const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ''), 'hex');

/** generate's outcome as hex, or the error's message. */
function outcome(impl: { generate(p: any, o?: any): Uint8Array }, packet: object, opts?: object): string {
  try {
    return Buffer.from(impl.generate(packet, opts)).toString('hex');
  } catch (e) {
    return `error: ${(e as Error).message}`;
  }
}

function same(packet: object, opts?: object): string {
  const ours = outcome({ generate }, packet, opts);
  expect(ours).toBe(outcome(mqttPacket, packet, opts));
  return ours;
}

describe("mqtt-packet's forms", () => {
  it('5.0 acknowledgements: the Reason Code left out only when it is 0, and then an empty property block after it', () => {
    const v5 = { protocolVersion: 5 };
    expect(same({ cmd: 'puback', messageId: 7, reasonCode: 0 }, v5)).toBe('40020007');
    expect(same({ cmd: 'puback', messageId: 7 }, v5)).toBe('400400070000');
    expect(same({ cmd: 'pubrec', messageId: 7, reasonCode: 0x10 }, v5)).toBe('500400071000');
    expect(same({ cmd: 'pubcomp', messageId: 7, reasonCode: 0, properties: {} }, v5)).toBe('700400070000');
    expect(same({ cmd: 'pubrel', messageId: 7, reasonCode: 0x92, properties: { reasonString: 'x' } }, v5)).toBe('6208000792041f000178');
  });

  it('5.0 DISCONNECT and AUTH always carry the Reason Code and a property block', () => {
    const v5 = { protocolVersion: 5 };
    expect(same({ cmd: 'disconnect' }, v5)).toBe('e0020000');
    expect(same({ cmd: 'disconnect', reasonCode: 4 }, v5)).toBe('e0020400');
    expect(same({ cmd: 'auth', reasonCode: 0 }, v5)).toBe('f0020000');
    expect(same({ cmd: 'disconnect', reasonCode: 4 }, { protocolVersion: 4 })).toBe('e000');
  });

  it("a CONNECT's protocol name and level as given: a bridge's level byte, either name at any level", () => {
    const base = { cmd: 'connect', clientId: 'c', keepalive: 30 };
    expect(same({ ...base, protocolId: 'MQTT', protocolVersion: 4, bridgeMode: true })).toBe('100d00044d5154548402001e000163');
    expect(same({ ...base, protocolId: 'MQIsdp', protocolVersion: 4 })).toBe('100f00064d51497364700402001e000163');
    expect(same({ ...base, protocolId: 'MQTT', protocolVersion: 3 })).toBe('100d00044d5154540302001e000163');
    expect(same({ ...base, protocolId: Buffer.from('MQTT'), protocolVersion: 4 })).toBe('100d00044d5154540402001e000163');
  });

  it('strings and Buffers where mqtt-packet takes either; user property values made strings; properties in key order', () => {
    expect(same({ cmd: 'publish', topic: Buffer.from('a/b'), payload: 'hi', qos: 1, messageId: 7 })).toBe('32090003612f6200076869');
    expect(
      same({ cmd: 'connect', clientId: Buffer.from('c'), username: Buffer.from('u'), password: 'p', will: { topic: 't', payload: 'w' } }),
    ).toBe('101900044d51545404c60000000163000174000177000175000170');
    const props = { protocolVersion: 5 };
    const publish = {
      cmd: 'publish',
      topic: 't',
      payload: Buffer.alloc(0),
      properties: { userProperties: { n: 5, m: [true, 'x'] }, contentType: 'c', correlationData: 'cd', payloadFormatIndicator: false },
    };
    // properties length 0x23: user properties n=5, m=true, m=x, then content type, correlation data, format 0
    expect(same(publish, props)).toBe('3027000174232600016e0001352600016d0004747275652600016d0001780300016309000263640100');
  });

  it('3.x: 5.0 fields are left out, as mqtt-packet leaves them out', () => {
    expect(same({ cmd: 'puback', messageId: 1, reasonCode: 0x80, properties: { reasonString: 'no' } })).toBe('40020001');
    expect(same({ cmd: 'subscribe', messageId: 1, subscriptions: [{ topic: 'a', qos: 1, nl: true, rap: true, rh: 2 }], properties: { subscriptionIdentifier: 3 } })).toBe('8206000100016101');
    expect(same({ cmd: 'unsuback', messageId: 1, granted: [0x11] })).toBe('b0020001');
  });

  it('returns a Buffer', () => {
    expect(Buffer.isBuffer(generate({ cmd: 'pingreq' }))).toBe(true);
  });
});

describe("mqtt-packet's checks and messages", () => {
  const cases: [object, object | undefined][] = [
    [{}, undefined],
    [{ cmd: 'nope' }, undefined],
    [{ cmd: 'publish', topic: 5 }, undefined],
    [{ cmd: 'publish', topic: 't', qos: 1 }, undefined],
    [{ cmd: 'publish', topic: 't', properties: { contentType: 5 } }, { protocolVersion: 5 }],
    [{ cmd: 'publish', topic: 't', properties: { madeUp: 1 } }, { protocolVersion: 5 }],
    [{ cmd: 'publish', topic: 't', properties: { payloadFormatIndicator: 1 } }, { protocolVersion: 5 }],
    [{ cmd: 'publish', topic: 't', properties: { messageExpiryInterval: -1 } }, { protocolVersion: 5 }],
    [{ cmd: 'connect', protocolId: 42 }, undefined],
    [{ cmd: 'connect', protocolVersion: 6 }, undefined],
    [{ cmd: 'connect', protocolVersion: 3 }, undefined],
    [{ cmd: 'connect', clean: false }, undefined],
    [{ cmd: 'connect', clientId: 'c', keepalive: 70000 }, undefined],
    [{ cmd: 'connect', clientId: 'c', will: 'w' }, undefined],
    [{ cmd: 'connect', clientId: 'c', will: { payload: 'x' } }, undefined],
    [{ cmd: 'connect', clientId: 'c', will: { topic: 't', payload: 42 } }, undefined],
    [{ cmd: 'connect', clientId: 'c', username: 42 }, undefined],
    [{ cmd: 'connect', clientId: 'c', password: 'p' }, undefined],
    [{ cmd: 'connect', clientId: 'c', username: 'u', password: 42 }, undefined],
    [{ cmd: 'connack', returnCode: '0' }, undefined],
    [{ cmd: 'connack', returnCode: 0 }, { protocolVersion: 5 }],
    [{ cmd: 'puback' }, undefined],
    [{ cmd: 'subscribe', messageId: 1, subscriptions: [] }, undefined],
    [{ cmd: 'subscribe', messageId: 1, subscriptions: [{ topic: 1, qos: 0 }] }, undefined],
    [{ cmd: 'subscribe', messageId: 1, subscriptions: [{ topic: 'a' }] }, undefined],
    [{ cmd: 'subscribe', messageId: 1, subscriptions: [{ topic: 'a', qos: 0, nl: 1 }] }, { protocolVersion: 5 }],
    [{ cmd: 'subscribe', messageId: 1, subscriptions: [{ topic: 'a', qos: 0, rap: 'y' }] }, { protocolVersion: 5 }],
    [{ cmd: 'subscribe', messageId: 1, subscriptions: [{ topic: 'a', qos: 0, rh: 3 }] }, { protocolVersion: 5 }],
    [{ cmd: 'suback', messageId: 1, granted: [] }, undefined],
    [{ cmd: 'suback', messageId: 1, granted: ['0'] }, undefined],
    [{ cmd: 'unsubscribe', messageId: 1, unsubscriptions: 'a' }, undefined],
    [{ cmd: 'unsubscribe', messageId: 1, unsubscriptions: [1] }, undefined],
    [{ cmd: 'unsuback', messageId: 1, granted: [] }, { protocolVersion: 5 }],
    [{ cmd: 'auth', reasonCode: 0 }, undefined],
  ];
  for (const [packet, opts] of cases) {
    it(`${JSON.stringify(packet)} ${opts ? JSON.stringify(opts) : ''}`, () => {
      const message = same(packet, opts);
      expect(message).toMatch(/^error: /);
      let error: unknown;
      try {
        generate(packet as Packet, opts as GenerateOptions);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(MqttError);
      expect((error as MqttError).code).toBe('invalid-packet');
    });
  }
});

describe('what mqtt-packet writes as given, and so does the compat layer (test tools craft such packets)', () => {
  it('Topic Names and Filters that break the topic rules, Packet Identifier 0, a QoS it does not know, any protocol name', () => {
    expect(same({ cmd: 'publish', topic: 'a/#', payload: 'x' })).toBe('30060003612f2378');
    expect(same({ cmd: 'publish', topic: '', payload: 'x', qos: 1, messageId: 0 })).toBe('32050000000078');
    expect(same({ cmd: 'subscribe', messageId: 0, subscriptions: [{ topic: 'a/#/b', qos: 128 }, { topic: '', qos: 1 }] })).toBe('820d00000005612f232f6200000001');
    expect(same({ cmd: 'unsubscribe', messageId: 2, unsubscriptions: ['x+', ''] })).toBe('a20800020002782b0000');
    expect(same({ cmd: 'suback', messageId: 0, granted: [128] })).toBe('9003000080');
    expect(same({ cmd: 'connect', protocolId: 'MQTT_hello', protocolVersion: 3, clientId: 'c' })).toBe('1013000a4d5154545f68656c6c6f03020000000163');
  });
});

describe('where the compat layer writes what the spec allows instead of what mqtt-packet writes', () => {
  it('DUP only with QoS 1 or 2 (MQTT-3.3.1-2); never on PUBREL or SUBSCRIBE (MQTT-3.6.1-1, MQTT-3.8.1-1)', () => {
    expect(outcome({ generate }, { cmd: 'publish', topic: 't', dup: true, qos: 0 })).toBe('3003000174');
    expect(outcome(mqttPacket, { cmd: 'publish', topic: 't', dup: true, qos: 0 })).toBe('3803000174');
    expect(outcome({ generate }, { cmd: 'pubrel', messageId: 1, dup: true })).toBe('62020001');
    // mqtt-packet looks its header up by the DUP bit's value and finds none
    expect(outcome(mqttPacket, { cmd: 'pubrel', messageId: 1, dup: true })).toBe("error: Cannot read properties of undefined (reading '0')");
    expect(outcome({ generate }, { cmd: 'subscribe', messageId: 1, dup: true, subscriptions: [{ topic: 'a', qos: 0 }] })).toBe('8206000100016100');
    expect(outcome(mqttPacket, { cmd: 'subscribe', messageId: 1, dup: true, subscriptions: [{ topic: 'a', qos: 0 }] })).toBe('8a06000100016100');
  });

  it("a 5.0 bridge's CONNECT: level byte 0x85, as mqtt-packet's parser reads it", () => {
    const connect = { cmd: 'connect', clientId: 'c', keepalive: 30, protocolId: 'MQTT', protocolVersion: 5, bridgeMode: true };
    expect(outcome({ generate }, connect)).toBe('100e00044d5154548502001e00000163');
    // mqtt-packet writes level 3 and no property block under a Remaining Length that counts one: 14, then 13 bytes
    expect(outcome(mqttPacket, connect)).toBe('100e00044d5154540302001e000163');
  });

  it('refuses what the spec forbids and mqtt-packet writes anyway, with the codec\'s rule', () => {
    const cases: [object, object | undefined, string | undefined][] = [
      [{ cmd: 'publish', topic: 'a\u0000b' }, undefined, 'MQTT-1.5.3-2'],
      [{ cmd: 'publish', topic: '\ud800' }, undefined, 'MQTT-1.5.3-1'],
      [{ cmd: 'publish', topic: 't', qos: 1, messageId: 70000 }, undefined, 'MQTT-2.3.1-1'],
      [{ cmd: 'publish', topic: 't', properties: { sessionExpiryInterval: 1 } }, { protocolVersion: 5 }, 'U5-3.3.2.3-1'],
      [{ cmd: 'puback', messageId: 1, reasonCode: 0x92 }, { protocolVersion: 5 }, 'MQTT-3.4.2-1'],
      [{ cmd: 'connect', clientId: 'c', will: { topic: 't', payload: 'x', qos: 3 } }, undefined, 'MQTT-3.1.2-14'],
      [{ cmd: 'connack', returnCode: 1, sessionPresent: true }, undefined, 'MQTT-3.2.2-4'],
    ];
    for (const [packet, opts, rule] of cases) {
      expect(outcome(mqttPacket, packet, opts)).not.toMatch(/^error/);
      let error: MqttError | undefined;
      try {
        generate(packet as Packet, opts as GenerateOptions);
      } catch (e) {
        error = e as MqttError;
      }
      expect([error?.code, error?.rule]).toStrictEqual(['invalid-packet', rule]);
    }
  });
});

/** A stream that records what writeToStream does to it. */
function recorder(writeResult: boolean | undefined = true): { calls: string[]; chunks: Buffer[]; stream: any } {
  const calls: string[] = [];
  const chunks: Buffer[] = [];
  const stream = {
    write(chunk: Buffer) {
      calls.push('write');
      chunks.push(chunk);
      return writeResult;
    },
    cork: () => calls.push('cork'),
    uncork: () => calls.push('uncork'),
    destroy: (err: Error) => calls.push(`destroy: ${err.message}`),
  };
  return { calls, chunks, stream };
}

describe('writeToStream', () => {
  it("writes each packet with one write, corked until the next tick (Node's process.nextTick, as mqtt-packet)", async () => {
    const { calls, chunks, stream } = recorder();
    expect(writeToStream({ cmd: 'publish', topic: 'a/b', payload: 'hi', qos: 1, messageId: 7 } as Packet, stream)).toBe(true);
    expect(writeToStream({ cmd: 'pingreq' }, stream)).toBe(true);
    expect(calls).toStrictEqual(['cork', 'write', 'cork', 'write']);
    expect(Buffer.concat(chunks)).toStrictEqual(hex('32 09 0003 612f62 0007 6869 c000'));
    expect(Buffer.isBuffer(chunks[0])).toBe(true);
    await new Promise<void>((resolve) => process.nextTick(resolve));
    expect(calls).toStrictEqual(['cork', 'write', 'cork', 'write', 'uncork', 'uncork']);
  });

  it("returns write()'s result: false asks the caller to wait for 'drain'", () => {
    const { stream } = recorder(false);
    expect(writeToStream({ cmd: 'puback', messageId: 1 }, stream)).toBe(false);
  });

  it('a packet that cannot be written is not written: destroy(error), and false', () => {
    const { calls, stream } = recorder();
    expect(writeToStream({ cmd: 'publish', topic: 7 } as unknown as Packet, stream)).toBe(false);
    expect(calls).toStrictEqual(['destroy: Invalid topic']);
  });

  it('cacheNumbers is a setting that reads back as set, as mqtt-packet\'s (not enumerable)', () => {
    expect(writeToStream.cacheNumbers).toBe(true);
    writeToStream.cacheNumbers = false;
    expect(writeToStream.cacheNumbers).toBe(false);
    writeToStream.cacheNumbers = true;
    expect(writeToStream.cacheNumbers).toBe(true);
    expect(Object.keys(writeToStream)).toStrictEqual([]);
  });
});

describe("fitting to opts.properties.maximumPacketSize (mqtt-packet's option)", () => {
  const puback = { cmd: 'puback', messageId: 1, reasonCode: 0x80, properties: { reasonString: 'quota', userProperties: { k: 'v' } } };

  it('drops the Reason String, then the User Properties, counting the whole frame, and never changes the packet', () => {
    const given = structuredClone(puback);
    const max = (n: number): object => ({ protocolVersion: 5, properties: { maximumPacketSize: n } });
    // the whole frame: header 2, packet id 2, reason code 1, property length 1, reason string 8, user property 7
    expect(outcome({ generate }, given, max(21))).toBe('40130001800f1f000571756f74612600016b000176');
    // mqtt-packet leaves the fixed header out of the count: it would still send all 21 bytes to a 20-byte limit
    expect(outcome(mqttPacket, structuredClone(puback), max(20))).toBe('40130001800f1f000571756f74612600016b000176');
    expect(outcome({ generate }, given, max(20))).toBe('400b000180072600016b000176');
    expect(outcome({ generate }, given, max(12))).toBe('400400018000');
    expect(given).toStrictEqual(puback);
  });

  it('a packet that cannot fit even without them is refused (packet-too-large), not skipped in silence', () => {
    const { calls, stream } = recorder();
    expect(writeToStream(structuredClone(puback) as Packet, stream, { protocolVersion: 5, properties: { maximumPacketSize: 4 } })).toBe(false);
    expect(calls).toHaveLength(1);
    expect(calls[0]).toMatch(/^destroy: PUBACK is \d+ bytes/);
  });
});
