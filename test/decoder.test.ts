// PacketDecoder: the splitter plus decode, with the connection's protocol level (fixed, or taken from the first
// CONNECT), copies on request, the receiver's role, and errors at stream offsets. Ends with a property: any
// partition of a stream of packets into chunks decodes to exactly the packets of decoding it frame by frame.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { packetArbitrary } from '../src/arbitraries.js';
import {
  FrameSplitter,
  MAX_PACKET_SIZE_LIMIT,
  MqttError,
  PacketDecoder,
  decode,
  encode,
  fromHex,
  type Packet,
  type ProtocolVersion,
} from '../src/index.js';
import './support/byte-equality.js';
import { concat, thrown } from './support/helpers.js';

const utf8 = (s: string) => new TextEncoder().encode(s);
const connect = (protocolVersion: ProtocolVersion): Packet => ({ type: 'connect', protocolVersion, clientId: 'c', clean: true, keepAlive: 30 });
// PUBACK id 7 in its shortest form: at level 5 the reason code is implied 0x00 Success
const PUBACK_SHORT = fromHex('40020007');
const session311 = new Uint8Array(readFileSync(join(__dirname, '..', 'fixtures', 'session-311.bin')));
const session50 = new Uint8Array(readFileSync(join(__dirname, '..', 'fixtures', 'session-50.bin')));

describe('PacketDecoder protocol level', () => {
  it('without a version: level 4 until the first CONNECT, then its level; a level-5 CONNECT switches to 5 for the rest of its chunk', () => {
    const d = new PacketDecoder();
    expect(d.version).toBe(4);
    const packets = d.push(concat([encode(connect(5)), PUBACK_SHORT, fromHex('e000')]));
    expect(d.version).toBe(5);
    expect(packets).toEqual([
      { type: 'connect', protocolVersion: 5, clientId: 'c', clean: true, keepAlive: 30 },
      { type: 'puback', packetId: 7, reasonCode: 0 },
      { type: 'disconnect', reasonCode: 0 },
    ]);
  });

  it('before any CONNECT the level is 4: a short PUBACK has no reason code and AUTH (type 15) is malformed', () => {
    const d = new PacketDecoder();
    expect(d.push(PUBACK_SHORT)).toEqual([{ type: 'puback', packetId: 7 }]);
    const e = thrown(() => d.push(fromHex('f000')));
    expect([e.code, e.reasonCode, e.rule, e.offset]).toEqual(['malformed-packet', 0x81, 'U311-2.2.1-1', 4]);
  });

  it('a level-3 CONNECT (MQIsdp) sets level 3; a level-4 CONNECT keeps 4', () => {
    const d3 = new PacketDecoder();
    d3.push(encode(connect(3)));
    expect(d3.version).toBe(3);
    const d4 = new PacketDecoder();
    expect(d4.push(concat([encode(connect(4)), PUBACK_SHORT]))).toEqual([
      { type: 'connect', protocolVersion: 4, clientId: 'c', clean: true, keepAlive: 30 },
      { type: 'puback', packetId: 7 },
    ]);
    expect(d4.version).toBe(4);
  });

  it('the CONNECT may arrive in pieces: the level applies from the next frame on', () => {
    const stream = concat([encode(connect(5)), PUBACK_SHORT]);
    const d = new PacketDecoder();
    const out: Packet[] = [];
    for (let i = 0; i < stream.length; i++) out.push(...d.push(stream.subarray(i, i + 1)));
    expect(out[1]).toEqual({ type: 'puback', packetId: 7, reasonCode: 0 });
  });

  it('a given version is kept: the CONNECT decodes at its own level, the packets after it at the given one', () => {
    const d = new PacketDecoder({ version: 4 });
    const packets = d.push(concat([encode(connect(5)), PUBACK_SHORT]));
    expect(packets[0]).toMatchObject({ type: 'connect', protocolVersion: 5 });
    expect(packets[1]).toEqual({ type: 'puback', packetId: 7 });
    expect(d.version).toBe(4);
    expect(new PacketDecoder({ version: 5 }).push(PUBACK_SHORT)).toEqual([{ type: 'puback', packetId: 7, reasonCode: 0 }]);
  });

  it('after a level-5 CONNECT, splitter errors in later chunks carry the 5.0 rule ids', () => {
    const d = new PacketDecoder();
    d.push(encode(connect(5)));
    const e = thrown(() => d.push(fromHex('3080808080')));
    expect([e.code, e.rule]).toEqual(['malformed-packet', 'U5-1.5.5-1']);
  });

  it('a version other than 3, 4 or 5 is refused with unsupported-protocol-version', () => {
    expect(thrown(() => new PacketDecoder({ version: 6 as ProtocolVersion })).code).toBe('unsupported-protocol-version');
  });
});

describe('PacketDecoder copy', () => {
  const publish = encode({ type: 'publish', topic: 'a', payload: utf8('payload'), qos: 0, retain: false, dup: false }, { version: 5 });
  const connectWithBinaries = encode({
    type: 'connect', protocolVersion: 5, clientId: 'c', clean: true, keepAlive: 0, username: 'u', password: utf8('pw'),
    will: { topic: 'w', payload: utf8('bye'), qos: 0, retain: false, properties: { correlationData: utf8('corr') } },
    properties: { authenticationMethod: 'm', authenticationData: utf8('auth') },
  });

  it('by default binary fields are views of the chunk', () => {
    const chunk = publish.slice();
    const [p] = new PacketDecoder({ version: 5 }).push(chunk);
    if (p?.type !== 'publish') throw new Error('expected a PUBLISH');
    expect(p.payload.buffer === chunk.buffer).toBe(true);
  });

  it('with copy: true every binary field owns its bytes: overwriting the chunk afterwards changes nothing', () => {
    const chunk = concat([connectWithBinaries, publish]);
    const packets = new PacketDecoder({ copy: true }).push(chunk);
    const before = JSON.stringify(packets, (_k, v: unknown) => (v instanceof Uint8Array ? Array.from(v) : v));
    chunk.fill(0xee);
    const after = JSON.stringify(packets, (_k, v: unknown) => (v instanceof Uint8Array ? Array.from(v) : v));
    expect(after).toBe(before);
    const [c, p] = packets;
    if (c?.type !== 'connect' || p?.type !== 'publish') throw new Error('expected CONNECT, PUBLISH');
    for (const field of [c.password!, c.will!.payload, c.will!.properties!.correlationData!, c.properties!.authenticationData!, p.payload]) {
      expect(field.buffer === chunk.buffer).toBe(false);
    }
    expect(p.payload).toEqual(utf8('payload'));
  });
});

describe('PacketDecoder role', () => {
  const atLevel = (v: ProtocolVersion) => ({
    connect: encode(connect(v)),
    connack: encode({ type: 'connack', sessionPresent: false, reasonCode: 0 }, { version: v }),
    publish: encode({ type: 'publish', topic: 't', payload: utf8('x'), qos: 1, packetId: 1, retain: false, dup: false }, { version: v }),
    puback: encode({ type: 'puback', packetId: 1 }, { version: v }),
    pubrec: encode({ type: 'pubrec', packetId: 1 }, { version: v }),
    pubrel: encode({ type: 'pubrel', packetId: 1 }, { version: v }),
    pubcomp: encode({ type: 'pubcomp', packetId: 1 }, { version: v }),
    subscribe: encode({ type: 'subscribe', packetId: 1, subscriptions: [{ topicFilter: 't', qos: 0 }] }, { version: v }),
    suback: encode({ type: 'suback', packetId: 1, reasonCodes: [0] }, { version: v }),
    unsubscribe: encode({ type: 'unsubscribe', packetId: 1, topicFilters: ['t'] }, { version: v }),
    unsuback: encode(v === 5 ? { type: 'unsuback', packetId: 1, reasonCodes: [0] } : { type: 'unsuback', packetId: 1 }, { version: v }),
    pingreq: encode({ type: 'pingreq' }),
    pingresp: encode({ type: 'pingresp' }),
    disconnect: encode({ type: 'disconnect' }, { version: v }),
  });
  const SERVER_SENDS = ['connack', 'suback', 'unsuback', 'pingresp'];
  const CLIENT_SENDS = ['connect', 'subscribe', 'unsubscribe', 'pingreq'];
  const EITHER = ['publish', 'puback', 'pubrec', 'pubrel', 'pubcomp'];

  for (const [version, rule] of [
    [4, 'U311-2.2.1-2'],
    [5, 'U5-2.1.2-2'],
  ] as const) {
    it(`${rule} a server-role decoder refuses CONNACK, SUBACK, UNSUBACK, PINGRESP with protocol-error 0x82 at the frame's offset`, () => {
      const frames = atLevel(version);
      for (const type of SERVER_SENDS) {
        const d = new PacketDecoder({ version, role: 'server' });
        // one accepted PUBLISH first, so the offset of the refused frame is not 0
        const e = thrown(() => d.push(concat([frames.publish, frames[type as keyof typeof frames]])));
        expect([type, e.code, e.reasonCode, e.rule, e.offset]).toEqual([type, 'protocol-error', 0x82, rule, frames.publish.length]);
      }
    });

    it(`${rule} a client-role decoder refuses CONNECT, SUBSCRIBE, UNSUBSCRIBE, PINGREQ with protocol-error 0x82`, () => {
      const frames = atLevel(version);
      for (const type of CLIENT_SENDS) {
        const d = new PacketDecoder({ version, role: 'client' });
        const e = thrown(() => d.push(frames[type as keyof typeof frames]));
        expect([type, e.code, e.reasonCode, e.rule, e.offset]).toEqual([type, 'protocol-error', 0x82, rule, 0]);
      }
    });

    it(`${rule} each role accepts what the other side sends and the packets that flow both ways`, () => {
      const frames = atLevel(version);
      const toServer = [...CLIENT_SENDS, ...EITHER, 'disconnect'];
      const toClient = [...SERVER_SENDS, ...EITHER, ...(version === 5 ? ['disconnect'] : [])];
      const server = new PacketDecoder({ version, role: 'server' });
      expect(server.push(concat(toServer.map((t) => frames[t as keyof typeof frames]))).map((p) => p.type)).toEqual(toServer);
      const client = new PacketDecoder({ version, role: 'client' });
      expect(client.push(concat(toClient.map((t) => frames[t as keyof typeof frames]))).map((p) => p.type)).toEqual(toClient);
      const anyone = new PacketDecoder({ version });
      const all = Object.keys(frames);
      expect(anyone.push(concat(Object.values(frames))).map((p) => p.type)).toEqual(all);
    });
  }

  it('U311-2.2.1-2 at 3.1.1 DISCONNECT flows client to server only: a client-role decoder refuses it', () => {
    const e = thrown(() => new PacketDecoder({ version: 4, role: 'client' }).push(fromHex('e000')));
    expect([e.code, e.rule]).toEqual(['protocol-error', 'U311-2.2.1-2']);
  });

  it('MQTT-3.3.4-6 a server-role decoder refuses a PUBLISH carrying a Subscription Identifier', () => {
    const frame = encode({ type: 'publish', topic: 't', payload: utf8('x'), qos: 0, retain: false, dup: false, properties: { subscriptionIdentifiers: [3] } }, { version: 5 });
    const e = thrown(() => new PacketDecoder({ version: 5, role: 'server' }).push(frame));
    expect([e.code, e.reasonCode, e.rule, e.offset]).toEqual(['protocol-error', 0x82, 'MQTT-3.3.4-6', 0]);
    expect(new PacketDecoder({ version: 5, role: 'client' }).push(frame)).toHaveLength(1);
  });
});

describe('PacketDecoder errors', () => {
  // PUBLISH with QoS bits 11 (MQTT-3.3.1-4)
  const BAD = fromHex('36050001610001');

  it('a decode error in the third frame of a chunk has the stream offset: frame start plus the offset within the frame', () => {
    const inFrame = thrown(() => decode(BAD));
    const prefix = concat([fromHex('c000'), PUBACK_SHORT]);
    const e = thrown(() => new PacketDecoder().push(concat([prefix, BAD])));
    expect([e.code, e.reasonCode, e.rule]).toEqual(['malformed-packet', 0x81, 'MQTT-3.3.1-4']);
    expect(inFrame.offset).toBeDefined();
    expect(e.offset).toBe(prefix.length + inFrame.offset!);
  });

  it('the same error in a frame gathered across chunks reports the same stream offset', () => {
    const stream = concat([session311, BAD]);
    const whole = thrown(() => new PacketDecoder().push(stream));
    const d = new PacketDecoder();
    const pieces = thrown(() => {
      for (let i = 0; i < stream.length; i += 3) d.push(stream.subarray(i, i + 3));
    });
    expect(pieces.offset).toBe(whole.offset);
    expect(whole.offset).toBe(session311.length + thrown(() => decode(BAD)).offset!);
  });

  it('a body error in a frame is never resynchronised: every later push and end() throw that error', () => {
    const d = new PacketDecoder();
    const e = thrown(() => d.push(BAD));
    expect(thrown(() => d.push(fromHex('c000')))).toBe(e);
    expect(thrown(() => d.end())).toBe(e);
  });

  it('end() with a partial frame: malformed U311-2-1 at the offset where that frame starts', () => {
    const d = new PacketDecoder();
    expect(d.push(concat([fromHex('c000'), session311.subarray(0, 30)]))).toEqual([{ type: 'pingreq' }]);
    expect(d.buffered).toBe(30);
    const e = thrown(() => d.end());
    expect([e.code, e.rule, e.offset]).toEqual(['malformed-packet', 'U311-2-1', 2]);
  });

  it('a body error before a bad header in the same chunk is the one reported, as when they arrive apart', () => {
    // a fifth Remaining Length byte (U311-2.2.3-1), right after BAD
    const badHeader = fromHex('30ffffffff01');
    const stream = concat([fromHex('c000'), BAD, badHeader]);
    const oneChunk = thrown(() => new PacketDecoder().push(stream));
    const d = new PacketDecoder();
    const apart = thrown(() => {
      d.push(stream.subarray(0, 9));
      d.push(stream.subarray(9));
    });
    expect([oneChunk.code, oneChunk.rule, oneChunk.offset]).toEqual(['malformed-packet', 'MQTT-3.3.1-4', 2]);
    expect([apart.code, apart.rule, apart.offset]).toEqual([oneChunk.code, oneChunk.rule, oneChunk.offset]);
  });

  it('a bad header after good frames of the same chunk is reported after them, at its own offset', () => {
    // the header starts at 6; its fourth length byte (offset 10) still has the continuation bit
    const d = new PacketDecoder();
    const e = thrown(() => d.push(concat([fromHex('c000'), PUBACK_SHORT, fromHex('30ffffffff01')])));
    expect([e.code, e.reasonCode, e.rule, e.offset]).toEqual(['malformed-packet', 0x81, 'U311-2.2.3-1', 10]);
    expect(thrown(() => d.push(fromHex('c000')))).toBe(e);
  });

  it('a bad header right after a 5.0 CONNECT in the same chunk cites the 5.0 rule', () => {
    const connect5 = encode({ type: 'connect', protocolVersion: 5, clientId: 'c', clean: true, keepAlive: 0 });
    const e = thrown(() => new PacketDecoder().push(concat([connect5, fromHex('30ffffffff01')])));
    expect([e.code, e.reasonCode, e.rule, e.offset]).toEqual(['malformed-packet', 0x81, 'U5-1.5.5-1', connect5.length + 4]);
    expect(e.message).toContain('(U5-1.5.5-1)');
    // padded length: 0x80 0x00
    const p = thrown(() => new PacketDecoder().push(concat([connect5, fromHex('c08000')])));
    expect([p.rule, p.offset]).toEqual(['MQTT-1.5.5-1', connect5.length + 2]);
  });

  it('maxPacketSize reaches the splitter: packet-too-large 0x95 at the header', () => {
    const d = new PacketDecoder({ maxPacketSize: 64 });
    const e = thrown(() => d.push(session311));
    // the CONNECT of the sample is 73 bytes
    expect([e.code, e.reasonCode, e.offset]).toEqual(['packet-too-large', 0x95, 0]);
    expect(d.buffered).toBe(0);
  });
});

describe('PacketDecoder over the sample sessions', () => {
  for (const [name, stream, version] of [
    ['session-311.bin', session311, 4],
    ['session-50.bin', session50, 5],
  ] as const) {
    it(`${name}: one chunk, 1-byte chunks and 7-byte chunks decode to the packets of decoding frame by frame`, () => {
      const frames = new FrameSplitter().push(stream);
      expect(frames).toHaveLength(23);
      const expected = frames.map((f) => decode(f, { version }));
      const oneChunk = new PacketDecoder();
      expect(oneChunk.push(stream)).toEqual(expected);
      expect(oneChunk.version).toBe(version);
      for (const step of [1, 7]) {
        const d = new PacketDecoder();
        const out: Packet[] = [];
        for (let i = 0; i < stream.length; i += step) out.push(...d.push(stream.subarray(i, i + step)));
        d.end();
        expect(out).toEqual(expected);
      }
    });
  }
});

describe('PacketDecoder property', () => {
  for (const version of [3, 4, 5] as const) {
    it(`any partition of a level-${version} stream of packets (empty and 1-byte chunks included) decodes to the packets of decoding frame by frame`, () => {
      fc.assert(
        fc.property(
          fc.array(packetArbitrary(version), { minLength: 1, maxLength: 10 }),
          fc.array(fc.oneof(fc.constant(0), fc.constant(1), fc.integer({ min: 0, max: 5 }), fc.integer({ min: 0, max: 2000 })), { maxLength: 300 }),
          fc.boolean(),
          (packets, sizes, copy) => {
            const frames = packets.map((p) => encode(p, { version }));
            const expected = frames.map((f) => decode(f, { version }));
            const stream = concat(frames);
            const d = new PacketDecoder({ version, copy, maxPacketSize: MAX_PACKET_SIZE_LIMIT });
            const out: Packet[] = [];
            let pos = 0;
            for (const n of sizes) {
              out.push(...d.push(stream.slice(pos, pos + n)));
              pos = Math.min(stream.length, pos + n);
            }
            out.push(...d.push(stream.slice(pos)));
            d.end();
            expect(out).toEqual(expected);
          },
        ),
        { numRuns: 100 },
      );
    });
  }
});

describe('PacketDecoder PUBLISH fast path agrees with decode', () => {
  const utf8 = (s: string) => new TextEncoder().encode(s);
  it('plain, non-ASCII, empty-with-alias and faulty topics, alone and in one chunk, at 3.1.1 and 5.0', () => {
    for (const version of [4, 5] as const) {
      const good = [
        encode({ type: 'publish', topic: 'a/b', payload: utf8('x'), qos: 1, packetId: 3 }, { version }),
        encode({ type: 'publish', topic: 'température/ü', payload: utf8('y'), qos: 0 }, { version }),
        encode({ type: 'publish', topic: 't'.repeat(70), payload: new Uint8Array(0), qos: 2, packetId: 9, dup: true, retain: true }, { version }),
        ...(version === 5
          ? [
              encode({ type: 'publish', topic: '', payload: utf8('z'), qos: 0, properties: { topicAlias: 4 } }, { version }),
              encode({ type: 'publish', topic: 'p', payload: utf8('z'), qos: 0, properties: { userProperties: [['k', 'v']], contentType: 'c' } }, { version }),
            ]
          : []),
      ];
      expect(new PacketDecoder({ version }).push(concat(good))).toEqual(good.map((f) => decode(f, { version })));
      // a wildcard topic, a Packet Identifier 0, a duplicate property: the same error as decode, at the stream offset
      const bad =
        version === 5
          ? [fromHex('30 06 0003 612f23 00'), fromHex('32 07 0001 61 0000 00 41'), fromHex('30 0e 0001 61 0a 0200000001 0200000001')]
          : [fromHex('30 05 0003 612f23'), fromHex('32 06 0001 61 0000 41')];
      for (const frame of bad) {
        const expected = thrown(() => decode(frame, { version }));
        const e = thrown(() => new PacketDecoder({ version }).push(concat([good[0]!, frame])));
        expect([e.code, e.rule, e.reasonCode, e.offset]).toEqual([expected.code, expected.rule, expected.reasonCode, good[0]!.length + expected.offset!]);
      }
    }
  });

  it('a decoder fixed at 3.1.1 reads a PUBLISH after a 5.0 CONNECT by 3.1.1, whatever that CONNECT read', () => {
    const d = new PacketDecoder({ version: 4 });
    const pub = encode({ type: 'publish', topic: 'a', payload: utf8('p'), qos: 0 });
    const got = d.push(concat([encode({ type: 'connect', protocolVersion: 5, clientId: 'c', clean: true, keepAlive: 0 }), pub]));
    expect(got[1]).toEqual(decode(pub, { version: 4 }));
  });
});
