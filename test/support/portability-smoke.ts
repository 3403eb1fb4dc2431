// The portability smoke suite: the same checks run in Node, headless Chromium, Deno and Bun
// (test/portability-runtimes.test.ts). Plain TypeScript over the public API and web-standard globals only, so it
// bundles into one file with no imports that any of them can load. Each check returns nothing or throws; the suite
// returns one result per check, never throws itself.

import * as mqtt from '../../src/index.js';
import type { Packet, ProtocolVersion } from '../../src/index.js';

export interface SmokeResult {
  name: string;
  /** undefined when the check passed, else what went wrong. */
  failure?: string;
}

const text = (s: string): Uint8Array => new TextEncoder().encode(s);

function hex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

/** A deep equality for packets: plain objects, arrays, Uint8Array by content, primitives by identity. */
function same(a: unknown, b: unknown): boolean {
  if (a instanceof Uint8Array || b instanceof Uint8Array) return a instanceof Uint8Array && b instanceof Uint8Array && hex(a) === hex(b);
  if (Array.isArray(a) || Array.isArray(b)) return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((x, i) => same(x, b[i]));
  if (typeof a === 'object' && a !== null && typeof b === 'object' && b !== null) {
    const ka = Object.keys(a).sort();
    const kb = Object.keys(b).sort();
    return same(ka, kb) && ka.every((k) => same((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
  }
  return Object.is(a, b);
}

function check(condition: boolean, message: string): void {
  if (!condition) throw new Error(message);
}

function show(value: unknown): string {
  return JSON.stringify(value, (_, v: unknown) => (v instanceof Uint8Array ? `hex:${hex(v)}` : v));
}

/** Packets in the decoder's normal form at each level, so decode(encode(p)) must deep-equal p. */
function packetsAt(version: ProtocolVersion): Packet[] {
  const v5 = version === 5;
  const common: Packet[] = [
    {
      type: 'connect',
      protocolVersion: version,
      clientId: 'smoke-ü',
      clean: true,
      keepAlive: 30,
      username: 'u',
      password: new Uint8Array([0, 255]),
      will: { topic: 'w/t', payload: text('gone'), qos: 1, retain: false, ...(v5 ? { properties: { willDelayInterval: 5 } } : {}) },
      ...(v5 ? { properties: { sessionExpiryInterval: 60, userProperties: [['k', 'v'], ['k', 'w']] as [string, string][] } } : {}),
    },
    { type: 'connack', sessionPresent: false, reasonCode: 0, ...(v5 ? { properties: { topicAliasMaximum: 4 } } : {}) },
    { type: 'publish', topic: 'a/b', payload: text('x'), qos: 0, retain: false, dup: false },
    { type: 'publish', topic: 'a/€', payload: new Uint8Array(300).fill(7), qos: 1, packetId: 1, retain: true, dup: false, ...(v5 ? { properties: { contentType: 'bin', correlationData: new Uint8Array([1]) } } : {}) },
    { type: 'publish', topic: 'q/2', payload: new Uint8Array(0), qos: 2, packetId: 65535, retain: false, dup: true },
    { type: 'puback', packetId: 1, ...(v5 ? { reasonCode: 0x10 } : {}) },
    { type: 'pubrec', packetId: 2, ...(v5 ? { reasonCode: 0 } : {}) },
    { type: 'pubrel', packetId: 2, ...(v5 ? { reasonCode: 0 } : {}) },
    { type: 'pubcomp', packetId: 2, ...(v5 ? { reasonCode: 0 } : {}) },
    {
      type: 'subscribe',
      packetId: 3,
      subscriptions: v5
        ? [{ topicFilter: 'a/+', qos: 1, noLocal: true, retainAsPublished: false, retainHandling: 2 }]
        : [{ topicFilter: 'a/+', qos: 1 }, { topicFilter: '#', qos: 0 }],
    },
    { type: 'suback', packetId: 3, reasonCodes: v5 ? [1] : [1, 0x80] },
    { type: 'unsubscribe', packetId: 4, topicFilters: ['a/+'] },
    { type: 'unsuback', packetId: 4, ...(v5 ? { reasonCodes: [0] } : {}) },
    { type: 'pingreq' },
    { type: 'pingresp' },
    { type: 'disconnect', ...(v5 ? { reasonCode: 0 } : {}) },
  ];
  return v5 ? [...common, { type: 'auth', reasonCode: 0x18, properties: { authenticationMethod: 'm', authenticationData: new Uint8Array([9]) } }] : common;
}

function concat(frames: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(frames.reduce((n, f) => n + f.length, 0));
  let o = 0;
  for (const f of frames) {
    out.set(f, o);
    o += f.length;
  }
  return out;
}

async function collect<T>(stream: ReadableStream<T>): Promise<T[]> {
  const out: T[] = [];
  const reader = stream.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return out;
    out.push(value);
  }
}

function streamOf<T>(items: T[]): ReadableStream<T> {
  return new ReadableStream<T>({
    start(controller) {
      for (const item of items) controller.enqueue(item);
      controller.close();
    },
  });
}

const CHECKS: [string, () => void | Promise<void>][] = [];

for (const version of [3, 4, 5] as const) {
  CHECKS.push([
    `round trip of every packet type at level ${version}`,
    () => {
      for (const p of packetsAt(version)) {
        const frame = mqtt.encode(p, { version });
        check(frame instanceof Uint8Array && frame.length === mqtt.encodedLength(p, { version }), `${p.type}: encodedLength disagrees`);
        const back = mqtt.decode(frame, { version });
        check(same(back, p), `${p.type} at ${version}: decoded ${show(back)}, expected ${show(p)}`);
        const into = new Uint8Array(frame.length + 3);
        check(mqtt.encodeInto(p, into, 3, { version }) === frame.length && hex(into.subarray(3)) === hex(frame), `${p.type}: encodeInto differs`);
      }
    },
  ]);
}

CHECKS.push([
  'exact bytes: PINGREQ, a 3.1.1 PUBLISH, a 5.0 PUBACK with a reason code, a 3.1 CONNECT header',
  () => {
    check(hex(mqtt.encode({ type: 'pingreq' })) === 'c000', 'PINGREQ');
    check(hex(mqtt.encode({ type: 'publish', topic: 'a/b', payload: text('hi'), qos: 1, packetId: 7, retain: false, dup: false })) === '3209000361' + '2f62' + '00076869', 'PUBLISH');
    check(hex(mqtt.encode({ type: 'puback', packetId: 7, reasonCode: 0x10 }, { version: 5 })) === '4003000710', 'PUBACK 5.0');
    const connect31 = hex(mqtt.encode({ type: 'connect', protocolVersion: 3, clientId: 'c', clean: true, keepAlive: 0 }));
    check(connect31 === `100f0006${hex(text('MQIsdp'))}03020000000163`, `CONNECT 3.1: ${connect31}`);
  },
]);

CHECKS.push([
  'FrameSplitter and PacketDecoder: a stream fed one byte at a time gives every packet, switching to 5.0 on its CONNECT',
  () => {
    const packets = packetsAt(5);
    const stream = concat(packets.map((p) => mqtt.encode(p, { version: 5 })));
    const splitter = new mqtt.FrameSplitter();
    const decoder = new mqtt.PacketDecoder();
    const frames: Uint8Array[] = [];
    const decoded: Packet[] = [];
    for (let i = 0; i < stream.length; i++) {
      frames.push(...splitter.push(stream.subarray(i, i + 1)));
      decoded.push(...decoder.push(stream.subarray(i, i + 1)));
    }
    splitter.end();
    decoder.end();
    check(frames.length === packets.length && hex(concat(frames)) === hex(stream), 'the frames do not make up the stream');
    check(decoder.version === 5, `decoder.version is ${decoder.version}`);
    check(same(decoded, packets), `decoded ${show(decoded.map((p) => p.type))}`);
  },
]);

CHECKS.push([
  'PacketEncoderStream and PacketDecoderStream (WHATWG TransformStream) carry a 5.0 session',
  async () => {
    const packets = packetsAt(5);
    const frames = await collect(streamOf(packets).pipeThrough(new mqtt.PacketEncoderStream()));
    check(frames.length === packets.length, `${frames.length} frames`);
    // re-chunk the bytes into 7-byte pieces, whatever the frame boundaries
    const bytes = concat(frames);
    const chunks: Uint8Array[] = [];
    for (let i = 0; i < bytes.length; i += 7) chunks.push(bytes.slice(i, i + 7));
    const decoded = await collect(streamOf(chunks).pipeThrough(new mqtt.PacketDecoderStream()));
    check(same(decoded, packets), `decoded ${show(decoded.map((p) => p.type))}`);
  },
]);

CHECKS.push([
  'PacketDecoderStream errors the stream with the MqttError of a malformed frame',
  async () => {
    let caught: unknown;
    try {
      await collect(streamOf([new Uint8Array([0xc0, 0x00, 0x36, 0x02, 0x00, 0x00])]).pipeThrough(new mqtt.PacketDecoderStream()));
    } catch (e) {
      caught = e;
    }
    check(caught instanceof mqtt.MqttError, `got ${String(caught)}`);
    const e = caught as mqtt.MqttError;
    check(e.code === 'malformed-packet' && e.reasonCode === 0x81 && e.rule === 'MQTT-3.3.1-4' && e.offset === 2, `got ${e.code} ${e.reasonCode} ${e.rule} ${e.offset}`);
  },
]);

CHECKS.push([
  'MqttError: class, name, code, reasonCode, rule and offset of a decode error and an encode refusal',
  () => {
    let caught: unknown;
    try {
      // a 5.0 PUBLISH to 'a/#': topic names may not hold wildcards
      mqtt.decode(new Uint8Array([0x30, 0x06, 0x00, 0x03, 0x61, 0x2f, 0x23, 0x00]), { version: 5 });
    } catch (e) {
      caught = e;
    }
    check(caught instanceof mqtt.MqttError && caught instanceof Error, `decode threw ${String(caught)}`);
    const e = caught as mqtt.MqttError;
    check(e.name === 'MqttError', `name ${e.name}`);
    check(e.code === 'protocol-error' && e.reasonCode === 0x90 && e.rule === 'MQTT-3.3.2-2' && e.offset === 2, `got ${e.code} ${e.reasonCode} ${e.rule} ${e.offset}`);
    check(typeof e.stack === 'string' && e.message.includes("'a/#'"), `message ${e.message}`);
    let refused: unknown;
    try {
      mqtt.encode({ type: 'publish', topic: 'a/+', payload: new Uint8Array(0), qos: 0, retain: false, dup: false });
    } catch (err) {
      refused = err;
    }
    check(refused instanceof mqtt.MqttError && (refused as mqtt.MqttError).code === 'invalid-packet' && (refused as mqtt.MqttError).rule === 'MQTT-3.3.2-2', `encode threw ${String(refused)}`);
  },
]);

CHECKS.push([
  'strict UTF-8: an ill-formed topic and a U+0000 are refused as malformed',
  () => {
    for (const topic of [[0xc3, 0x28], [0x61, 0x00]]) {
      const frame = new Uint8Array([0x30, 2 + topic.length, 0x00, topic.length, ...topic]);
      let caught: unknown;
      try {
        mqtt.decode(frame);
      } catch (e) {
        caught = e;
      }
      check(caught instanceof mqtt.MqttError && (caught as mqtt.MqttError).code === 'malformed-packet', `topic ${hex(new Uint8Array(topic))}: ${String(caught)}`);
    }
  },
]);

/** Runs every check; one result each, in order. */
export async function runSmoke(): Promise<SmokeResult[]> {
  const results: SmokeResult[] = [];
  for (const [name, run] of CHECKS) {
    try {
      await run();
      results.push({ name });
    } catch (e) {
      results.push({ name, failure: e instanceof Error ? `${e.name}: ${e.message}` : String(e) });
    }
  }
  return results;
}
