// The bench workloads: mqtt-wire (the built dist/index.js) beside mqtt-packet on the same packets and the same
// bytes, shared by the interleaved ratio bench (bench/ratios.mjs, the published ratios) and the benny ops/s report
// (bench/run.mjs). Every workload checks that both sides do the same work before anything is timed, so a ratio
// never compares different work.

import { mkdirSync, readFileSync, readdirSync, statSync } from 'node:fs';
import os from 'node:os';
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Buffer } from 'node:buffer';
import { gzipSync } from 'node:zlib';
import * as esbuild from 'esbuild';
import mqttPacket from 'mqtt-packet';

export const root = join(dirname(fileURLToPath(import.meta.url)), '..');

// ---------------------------------------------------------------------------------------------------------------
// The codec under test: dist/index.js, rebuilt by tsup when any file under src/ is newer, so the bench never
// measures stale code. Only the codec entry is built, with the options tsup.config.ts gives it.

function newestMtime(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(p) : statSync(p).mtimeMs);
  }
  return newest;
}

const distFile = join(root, 'dist/index.js');

/** Builds dist/index.js when it is older than src/. Call once, in the parent process, before any child starts. */
export async function ensureBuilt() {
  let distMtime = 0;
  try {
    distMtime = statSync(distFile).mtimeMs;
  } catch {}
  if (distMtime >= newestMtime(join(root, 'src'))) return;
  console.log('dist/ is stale: building dist/index.js (tsup)');
  mkdirSync(join(root, 'dist'), { recursive: true });
  const { build } = await import('tsup');
  await build({
    config: false,
    entry: { index: join(root, 'src/index.ts') },
    outDir: join(root, 'dist'),
    format: ['esm'],
    target: 'es2022',
    platform: 'neutral',
    sourcemap: true,
    clean: false,
    silent: true,
  });
}

export async function loadCodec() {
  return import(distFile);
}

/** A TypeScript module of this repository, bundled by esbuild and imported (for internals and test support). */
async function importSource(path) {
  const built = await esbuild.build({ entryPoints: [join(root, path)], bundle: true, format: 'esm', write: false, platform: 'neutral' });
  return import(`data:text/javascript;base64,${Buffer.from(built.outputFiles[0].contents).toString('base64')}`);
}

/** esbuild --minify --bundle of `contents` (resolved from the repository root), and its gzip size (node:zlib defaults). */
async function gzipSize(contents) {
  const out = await esbuild.build({
    stdin: { contents, resolveDir: root, loader: 'ts' },
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'neutral',
    target: 'es2022',
    write: false,
  });
  const code = out.outputFiles[0].contents;
  return { minified: code.length, gzip: gzipSync(code).length };
}

/** Bundle size of the whole codec and of a decode-only import, as test/bundle-size.test.ts measures them. */
export async function bundleSizes() {
  return {
    full: await gzipSize("export * from './src/index.ts';"),
    decodeOnly: await gzipSize("export { decode } from './src/index.ts';"),
  };
}

/** The machine a result was measured on. */
export function machine() {
  const git = (...args) => {
    const r = spawnSync('git', args, { cwd: root, encoding: 'utf8' });
    return r.status === 0 ? r.stdout.trim() : undefined;
  };
  const dirty = git('status', '--porcelain', '--', 'src', 'bench', 'package.json');
  return {
    cpu: os.cpus()[0]?.model ?? 'unknown',
    logicalCpus: os.availableParallelism?.() ?? os.cpus().length,
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    node: process.version,
    v8: process.versions.v8,
    os: `${os.platform()} ${os.release()} ${os.arch()}`,
    commit: git('rev-parse', '--short', 'HEAD'),
    dirty: dirty === undefined ? undefined : dirty !== '',
    mqttPacket: JSON.parse(readFileSync(join(root, 'node_modules/mqtt-packet/package.json'), 'utf8')).version,
    date: new Date().toISOString(),
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Helpers

function check(cond, message) {
  if (!cond) throw new Error(`bench check failed: ${message}`);
}

export const CHUNK = 64 * 1024;

function toChunks(bytes, size) {
  const chunks = [];
  for (let i = 0; i < bytes.length; i += size) chunks.push(bytes.slice(i, i + size)); // own buffer each, as from a socket
  return chunks;
}
const asBuffer = (u8) => Buffer.from(u8.buffer, u8.byteOffset, u8.byteLength); // a view, no copy
function concat(frames) {
  const out = new Uint8Array(frames.reduce((n, f) => n + f.length, 0));
  let o = 0;
  for (const f of frames) {
    out.set(f, o);
    o += f.length;
  }
  return out;
}
const enc = new TextEncoder();

function mqttPacketParser(version, onPacket) {
  const parser = mqttPacket.parser({ protocolVersion: version });
  parser.on('packet', onPacket);
  parser.on('error', (e) => {
    throw e;
  });
  return parser;
}

// ---------------------------------------------------------------------------------------------------------------
// Packets. Each is built twice, as mqtt-wire and as mqtt-packet objects, from one description.

const KINDS = ['temperature', 'humidity', 'pressure', 'voltage'];
function publishes(n, v5) {
  const wire = [];
  const mp = [];
  for (let i = 0; i < n; i++) {
    const topic = `sensor/${i % 100}/${KINDS[i % 4]}`;
    const payload = enc.encode(`{"v":${(20 + (i % 97) / 10).toFixed(1)},"ts":${1700000000000 + i}}`);
    const qos = i % 2;
    const p = { type: 'publish', topic, payload, qos, retain: false, dup: false };
    const m = { cmd: 'publish', topic, payload: asBuffer(payload), qos, retain: false, dup: false };
    if (qos === 1) {
      p.packetId = (i % 65535) + 1;
      m.messageId = p.packetId;
    }
    if (v5) {
      p.properties = {
        messageExpiryInterval: 3600,
        contentType: 'application/json',
        userProperties: [['site', 'plant-7'], ['unit', 'celsius']],
      };
      m.properties = { messageExpiryInterval: 3600, contentType: 'application/json', userProperties: { site: 'plant-7', unit: 'celsius' } };
    }
    wire.push(p);
    mp.push(m);
  }
  return { wire, mp };
}

/** 1000 PUBLISH at `v`: objects for both libraries, mqtt-wire's frames, the stream cut into 64 KiB chunks. */
function publishStream(mw, v) {
  const { wire, mp } = publishes(1000, v === 5);
  const frames = wire.map((p) => mw.encode(p, { version: v }));
  const stream = concat(frames);
  const chunks = toChunks(stream, CHUNK);
  return { wire, mp, frames, chunks, mpChunks: chunks.map(asBuffer), total: stream.length };
}

/** The fields of workload 3's packets, compared one by one (the property order on the wire may differ). */
function samePacket(a, b) {
  const pa = a.properties ?? {};
  const pb = b.properties ?? {};
  return (
    a.topic === b.topic && a.qos === b.qos && a.retain === b.retain && a.dup === b.dup && a.packetId === b.packetId &&
    Buffer.compare(asBuffer(a.payload), asBuffer(b.payload)) === 0 &&
    pa.messageExpiryInterval === pb.messageExpiryInterval && pa.contentType === pb.contentType &&
    JSON.stringify(pa.userProperties) === JSON.stringify(pb.userProperties)
  );
}

/** mqtt-packet's frames for `mp` equal mqtt-wire's `frames`: byte for byte at 3.1.1; at 5.0 same length and packet. */
function checkSameFrames(mw, v, wire, mp, frames) {
  for (let i = 0; i < frames.length; i++) {
    const theirs = mqttPacket.generate(mp[i], { protocolVersion: v });
    // 5.0: mqtt-packet writes the properties in another order; same length, and each decodes to the same packet
    if (v === 4) check(Buffer.compare(theirs, asBuffer(frames[i])) === 0, `frame ${i} differs from mqtt-packet's`);
    else check(theirs.length === frames[i].length && samePacket(mw.decode(theirs, { version: 5 }), wire[i]), `5.0 frame ${i}`);
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Workload 1's floor: the least any decoder must do for it — header, length, topic, packet id, payload view, the
// same packet object — and no validation at all. Not a usable decoder: it trusts every byte. It makes the topic
// string the fastest way measured for short strings (see workload 7), so it stays a floor for the codec.

function floorPush(chunk, out) {
  const n = chunk.length;
  // payload views made as the codec makes them from a plain Uint8Array chunk (cheaper than subarray)
  const backing = chunk.buffer;
  const base = chunk.byteOffset;
  let pos = 0;
  while (pos < n) {
    const first = chunk[pos];
    let i = pos + 1;
    let rl = 0;
    let mul = 1;
    let byte;
    do {
      byte = chunk[i++];
      rl += (byte & 0x7f) * mul;
      mul *= 128;
    } while (byte & 0x80);
    const end = i + rl;
    const tlen = (chunk[i] << 8) | chunk[i + 1];
    i += 2;
    // the string the way the codec makes short ones (codes gathered, one fromCharCode call), minus the checks
    const codes = new Array(tlen);
    for (let k = 0; k < tlen; k++) codes[k] = chunk[i + k];
    const topic = String.fromCharCode.apply(null, codes);
    i += tlen;
    const qos = (first >> 1) & 3;
    const retain = (first & 1) !== 0;
    const dup = (first & 8) !== 0;
    if (qos === 0) {
      out.push({ type: 'publish', topic, payload: new Uint8Array(backing, base + i, end - i), qos, retain, dup });
    } else {
      const packetId = (chunk[i] << 8) | chunk[i + 1];
      out.push({ type: 'publish', topic, payload: new Uint8Array(backing, base + i + 2, end - i - 2), qos, retain, dup, packetId });
    }
    pos = end;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------------------
// The workloads. `setup(mw)` checks equal work and returns:
//   cases:  { name: () => result }     one op each (e.g. 1000 packets decoded); the result keeps the work alive
//   ratios: [{ key, label, kind, a, b, target? }]
//           kind 'speedup': time(b) / time(a), "a is N× as fast as b"; kind 'time': time(a) / time(b)
//           target: { op: '>=' | '<=', value } from issue 12, printed beside the measured value
//   facts:  [{ key, label, value, target? }]   exact results that are not timings (copies counted, views)
//   fullGcBeforeSlice: true to start every slice with a full collection (see w5)

/** w1 / w3 decode: the PUBLISH stream through PacketDecoder and mqtt-packet's parser (and the floor at 3.1.1). */
function decodeWorkload(mw, v) {
  const { wire, chunks, mpChunks } = publishStream(mw, v);
  const decoder = new mw.PacketDecoder({ version: v });
  let count = 0;
  const parser = mqttPacketParser(v, () => count++);
  const decoded = chunks.flatMap((c) => decoder.push(c));
  check(decoded.length === 1000 && decoder.buffered === 0, 'mqtt-wire decoded 1000 packets');
  for (let i = 0; i < 1000; i++) {
    check(decoded[i].topic === wire[i].topic && decoded[i].payload.length === wire[i].payload.length, `packet ${i}`);
  }
  for (const c of mpChunks) parser.parse(c);
  check(count === 1000, 'mqtt-packet parsed 1000 packets');
  const cases = {
    'mqtt-wire PacketDecoder': () => {
      let n = 0;
      for (const c of chunks) n += decoder.push(c).length;
      return n;
    },
    'mqtt-packet parser': () => {
      for (const c of mpChunks) parser.parse(c);
      return count;
    },
  };
  const ratios = [];
  if (v === 4) {
    check(chunks.length === 1, 'the floor loop handles one chunk');
    check(JSON.stringify(floorPush(chunks[0], [])) === JSON.stringify(decoded), 'floor builds the same packets');
    cases['floor (no validation)'] = () => floorPush(chunks[0], []);
    ratios.push(
      { key: 'w1.decode', label: 'PacketDecoder vs mqtt-packet parser', kind: 'speedup', a: 'mqtt-wire PacketDecoder', b: 'mqtt-packet parser', target: { op: '>=', value: 10 } },
      { key: 'w1.timeOverFloor', label: 'time of PacketDecoder / time of the floor loop', kind: 'time', a: 'mqtt-wire PacketDecoder', b: 'floor (no validation)', target: { op: '<=', value: 1.15 } },
    );
  } else {
    ratios.push({ key: 'w3.decode', label: 'PacketDecoder vs mqtt-packet parser', kind: 'speedup', a: 'mqtt-wire PacketDecoder', b: 'mqtt-packet parser', target: { op: '>=', value: 10 } });
  }
  return { cases, ratios, facts: [] };
}

/**
 * w2 / w3 encode: one frame each (`encode` against `generate`) or all into one buffer (`encodeInto` against
 * `generate` and a copy), as `part` says: 'encode' or 'encodeInto' alone in the process, or 'both' in one process.
 *
 * Each API is measured in a process of its own, as a program that uses one of them runs it. In a process that runs
 * both, V8 compiles the PUBLISH encoder they share for both destinations, and in four full runs `encode`'s ratio
 * there was 2-12% lower than alone (5.39-5.70x against 5.72-6.25x); the 'both' rows show that case and carry no
 * target.
 */
function encodeWorkload(mw, v, part) {
  const { wire, mp, frames, total } = publishStream(mw, v);
  checkSameFrames(mw, v, wire, mp, frames);
  const into = new Uint8Array(total);
  const intoBuf = asBuffer(into);
  const w = v === 4 ? 'w2' : 'w3';
  const cases = {};
  const ratios = [];
  const both = part === 'both';
  if (part !== 'encodeInto') {
    cases['mqtt-wire encode'] = () => {
      let n = 0;
      for (const p of wire) n += mw.encode(p, { version: v }).length;
      return n;
    };
    cases['mqtt-packet generate'] = () => {
      let n = 0;
      for (const p of mp) n += mqttPacket.generate(p, { protocolVersion: v }).length;
      return n;
    };
    ratios.push({
      key: `${w}.encode${both ? 'Both' : ''}`,
      label: `encode vs mqtt-packet generate${both ? ', in a process that also runs encodeInto' : ''}`,
      kind: 'speedup',
      a: 'mqtt-wire encode',
      b: 'mqtt-packet generate',
      ...(both ? {} : { target: { op: '>=', value: v === 4 ? 6 : 5 } }),
    });
  }
  if (part !== 'encode') {
    cases['mqtt-wire encodeInto one buffer'] = () => {
      let o = 0;
      for (const p of wire) o += mw.encodeInto(p, into, o, { version: v });
      return o;
    };
    cases['mqtt-packet generate + copy into one buffer'] = () => {
      let o = 0;
      for (const p of mp) {
        const f = mqttPacket.generate(p, { protocolVersion: v });
        intoBuf.set(f, o);
        o += f.length;
      }
      return o;
    };
    ratios.push({
      key: `${w}.encodeInto${both ? 'Both' : ''}`,
      label: `encodeInto one buffer vs mqtt-packet generate + copy${both ? ', in a process that also runs encode' : ''}`,
      kind: 'speedup',
      a: 'mqtt-wire encodeInto one buffer',
      b: 'mqtt-packet generate + copy into one buffer',
      ...(v === 4 && !both ? { target: { op: '>=', value: 10 } } : {}),
    });
  }
  return { cases, ratios, facts: [] };
}

/** Frames per flush in the batch workload: ~11 KB of 5.0 PUBLISH, one socket write's worth. */
const BATCH = 100;

/** w8: many 5.0 frames into one buffer (FrameWriter, a flush every BATCH frames) against mqtt-packet generating them. */
function batchWorkload(mw) {
  const { wire, mp, frames } = publishStream(mw, 5);
  checkSameFrames(mw, 5, wire, mp, frames);
  const writer = new mw.FrameWriter({ version: 5 });
  const flushed = [];
  for (let i = 0; i < wire.length; i++) {
    writer.write(wire[i]);
    if ((i + 1) % BATCH === 0) flushed.push(writer.flush());
  }
  check(writer.size === 0 && flushed.length === wire.length / BATCH, 'FrameWriter flushed every batch');
  check(Buffer.compare(asBuffer(concat(flushed)), asBuffer(concat(frames))) === 0, 'FrameWriter wrote the frames encode gives');
  const into = new Uint8Array(concat(frames).length);
  return {
    cases: {
      'mqtt-wire FrameWriter': () => {
        let n = 0;
        for (let i = 0; i < wire.length; i++) {
          writer.write(wire[i]);
          if ((i + 1) % BATCH === 0) n += writer.flush().length;
        }
        return n;
      },
      'mqtt-wire encodeInto one reused buffer': () => {
        let o = 0;
        for (const p of wire) o += mw.encodeInto(p, into, o, { version: 5 });
        return o;
      },
      'mqtt-packet generate': () => {
        let n = 0;
        for (const p of mp) n += mqttPacket.generate(p, { protocolVersion: 5 }).length;
        return n;
      },
    },
    ratios: [
      { key: 'w8.batch', label: `FrameWriter (flush every ${BATCH} frames) vs mqtt-packet generate of each frame`, kind: 'speedup', a: 'mqtt-wire FrameWriter', b: 'mqtt-packet generate', target: { op: '>=', value: 12 } },
      // FrameWriter takes a fresh buffer per batch, as it must (the caller owns what flush returned); memory never
      // touched before costs page faults that a reused buffer does not, so this ratio is above 1 by that much too
      { key: 'w8.writerOverEncodeInto', label: 'time of FrameWriter / time of encodeInto into one reused buffer', kind: 'time', a: 'mqtt-wire FrameWriter', b: 'mqtt-wire encodeInto one reused buffer' },
    ],
    facts: [],
  };
}

/** Workload 4: a broker's connection mix (3.1.1), as objects for both libraries. */
function connectionMix(mw) {
  const password = enc.encode('s3cret-token');
  const filters = ['sensor/+/temperature', 'sensor/+/humidity', 'alerts/#', 'cmd/device-42/+'];
  const mix = [
    [{ type: 'connect', protocolVersion: 4, clientId: 'device-42', clean: true, keepAlive: 60, username: 'device-42', password },
      { cmd: 'connect', protocolId: 'MQTT', protocolVersion: 4, clientId: 'device-42', clean: true, keepalive: 60, username: 'device-42', password: asBuffer(password) }],
    [{ type: 'subscribe', packetId: 1, subscriptions: filters.map((topicFilter, i) => ({ topicFilter, qos: i % 3 })) },
      { cmd: 'subscribe', messageId: 1, subscriptions: filters.map((topic, i) => ({ topic, qos: i % 3 })) }],
    [{ type: 'suback', packetId: 1, reasonCodes: [0, 1, 2, 0] }, { cmd: 'suback', messageId: 1, granted: [0, 1, 2, 0] }],
    [{ type: 'puback', packetId: 7 }, { cmd: 'puback', messageId: 7 }],
    [{ type: 'pubrec', packetId: 8 }, { cmd: 'pubrec', messageId: 8 }],
    [{ type: 'pubrel', packetId: 8 }, { cmd: 'pubrel', messageId: 8 }],
    [{ type: 'pubcomp', packetId: 8 }, { cmd: 'pubcomp', messageId: 8 }],
    [{ type: 'pingreq' }, { cmd: 'pingreq' }],
  ];
  const wire = mix.map((m) => m[0]);
  return { wire, mp: mix.map((m) => m[1]), frames: wire.map((p) => mw.encode(p)) };
}

function mixDecodeWorkload(mw) {
  const { wire, frames } = connectionMix(mw);
  const REPEAT = 100;
  const chunks = toChunks(concat(Array.from({ length: REPEAT }, () => frames).flat()), CHUNK);
  const mpChunks = chunks.map(asBuffer);
  const decoder = new mw.PacketDecoder({ version: 4 });
  let count = 0;
  const parser = mqttPacketParser(4, () => count++);
  check(chunks.flatMap((c) => decoder.push(c)).length === wire.length * REPEAT, 'mix decodes');
  for (const c of mpChunks) parser.parse(c);
  check(count === wire.length * REPEAT, 'mqtt-packet parses the mix');
  return {
    cases: {
      'mqtt-wire PacketDecoder': () => {
        let n = 0;
        for (const c of chunks) n += decoder.push(c).length;
        return n;
      },
      'mqtt-packet parser': () => {
        for (const c of mpChunks) parser.parse(c);
        return count;
      },
    },
    ratios: [{ key: 'w4.decode', label: 'PacketDecoder vs mqtt-packet parser', kind: 'speedup', a: 'mqtt-wire PacketDecoder', b: 'mqtt-packet parser' }],
    facts: [],
  };
}

function mixEncodeWorkload(mw) {
  const { wire, mp, frames } = connectionMix(mw);
  frames.forEach((f, i) => check(Buffer.compare(mqttPacket.generate(mp[i]), asBuffer(f)) === 0, `mix frame ${i} (${wire[i].type}) differs`));
  return {
    cases: {
      'mqtt-wire encode': () => {
        let n = 0;
        for (const p of wire) n += mw.encode(p).length;
        return n;
      },
      'mqtt-packet generate': () => {
        let n = 0;
        for (const p of mp) n += mqttPacket.generate(p).length;
        return n;
      },
    },
    ratios: [{ key: 'w4.encode', label: 'encode vs mqtt-packet generate', kind: 'speedup', a: 'mqtt-wire encode', b: 'mqtt-packet generate' }],
    facts: [],
  };
}

/**
 * Workload 5: a 1 MiB PUBLISH in 16 chunks of 64 KiB. Reported as the copies made of the payload bytes (counted
 * by test/support/copy-counter.ts, as test/copies.test.ts counts them) and as time relative to the least any
 * gathering must do: one copy of the chunks into a reused buffer. (Not against a fresh 1 MiB allocation, whose
 * cost swings 170–2100 µs by itself on a shared machine.)
 */
async function largeWorkload(mw) {
  const MiB = 1024 * 1024;
  const topic = 'firmware/device-42/image';
  // frame = 1 type byte + 3 length bytes + 2 + topic + payload = exactly 1 MiB (the decoder's default limit)
  const payload = new Uint8Array(MiB - 4 - 2 - topic.length).map((_, i) => i & 0xff);
  const frame = mw.encode({ type: 'publish', topic, payload, qos: 0, retain: false, dup: false });
  check(frame.length === MiB, 'the large frame is 1 MiB');
  const chunks = toChunks(frame, CHUNK);
  const mpChunks = chunks.map(asBuffer);
  const decoder = new mw.PacketDecoder();
  const push = () => {
    let p;
    for (const c of chunks) {
      const out = decoder.push(c);
      if (out.length === 1) p = out[0];
    }
    return p;
  };
  const { countCopies } = await importSource('test/support/copy-counter.ts');
  const counted = countCopies(push);
  check(counted.result.payload.length === payload.length && Buffer.compare(asBuffer(counted.result.payload), asBuffer(payload)) === 0, '1 MiB payload decodes');
  let got;
  const parser = mqttPacketParser(4, (p) => (got = p));
  for (const c of mpChunks) parser.parse(c);
  check(got.payload.length === payload.length, 'mqtt-packet parses the 1 MiB frame');

  const reused = new Uint8Array(MiB);
  // Sized from the chunks, as any gathering must be: with the constant MiB V8 allocated about twice as slowly.
  const freshCopy = () => {
    let total = 0;
    for (const c of chunks) total += c.length;
    const out = new Uint8Array(total);
    let o = 0;
    for (const c of chunks) {
      out.set(c, o);
      o += c.length;
    }
    return out;
  };
  const oneCopy = () => {
    let o = 0;
    for (const c of chunks) {
      reused.set(c, o);
      o += c.length;
    }
    return o;
  };

  const one = frame.slice(); // a chunk of its own
  const small = mw.encode({ type: 'publish', topic, payload: payload.subarray(0, 1024), qos: 0, retain: false, dup: false });
  const oneDecoder = new mw.PacketDecoder();
  const decodedOne = oneDecoder.push(one)[0];
  check(decodedOne.payload.buffer === one.buffer, 'one-chunk payload is a view of the chunk');

  return {
    cases: {
      'mqtt-wire PacketDecoder, 16 chunks': push,
      'one copy of the chunks into a reused buffer': oneCopy,
      'a fresh 1 MiB buffer and one copy into it': freshCopy,
      'mqtt-packet parser, 16 chunks': () => {
        for (const ch of mpChunks) parser.parse(ch);
        return got;
      },
      'mqtt-wire PacketDecoder, 1 MiB frame in one chunk': () => oneDecoder.push(one),
      'mqtt-wire PacketDecoder, 1 KiB frame in one chunk': () => oneDecoder.push(small),
    },
    ratios: [
      { key: 'w5.timeOverOneCopy', label: 'time of PacketDecoder / time of one copy into a reused buffer', kind: 'time', a: 'mqtt-wire PacketDecoder, 16 chunks', b: 'one copy of the chunks into a reused buffer' },
      // not a target: what the allocation of the frame, which any gathering decoder makes, adds to the copy
      { key: 'w5.timeOverFreshCopy', label: 'time of PacketDecoder / time of a fresh 1 MiB buffer and one copy into it', kind: 'time', a: 'mqtt-wire PacketDecoder, 16 chunks', b: 'a fresh 1 MiB buffer and one copy into it' },
      { key: 'w5.chunked', label: 'PacketDecoder vs mqtt-packet parser, 16 chunks', kind: 'speedup', a: 'mqtt-wire PacketDecoder, 16 chunks', b: 'mqtt-packet parser, 16 chunks' },
      { key: 'w5.oneChunk1MiBOver1KiB', label: 'time of a 1 MiB frame / a 1 KiB frame, one chunk each (1 = nothing per payload byte)', kind: 'time', a: 'mqtt-wire PacketDecoder, 1 MiB frame in one chunk', b: 'mqtt-wire PacketDecoder, 1 KiB frame in one chunk' },
    ],
    // Every slice starts with a full garbage collection (outside the timing). A 1 MiB frame lives outside the JS
    // heap and is freed only when V8 collects its owner, so without it a slice's time depended on how many dead
    // 1 MiB buffers the cases before it had left: the decoder's and the fresh-buffer case's times swung 10× from
    // round to round, with the period of the rotation (page faults on fresh memory against reused memory).
    fullGcBeforeSlice: true,
    facts: [
      { key: 'w5.payloadCopies', label: 'copies of the payload bytes, 16 chunks (bytes copied / frame size)', value: counted.bytes / frame.length, target: { op: '==', value: 1 } },
      { key: 'w5.oneChunkCopies', label: 'copies of the payload bytes, one chunk (payload a view of the chunk)', value: 0, target: { op: '==', value: 0 } },
    ],
  };
}

/**
 * Workload 7: string micro-cases for NATIVE_DECODE_MIN / NATIVE_ENCODE_MIN (src/wire/utf8.ts): the hand loop
 * against TextDecoder / TextEncoder. The module is bundled from source because the two paths are internal.
 */
async function stringWorkload() {
  const utf8 = await importSource('src/wire/utf8.ts');
  const LENGTHS = [8, 16, 24, 32, 48, 64, 96, 128];
  const buf = new Uint8Array(4096);
  const cases = {};
  const ratios = [];
  for (const n of LENGTHS) {
    // a topic-like ASCII string, and one with 2-byte characters (é) of the same byte length
    const ascii = 'sensor/plant-7/line-3/temperature/celsius/average/'.repeat(4).slice(0, n);
    const accented = 'é'.repeat(n / 2);
    for (const [kind, s] of [['ascii', ascii], ['2-byte', accented]]) {
      const bytes = enc.encode(s);
      check(bytes.length === n, 'string byte length');
      check(utf8.decodeUtf8Hand(bytes, 0, n) === s && utf8.decodeUtf8Native(bytes, 0, n) === s, 'both decode paths agree');
      const id = `${kind} ${n}`;
      // 100 calls per op, so that one op is long enough to time
      cases[`decode ${id} hand`] = () => {
        let r;
        for (let i = 0; i < 100; i++) r = utf8.decodeUtf8Hand(bytes, 0, n);
        return r;
      };
      cases[`decode ${id} TextDecoder`] = () => {
        let r;
        for (let i = 0; i < 100; i++) r = utf8.decodeUtf8Native(bytes, 0, n);
        return r;
      };
      cases[`encode ${id} hand`] = () => {
        let r = 0;
        for (let i = 0; i < 100; i++) r += utf8.encodeUtf8Hand(s, buf, 0);
        return r;
      };
      cases[`encode ${id} TextEncoder`] = () => {
        let r = 0;
        for (let i = 0; i < 100; i++) r += utf8.encodeUtf8Native(s, buf, 0);
        return r;
      };
      ratios.push(
        { key: `w7.decode.${kind}.${n}`, label: `decode ${id} bytes: hand loop vs TextDecoder`, kind: 'speedup', a: `decode ${id} hand`, b: `decode ${id} TextDecoder` },
        { key: `w7.encode.${kind}.${n}`, label: `encode ${id} bytes: hand loop vs TextEncoder`, kind: 'speedup', a: `encode ${id} hand`, b: `encode ${id} TextEncoder` },
      );
    }
  }
  return { cases, ratios, facts: [] };
}

/**
 * Every workload. `default: false` ones run only when named (`--only=w7`). The ids are the README's; w6 was the
 * floor loop, now a case of w1.
 */
export const WORKLOADS = [
  { id: 'w1-decode', title: 'w1 decode: 1,000 small 3.1.1 PUBLISH (52 KB, one 64 KiB chunk)', setup: (mw) => decodeWorkload(mw, 4) },
  { id: 'w2-encode', title: 'w2 encode: the same 1,000 3.1.1 PUBLISH, one frame each', setup: (mw) => encodeWorkload(mw, 4, 'encode') },
  { id: 'w2-into', title: 'w2 encodeInto: the same 1,000 3.1.1 PUBLISH into one buffer', setup: (mw) => encodeWorkload(mw, 4, 'encodeInto') },
  { id: 'w2-both', title: 'w2 both: encode and encodeInto in one process', setup: (mw) => encodeWorkload(mw, 4, 'both') },
  { id: 'w3-decode', title: 'w3 decode: 1,000 5.0 PUBLISH with properties (107 KB, 64 KiB chunks)', setup: (mw) => decodeWorkload(mw, 5) },
  { id: 'w3-encode', title: 'w3 encode: the same 1,000 5.0 PUBLISH, one frame each', setup: (mw) => encodeWorkload(mw, 5, 'encode') },
  { id: 'w3-into', title: 'w3 encodeInto: the same 1,000 5.0 PUBLISH into one buffer', setup: (mw) => encodeWorkload(mw, 5, 'encodeInto') },
  { id: 'w3-both', title: 'w3 both: encode and encodeInto in one process', setup: (mw) => encodeWorkload(mw, 5, 'both') },
  { id: 'w4-decode', title: 'w4 decode: connection mix, 800 packets', setup: mixDecodeWorkload },
  { id: 'w4-encode', title: 'w4 encode: connection mix, 8 packets', setup: mixEncodeWorkload },
  { id: 'w5-large', title: 'w5: a 1 MiB PUBLISH in 16 chunks of 64 KiB', setup: largeWorkload },
  { id: 'w8-batch', title: `w8 batch: the 1,000 5.0 PUBLISH of w3 into FrameWriter, flushed every ${BATCH}`, setup: batchWorkload },
  { id: 'w7-strings', title: 'w7 strings: hand loop vs TextDecoder / TextEncoder, 8 to 128 bytes', setup: stringWorkload, default: false },
];

/**
 * Environment of every measuring process: glibc malloc's thresholds pinned, so that blocks up to 4 MiB come from the
 * heap (not a fresh mmap each) and freed memory is kept rather than handed back to the kernel: the steady state a
 * long-running process reaches. Left to glibc's dynamic thresholds, a process got fresh, page-faulting memory for
 * every large block, or reused it, for its whole life: in w5, PacketDecoder / one copy measured 4.6-5.9 in two
 * processes and 67-119 in three of the same run (4.4-5.0 pinned, on a machine just as busy); in w8, FrameWriter /
 * encodeInto into a reused buffer ranged 1.09-1.48 over six processes (1.08-1.13 pinned). Other C libraries ignore
 * these variables.
 */
export const MEASURING_ENV = { MALLOC_MMAP_THRESHOLD_: String(4 * 1024 * 1024), MALLOC_TRIM_THRESHOLD_: String(128 * 1024 * 1024) };

/** The workloads `--only=a,b` selects (prefixes of ids), else the default ones. */
export function selectWorkloads(only) {
  if (only === undefined) return WORKLOADS.filter((w) => w.default !== false);
  const picked = WORKLOADS.filter((w) => only.some((o) => w.id.startsWith(o)));
  if (picked.length === 0) throw new Error(`no workload matches --only=${only.join(',')}; ids: ${WORKLOADS.map((w) => w.id).join(', ')}`);
  return picked;
}
