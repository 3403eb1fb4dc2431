// Recorded mosquitto traffic (fixtures/captures/, made by `npm run capture`): every stream decodes whatever its
// chunking, and re-encoding the packets gives back the recording byte for byte (the peers write the shortest form,
// as the encoder does).

import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { PacketDecoder, encode, packetToJson, toHex, type Packet, type ProtocolVersion } from '../../src/index.js';

interface Stream {
  file: string;
  bytes: number;
  packets: string[];
}
interface Capture {
  name: string;
  version: ProtocolVersion;
  client: string;
  args: string[];
  holds: string;
  c2s: Stream;
  s2c: Stream;
}

const dir = new URL('../../fixtures/captures/', import.meta.url);
const index = JSON.parse(readFileSync(new URL('index.json', dir), 'utf8')) as { peers: string; captures: Capture[] };
const load = (file: string): Uint8Array => new Uint8Array(readFileSync(new URL(file, dir)));

/** Cuts `bytes` into chunks: whole, one byte at a time, or random sizes from a seeded generator. */
function chunkings(bytes: Uint8Array): [string, Uint8Array[]][] {
  const out: [string, Uint8Array[]][] = [['whole', [bytes]]];
  const ones: Uint8Array[] = [];
  for (let i = 0; i < bytes.length; i++) ones.push(bytes.subarray(i, i + 1));
  out.push(['1-byte', ones]);
  for (const seed of [1, 0x9e3779b9, 12345]) {
    let x = seed >>> 0 || 1;
    const chunks: Uint8Array[] = [];
    for (let pos = 0; pos < bytes.length; ) {
      x ^= x << 13;
      x ^= x >>> 17;
      x ^= x << 5;
      x >>>= 0;
      // mostly small cuts (inside headers and length prefixes), sometimes large ones
      const size = 1 + (x % 8 === 0 ? x % 70_000 : x % 23);
      chunks.push(bytes.subarray(pos, pos + size));
      pos += size;
    }
    out.push([`random seed ${seed}`, chunks]);
  }
  return out;
}

/** Decodes a whole recorded stream pushed as `chunks`; the stream must end on a frame boundary. */
function decodeStream(chunks: Uint8Array[], direction: 'c2s' | 's2c', version: ProtocolVersion): { packets: Packet[]; version: ProtocolVersion } {
  // Client-to-server streams learn their level from the CONNECT; server-to-client ones are told (from the index).
  const decoder = new PacketDecoder(
    direction === 'c2s' ? { role: 'server', copy: true } : { role: 'client', copy: true, version },
  );
  const packets: Packet[] = [];
  for (const c of chunks) packets.push(...decoder.push(c));
  decoder.end();
  return { packets, version: decoder.version };
}

describe(`captures of ${index.peers}`, () => {
  test('the index lists sessions at levels 3, 4 and 5, with both directions of each', () => {
    expect(new Set(index.captures.map((c) => c.version))).toStrictEqual(new Set([3, 4, 5]));
    for (const c of index.captures) {
      expect(load(c.c2s.file).length).toBe(c.c2s.bytes);
      expect(load(c.s2c.file).length).toBe(c.s2c.bytes);
    }
  });

  for (const capture of index.captures) {
    for (const direction of ['c2s', 's2c'] as const) {
      const stream = capture[direction];
      test(`${stream.file}: decodes in every chunking and re-encodes byte for byte (${capture.holds})`, () => {
        const bytes = load(stream.file);
        const whole = decodeStream([bytes], direction, capture.version);
        if (direction === 'c2s') {
          const connect = whole.packets[0];
          expect(connect?.type).toBe('connect');
          expect(connect?.type === 'connect' && connect.protocolVersion).toBe(capture.version);
        }
        expect(whole.version).toBe(capture.version);
        expect(whole.packets.map((p) => p.type)).toStrictEqual(stream.packets);

        // Compared in JSON form (binary as hex): deep equality over 100 kB typed arrays would take seconds.
        const wholeJson = whole.packets.map(packetToJson);
        for (const [how, chunks] of chunkings(bytes)) {
          const again = decodeStream(chunks, direction, capture.version);
          expect(again.packets.map(packetToJson), how).toStrictEqual(wholeJson);
        }

        // Re-encode packet by packet so a difference names the packet, then compare the whole stream.
        const encoded: Uint8Array[] = [];
        let at = 0;
        for (const [i, p] of whole.packets.entries()) {
          const frame = encode(p, { version: capture.version });
          const original = bytes.subarray(at, at + frame.length);
          expect(toHex(frame), `packet ${i} (${p.type}) at byte ${at}`).toBe(toHex(original));
          encoded.push(frame);
          at += frame.length;
        }
        expect(at).toBe(bytes.length);
        expect(Buffer.compare(Buffer.concat(encoded), bytes)).toBe(0);
      });
    }
  }
});

describe('what the captures hold (spot checks of decoded fields)', () => {
  const te = new TextEncoder();
  const packetsOf = (name: string, direction: 'c2s' | 's2c'): Packet[] => {
    const c = index.captures.find((x) => x.name === name);
    if (c === undefined) throw new Error(`no capture ${name}`);
    return decodeStream([load(c[direction].file)], direction, c.version).packets;
  };

  test('MQTT 3.1: mosquitto_pub sends an MQIsdp CONNECT and a QoS 1 PUBLISH', () => {
    const [connect, publish] = packetsOf('pub-v31', 'c2s');
    expect(connect).toStrictEqual({ type: 'connect', protocolVersion: 3, clientId: 'cap-pub-v31', clean: true, keepAlive: 60 });
    expect(publish).toStrictEqual({ type: 'publish', topic: 'cap/v31/a', payload: te.encode('hello from 3.1'), qos: 1, retain: false, dup: false, packetId: 1 });
  });

  test('MQTT 5.0: the PUBLISH properties reach the subscriber as sent, in order, repeats kept', () => {
    const sent = packetsOf('pub-v5-props', 'c2s').find((p) => p.type === 'publish');
    const received = packetsOf('sub-v5-props', 's2c').find((p) => p.type === 'publish');
    const properties = {
      contentType: 'application/json',
      payloadFormatIndicator: 1,
      responseTopic: 'cap/v5/reply',
      correlationData: te.encode('req-42'),
      messageExpiryInterval: 3600,
      userProperties: [
        ['unit', 'celsius'],
        ['unit', 'kelvin?'],
      ],
    };
    expect(sent).toStrictEqual({ type: 'publish', topic: 'cap/v5/props', payload: te.encode('{"temp":21.5}'), qos: 2, retain: false, dup: false, packetId: 1, properties });
    expect(received?.type).toBe('publish');
    if (received?.type !== 'publish') return;
    // the broker forwards the time left, which the recording fixed at one value
    const left = received.properties?.messageExpiryInterval ?? -1;
    expect(left).toBeGreaterThan(3590);
    expect(left).toBeLessThanOrEqual(3600);
    expect(received).toStrictEqual({
      type: 'publish',
      topic: 'cap/v5/props',
      payload: te.encode('{"temp":21.5}'),
      qos: 2,
      retain: false,
      dup: false,
      packetId: received.packetId,
      properties: { ...properties, messageExpiryInterval: left },
    });
  });

  test('MQTT 5.0: the will of a killed client arrives with its will properties', () => {
    const wills = packetsOf('sub-v5-will-watch', 's2c').filter((p) => p.type === 'publish');
    const v5 = wills.find((p) => p.type === 'publish' && p.topic === 'cap/will/will-v5');
    expect(v5?.type === 'publish' && v5.payload).toStrictEqual(te.encode('will-v5 went away'));
    expect(v5?.type === 'publish' && v5.properties?.contentType).toBe('text/plain');
    expect(v5?.type === 'publish' && v5.properties?.userProperties).toStrictEqual([['state', 'lost']]);
  });
});
