// Property tests over the exported arbitraries: every generated packet round-trips, sizes agree with the bytes,
// encodeInto writes only its frame, and no input (random or mutated) makes the decoder fail with anything but
// MqttError.

import * as fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  MqttError,
  PacketDecoder,
  decode,
  encode,
  encodeInto,
  encodedLength,
  allowedReasonCodes,
  type ConnackPacket,
  type MqttErrorCode,
  type Packet,
  type PacketType,
  type ProtocolVersion,
  type SubackPacket,
  type UnsubackPacket,
} from '../src/index.js';
import {
  frameArbitrary,
  mutatedFrameArbitrary,
  packetArbitrary,
  packetArbitraryOf,
  packetTypes,
  propertiesArbitrary,
  topicFilterArbitrary,
  topicNameArbitrary,
} from '../src/arbitraries.js';
import { isValidTopicFilter, isValidTopicName } from '../src/topic.js';
import { PROPERTY_TABLE } from '../src/properties.js';
import './support/byte-equality.js';

const VERSIONS: ProtocolVersion[] = [3, 4, 5];
const RUNS = 1000;
/** Error classes a decoder may report; `invalid-packet` belongs to the encoder alone. */
const DECODE_CODES: MqttErrorCode[] = ['malformed-packet', 'protocol-error', 'unsupported-protocol-version'];

/** The level a decoded packet re-encodes at: a CONNECT carries its own, everything else the connection's. */
function levelOf(packet: Packet, version: ProtocolVersion): ProtocolVersion {
  return packet.type === 'connect' ? packet.protocolVersion : version;
}

/**
 * Decodes `frame` at `version`. The outcome must be a packet that survives encode/decode unchanged, or an MqttError
 * of a decoding class whose offset lies inside the frame. Returns the packet, or undefined after an error.
 */
function decodeOrRefuse(frame: Uint8Array, version: ProtocolVersion): Packet | undefined {
  let packet: Packet;
  try {
    packet = decode(frame, { version });
  } catch (e) {
    expect(e).toBeInstanceOf(MqttError);
    const err = e as MqttError;
    expect(DECODE_CODES).toContain(err.code);
    expect(err.offset).toBeTypeOf('number');
    expect(err.offset).toBeGreaterThanOrEqual(0);
    expect(err.offset).toBeLessThanOrEqual(frame.length);
    return undefined;
  }
  const level = levelOf(packet, version);
  expect(decode(encode(packet, { version: level }), { version: level })).toStrictEqual(packet);
  return packet;
}

describe('arbitraries', () => {
  it('the byte-array equality used here still tells different bytes apart', () => {
    expect(new Uint8Array([1, 2, 3])).toStrictEqual(new Uint8Array([0, 1, 2, 3]).subarray(1));
    expect(new Uint8Array([1, 2, 3])).not.toStrictEqual(new Uint8Array([1, 2, 4]));
    expect(new Uint8Array([1, 2])).not.toStrictEqual(new Uint8Array([1, 2, 0]));
    expect({ payload: new Uint8Array([7]) }).not.toStrictEqual({ payload: new Uint8Array([8]) });
  });

  it.each(VERSIONS)('topic names and filters at level %i obey the topic rules', (version) => {
    fc.assert(
      fc.property(topicNameArbitrary(), topicFilterArbitrary(version), (name, filter) => {
        expect(isValidTopicName(name)).toBe(true);
        expect(isValidTopicFilter(filter, { shared: version === 5 })).toBe(true);
      }),
      { numRuns: RUNS },
    );
  });

  it('propertiesArbitrary reaches every property a packet may carry', () => {
    // every (property, packet) pair of the table must come up in a sample of each packet's blocks
    const blocks = ['will', 'connect', 'connack', 'publish', 'puback', 'pubrec', 'pubrel', 'pubcomp', 'subscribe', 'suback', 'unsubscribe', 'unsuback', 'disconnect', 'auth'] as const;
    const bit: Record<(typeof blocks)[number], number> = {
      will: 1, connect: 1 << 1, connack: 1 << 2, publish: 1 << 3, puback: 1 << 4, pubrec: 1 << 5, pubrel: 1 << 6, pubcomp: 1 << 7,
      subscribe: 1 << 8, suback: 1 << 9, unsubscribe: 1 << 10, unsuback: 1 << 11, disconnect: 1 << 14, auth: 1 << 15,
    };
    for (const block of blocks) {
      const seen = new Set<string>();
      for (const props of fc.sample(propertiesArbitrary(block), { numRuns: 300, seed: 1 })) {
        expect(Object.keys(props).length).toBeGreaterThan(0);
        for (const key of Object.keys(props)) seen.add(key);
      }
      const expected = PROPERTY_TABLE.filter((d) => (d.allowed & bit[block]) !== 0).map((d) =>
        d.id === 0x0b && block === 'publish' ? 'subscriptionIdentifiers' : d.key,
      );
      expect([...seen].sort()).toStrictEqual([...expected].sort());
    }
  });

  it('packetArbitrary reaches every packet type of each level', () => {
    for (const version of VERSIONS) {
      const seen = new Set(fc.sample(packetArbitrary(version), { numRuns: 500, seed: 2 }).map((p) => p.type));
      expect([...seen].sort()).toStrictEqual([...packetTypes(version)].sort());
    }
  });

  it('the packet arbitraries reach every allowed reason code', () => {
    const cases: [PacketType, ProtocolVersion, (p: Packet) => number[]][] = [
      ['connack', 4, (p) => [(p as ConnackPacket).reasonCode]],
      ['suback', 4, (p) => (p as SubackPacket).reasonCodes],
      ['connack', 5, (p) => [(p as ConnackPacket).reasonCode]],
      ['suback', 5, (p) => (p as SubackPacket).reasonCodes],
      ['unsuback', 5, (p) => (p as UnsubackPacket).reasonCodes ?? []],
      ...(['puback', 'pubrec', 'pubrel', 'pubcomp', 'disconnect', 'auth'] as const).map(
        (t): [PacketType, ProtocolVersion, (p: Packet) => number[]] => [t, 5, (p) => [(p as { reasonCode: number }).reasonCode]],
      ),
    ];
    for (const [type, version, codesOf] of cases) {
      const seen = new Set<number>();
      for (const p of fc.sample(packetArbitraryOf(type, version), { numRuns: 1000, seed: 3 })) for (const c of codesOf(p)) seen.add(c);
      expect([...seen].sort((a, b) => a - b), `${type} at level ${version}`).toStrictEqual(allowedReasonCodes(type, version));
    }
  });

  it('packetTypes by sender follow the direction column of the packet type table (section 2.1.2 / 2.2.1)', () => {
    const both = ['publish', 'puback', 'pubrec', 'pubrel', 'pubcomp'];
    for (const version of [3, 4] as const) {
      expect(packetTypes(version, { sender: 'client' }).sort()).toStrictEqual(
        [...both, 'connect', 'subscribe', 'unsubscribe', 'pingreq', 'disconnect'].sort(),
      );
      expect(packetTypes(version, { sender: 'server' }).sort()).toStrictEqual([...both, 'connack', 'suback', 'unsuback', 'pingresp'].sort());
    }
    expect(packetTypes(5, { sender: 'client' }).sort()).toStrictEqual(
      [...both, 'connect', 'subscribe', 'unsubscribe', 'pingreq', 'disconnect', 'auth'].sort(),
    );
    expect(packetTypes(5, { sender: 'server' }).sort()).toStrictEqual(
      [...both, 'connack', 'suback', 'unsuback', 'pingresp', 'disconnect', 'auth'].sort(),
    );
  });

  it('a client PUBLISH never carries Subscription Identifiers (MQTT-3.3.4-6); a server one sometimes does', () => {
    const client = fc.sample(packetArbitraryOf('publish', 5, { sender: 'client' }), { numRuns: 500, seed: 4 });
    expect(client.filter((p) => p.properties?.subscriptionIdentifiers !== undefined)).toStrictEqual([]);
    expect(client.every((p) => p.properties === undefined || Object.keys(p.properties).length > 0)).toBe(true);
    const server = fc.sample(packetArbitraryOf('publish', 5, { sender: 'server' }), { numRuns: 500, seed: 4 });
    expect(server.some((p) => p.properties?.subscriptionIdentifiers !== undefined)).toBe(true);
  });

  it('a server DISCONNECT never carries Session Expiry Interval (MQTT-3.14.2-2); a client one sometimes does', () => {
    const server = fc.sample(packetArbitraryOf('disconnect', 5, { sender: 'server' }), { numRuns: 500, seed: 5 });
    expect(server.filter((p) => p.properties?.sessionExpiryInterval !== undefined)).toStrictEqual([]);
    expect(server.every((p) => p.properties === undefined || Object.keys(p.properties).length > 0)).toBe(true);
    const client = fc.sample(packetArbitraryOf('disconnect', 5, { sender: 'client' }), { numRuns: 500, seed: 5 });
    expect(client.some((p) => p.properties?.sessionExpiryInterval !== undefined)).toBe(true);
  });

  it('AUTH has no arbitrary before 5.0', () => {
    expect(() => packetArbitraryOf('auth', 4)).toThrow(RangeError);
  });
});

/** Values that break some field's rule: wrong types, out-of-range numbers, bad strings, oversized data. */
const ODD_VALUES: unknown[] = [
  undefined, null, true, false, 0, -1, 1, 2, 3, 0.5, Number.NaN, Number.POSITIVE_INFINITY, 255, 256, 65535, 65536,
  268_435_455, 268_435_456, 2 ** 32, -0, 10n, '', 'a', 'a/+', 'a/#', '#', '+', '$share/', '$share/g/x', '\u0000',
  'x\ud800', '\udc00y', 'x'.repeat(70_000), [], [''], [0], [['a', 'b']], [['a']], {}, { a: 1 }, new Uint8Array(0),
  new Uint8Array(70_000), new Uint16Array(2), Symbol('odd'), () => 1,
];

/** Every path to a field of a packet (into nested objects and arrays; byte arrays are leaves). */
function fieldPaths(value: unknown, prefix: (string | number)[] = []): (string | number)[][] {
  if (typeof value !== 'object' || value === null || value instanceof Uint8Array) return [prefix];
  const paths: (string | number)[][] = prefix.length > 0 ? [prefix] : [];
  const keys = Array.isArray(value) ? value.map((_, i) => i) : Object.keys(value);
  for (const k of keys) paths.push(...fieldPaths((value as Record<string | number, unknown>)[k], [...prefix, k]));
  return paths;
}

/** A deep copy of `packet` with the field at `path` set to `replacement` (or deleted when it is `deleteField`). */
const deleteField = Symbol('delete');
function withField(packet: Packet, path: (string | number)[], replacement: unknown): Packet {
  const copy = structuredClone(packet) as unknown as Record<string | number, unknown>;
  let at = copy;
  for (const k of path.slice(0, -1)) at = at[k] as Record<string | number, unknown>;
  const last = path[path.length - 1]!;
  if (replacement === deleteField) delete at[last];
  else at[last] = replacement;
  return copy as unknown as Packet;
}

describe.each(VERSIONS)('level %i', (version) => {
  describe.each(packetTypes(version))('%s', (type) => {
    it('decode(encode(p)) deep-equals p; encodedLength and encodeInto agree with encode', () => {
      fc.assert(
        fc.property(packetArbitraryOf(type, version), fc.nat({ max: 64 }), fc.nat({ max: 64 }), fc.integer({ min: 0, max: 255 }), (p, before, after, fill) => {
          const frame = encode(p, { version });
          expect(decode(frame, { version })).toStrictEqual(p);
          expect(encodedLength(p, { version })).toBe(frame.length);

          const target = new Uint8Array(before + frame.length + after).fill(fill);
          expect(encodeInto(p, target, before, { version })).toBe(frame.length);
          expect(target.subarray(before, before + frame.length)).toStrictEqual(frame);
          for (let i = 0; i < before; i++) if (target[i] !== fill) expect.fail(`byte ${i} before the frame was changed`);
          for (let i = before + frame.length; i < target.length; i++) {
            if (target[i] !== fill) expect.fail(`byte ${i} after the frame was changed`);
          }
        }),
        { numRuns: RUNS },
      );
    });
  });

  it('encode refuses a broken packet object with MqttError invalid-packet, or writes a frame the decoder accepts', () => {
    // encode must refuse any object the decoder would refuse, and nothing but MqttError may leave it
    const scratch = new Uint8Array(1 << 17);
    const broken = packetArbitrary(version).chain((p) =>
      fc.record({
        packet: fc.constant(p),
        path: fc.constantFrom(...fieldPaths(p), ['unknownField']),
        replacement: fc.oneof(fc.constantFrom(...ODD_VALUES, deleteField), fc.anything()),
      }),
    );
    fc.assert(
      fc.property(broken, ({ packet, path, replacement }) => {
        const q = withField(packet, path, replacement);
        let frame: Uint8Array;
        try {
          frame = encode(q, { version });
        } catch (e) {
          expect(e).toBeInstanceOf(MqttError);
          expect((e as MqttError).code).toBe('invalid-packet');
          expect(() => encodedLength(q, { version })).toThrow(MqttError);
          expect(() => encodeInto(q, scratch, 0, { version })).toThrow(MqttError);
          return;
        }
        expect(encodedLength(q, { version })).toBe(frame.length);
        decode(frame, { version });
      }),
      { numRuns: 3 * RUNS },
    );
  });

  it('single-byte mutations, truncations and extensions of valid frames decode or throw MqttError', () => {
    fc.assert(
      fc.property(mutatedFrameArbitrary(version), (frame) => {
        decodeOrRefuse(frame, version);
      }),
      { numRuns: 3 * RUNS },
    );
  });

  it('a truncated or extended frame is always refused', () => {
    fc.assert(
      fc.property(frameArbitrary(version), fc.nat(), fc.uint8Array({ minLength: 1, maxLength: 8 }), (frame, cut, extra) => {
        expect(decodeOrRefuse(frame.slice(0, cut % frame.length), version)).toBeUndefined();
        const longer = new Uint8Array(frame.length + extra.length);
        longer.set(frame);
        longer.set(extra, frame.length);
        expect(decodeOrRefuse(longer, version)).toBeUndefined();
      }),
      { numRuns: RUNS },
    );
  });

  it('random bytes decode or throw MqttError', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
        decodeOrRefuse(bytes, version);
      }),
      { numRuns: RUNS },
    );
  });

  it('a random body behind a well-formed fixed header decodes or throws MqttError', () => {
    // random bytes rarely carry a matching Remaining Length; this reaches the packet readers instead
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 255 }), fc.uint8Array({ maxLength: 200 }), (first, body) => {
        const frame = new Uint8Array(1 + (body.length < 128 ? 1 : 2) + body.length);
        frame[0] = first;
        let at = 1;
        if (body.length < 128) frame[at++] = body.length;
        else {
          frame[at++] = (body.length & 0x7f) | 0x80;
          frame[at++] = body.length >> 7;
        }
        frame.set(body, at);
        decodeOrRefuse(frame, version);
      }),
      { numRuns: 3 * RUNS },
    );
  });

  it('PacketDecoder on random chunks returns round-tripping packets or throws MqttError, then stays failed', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 40 }), { maxLength: 8 }), (chunks) => {
        const decoder = new PacketDecoder({ version });
        let failure: unknown;
        for (const chunk of chunks) {
          if (failure !== undefined) {
            expect(() => decoder.push(chunk)).toThrow(failure as Error);
            continue;
          }
          try {
            for (const packet of decoder.push(chunk)) {
              const level = levelOf(packet, version);
              expect(decode(encode(packet, { version: level }), { version: level })).toStrictEqual(packet);
            }
          } catch (e) {
            expect(e).toBeInstanceOf(MqttError);
            expect([...DECODE_CODES, 'packet-too-large']).toContain((e as MqttError).code);
            failure = e;
          }
        }
      }),
      { numRuns: RUNS },
    );
  });

  it('PacketDecoder returns the packets of valid frames whatever the chunking', () => {
    fc.assert(
      fc.property(
        fc.array(packetArbitrary(version), { minLength: 1, maxLength: 6 }),
        fc.array(fc.nat(), { maxLength: 10 }),
        (packets, cutSeeds) => {
          const frames = packets.map((p) => encode(p, { version }));
          const stream = new Uint8Array(frames.reduce((n, f) => n + f.length, 0));
          let o = 0;
          for (const f of frames) {
            stream.set(f, o);
            o += f.length;
          }
          const cuts = [...new Set(cutSeeds.map((s) => s % (stream.length + 1)))].sort((a, b) => a - b);
          // a fixed level: a CONNECT in the middle must not switch the rest
          const decoder = new PacketDecoder({ version });
          const out: Packet[] = [];
          let prev = 0;
          for (const cut of [...cuts, stream.length]) {
            out.push(...decoder.push(stream.subarray(prev, cut)));
            prev = cut;
          }
          decoder.end();
          expect(out).toStrictEqual(packets);
        },
      ),
      { numRuns: RUNS },
    );
  });

  it.each(['client', 'server'] as const)('a PacketDecoder with a role accepts whatever the other side sends (receiver: %s)', (role) => {
    const sender = role === 'server' ? 'client' : 'server';
    fc.assert(
      fc.property(fc.array(packetArbitrary(version, { sender }), { minLength: 1, maxLength: 5 }), (packets) => {
        const decoder = new PacketDecoder({ version, role });
        const out: Packet[] = [];
        for (const p of packets) out.push(...decoder.push(encode(p, { version })));
        expect(out).toStrictEqual(packets);
      }),
      { numRuns: RUNS },
    );
  });

  it('PacketDecoder agrees with decode() frame by frame on damaged streams, however they are chunked', () => {
    // The reference cuts the stream by the Remaining Length rules (section 2.2.3 / 1.5.5) and decode()s each frame.
    // It reports the first error, and after a body error also the next header error: the decoder reads every header
    // in a chunk before the bodies, so when one chunk holds both it reports the header error.
    type Failure = { code: string; rule?: string | undefined; offset?: number };
    const MAX = 1024 * 1024;
    function headerAt(stream: Uint8Array, pos: number): { size: number } | { error: Failure } | 'partial' {
      let value = 0;
      let mul = 1;
      for (let i = 0; i < 4; i++) {
        if (pos + 1 + i >= stream.length) return 'partial';
        const b = stream[pos + 1 + i]!;
        value += (b & 0x7f) * mul;
        if (b < 0x80) {
          // the non-shortest form is refused at every level
          if (b === 0 && i > 0) return { error: { code: 'malformed-packet' } };
          const size = 2 + i + value;
          return size > MAX ? { error: { code: 'packet-too-large' } } : { size };
        }
        mul *= 128;
      }
      return { error: { code: 'malformed-packet' } };
    }
    function reference(stream: Uint8Array): { packets: Packet[]; errors: Failure[]; partial: boolean } {
      const packets: Packet[] = [];
      let bodyError: Failure | undefined;
      let pos = 0;
      while (pos < stream.length) {
        const header = headerAt(stream, pos);
        if (header === 'partial') break;
        if ('error' in header) return { packets, errors: bodyError === undefined ? [header.error] : [bodyError, header.error], partial: false };
        if (pos + header.size > stream.length) break;
        if (bodyError === undefined) {
          try {
            packets.push(decode(stream.subarray(pos, pos + header.size), { version }));
          } catch (e) {
            const err = e as MqttError;
            bodyError = { code: err.code, rule: err.rule, offset: pos + err.offset! };
          }
        }
        pos += header.size;
      }
      return { packets, errors: bodyError === undefined ? [] : [bodyError], partial: bodyError === undefined && pos < stream.length };
    }

    const damagedStream = fc
      .tuple(
        fc.array(packetArbitrary(version), { minLength: 1, maxLength: 6 }),
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 2 }),
        fc.option(fc.nat(), { nil: undefined }),
      )
      .map(([packets, changes, cut]) => {
        const frames = packets.map((p) => encode(p, { version }));
        let stream = new Uint8Array(frames.reduce((n, f) => n + f.length, 0));
        let o = 0;
        for (const f of frames) {
          stream.set(f, o);
          o += f.length;
        }
        for (const [i, v] of changes) stream[i % stream.length] = v;
        if (cut !== undefined) stream = stream.subarray(0, cut % (stream.length + 1));
        return stream;
      });

    fc.assert(
      fc.property(damagedStream, fc.array(fc.nat(), { maxLength: 8 }), (stream, cutSeeds) => {
        const expected = reference(stream);
        const decoder = new PacketDecoder({ version });
        const packets: Packet[] = [];
        let error: MqttError | undefined;
        const cuts = [...new Set(cutSeeds.map((c) => c % (stream.length + 1)))].sort((a, b) => a - b);
        let prev = 0;
        for (const cut of [...cuts, stream.length]) {
          try {
            packets.push(...decoder.push(stream.slice(prev, cut)));
          } catch (e) {
            expect(e).toBeInstanceOf(MqttError);
            error = e as MqttError;
            break;
          }
          prev = cut;
        }
        if (expected.errors.length === 0) {
          expect(packets).toStrictEqual(expected.packets);
          expect(error).toBeUndefined();
          if (expected.partial) expect(() => decoder.end()).toThrow(MqttError);
          else decoder.end();
          return;
        }
        // push() throws for a bad frame, so the packets before it in the same chunk are not returned: what came
        // out is a prefix of the reference's packets
        expect(packets).toStrictEqual(expected.packets.slice(0, packets.length));
        expect(error).toBeDefined();
        const matches = expected.errors.filter(
          (f) => f.code === error!.code && (f.offset === undefined || (f.rule === error!.rule && f.offset === error!.offset)),
        );
        expect(matches.length, `${error!.code} ${error!.rule} at ${error!.offset}; expected one of ${JSON.stringify(expected.errors)}`).toBeGreaterThan(0);
      }),
      { numRuns: RUNS },
    );
  });

  it('PacketDecoder without a version takes it from the first CONNECT', () => {
    fc.assert(
      fc.property(packetArbitraryOf('connect', version), fc.array(packetArbitrary(version), { maxLength: 5 }), (connect, rest) => {
        const decoder = new PacketDecoder();
        const out: Packet[] = [];
        for (const p of [connect, ...rest]) out.push(...decoder.push(encode(p, { version })));
        expect(decoder.version).toBe(version);
        expect(out).toStrictEqual([connect, ...rest]);
      }),
      { numRuns: RUNS },
    );
  });

  it('frameArbitrary frames decode at their level; with copy the binary fields own their bytes', () => {
    fc.assert(
      fc.property(frameArbitrary(version), (frame) => {
        const packet = decodeOrRefuse(frame, version);
        expect(packet).toBeDefined();
        const copied = decode(frame, { version, copy: true });
        expect(copied).toStrictEqual(packet);
        for (const path of fieldPaths(copied)) {
          const field = path.reduce<unknown>((v, k) => (v as Record<string | number, unknown>)[k], copied);
          if (field instanceof Uint8Array) expect(field.buffer).not.toBe(frame.buffer);
        }
      }),
      { numRuns: RUNS },
    );
  });
});
