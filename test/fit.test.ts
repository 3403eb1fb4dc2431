// fitToMaximumPacketSize: drop Reason String, then User Properties (only where the spec allows), else refuse.
import { describe, expect, it } from 'vitest';
import { MqttError, encode, fitToMaximumPacketSize, type Packet } from '../src/index.js';
import { thrown } from './support/helpers.js';

const v5 = { version: 5 } as const;

describe('fitToMaximumPacketSize', () => {
  it('returns the same packet and its size when it fits, up to the exact limit', () => {
    const p: Packet = { type: 'puback', packetId: 7, reasonCode: 0x10, properties: { reasonString: 'none' } };
    const size = encode(p, v5).length;
    expect(size).toBe(2 + 2 + 1 + 1 + 7);
    const fitted = fitToMaximumPacketSize(p, size, v5);
    expect(fitted.packet).toBe(p);
    expect(fitted.size).toBe(size);
    expect(fitToMaximumPacketSize(p, 0xffffffff, v5).packet).toBe(p);
  });

  it('drops the Reason String first and keeps User Properties when that is enough', () => {
    const p: Packet = {
      type: 'connack',
      sessionPresent: false,
      reasonCode: 0x87,
      properties: { reasonString: 'you may not connect here', userProperties: [['a', 'b']], sessionExpiryInterval: 60 },
    };
    const full = encode(p, v5).length;
    const fitted = fitToMaximumPacketSize(p, full - 1, v5);
    expect(fitted.packet).toEqual({
      type: 'connack',
      sessionPresent: false,
      reasonCode: 0x87,
      properties: { userProperties: [['a', 'b']], sessionExpiryInterval: 60 },
    });
    expect(fitted.size).toBe(full - (3 + 'you may not connect here'.length));
    expect(encode(fitted.packet, v5).length).toBe(fitted.size);
    // the input is untouched
    expect(p.properties).toEqual({ reasonString: 'you may not connect here', userProperties: [['a', 'b']], sessionExpiryInterval: 60 });
  });

  it('then drops User Properties, leaving the other properties', () => {
    const p: Packet = {
      type: 'connack',
      sessionPresent: true,
      reasonCode: 0,
      properties: { reasonString: 'welcome', userProperties: [['region', 'eu-west']], receiveMaximum: 10 },
    };
    // 2 fixed header + 2 + 1 property length + 3 receive maximum
    const fitted = fitToMaximumPacketSize(p, 8, v5);
    expect(fitted).toEqual({ packet: { type: 'connack', sessionPresent: true, reasonCode: 0, properties: { receiveMaximum: 10 } }, size: 8 });
    expect(encode(fitted.packet, v5)).toEqual(new Uint8Array([0x20, 0x06, 0x01, 0x00, 0x03, 0x21, 0x00, 0x0a]));
  });

  it('drops User Properties without a Reason String present', () => {
    const p: Packet = { type: 'disconnect', reasonCode: 0x8b, properties: { userProperties: [['k', 'v']] } };
    const fitted = fitToMaximumPacketSize(p, 3, v5);
    expect(fitted).toEqual({ packet: { type: 'disconnect', reasonCode: 0x8b }, size: 3 });
    expect(encode(fitted.packet, v5)).toEqual(new Uint8Array([0xe0, 0x01, 0x8b]));
  });

  const droppable: Packet[] = [
    { type: 'connack', sessionPresent: false, reasonCode: 0x80, properties: { reasonString: 'r', userProperties: [['n', 'v']] } },
    { type: 'puback', packetId: 1, reasonCode: 0x80, properties: { reasonString: 'r', userProperties: [['n', 'v']] } },
    { type: 'pubrec', packetId: 1, reasonCode: 0x80, properties: { reasonString: 'r', userProperties: [['n', 'v']] } },
    { type: 'pubrel', packetId: 1, reasonCode: 0x92, properties: { reasonString: 'r', userProperties: [['n', 'v']] } },
    { type: 'pubcomp', packetId: 1, reasonCode: 0x92, properties: { reasonString: 'r', userProperties: [['n', 'v']] } },
    { type: 'suback', packetId: 1, reasonCodes: [0x80], properties: { reasonString: 'r', userProperties: [['n', 'v']] } },
    { type: 'unsuback', packetId: 1, reasonCodes: [0x80], properties: { reasonString: 'r', userProperties: [['n', 'v']] } },
    { type: 'disconnect', reasonCode: 0x80, properties: { reasonString: 'r', userProperties: [['n', 'v']] } },
    { type: 'auth', reasonCode: 0x18, properties: { authenticationMethod: 'M', reasonString: 'r', userProperties: [['n', 'v']] } },
  ];
  for (const p of droppable) {
    it(`${p.type.toUpperCase()}: Reason String then User Properties go; the rest stays`, () => {
      const full = encode(p, v5).length;
      const noReason = fitToMaximumPacketSize(p, full - 1, v5);
      expect(noReason.size).toBe(full - 4); // 0x1F + 2-byte length + 'r'
      expect((noReason.packet as { properties?: unknown }).properties).toEqual(
        p.type === 'auth' ? { authenticationMethod: 'M', userProperties: [['n', 'v']] } : { userProperties: [['n', 'v']] },
      );
      const bare = fitToMaximumPacketSize(p, full - 5, v5);
      // 0x26 + 2 + 'n' + 2 + 'v'; the acknowledgements and DISCONNECT also lose their Property Length byte (short form)
      const shortForm = ['puback', 'pubrec', 'pubrel', 'pubcomp', 'disconnect'].includes(p.type) ? 1 : 0;
      expect(bare.size).toBe(full - 4 - 7 - shortForm);
      const { properties: _dropped, ...rest } = p as Packet & { properties?: unknown };
      expect(bare.packet).toEqual(p.type === 'auth' ? { ...rest, properties: { authenticationMethod: 'M' } } : rest);
      expect(encode(bare.packet, v5).length).toBe(bare.size);
    });
  }

  for (const p of [
    { type: 'publish', topic: 't', payload: new Uint8Array(0), qos: 0, retain: false, dup: false, properties: { userProperties: [['n', 'v']] } },
    { type: 'connect', protocolVersion: 5, clientId: 'c', clean: true, keepAlive: 0, properties: { userProperties: [['n', 'v']] } },
    { type: 'subscribe', packetId: 1, subscriptions: [{ topicFilter: 't', qos: 0 }], properties: { userProperties: [['n', 'v']] } },
  ] as Packet[]) {
    it(`${p.type.toUpperCase()}: User Properties are never dropped; too large is refused with 0x95`, () => {
      const full = encode(p, v5).length;
      const e = thrown(() => fitToMaximumPacketSize(p, full - 1, v5));
      expect(e.code).toBe('packet-too-large');
      expect(e.reasonCode).toBe(0x95);
      expect(e.message).toBe(
        `${p.type.toUpperCase()} is ${full} bytes, over the receiver's Maximum Packet Size of ${full - 1} bytes`,
      );
    });
  }

  it('refuses when the packet cannot fit even without Reason String and User Properties', () => {
    const p: Packet = { type: 'puback', packetId: 9, reasonCode: 0x97, properties: { reasonString: 'quota', userProperties: [['a', '']] } };
    // smallest form: 40 02 00 09 97 00 is... 5 bytes with Reason Code, no properties (Remaining Length 3)
    const e = thrown(() => fitToMaximumPacketSize(p, 4, v5));
    expect(e.code).toBe('packet-too-large');
    expect(e.reasonCode).toBe(0x95);
    expect(e.message).toBe("PUBACK is 5 bytes even without its Reason String and User Properties, over the receiver's Maximum Packet Size of 4 bytes");
    expect(fitToMaximumPacketSize(p, 5, v5)).toEqual({ packet: { type: 'puback', packetId: 9, reasonCode: 0x97 }, size: 5 });
  });

  it('does what its TSDoc example says', () => {
    const { packet, size } = fitToMaximumPacketSize(
      { type: 'puback', packetId: 1, reasonCode: 0x80, properties: { reasonString: 'quota exhausted' } },
      5,
      v5,
    );
    expect(packet).toEqual({ type: 'puback', packetId: 1, reasonCode: 0x80 });
    expect(size).toBe(5);
    expect(encode(packet, v5)).toEqual(new Uint8Array([0x40, 0x03, 0x00, 0x01, 0x80]));
  });

  it('works at level 4, where there is nothing to drop', () => {
    const p: Packet = { type: 'puback', packetId: 1 };
    expect(fitToMaximumPacketSize(p, 4)).toEqual({ packet: p, size: 4 });
    const e = thrown(() => fitToMaximumPacketSize(p, 3));
    expect([e.code, e.reasonCode, e.message]).toEqual([
      'packet-too-large',
      0x95,
      "PUBACK is 4 bytes, over the receiver's Maximum Packet Size of 3 bytes",
    ]);
  });

  it('refuses a limit that is not an integer from 1 to 4294967295', () => {
    const p: Packet = { type: 'pingreq' };
    for (const bad of [0, -1, 1.5, Number.NaN, 2 ** 32, Infinity]) {
      const e = thrown(() => fitToMaximumPacketSize(p, bad));
      expect(e.code).toBe('invalid-packet');
    }
  });

  it('refuses a packet encode refuses, with the same error', () => {
    const p = { type: 'puback', packetId: 0 } as Packet;
    const e = thrown(() => fitToMaximumPacketSize(p, 100, v5));
    expect([e.code, e.rule]).toEqual(['invalid-packet', 'MQTT-2.2.1-3']);
  });
});
