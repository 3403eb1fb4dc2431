// The fuzz loop behind `npm run fuzz`: random and mutated inputs through `decode`, `PacketDecoder` in random
// chunkings and `encode` of what decodes, with a failure for any exception that is not an MqttError, any round-trip
// difference, any chunking difference, any label a malformed case does not get, and any input family whose decoding
// time grows faster than its size. Everything is drawn from one seed, so a run can be replayed exactly.

import { isDeepStrictEqual } from 'node:util';
import * as fc from 'fast-check';
import {
  frameArbitrary,
  malformedFrameArbitrary,
  mutatedFrameArbitrary,
  type FrameCase,
} from '../src/arbitraries.js';
import { concat as join } from '../src/cli/bytes.js';
import { vbiBytes } from '../src/fuzz/frame.js';
import * as codec from '../src/index.js';
import type { Packet, ProtocolVersion } from '../src/index.js';

const concat = (...parts: Uint8Array[]): Uint8Array => join(parts);
const varint = (n: number): Uint8Array => Uint8Array.from(vbiBytes(n));

/** The functions under test (the real codec unless a test plants a fault). */
export interface Subject {
  decode: typeof codec.decode;
  encode: typeof codec.encode;
  encodedLength: typeof codec.encodedLength;
  encodeInto: typeof codec.encodeInto;
  PacketDecoder: typeof codec.PacketDecoder;
  MqttError: typeof codec.MqttError;
}

export interface Capture {
  name: string;
  version: ProtocolVersion;
  bytes: Uint8Array;
}

export interface FuzzOptions {
  runs: number;
  seed: number;
  /** Recorded streams to mutate (fixtures/captures). */
  captures: readonly Capture[];
  /** One linear-time check every this many inputs; 0 for none. Default 20,000. */
  linearEvery?: number;
  /** Only these input families in the linear-time checks (by name); default all, in turn. */
  linearFamilies?: readonly string[];
  /** The size n of the linear-time checks (default 8192: elements, bytes or characters, by family). */
  linearSize?: number;
  subject?: Subject;
  /** Called every `progressEvery` inputs. */
  onProgress?: (done: number, report: FuzzReport) => void;
  progressEvery?: number;
}

export type FindingKind = 'exception' | 'round-trip' | 'chunking' | 'label' | 'superlinear';

export interface Finding {
  kind: FindingKind;
  /** What went wrong, without the input. */
  detail: string;
  /** Hex of the smallest input found that shows it (shrunk from the first one seen). */
  input: string;
  version: ProtocolVersion;
  source: string;
  /** Index of the first input that showed it. */
  first: number;
  /** How many inputs showed it. */
  count: number;
}

export interface FuzzReport {
  runs: number;
  seed: number;
  durationMs: number;
  /** Inputs per source. */
  sources: Record<string, number>;
  /** Frames decoded into packets, and refusals (MqttError), over all inputs and chunkings. */
  packets: number;
  refusals: number;
  linearChecks: number;
  /** Largest time ratio seen between an input family at 2n and at n (2.0 is linear). */
  worstRatio: number;
  worstFamily: string;
  findings: Finding[];
}

// ---------------------------------------------------------------------------------------------------------------
// Randomness: one seeded generator for everything (xorshift128+ would do; mulberry32 is enough for choices)

export class Rng {
  private s: number;
  constructor(seed: number) {
    this.s = seed >>> 0 || 0x9e3779b9;
  }
  next(): number {
    let t = (this.s = (this.s + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }
  pick<T>(items: readonly T[]): T {
    return items[this.int(0, items.length - 1)]!;
  }
  bytes(n: number): Uint8Array {
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i++) out[i] = this.int(0, 255);
    return out;
  }
}

const hex = (b: Uint8Array): string => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');

// ---------------------------------------------------------------------------------------------------------------
// Inputs

interface Input {
  bytes: Uint8Array;
  version: ProtocolVersion;
  source: string;
  /** A labelled malformed case: the refusal it must get. */
  label?: FrameCase;
}

/** Byte values that sit on boundaries of MQTT fields (lengths, flags, continuation bits, UTF-8 leads). */
const INTERESTING = [0x00, 0x01, 0x02, 0x7f, 0x80, 0x81, 0xbf, 0xc0, 0xc3, 0xed, 0xef, 0xf0, 0xf4, 0xfe, 0xff, 0x23, 0x2b, 0x2f];

/** One to four edits of `bytes`: bit flips, interesting bytes, inserted, deleted, duplicated or foreign ranges. */
function mutate(rng: Rng, bytes: Uint8Array, donor: Uint8Array): Uint8Array {
  let out: Uint8Array = bytes.slice();
  const edits = rng.int(1, 4);
  for (let e = 0; e < edits; e++) {
    const at = rng.int(0, out.length);
    switch (rng.int(0, 7)) {
      case 0:
        if (out.length > 0) out[Math.min(at, out.length - 1)]! ^= 1 << rng.int(0, 7);
        break;
      case 1:
        if (out.length > 0) out[Math.min(at, out.length - 1)] = rng.pick(INTERESTING);
        break;
      case 2:
        if (out.length > 0) out[Math.min(at, out.length - 1)] = rng.int(0, 255);
        break;
      case 3:
        out = concat(out.subarray(0, at), rng.bytes(rng.int(1, 8)), out.subarray(at));
        break;
      case 4:
        out = concat(out.subarray(0, at), out.subarray(Math.min(out.length, at + rng.int(1, 16))));
        break;
      case 5: {
        const len = rng.int(1, 32);
        out = concat(out.subarray(0, at), out.subarray(at, at + len), out.subarray(at));
        break;
      }
      case 6: {
        const from = rng.int(0, donor.length);
        out = concat(out.subarray(0, at), donor.subarray(from, from + rng.int(1, 64)), out.subarray(at));
        break;
      }
      case 7:
        out = out.subarray(0, at).slice();
        break;
    }
  }
  return out;
}

/** A frame with a plausible first byte and a true Remaining Length around random body bytes. */
function randomFrame(rng: Rng): Uint8Array {
  const type = rng.int(0, 15);
  const flags = rng.int(0, 3) === 0 ? rng.int(0, 15) : [6, 8, 10].includes(type) ? 2 : type === 3 ? rng.int(0, 15) : 0;
  const body = rng.bytes(rng.pick([0, 1, 2, 3, 4, 8, 16, 64, rng.int(0, 300)]));
  // sometimes start the body like the fields usually start: a short length, a CONNECT's protocol name
  if (body.length >= 2 && rng.int(0, 2) === 0) {
    body[0] = 0;
    body[1] = rng.int(0, body.length);
  }
  if (type === 1 && body.length >= 7 && rng.int(0, 1) === 0) body.set([0, 4, 0x4d, 0x51, 0x54, 0x54, rng.pick([3, 4, 5])]);
  return concat(Uint8Array.of((type << 4) | flags), varint(body.length), body);
}

/** Values from a fast-check arbitrary, in batches drawn with seeds derived from the run's seed. */
class Batches<T> {
  private queue: T[] = [];
  private batch = 0;
  constructor(
    private readonly arb: fc.Arbitrary<T>,
    private readonly seed: number,
  ) {}
  next(): T {
    if (this.queue.length === 0) {
      this.queue = fc.sample(this.arb, { seed: (this.seed * 31 + this.batch++ * 7919) | 0, numRuns: 256 });
    }
    return this.queue.pop()!;
  }
}

const VERSIONS: ProtocolVersion[] = [3, 4, 5];

function inputSource(seed: number, captures: readonly Capture[]): (rng: Rng) => Input {
  const valid = new Map(VERSIONS.map((v) => [v, new Batches(frameArbitrary(v), seed + v)]));
  const mutated = new Map(VERSIONS.map((v) => [v, new Batches(mutatedFrameArbitrary(v), seed + 10 + v)]));
  const labelled = new Map(([4, 5] as const).map((v) => [v, new Batches(malformedFrameArbitrary(v), seed + 20 + v)]));
  const small = captures.filter((c) => c.bytes.length <= 4096);
  return (rng) => {
    const roll = rng.int(0, 99);
    if (roll < 30 && captures.length > 0) {
      // mostly the small recordings: the two 100 kB ones would dominate the time
      const c = rng.int(0, 19) === 0 ? rng.pick(captures) : rng.pick(small.length > 0 ? small : captures);
      const donor = rng.pick(captures).bytes;
      return { bytes: mutate(rng, c.bytes, donor), version: c.version, source: 'capture mutated' };
    }
    if (roll < 32 && captures.length > 0) {
      const c = rng.pick(small.length > 0 ? small : captures);
      return { bytes: c.bytes, version: c.version, source: 'capture' };
    }
    const version = rng.pick(VERSIONS);
    if (roll < 44) {
      const n = rng.int(1, 4);
      const frames: Uint8Array[] = [];
      for (let i = 0; i < n; i++) frames.push(valid.get(version)!.next());
      return { bytes: concat(...frames), version, source: 'valid frames' };
    }
    if (roll < 58) return { bytes: mutated.get(version)!.next(), version, source: 'mutated frame' };
    if (roll < 68) {
      const v = version === 3 ? 4 : version;
      const c = labelled.get(v)!.next();
      return { bytes: c.bytes, version: v, source: 'malformed case', label: c };
    }
    if (roll < 74) {
      // a labelled case mutated further: no label any more
      const v = version === 3 ? 4 : version;
      return { bytes: mutate(rng, labelled.get(v)!.next().bytes, rng.bytes(8)), version: v, source: 'malformed case mutated' };
    }
    if (roll < 86) return { bytes: randomFrame(rng), version, source: 'random frame' };
    return { bytes: rng.bytes(rng.pick([0, 1, 2, 3, 5, 8, 16, 32, 64, rng.int(0, 1024)])), version, source: 'random bytes' };
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Checks

class Failure extends Error {
  constructor(
    readonly kind: FindingKind,
    detail: string,
  ) {
    super(detail);
  }
}

interface Refusal {
  code: string;
  reasonCode: number;
  rule: string | undefined;
  offset: number | undefined;
}

/** What a stream decoding gave: the packets, in order, and the error that stopped it. */
interface StreamOutcome {
  packets: Packet[];
  error: Refusal | undefined;
  /** The error carried the packets completed before it in the same push (the second release's `error.packets`). */
  complete: boolean;
}

export class Checker {
  packets = 0;
  refusals = 0;
  constructor(private readonly s: Subject) {}

  /** Runs `f`; an MqttError becomes a refusal, anything else thrown is a finding. */
  private guard<T>(what: string, f: () => T): { value: T } | { error: codec.MqttError } {
    try {
      return { value: f() };
    } catch (e) {
      if (e instanceof this.s.MqttError) return { error: e };
      const err = e as Error;
      throw new Failure('exception', `${what} threw ${err?.name ?? typeof e}: ${err?.message ?? String(e)}`);
    }
  }

  private refusal(e: codec.MqttError): Refusal {
    return { code: e.code, reasonCode: e.reasonCode, rule: e.rule, offset: e.offset };
  }

  /** Decodes `bytes` as a stream cut at `cuts` (sorted offsets). */
  stream(bytes: Uint8Array, version: ProtocolVersion | undefined, cuts: number[]): StreamOutcome {
    const d = this.guard('new PacketDecoder', () => new this.s.PacketDecoder({ ...(version !== undefined ? { version } : {}), maxPacketSize: codec.MAX_PACKET_SIZE_LIMIT }));
    if ('error' in d) throw new Failure('exception', `PacketDecoder refused its options: ${d.error.message}`);
    const decoder = d.value;
    const packets: Packet[] = [];
    let at = 0;
    for (const cut of [...cuts, bytes.length]) {
      // a copy per chunk: the decoder may keep views of what it was given
      const chunk = bytes.slice(at, cut);
      at = cut;
      const r = this.guard('PacketDecoder.push', () => decoder.push(chunk));
      if ('error' in r) {
        const carried = (r.error as { packets?: Packet[] }).packets;
        if (carried !== undefined) packets.push(...carried);
        return { packets, error: this.refusal(r.error), complete: carried !== undefined };
      }
      packets.push(...r.value);
    }
    const end = this.guard('PacketDecoder.end', () => decoder.end());
    return { packets, error: 'error' in end ? this.refusal(end.error) : undefined, complete: true };
  }

  /** `encode` of a decoded packet decodes back to it, and encoding is a fixpoint; the other encoders agree. */
  roundTrip(p: Packet, version: ProtocolVersion): void {
    this.packets++;
    const v = p.type === 'connect' ? p.protocolVersion : version;
    const enc = this.guard('encode', () => this.s.encode(p, { version: v }));
    if ('error' in enc) throw new Failure('round-trip', `encode refuses a decoded ${p.type.toUpperCase()}: ${enc.error.code} ${enc.error.rule ?? ''} ${enc.error.message}`);
    const bytes = enc.value;
    const back = this.guard('decode', () => this.s.decode(bytes, { version: v }));
    if ('error' in back) throw new Failure('round-trip', `decode refuses what encode wrote for a ${p.type.toUpperCase()}: ${back.error.message}`);
    if (!isDeepStrictEqual(back.value, p)) throw new Failure('round-trip', `${p.type.toUpperCase()} decodes to a different packet after encode`);
    const again = this.guard('encode', () => this.s.encode(back.value, { version: v }));
    if ('error' in again || !isDeepStrictEqual(again.value, bytes)) throw new Failure('round-trip', `${p.type.toUpperCase()}: encode(decode(encode(p))) differs from encode(p)`);
    const length = this.guard('encodedLength', () => this.s.encodedLength(p, { version: v }));
    if ('error' in length || length.value !== bytes.length) throw new Failure('round-trip', `${p.type.toUpperCase()}: encodedLength differs from the encoded size`);
    const target = new Uint8Array(bytes.length + 3);
    const written = this.guard('encodeInto', () => this.s.encodeInto(p, target, 3, { version: v }));
    if ('error' in written || written.value !== bytes.length || !isDeepStrictEqual(target.subarray(3), bytes)) {
      throw new Failure('round-trip', `${p.type.toUpperCase()}: encodeInto differs from encode`);
    }
  }

  /** All checks on one input. */
  check(input: Input, rng: Rng): void {
    const { bytes, version } = input;
    // one frame: decode agrees with a PacketDecoder given the same bytes
    const whole = wholeFrame(bytes);
    const single = this.guard('decode', () => this.s.decode(bytes, { version }));
    if ('value' in single) this.roundTrip(single.value, version);
    else this.refusals++;
    if (input.label !== undefined) this.checkLabel(input.label);

    // the stream in one chunk, in random chunks, and (small inputs) one byte at a time
    const one = this.stream(bytes, version, []);
    if (whole) {
      const expected: StreamOutcome =
        'value' in single ? { packets: [single.value], error: undefined, complete: true } : { packets: [], error: this.refusal(single.error), complete: true };
      const fromDecode = 'value' in single ? 'accepted' : `${single.error.code} ${single.error.rule ?? ''} @${single.error.offset ?? '?'}`;
      if (!sameOutcome(one, expected)) {
        throw new Failure('chunking', `one whole frame: decode gives ${fromDecode}, PacketDecoder gives ${describeOutcome(one)}`);
      }
    }
    for (const p of one.packets) this.roundTrip(p, p.type === 'connect' ? p.protocolVersion : version);
    const chunked = this.stream(bytes, version, randomCuts(rng, bytes.length));
    if (bytes.length <= 512) {
      // one byte per push delivers every packet before the error, whatever the codec does with a failing push
      const reference = { ...this.stream(bytes, version, Array.from({ length: Math.max(0, bytes.length - 1) }, (_, i) => i + 1)), complete: true };
      compareStreams('random chunks', chunked, reference, 'one byte at a time');
      compareStreams('one chunk', one, reference, 'one byte at a time');
    } else compareStreams('random chunks', chunked, one, 'one chunk');
    // the level taken from the first CONNECT (no version given) follows the same rules
    if (rng.int(0, 3) === 0) {
      const auto = this.stream(bytes, undefined, []);
      const autoChunked = this.stream(bytes, undefined, randomCuts(rng, bytes.length));
      compareStreams('random chunks, level from the first CONNECT', autoChunked, auto, 'one chunk');
    }
  }

  checkLabel(c: FrameCase): void {
    const got = c.decoder === undefined
      ? this.guard('decode', () => this.s.decode(c.bytes, { version: c.version }))
      : this.guard('PacketDecoder.push', () => new this.s.PacketDecoder({ version: c.version, ...c.decoder }).push(c.bytes));
    const want = `${c.code} ${c.rule} 0x${c.reasonCode.toString(16)}`;
    if (!('error' in got)) throw new Failure('label', `'${c.name}' is accepted; its label says ${want}`);
    const have = `${got.error.code} ${got.error.rule} 0x${got.error.reasonCode.toString(16)}`;
    if (have !== want) throw new Failure('label', `'${c.name}' is refused with ${have}; its label says ${want}`);
  }
}

/** True when `bytes` is exactly one frame by its Remaining Length (read leniently, without validation). */
function wholeFrame(bytes: Uint8Array): boolean {
  if (bytes.length < 2) return false;
  let value = 0;
  let mult = 1;
  let i = 1;
  for (; i < 5; i++) {
    const b = bytes[i];
    if (b === undefined) return false;
    value += (b & 0x7f) * mult;
    mult *= 128;
    if ((b & 0x80) === 0) break;
  }
  return i < 5 && i + 1 + value === bytes.length;
}

function randomCuts(rng: Rng, length: number): number[] {
  if (length < 2) return [];
  const n = rng.pick([1, 2, 3, 5, 8, Math.min(64, length - 1)]);
  const cuts = new Set<number>();
  for (let i = 0; i < n; i++) cuts.add(rng.int(1, length - 1));
  return [...cuts].sort((a, b) => a - b);
}

function sameOutcome(a: StreamOutcome, b: StreamOutcome): boolean {
  return isDeepStrictEqual(a.error, b.error) && isDeepStrictEqual(a.packets, b.packets);
}

function describeOutcome(o: StreamOutcome): string {
  const e = o.error === undefined ? 'no error' : `${o.error.code} ${o.error.rule ?? ''} @${o.error.offset ?? '?'}`;
  return `${o.packets.length} packet(s) [${o.packets.map((p) => p.type).join(', ')}], ${e}`;
}

/**
 * The same stream in other chunks: the same error at the same offset, and the same packets — exactly when both
 * runs delivered every packet before their error (no error, one-byte chunks, or an error that carries the packets
 * of its push); otherwise the shorter list must begin the longer one (the packets of a push that throws are lost
 * when the error does not carry them).
 */
function compareStreams(what: string, got: StreamOutcome, reference: StreamOutcome, referenceName: string): void {
  const mismatch = (): Failure => new Failure('chunking', `${what}: ${describeOutcome(got)}; ${referenceName}: ${describeOutcome(reference)}`);
  if (!isDeepStrictEqual(got.error, reference.error)) throw mismatch();
  if (got.complete && reference.complete) {
    if (!isDeepStrictEqual(got.packets, reference.packets)) throw mismatch();
    return;
  }
  const [short, long] = got.packets.length <= reference.packets.length ? [got.packets, reference.packets] : [reference.packets, got.packets];
  if (!isDeepStrictEqual(short, long.slice(0, short.length))) throw mismatch();
}

// ---------------------------------------------------------------------------------------------------------------
// Linear time: families of inputs that grow with n, timed at n and 2n

interface Family {
  name: string;
  /** The largest n the family can build at 2n (a string's 65,535 bytes). */
  max?: number;
  /** Builds the work for size n: a function to time, and the bytes it handles. */
  build(n: number, rng: Rng): () => void;
}

function families(s: Subject): Family[] {
  const te = new TextEncoder();
  const pub = (topic: string, payload: Uint8Array, properties?: object): Packet =>
    ({ type: 'publish', topic, payload, qos: 0, retain: false, dup: false, ...(properties !== undefined ? { properties } : {}) }) as Packet;
  const stream = (frames: Uint8Array[]): Uint8Array => concat(...frames);
  const pushAll = (bytes: Uint8Array, version: ProtocolVersion, chunk: number) => () => {
    const d = new s.PacketDecoder({ version, maxPacketSize: codec.MAX_PACKET_SIZE_LIMIT });
    for (let i = 0; i < bytes.length; i += chunk) d.push(bytes.subarray(i, i + chunk));
  };
  const decodeOnce = (bytes: Uint8Array, version: ProtocolVersion) => () => {
    try {
      s.decode(bytes, { version });
    } catch (e) {
      if (!(e instanceof s.MqttError)) throw e;
    }
  };
  // a mix of one- to four-byte characters, the same for every size
  const text = (n: number): string => Array.from({ length: n }, (_, i) => ['a', 'é', '€', '𝄞', 'z'][i % 5]).join('');
  return [
    { name: 'PINGREQ stream, one chunk', build: (n) => pushAll(stream(Array.from({ length: n }, () => Uint8Array.of(0xc0, 0))), 4, Infinity) },
    { name: 'PUBLISH stream, 1-byte chunks', build: (n) => pushAll(stream(Array.from({ length: n / 8 }, () => s.encode(pub('a/b', new Uint8Array(3))))), 4, 1) },
    { name: 'one large PUBLISH, 1-byte chunks', build: (n) => pushAll(s.encode(pub('t', new Uint8Array(n))), 4, 1) },
    { name: 'one large PUBLISH, 61-byte chunks', build: (n) => pushAll(s.encode(pub('t', new Uint8Array(n * 8))), 5, 61) },
    { name: 'long Topic Name', max: 8192, build: (n) => decodeOnce(s.encode(pub(text(n), new Uint8Array(0))), 4) },
    {
      name: 'SUBSCRIBE with n filters',
      build: (n) => decodeOnce(s.encode({ type: 'subscribe', packetId: 1, subscriptions: Array.from({ length: n / 4 }, (_, i) => ({ topicFilter: `a/${i}/+`, qos: 1 })) }, { version: 4 }), 4),
    },
    {
      name: 'UNSUBSCRIBE with n filters (5.0)',
      build: (n) => decodeOnce(s.encode({ type: 'unsubscribe', packetId: 1, topicFilters: Array.from({ length: n / 4 }, (_, i) => `$share/g/${i}/#`) }, { version: 5 }), 5),
    },
    { name: 'SUBACK with n codes', build: (n) => decodeOnce(s.encode({ type: 'suback', packetId: 1, reasonCodes: new Array<number>(n).fill(1) }, { version: 5 }), 5) },
    {
      name: 'PUBLISH with n User Properties (5.0)',
      build: (n) => decodeOnce(s.encode(pub('t', new Uint8Array(0), { userProperties: Array.from({ length: n / 8 }, (_, i) => [`k${i}`, 'v']) }), { version: 5 }), 5),
    },
    {
      name: 'PUBLISH with n Subscription Identifiers (5.0)',
      build: (n) => decodeOnce(s.encode(pub('t', new Uint8Array(0), { subscriptionIdentifiers: Array.from({ length: n / 4 }, (_, i) => i + 1) }), { version: 5 }), 5),
    },
    {
      name: 'encode SUBSCRIBE with n filters (5.0)',
      build: (n) => {
        const p: Packet = { type: 'subscribe', packetId: 1, subscriptions: Array.from({ length: n / 4 }, (_, i) => ({ topicFilter: `x/${i}`, qos: 0 as const })) };
        return () => s.encode(p, { version: 5 });
      },
    },
    {
      name: 'refused late: n User Properties then a repeated property',
      build: (n) => {
        const props = concat(
          ...Array.from({ length: n / 8 }, (_, i) => concat(Uint8Array.of(0x26), str(`k${i}`), str('v'))),
          Uint8Array.of(0x02, 0, 0, 0, 1, 0x02, 0, 0, 0, 1),
        );
        const body = concat(str('t'), varint(props.length), props);
        return decodeOnce(concat(Uint8Array.of(0x30), varint(body.length), body), 5);
      },
    },
    {
      name: 'ill-formed UTF-8 at the end of a long string',
      max: 16384,
      build: (n) => {
        const topic = concat(te.encode('aé'.repeat(n / 2)), Uint8Array.of(0xc0, 0x80));
        const body = concat(Uint8Array.of(topic.length >> 8, topic.length & 0xff), topic);
        return decodeOnce(concat(Uint8Array.of(0x30), varint(body.length), body), 4);
      },
    },
  ];
  function str(t: string): Uint8Array {
    const b = te.encode(t);
    return concat(Uint8Array.of(b.length >> 8, b.length & 0xff), b);
  }
}

/** CPU time of `f` in microseconds. */
function cpuTime(f: () => void): number {
  const start = process.cpuUsage();
  f();
  const used = process.cpuUsage(start);
  return used.user + used.system;
}

/** `f` run `k` times. */
const times = (f: () => void, k: number) => () => {
  for (let j = 0; j < k; j++) f();
};

/**
 * The time ratio of a family at 2n to n. Each side runs its work k times, k chosen so that the n side takes 3 ms
 * (the clock's resolution and the call overheads then do not matter); the sides are timed interleaved, five times
 * each, and the least time of each counts (the least disturbed by the rest of the machine). Linear work gives 2.0.
 * A ratio above 2.8 is measured twice more (see below), and a family that stays above 2.8 is timed again later, in
 * another window; only a ratio above 2.8 both times is reported.
 */
function linearCheck(f: Family, rng: Rng, size: number): { ratio: number; n: number } {
  const ratioAt = (n: number): number => {
    const small = f.build(n, rng);
    const large = f.build(n * 2, rng);
    // warm up both, so neither side pays for compilation
    small();
    large();
    let k = 1;
    while (k < 1 << 20 && cpuTime(times(small, k)) < 3000) k *= 2;
    let a = Infinity;
    let b = Infinity;
    for (let r = 0; r < 5; r++) {
      a = Math.min(a, cpuTime(times(small, k)));
      b = Math.min(b, cpuTime(times(large, k)));
    }
    return b / Math.max(a, 1);
  };
  const n = Math.min(size, f.max ?? Infinity);
  let ratio = ratioAt(n);
  if (ratio <= 2.8) return { ratio, n };
  // Twice more, at twice the size where the family allows it. Noise does not repeat, and a one-off step in cost
  // (V8 moves an array of 16,384 elements, 128 KiB, to its large-object space) does not recur at the next doubling;
  // growth faster than linear does.
  const again = n * 4 <= (f.max ?? Infinity) ? n * 2 : n;
  for (let i = 0; i < 2 && ratio > 2.8; i++) ratio = Math.min(ratio, ratioAt(again));
  return { ratio, n };
}

// ---------------------------------------------------------------------------------------------------------------
// The run

/** Shrinks `bytes` while `fails` holds: drops halves, then quarters, … then single bytes. */
function shrink(bytes: Uint8Array, fails: (b: Uint8Array) => boolean, budget = 2000): Uint8Array {
  let best = bytes;
  let size = Math.max(1, best.length >> 1);
  while (size >= 1 && budget > 0) {
    let changed = false;
    for (let at = 0; at + size <= best.length && budget > 0; ) {
      budget--;
      const candidate = concat(best.subarray(0, at), best.subarray(at + size));
      if (fails(candidate)) {
        best = candidate;
        changed = true;
      } else at += size;
    }
    if (!changed) size >>= 1;
  }
  return best;
}

export function runFuzz(options: FuzzOptions): FuzzReport {
  const subject: Subject = options.subject ?? codec;
  const rng = new Rng(options.seed);
  const next = inputSource(options.seed, options.captures);
  const checker = new Checker(subject);
  const fams = families(subject).filter((f) => options.linearFamilies === undefined || options.linearFamilies.includes(f.name));
  const linearEvery = options.linearEvery ?? 20_000;
  const progressEvery = options.progressEvery ?? 100_000;
  const findings = new Map<string, Finding>();
  const report: FuzzReport = {
    runs: 0,
    seed: options.seed,
    durationMs: 0,
    sources: {},
    packets: 0,
    refusals: 0,
    linearChecks: 0,
    worstRatio: 0,
    worstFamily: '',
    findings: [],
  };
  const started = Date.now();
  const record = (kind: FindingKind, detail: string, input: Input, index: number): void => {
    // one finding per kind and message shape: numbers, quoted values and packet lists vary between inputs
    const key = `${kind}|${detail.replace(/\d+/g, '#').replace(/'[^']*'/g, "'…'").replace(/\[[^\]]*\]/g, '[…]')}`;
    const seen = findings.get(key);
    if (seen !== undefined) {
      seen.count++;
      return;
    }
    const stillFails = (b: Uint8Array): boolean => {
      try {
        checker.check({ bytes: b, version: input.version, source: input.source }, new Rng(options.seed ^ index));
        return false;
      } catch (e) {
        return e instanceof Failure && e.kind === kind;
      }
    };
    // shrinking costs up to a few hundred checks: only the first findings get it
    const shrinkable = input.label === undefined && kind !== 'superlinear' && findings.size < 20;
    const small = shrinkable ? shrink(input.bytes, stillFails, 600) : input.bytes;
    findings.set(key, { kind, detail, input: hex(small), version: input.version, source: input.source, first: index, count: 1 });
  };
  const suspects: Family[] = [];
  let rotation = 0;
  /** Times one family; a ratio above 2.8 makes it a suspect, and a suspect's second one a finding. */
  const timeFamily = (family: Family, second: boolean, input: Input, index: number): void => {
    report.linearChecks++;
    const where = { ...input, bytes: new Uint8Array(0), source: 'linear-time family' };
    try {
      const { ratio, n } = linearCheck(family, rng, options.linearSize ?? 8192);
      if (ratio > report.worstRatio) {
        report.worstRatio = ratio;
        report.worstFamily = family.name;
      }
      if (ratio <= 2.8) return;
      if (second) record('superlinear', `${family.name}: time at 2n is ${ratio.toFixed(2)}x the time at n (n = ${n})`, where, index);
      else suspects.push(family);
    } catch (e) {
      record('exception', `${family.name}: ${(e as Error).message}`, where, index);
    }
  };
  let last: Input = { bytes: new Uint8Array(0), version: 4, source: '' };
  for (let i = 0; i < options.runs; i++) {
    const input = next(rng);
    last = input;
    report.sources[input.source] = (report.sources[input.source] ?? 0) + 1;
    try {
      checker.check(input, new Rng(options.seed ^ i));
    } catch (e) {
      if (e instanceof Failure) record(e.kind, e.message, input, i);
      else record('exception', `the harness itself threw: ${(e as Error).stack ?? String(e)}`, input, i);
    }
    if (linearEvery > 0 && i % linearEvery === linearEvery - 1) {
      // a family that looked slow is timed again first, in a later window: load from elsewhere on the machine comes
      // in bursts that can outlast one check's three timings, growth does not go away
      const retry = suspects.shift();
      timeFamily(retry ?? fams[rotation++ % fams.length]!, retry !== undefined, input, i);
    }
    report.runs = i + 1;
    if (options.onProgress !== undefined && report.runs % progressEvery === 0) {
      report.durationMs = Date.now() - started;
      report.packets = checker.packets;
      report.refusals = checker.refusals;
      report.findings = [...findings.values()];
      options.onProgress(report.runs, report);
    }
  }
  // suspects left at the end: timed again after a pause
  for (let family = suspects.shift(); family !== undefined; family = suspects.shift()) {
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 1000);
    timeFamily(family, true, last, options.runs - 1);
  }
  report.durationMs = Date.now() - started;
  report.packets = checker.packets;
  report.refusals = checker.refusals;
  report.findings = [...findings.values()];
  return report;
}
