// replyFor: the packet a server sends before closing over a decode error; toVersion: a packet as a peer at another
// level must receive it. Both checked with exact packets and, where they are encoded, exact bytes.
import { describe, expect, it } from 'vitest';
import {
  MqttError,
  PacketDecoder,
  decode,
  encode,
  fromHex,
  replyFor,
  toHex,
  toVersion,
  type Packet,
  type ProtocolVersion,
} from '../src/index.js';
import './support/byte-equality.js';
import { thrown } from './support/helpers.js';

const te = new TextEncoder();
const str = (s: string): string => {
  const b = te.encode(s);
  return b.length.toString(16).padStart(4, '0') + toHex(b);
};
const hexFrame = (first: number, body: string): Uint8Array => {
  const b = fromHex(body);
  return fromHex(first.toString(16) + b.length.toString(16).padStart(2, '0') + toHex(b));
};
/** The error PacketDecoder (default level) throws for `bytes`. */
const errorOf = (bytes: Uint8Array, version?: ProtocolVersion): MqttError =>
  thrown(() => new PacketDecoder(version === undefined ? {} : { version }).push(bytes));

describe('MqttError says which packet and which claimed level', () => {
  it('MQTT-3.1.2-2 a CONNECT at level 6: packetType connect, protocolVersion 6', () => {
    const e = errorOf(hexFrame(0x10, `${str('MQTT')} 06 02 0000 ${str('c')}`));
    expect([e.code, e.reasonCode, e.rule, e.packetType, e.protocolVersion]).toEqual(['unsupported-protocol-version', 0x84, 'MQTT-3.1.2-2', 'connect', 6]);
  });

  it("MQTT-3.1.2-2 'MQTT' at level 3: the claimed level 3", () => {
    const e = errorOf(hexFrame(0x10, `${str('MQTT')} 03 02 0000 ${str('c')}`));
    expect([e.rule, e.packetType, e.protocolVersion]).toEqual(['MQTT-3.1.2-2', 'connect', 3]);
  });

  it('a malformed 5.0 CONNECT reports level 5 although the decoder is still at 4', () => {
    const d = new PacketDecoder();
    const e = thrown(() => d.push(hexFrame(0x10, `${str('MQTT')} 05 03 0000 00 ${str('c')}`)));
    expect([e.rule, e.protocolVersion, d.version]).toEqual(['MQTT-3.1.2-3', 5, 4]);
  });

  it('a PUBLISH error carries the level in force; an encode refusal its packet type and level', () => {
    const e = errorOf(fromHex('36 03 0001 61'), 5);
    expect([e.packetType, e.protocolVersion]).toEqual(['publish', 5]);
    const r = thrown(() => encode({ type: 'puback', packetId: 0 }, { version: 5 }));
    expect([r.code, r.packetType, r.protocolVersion]).toEqual(['invalid-packet', 'puback', 5]);
  });
});

describe('replyFor', () => {
  const v311 = { version: 4, connackSent: false } as const;
  const v5 = { version: 5, connackSent: false } as const;

  it('MQTT-3.1.2-2 3.1.1 answers an unsupported level with CONNACK 0x01 (20 02 00 01); 5.0 with 0x84', () => {
    const e = errorOf(hexFrame(0x10, `${str('MQTT')} 06 02 0000 ${str('c')}`));
    const reply = replyFor(e, v311)!;
    expect(reply).toEqual({ type: 'connack', sessionPresent: false, reasonCode: 0x01 });
    expect(encode(reply, { version: 4 })).toEqual(fromHex('20020001'));
    expect(encode(replyFor(e, v5)!, { version: 5 })).toEqual(fromHex('2003008400'));
  });

  it('MQTT-3.1.3-8 3.1.1 and 3.1 answer a rejected Client Identifier with CONNACK 0x02; 5.0 with 0x85', () => {
    const e = errorOf(hexFrame(0x10, `${str('MQTT')} 04 00 0000 ${str('')}`));
    expect(replyFor(e, v311)).toEqual({ type: 'connack', sessionPresent: false, reasonCode: 0x02 });
    expect(replyFor(e, { version: 3, connackSent: false })).toEqual({ type: 'connack', sessionPresent: false, reasonCode: 0x02 });
    expect(replyFor(e, v5)).toEqual({ type: 'connack', sessionPresent: false, reasonCode: 0x85 });
  });

  it('MQTT-3.1.4-1 any other malformed CONNECT: 3.x closes without CONNACK; 5.0 may answer CONNACK 0x81 / 0x82', () => {
    const malformedConnect = errorOf(hexFrame(0x10, `${str('MQTT')} 05 03 0000 00 ${str('c')}`));
    expect(replyFor(malformedConnect, v311)).toBeUndefined();
    expect(replyFor(malformedConnect, v5)).toEqual({ type: 'connack', sessionPresent: false, reasonCode: 0x81 });
    // duplicate Session Expiry Interval: a Protocol Error
    const duplicate = errorOf(hexFrame(0x10, `${str('MQTT')} 05 02 0000 0a 1100000001 1100000001 ${str('c')}`));
    expect(replyFor(duplicate, v5)).toEqual({ type: 'connack', sessionPresent: false, reasonCode: 0x82 });
    // a Will Topic with a wildcard: 0x90 Topic Name invalid, a Connect Reason Code
    const will = errorOf(hexFrame(0x10, `${str('MQTT')} 05 06 0000 00 ${str('c')} 00 ${str('a/#')} 000141`));
    expect(replyFor(will, v5)).toEqual({ type: 'connack', sessionPresent: false, reasonCode: 0x90 });
  });

  it('MQTT-3.1.2-1 a Protocol Name that is not MQTT: nothing at any level', () => {
    const e = errorOf(hexFrame(0x10, `${str('HTTP')} 09 02 0000 ${str('c')}`));
    expect(replyFor(e, v311)).toBeUndefined();
    expect(replyFor(e, v5)).toBeUndefined();
  });

  it('MQTT-3.1.0-1 an error before CONNACK in a packet other than CONNECT: nothing', () => {
    expect(replyFor(errorOf(fromHex('36 03 0001 61')), v5)).toBeUndefined();
  });

  it('MQTT-4.13.1-1 after CONNACK, 5.0 sends DISCONNECT with the reason code; 3.x closes (MQTT-4.8.0-1)', () => {
    const wildcard = errorOf(fromHex('30 06 0003 612f23 00'), 5);
    const reply = replyFor(wildcard, { version: 5, connackSent: true })!;
    expect(reply).toEqual({ type: 'disconnect', reasonCode: 0x90 });
    expect(encode(reply, { version: 5 })).toEqual(fromHex('e00190'));
    expect(replyFor(wildcard, { version: 4, connackSent: true })).toBeUndefined();
    // Topic Alias 0: 0x94, a Disconnect Reason Code
    expect(replyFor(errorOf(fromHex('30 08 0001 61 03 230000 41'), 5), { version: 5, connackSent: true })).toEqual({ type: 'disconnect', reasonCode: 0x94 });
    // 0x8F Topic Filter invalid is one too; 0x85 is not (a CONNECT code): a second bad CONNECT is a Protocol Error
    const second = errorOf(hexFrame(0x10, `${str('MQTT')} 06 02 0000 ${str('c')}`));
    expect(replyFor(second, { version: 5, connackSent: true })).toEqual({ type: 'disconnect', reasonCode: 0x82 });
  });

  it('packet-too-large: CONNACK 0x95 for a CONNECT over the limit (5.0), DISCONNECT 0x95 after CONNACK', () => {
    const big = encode({ type: 'connect', protocolVersion: 5, clientId: 'x'.repeat(100), clean: true, keepAlive: 0 });
    const e = thrown(() => new PacketDecoder({ maxPacketSize: 64 }).push(big));
    expect([e.code, e.packetType]).toEqual(['packet-too-large', 'connect']);
    expect(replyFor(e, v5)).toEqual({ type: 'connack', sessionPresent: false, reasonCode: 0x95 });
    const p = thrown(() => new PacketDecoder({ maxPacketSize: 16 }).push(encode({ type: 'publish', topic: 't', payload: new Uint8Array(40), qos: 0 })));
    expect(replyFor(p, { version: 5, connackSent: true })).toEqual({ type: 'disconnect', reasonCode: 0x95 });
  });

  it('an invalid-packet error (an object this side failed to encode) gets no reply', () => {
    expect(replyFor(thrown(() => encode({ type: 'puback', packetId: 0 })), { version: 5, connackSent: true })).toBeUndefined();
  });

  it('refuses what is not an MqttError and options it does not know', () => {
    expect(thrown(() => replyFor(new Error('x') as MqttError, v5)).code).toBe('invalid-packet');
    const e = errorOf(fromHex('36 03 0001 61'));
    expect(thrown(() => replyFor(e, { version: 5, connackSent: true, connack: true } as never)).message).toBe(
      "replyFor: unknown option 'connack'; the options are version, connackSent",
    );
    expect(thrown(() => replyFor(e, { version: 6 as 5, connackSent: true })).code).toBe('invalid-packet');
  });
});

describe('toVersion', () => {
  const utf8 = (s: string) => te.encode(s);

  it('a 5.0 PUBLISH to a 3.1.1 subscriber: properties dropped, the bytes a 3.1.1 PUBLISH has', () => {
    const p5: Packet = {
      type: 'publish',
      topic: 'a/b',
      payload: utf8('hi'),
      qos: 1,
      packetId: 7,
      retain: false,
      dup: false,
      properties: { messageExpiryInterval: 9, userProperties: [['k', 'v']], topicAlias: 3 },
    };
    const p4 = toVersion(p5, 4);
    expect(p4).toEqual({ type: 'publish', topic: 'a/b', payload: utf8('hi'), qos: 1, packetId: 7, retain: false, dup: false });
    expect(encode(p4, { version: 4 })).toEqual(fromHex('32 09 0003 612f62 0007 6869'));
    expect(p5.properties).toBeDefined(); // the input is not modified
  });

  it('a packet that needs no change comes back as the same object', () => {
    const p: Packet = { type: 'publish', topic: 't', payload: utf8('x'), qos: 0, retain: false, dup: false };
    expect(toVersion(p, 4)).toBe(p);
    expect(toVersion(p, 5)).toBe(p);
    const ping: Packet = { type: 'pingreq' };
    expect(toVersion(ping, 3)).toBe(ping);
  });

  it('refuses a PUBLISH whose Topic Name only a Topic Alias gives', () => {
    const e = thrown(() => toVersion({ type: 'publish', topic: '', payload: utf8(''), qos: 0, retain: false, dup: false, properties: { topicAlias: 2 } }, 4));
    expect(e.code).toBe('invalid-packet');
    expect(e.message).toContain('resolve the alias');
  });

  it('CONNACK reason codes map to the 3.x return code of the same meaning, and back', () => {
    const cases: [number, number][] = [
      [0x00, 0x00],
      [0x84, 0x01],
      [0x85, 0x02],
      [0x88, 0x03],
      [0x89, 0x03],
      [0x86, 0x04],
      [0x87, 0x05],
      [0x8a, 0x05],
    ];
    for (const [v5, v3] of cases) {
      expect(toVersion({ type: 'connack', sessionPresent: false, reasonCode: v5, properties: { reasonString: 'r' } }, 4)).toEqual({
        type: 'connack',
        sessionPresent: false,
        reasonCode: v3,
      });
    }
    expect(toVersion({ type: 'connack', sessionPresent: false, reasonCode: 0x02 }, 5)).toEqual({ type: 'connack', sessionPresent: false, reasonCode: 0x85 });
    // 0x81 Malformed Packet has no 3.x counterpart: MQTT-3.2.2-6 says close without CONNACK
    const e = thrown(() => toVersion({ type: 'connack', sessionPresent: false, reasonCode: 0x81 }, 4));
    expect([e.code, e.rule]).toEqual(['invalid-packet', 'MQTT-3.2.2-6']);
  });

  it('SUBACK failures become 0x80; UNSUBACK and acknowledgements lose their codes and properties', () => {
    expect(toVersion({ type: 'suback', packetId: 1, reasonCodes: [0, 2, 0x87, 0x80], properties: { reasonString: 'no' } }, 4)).toEqual({
      type: 'suback',
      packetId: 1,
      reasonCodes: [0, 2, 0x80, 0x80],
    });
    expect(toVersion({ type: 'unsuback', packetId: 3, reasonCodes: [0x11] }, 4)).toEqual({ type: 'unsuback', packetId: 3 });
    expect(toVersion({ type: 'puback', packetId: 4, reasonCode: 0x10 }, 4)).toEqual({ type: 'puback', packetId: 4 });
    expect(toVersion({ type: 'pubcomp', packetId: 4, reasonCode: 0x92 }, 4)).toEqual({ type: 'pubcomp', packetId: 4 });
    expect(thrown(() => toVersion({ type: 'puback', packetId: 4, reasonCode: 0x87 }, 4)).message).toContain('cannot express');
  });

  it('SUBSCRIBE loses its properties and the 5.0 subscription options', () => {
    const s5: Packet = {
      type: 'subscribe',
      packetId: 2,
      subscriptions: [{ topicFilter: 'a/+', qos: 1, noLocal: true, retainAsPublished: false, retainHandling: 2 }],
      properties: { subscriptionIdentifier: 5 },
    };
    const s4 = toVersion(s5, 4);
    expect(s4).toEqual({ type: 'subscribe', packetId: 2, subscriptions: [{ topicFilter: 'a/+', qos: 1 }] });
    expect(decode(encode(s4, { version: 4 }), { version: 4 })).toEqual(s4);
  });

  it('CONNECT takes the level; Will properties go; 3.x refuses a password without a user name', () => {
    const c5: Packet = {
      type: 'connect',
      protocolVersion: 5,
      clientId: 'c',
      clean: true,
      keepAlive: 10,
      will: { topic: 'w', payload: utf8('bye'), qos: 1, retain: false, properties: { willDelayInterval: 5 } },
      properties: { sessionExpiryInterval: 60 },
    };
    expect(toVersion(c5, 4)).toEqual({
      type: 'connect',
      protocolVersion: 4,
      clientId: 'c',
      clean: true,
      keepAlive: 10,
      will: { topic: 'w', payload: utf8('bye'), qos: 1, retain: false },
    });
    expect(toVersion({ type: 'connect', protocolVersion: 4, clientId: 'c', clean: true, keepAlive: 0 }, 5)).toEqual({
      type: 'connect',
      protocolVersion: 5,
      clientId: 'c',
      clean: true,
      keepAlive: 0,
    });
    const e = thrown(() => toVersion({ type: 'connect', protocolVersion: 5, clientId: 'c', clean: true, keepAlive: 0, password: utf8('p') }, 4));
    expect(e.rule).toBe('MQTT-3.1.2-22');
  });

  it('DISCONNECT with a reason code and AUTH cannot go to 3.x; a plain DISCONNECT can', () => {
    expect(toVersion({ type: 'disconnect', reasonCode: 0 }, 4)).toEqual({ type: 'disconnect' });
    expect(thrown(() => toVersion({ type: 'disconnect', reasonCode: 0x04 }, 4)).message).toContain('Will');
    expect(thrown(() => toVersion({ type: 'auth', reasonCode: 0x18, properties: { authenticationMethod: 'm' } }, 4)).rule).toBe('U311-2.2.1-1');
  });

  it('refuses a version other than 3, 4, 5 and an unknown packet type', () => {
    expect(thrown(() => toVersion({ type: 'pingreq' }, 6 as 5)).code).toBe('invalid-packet');
    expect(thrown(() => toVersion({ type: 'nope' } as unknown as Packet, 4)).code).toBe('invalid-packet');
  });
});
