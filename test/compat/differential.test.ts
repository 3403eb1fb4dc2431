// The compat layer against mqtt-packet itself, on the frames mqtt-wire's arbitraries make, at levels 3, 4 and 5:
//  - valid frames: both parsers emit the same objects, and both generates give the same bytes (or the same error)
//    for them;
//  - frames with a byte changed, cut or added: a frame mqtt-packet refuses is refused with mqtt-packet's message;
//    a frame the compat layer accepts, mqtt-packet accepts with the same object; a frame mqtt-packet accepts and the
//    compat layer refuses is the codec's strictness (the README lists those rules).
// mqtt-packet is fed one frame per `parse` call: given several at once, it reads past the end of a short DISCONNECT,
// CONNACK or AUTH body into the next frame, which the compat layer never does (each frame is read alone).

import * as fc from 'fast-check';
import mqttPacket from 'mqtt-packet';
import { describe, expect, it } from 'vitest';
import { encode, type Packet, type ProtocolVersion } from '../../src/index.js';
import { frameArbitrary, mutatedFrameArbitrary, packetArbitrary } from '../../src/arbitraries.js';
import * as compat from '../../src/compat/index.js';
import '../support/byte-equality.js';

type Event = ['packet', Record<string, unknown>] | ['error', string];
interface Run {
  events: Event[];
  /** What the last `parse` call returned (bytes held), when no error was emitted. */
  left: number | undefined;
}

/** `bytes` cut where mqtt-packet cuts frames (any Remaining Length of up to four bytes; a partial frame last). */
function frames(bytes: Uint8Array): Uint8Array[] {
  const out: Uint8Array[] = [];
  let pos = 0;
  while (pos < bytes.length) {
    let i = pos + 1;
    let rl = 0;
    let mul = 1;
    let done = false;
    while (i < bytes.length && i - pos <= 4) {
      const b = bytes[i++]!;
      rl += (b & 0x7f) * mul;
      mul *= 128;
      if (b < 0x80) {
        done = true;
        break;
      }
    }
    const end = done ? Math.min(bytes.length, i + rl) : bytes.length;
    out.push(bytes.subarray(pos, end));
    pos = end;
  }
  return out;
}

function listen(parser: any, out: Event[]): { failed: () => boolean } {
  let failed = false;
  parser.on('packet', (p: Record<string, unknown>) => {
    // both libraries emit instances of a class named Packet; compared here as plain objects
    expect(p.constructor.name).toBe('Packet');
    if (!failed) out.push(['packet', { ...p }]);
  });
  parser.on('error', (e: Error) => {
    if (!failed) out.push(['error', e.message]);
    failed = true;
  });
  return { failed: () => failed };
}

function runMqttPacket(bytes: Uint8Array, version: ProtocolVersion): Run {
  const events: Event[] = [];
  const parser = mqttPacket.parser({ protocolVersion: version });
  const state = listen(parser, events);
  let left: number | undefined = parser.parse(Buffer.alloc(0));
  for (const f of frames(bytes)) {
    left = parser.parse(Buffer.from(f));
    if (state.failed()) return { events, left: undefined };
  }
  return { events, left };
}

function runCompat(bytes: Uint8Array, version: ProtocolVersion): Run {
  const events: Event[] = [];
  const parser = compat.parser({ protocolVersion: version });
  const state = listen(parser, events);
  const left = parser.parse(Buffer.from(bytes));
  return { events, left: state.failed() ? undefined : left };
}

/**
 * The one listed difference in what both accept: mqtt-packet tests a User Property's earlier value for truth, so a
 * name repeated after an empty value loses the values before the last empty one ('' then '' is '', '' then 'x' is
 * 'x'); the compat layer keeps every value. This folds our values the way mqtt-packet does, for the comparison.
 */
function asMqttPacketFolds(run: Run): Run {
  const fold = (props: unknown): unknown => {
    const user = (props as { userProperties?: Record<string, string | string[]> } | undefined)?.userProperties;
    if (user === undefined) return props;
    const folded = Object.create(null) as Record<string, string | string[]>;
    for (const name of Object.keys(user)) {
      let value: string | string[] | undefined;
      for (const v of ([] as string[]).concat(user[name]!)) value = value ? ([] as string[]).concat(value, v) : v;
      folded[name] = value!;
    }
    return { ...(props as object), userProperties: folded };
  };
  const events = run.events.map((event): Event => {
    if (event[0] !== 'packet') return event;
    const p = { ...event[1] };
    if (p['properties'] !== undefined) p['properties'] = fold(p['properties']);
    const will = p['will'] as { properties?: unknown } | undefined;
    if (will?.properties !== undefined) p['will'] = { ...will, properties: fold(will.properties) };
    return ['packet', p];
  });
  return { events, left: run.left };
}

/**
 * Frames the compat layer accepts and mqtt-packet refuses, both right by the spec: AUTH in its shortest form
 * (Remaining Length 0 means Success, 3.15.2.1), and DISCONNECT with 0x8C Bad authentication method (Table 2-6).
 */
function acceptedOnlyHere(frame: Uint8Array | undefined): boolean {
  if (frame === undefined) return false;
  const type = frame[0]! >> 4;
  const bodyAt = headerLength(frame);
  if (type === 15 && frame.length === bodyAt) return true;
  if (type === 14 && frame[bodyAt] === 0x8c) return true;
  return false;
}

/** generate's outcome: the bytes, or the error's message. */
function generated(impl: { generate(p: any, o: { protocolVersion: number }): Uint8Array }, packet: unknown, version: ProtocolVersion): Uint8Array | string {
  try {
    return new Uint8Array(impl.generate(packet, { protocolVersion: version }));
  } catch (e) {
    return (e as Error).message;
  }
}

const LEVELS: ProtocolVersion[] = [3, 4, 5];
/** Runs of the mutated-frame property per level; COMPAT_DIFFERENTIAL_RUNS raises it for a longer search. */
const MUTATED_RUNS = Number(process.env['COMPAT_DIFFERENTIAL_RUNS'] ?? 3000);

describe('compat parser and generate beside mqtt-packet, on valid frames', () => {
  for (const version of LEVELS) {
    it(`level ${version}: the same objects from both parsers, the same bytes or error from both generates`, () => {
      fc.assert(
        fc.property(packetArbitrary(version), (packet: Packet) => {
          const frame = encode(packet, { version });
          const theirs = runMqttPacket(frame, version);
          const ours = runCompat(frame, version);
          if (acceptedOnlyHere(frame)) {
            expect(theirs.events[0]![0]).toBe('error');
            expect(ours.events.map((e) => e[0])).toStrictEqual(['packet']);
            return;
          }
          expect(asMqttPacketFolds(ours)).toStrictEqual(theirs);
          const object = ours.events[0]![1] as Record<string, unknown>;
          const bytes = generated(compat, object, version);
          expect(bytes).toStrictEqual(generated(mqttPacket, object, version));
          if (typeof bytes !== 'string') {
            // and what compat writes, it reads back as the same object
            const back = runCompat(bytes, version);
            expect(back.events).toStrictEqual([['packet', { ...object, length: bytes.length - headerLength(bytes) }]]);
          }
        }),
        { numRuns: Math.max(400, MUTATED_RUNS / 10) },
      );
    });
  }
});

function headerLength(frame: Uint8Array): number {
  let n = 2;
  while (frame[n - 1]! >= 0x80) n++;
  return n;
}

describe('compat parser beside mqtt-packet, on frames with a byte changed, cut or added', () => {
  for (const version of LEVELS) {
    it(`level ${version}: refused with mqtt-packet's message where it refuses; what compat accepts, mqtt-packet accepts alike`, () => {
      fc.assert(
        fc.property(fc.oneof(mutatedFrameArbitrary(version), frameArbitrary(version)), (bytes: Uint8Array) => {
          const theirs = runMqttPacket(bytes, version);
          const ours = asMqttPacketFolds(runCompat(bytes, version));
          const theirError = theirs.events.findIndex((e) => e[0] === 'error');
          const ourError = ours.events.findIndex((e) => e[0] === 'error');
          if (ourError === -1) {
            if (theirError === -1) {
              expect(ours).toStrictEqual(theirs);
            } else {
              // refused by mqtt-packet only: a frame the spec lets us accept
              expect(ours.events.slice(0, theirError)).toStrictEqual(theirs.events.slice(0, theirError));
              expect(acceptedOnlyHere(frames(bytes)[theirError])).toBe(true);
            }
            return;
          }
          // the packets before the first error are the same
          const same = theirError === -1 ? ourError : Math.min(ourError, theirError);
          expect(ours.events.slice(0, same)).toStrictEqual(theirs.events.slice(0, same));
          if (theirError === ourError) {
            expect(ours.events[ourError]).toStrictEqual(theirs.events[theirError]);
          } else if (theirError !== -1 && theirError < ourError) {
            expect(acceptedOnlyHere(frames(bytes)[theirError])).toBe(true);
          }
          // else: mqtt-packet accepted the frame the compat layer refused (the codec's strictness)
        }),
        { numRuns: MUTATED_RUNS },
      );
    });
  }
});
