// The benchmark suite: the built codec (dist/index.js) beside mqtt-packet, on the same packets and the same bytes.
// Run with `npm run bench`. Prints ops/s and the ratio per suite; writes bench/results/latest.json.
// Every workload is checked for equal results before it is timed, so a ratio never compares different work.
//
// Each part (w1-decode, w2-encode, ...) runs in a child process of its own: one library's garbage and one part's
// type feedback then cannot change the next part's numbers. (They did: after 2,000 mqtt-packet generate calls,
// garbage collection took 31% of mqtt-wire's 5.0 decode instead of 7%, halving it.) Both libraries of a part
// still run in the same process, mqtt-wire first.

import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { Buffer } from 'node:buffer';
import b from 'benny';
import * as esbuild from 'esbuild';
import mqttPacket from 'mqtt-packet';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const QUICK = process.argv.includes('--quick');
const ONLY = process.argv.find((a) => a.startsWith('--only='))?.slice(7).split(',');
/** Child mode: the one part to run, and the file its results go to. */
const PART = process.argv.find((a) => a.startsWith('--part='))?.slice(7);
const OUT = process.argv.find((a) => a.startsWith('--out='))?.slice(6);

// ---------------------------------------------------------------------------------------------------------------
// Build the codec when dist/ is older than any source file, so the bench never measures stale code. Only the codec
// entry is built, by tsup with the options tsup.config.ts gives it (the declarations and the CLI are not needed here).

function newestMtime(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(p) : statSync(p).mtimeMs);
  }
  return newest;
}
const distFile = join(root, 'dist/index.js');
let distMtime = 0;
try {
  distMtime = statSync(distFile).mtimeMs;
} catch {}
if (PART === undefined && distMtime < newestMtime(join(root, 'src'))) {
  console.log('dist/ is stale: building dist/index.js (tsup)');
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
const mw = await import(distFile);

// ---------------------------------------------------------------------------------------------------------------
// Harness: short benny runs (the whole suite must finish in a few minutes on 2 cores).

const CASE_OPTIONS = QUICK ? { minTime: 0.02, maxTime: 0.3, minSamples: 3 } : { minTime: 0.05, maxTime: 1.2, minSamples: 5 };
const results = { suites: {}, ratios: {}, checks: {} };

function fmt(n) {
  return n >= 100 ? Math.round(n).toLocaleString('en-US') : n.toPrecision(3);
}

/** Runs one suite of named cases; returns { name: ops/s }. */
async function suite(name, cases) {
  console.log(`\n${name}`);
  const ops = {};
  await b.suite(
    name,
    ...Object.entries(cases).map(([caseName, fn]) => b.add(caseName, () => void fn(), CASE_OPTIONS)),
    b.cycle((r) => {
      console.log(`  ${r.name.padEnd(44)} ${fmt(r.ops).padStart(14)} ops/s  ±${r.margin.toFixed(2)}%`);
      ops[r.name] = r.ops;
      return undefined;
    }),
    b.complete(() => undefined),
  );
  results.suites[name] = ops;
  return ops;
}

/** Records and prints `a / b` of two ops/s values under `key`. */
function ratio(key, label, num, den) {
  if (num === undefined || den === undefined) return;
  const r = num / den;
  results.ratios[key] = Number(r.toFixed(3));
  console.log(`  → ${label}: ${r.toFixed(2)}×`);
}

function assert(cond, message) {
  if (!cond) throw new Error(`bench check failed: ${message}`);
}

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
const CHUNK = 64 * 1024;

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

function mqttPacketParser(version, onPacket) {
  const parser = mqttPacket.parser({ protocolVersion: version });
  parser.on('packet', onPacket);
  parser.on('error', (e) => {
    throw e;
  });
  return parser;
}

// ---------------------------------------------------------------------------------------------------------------
// Workload 6's floor: the least any decoder must do for workload 1 — header, length, topic, packet id, payload view,
// the same packet object — and no validation at all. Not a usable decoder: it trusts every byte. It makes the
// topic string the fastest way measured for short strings (see workload 7), so it stays a floor for the codec.

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
// Bundle size: esbuild minify + gzip of the whole codec and of a decode-only import.

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
// ---------------------------------------------------------------------------------------------------------------
// The parts. Decode parts never call mqtt-packet's generate (see the top of the file); encode parts check bytes.

/** 1000 PUBLISH at `v`: objects for both libraries, mqtt-wire's frames, the stream cut into 64 KiB chunks. */
function publishStream(v) {
  const { wire, mp } = publishes(1000, v === 5);
  const frames = wire.map((p) => mw.encode(p, { version: v }));
  const stream = concat(frames);
  const chunks = toChunks(stream, CHUNK);
  const label = v === 4 ? '3.1.1' : '5.0';
  console.log(`\n${label}: 1000 PUBLISH, ${stream.length} bytes in ${chunks.length} chunk(s) of at most ${CHUNK}`);
  return { wire, mp, frames, chunks, mpChunks: chunks.map(asBuffer), total: stream.length, label };
}

async function decodePart(v) {
  const { wire, chunks, mpChunks, label } = publishStream(v);
  const w = v === 4 ? 'w1' : 'w3';
  const decoder = new mw.PacketDecoder({ version: v });
  let count = 0;
  const parser = mqttPacketParser(v, () => count++);
  // equal results before timing
  const decoded = chunks.flatMap((c) => decoder.push(c));
  assert(decoded.length === 1000 && decoder.buffered === 0, 'mqtt-wire decoded 1000 packets');
  for (let i = 0; i < 1000; i++) {
    assert(decoded[i].topic === wire[i].topic && decoded[i].payload.length === wire[i].payload.length, `packet ${i}`);
  }
  for (const c of mpChunks) parser.parse(c);
  assert(count === 1000, 'mqtt-packet parsed 1000 packets');
  if (v === 4) {
    assert(chunks.length === 1, 'the floor loop handles one chunk');
    const floored = floorPush(chunks[0], []);
    assert(JSON.stringify(floored) === JSON.stringify(decoded), 'floor builds the same packets');
  }
  const dec = await suite(`${w} decode ${label} PUBLISH stream (1000 packets)`, {
    'mqtt-wire PacketDecoder': () => {
      let n = 0;
      for (const c of chunks) n += decoder.push(c).length;
      return n;
    },
    'mqtt-packet parser': () => {
      for (const c of mpChunks) parser.parse(c);
    },
    ...(v === 4 ? { 'floor (no validation)': () => floorPush(chunks[0], []) } : {}),
  });
  ratio(`${w}.decode`, 'decode mqtt-wire / mqtt-packet', dec['mqtt-wire PacketDecoder'], dec['mqtt-packet parser']);
  if (v === 4) {
    ratio('w6.wireTimeOverFloor', 'time of mqtt-wire / time of the floor', dec['floor (no validation)'], dec['mqtt-wire PacketDecoder']);
  }
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

async function encodePart(v) {
  const { wire, mp, frames, total, label } = publishStream(v);
  for (let i = 0; i < frames.length; i++) {
    const theirs = mqttPacket.generate(mp[i], { protocolVersion: v });
    // 5.0: mqtt-packet writes the properties in another order; same length, and each decodes to the same packet
    if (v === 4) assert(Buffer.compare(theirs, asBuffer(frames[i])) === 0, `frame ${i} differs from mqtt-packet's`);
    else assert(theirs.length === frames[i].length && samePacket(mw.decode(theirs, { version: 5 }), wire[i]), `5.0 frame ${i}`);
  }
  const into = new Uint8Array(total);
  const intoBuf = asBuffer(into);
  const w = v === 4 ? 'w2' : 'w3';
  const e = await suite(`${w} encode ${label} PUBLISH (1000 packets)`, {
    'mqtt-wire encode': () => {
      let n = 0;
      for (const p of wire) n += mw.encode(p, { version: v }).length;
      return n;
    },
    'mqtt-packet generate': () => {
      let n = 0;
      for (const p of mp) n += mqttPacket.generate(p, { protocolVersion: v }).length;
      return n;
    },
    'mqtt-wire encodeInto one buffer': () => {
      let o = 0;
      for (const p of wire) o += mw.encodeInto(p, into, o, { version: v });
      return o;
    },
    'mqtt-packet generate + copy into one buffer': () => {
      let o = 0;
      for (const p of mp) {
        const f = mqttPacket.generate(p, { protocolVersion: v });
        intoBuf.set(f, o);
        o += f.length;
      }
      return o;
    },
  });
  ratio(`${w}.encode`, 'encode mqtt-wire / mqtt-packet', e['mqtt-wire encode'], e['mqtt-packet generate']);
  ratio(`${w}.encodeInto`, 'encodeInto mqtt-wire / mqtt-packet generate+copy', e['mqtt-wire encodeInto one buffer'], e['mqtt-packet generate + copy into one buffer']);
}

/** Workload 4: a broker's connection mix (3.1.1), as objects for both libraries. */
function connectionMix() {
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

async function mixDecodePart() {
  const { wire, frames } = connectionMix();
  const REPEAT = 100;
  const stream = concat(Array.from({ length: REPEAT }, () => frames).flat());
  const chunks = toChunks(stream, CHUNK);
  const mpChunks = chunks.map(asBuffer);
  const decoder = new mw.PacketDecoder({ version: 4 });
  let count = 0;
  const parser = mqttPacketParser(4, () => count++);
  assert(chunks.flatMap((c) => decoder.push(c)).length === wire.length * REPEAT, 'mix decodes');
  for (const c of mpChunks) parser.parse(c);
  assert(count === wire.length * REPEAT, 'mqtt-packet parses the mix');
  console.log(`\nconnection mix: ${wire.map((p) => p.type).join(', ')} × ${REPEAT} = ${stream.length} bytes`);
  const d = await suite(`w4 decode connection mix (${wire.length * REPEAT} packets)`, {
    'mqtt-wire PacketDecoder': () => {
      for (const c of chunks) decoder.push(c);
    },
    'mqtt-packet parser': () => {
      for (const c of mpChunks) parser.parse(c);
    },
  });
  ratio('w4.decode', 'decode mqtt-wire / mqtt-packet', d['mqtt-wire PacketDecoder'], d['mqtt-packet parser']);
}

async function mixEncodePart() {
  const { wire, mp, frames } = connectionMix();
  frames.forEach((f, i) => assert(Buffer.compare(mqttPacket.generate(mp[i]), asBuffer(f)) === 0, `mix frame ${i} (${wire[i].type}) differs`));
  const e = await suite(`w4 encode connection mix (${wire.length} packets)`, {
    'mqtt-wire encode': () => {
      for (const p of wire) mw.encode(p);
    },
    'mqtt-packet generate': () => {
      for (const p of mp) mqttPacket.generate(p);
    },
  });
  ratio('w4.encode', 'encode mqtt-wire / mqtt-packet', e['mqtt-wire encode'], e['mqtt-packet generate']);
}

/** Workload 5: a 1 MiB PUBLISH, in 64 KiB chunks and in one chunk. */
async function largePart() {
  const MiB = 1024 * 1024;
  const topic = 'firmware/device-42/image';
  // frame = 1 type byte + 3 length bytes + 2 + topic + payload = exactly 1 MiB (the splitter's default limit)
  const payload = new Uint8Array(MiB - 4 - 2 - topic.length).map((_, i) => i & 0xff);
  const frame = mw.encode({ type: 'publish', topic, payload, qos: 0, retain: false, dup: false });
  assert(frame.length === MiB, 'the large frame is 1 MiB');
  const chunks = toChunks(frame, CHUNK);
  const mpChunks = chunks.map(asBuffer);
  const decoder = new mw.PacketDecoder();
  let got;
  const parser = mqttPacketParser(4, (p) => (got = p));
  const push = () => {
    let p;
    for (const c of chunks) {
      const out = decoder.push(c);
      if (out.length === 1) p = out[0];
    }
    return p;
  };
  const first = push();
  assert(first.payload.length === payload.length && first.payload[12345] === payload[12345], '1 MiB payload decodes');
  for (const c of mpChunks) parser.parse(c);
  assert(got.payload.length === payload.length, 'mqtt-packet parses the 1 MiB frame');
  // Sized from the chunks, as any gathering must be: with the constant MiB V8 allocated about twice as slowly.
  const gather = () => {
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

  const one = frame.slice(); // a chunk of its own
  const small = mw.encode({ type: 'publish', topic, payload: payload.subarray(0, 1024), qos: 0, retain: false, dup: false });
  const oneDecoder = new mw.PacketDecoder();
  const decodedOne = oneDecoder.push(one)[0];
  const zeroCopy = decodedOne.payload.buffer === one.buffer;
  results.checks.oneChunkPayloadIsView = zeroCopy;
  console.log(`\n1 MiB PUBLISH in ${chunks.length} chunks; in one chunk the decoded payload's .buffer is the chunk's buffer: ${zeroCopy}`);
  assert(zeroCopy, 'one-chunk payload is a view of the chunk');

  const c = await suite('w5 1 MiB PUBLISH in 64 KiB chunks', {
    'mqtt-wire PacketDecoder': push,
    'bare gathering (Uint8Array copy into one buffer)': gather,
    'mqtt-packet parser': () => {
      for (const ch of mpChunks) parser.parse(ch);
    },
  });
  ratio('w5.chunkedTimeOverGather', 'time of mqtt-wire / time of bare gathering', c['bare gathering (Uint8Array copy into one buffer)'], c['mqtt-wire PacketDecoder']);
  ratio('w5.chunked', 'mqtt-wire / mqtt-packet', c['mqtt-wire PacketDecoder'], c['mqtt-packet parser']);
  const s = await suite('w5 PUBLISH in one chunk (no copy)', {
    'mqtt-wire 1 MiB frame, one chunk': () => oneDecoder.push(one),
    'mqtt-wire 1 KiB frame, one chunk': () => oneDecoder.push(small),
  });
  ratio('w5.oneChunk1MiBOver1KiB', 'time of 1 MiB / time of 1 KiB (1.0 = nothing per payload byte)', s['mqtt-wire 1 KiB frame, one chunk'], s['mqtt-wire 1 MiB frame, one chunk']);
}

/**
 * Workload 7: string micro-cases for NATIVE_DECODE_MIN / NATIVE_ENCODE_MIN (src/wire/utf8.ts). The module is bundled
 * from source because the two paths are internal.
 */
async function stringPart() {
  const built = await esbuild.build({ entryPoints: [join(root, 'src/wire/utf8.ts')], bundle: true, format: 'esm', write: false, platform: 'neutral' });
  const utf8 = await import(`data:text/javascript;base64,${Buffer.from(built.outputFiles[0].contents).toString('base64')}`);
  const LENGTHS = [8, 16, 24, 32, 48, 64, 96, 128];
  const buf = new Uint8Array(4096);
  const strDecode = {};
  const strEncode = {};
  for (const n of LENGTHS) {
    // a topic-like ASCII string, and one with 2-byte characters (é) of the same byte length
    const ascii = 'sensor/plant-7/line-3/temperature/celsius/average/'.repeat(4).slice(0, n);
    const accented = 'é'.repeat(n / 2);
    for (const [kind, s] of [['ascii', ascii], ['2-byte', accented]]) {
      const bytes = enc.encode(s);
      assert(bytes.length === n, 'string byte length');
      assert(utf8.decodeUtf8Hand(bytes, 0, n) === s && utf8.decodeUtf8Native(bytes, 0, n) === s, 'both decode paths agree');
      const d = await suite(`w7 string decode ${kind} ${n} bytes`, {
        hand: () => utf8.decodeUtf8Hand(bytes, 0, n),
        TextDecoder: () => utf8.decodeUtf8Native(bytes, 0, n),
      });
      strDecode[`${kind} ${n}`] = Number((d.hand / d.TextDecoder).toFixed(3));
      const e = await suite(`w7 string encode ${kind} ${n} bytes (${s.length} chars)`, {
        hand: () => utf8.encodeUtf8Hand(s, buf, 0),
        TextEncoder: () => utf8.encodeUtf8Native(s, buf, 0),
      });
      strEncode[`${kind} ${n}`] = Number((e.hand / e.TextEncoder).toFixed(3));
    }
  }
  results.ratios.w7 = { decodeHandOverNative: strDecode, encodeHandOverNative: strEncode };
  console.log('\nhand loop / native speed (> 1: hand loop faster)');
  console.log('  decode', strDecode);
  console.log('  encode', strEncode);
}

const PARTS = {
  'w1-decode': () => decodePart(4),
  'w2-encode': () => encodePart(4),
  'w3-decode': () => decodePart(5),
  'w3-encode': () => encodePart(5),
  'w4-decode': mixDecodePart,
  'w4-encode': mixEncodePart,
  'w5-large': largePart,
  'w7-strings': stringPart,
};

if (PART !== undefined) {
  // child: run one part, hand its results to the parent
  await PARTS[PART]();
  writeFileSync(OUT, JSON.stringify(results));
  process.exit(0);
}

const bundle = {
  full: await gzipSize("export * from './src/index.ts';"),
  decodeOnly: await gzipSize("export { decode } from './src/index.ts';"),
};
results.bundle = bundle;
console.log('Bundle size (esbuild --minify, gzip):');
console.log(`  full codec (src/index.ts)        ${bundle.full.minified} B min, ${bundle.full.gzip} B min+gzip`);
console.log(`  import { decode } only           ${bundle.decodeOnly.minified} B min, ${bundle.decodeOnly.gzip} B min+gzip`);

const tmp = mkdtempSync(join(os.tmpdir(), 'mqtt-wire-bench-'));
for (const name of Object.keys(PARTS)) {
  if (ONLY !== undefined && !ONLY.some((o) => name.startsWith(o))) continue;
  const out = join(tmp, `${name}.json`);
  const args = [fileURLToPath(import.meta.url), `--part=${name}`, `--out=${out}`, ...(QUICK ? ['--quick'] : [])];
  const child = spawnSync(process.execPath, args, { stdio: 'inherit' });
  if (child.status !== 0) throw new Error(`bench part ${name} failed (exit ${child.status})`);
  const part = JSON.parse(readFileSync(out, 'utf8'));
  Object.assign(results.suites, part.suites);
  Object.assign(results.ratios, part.ratios);
  Object.assign(results.checks, part.checks);
}

// ---------------------------------------------------------------------------------------------------------------

results.machine = {
  nproc: os.availableParallelism?.() ?? os.cpus().length,
  cpu: os.cpus()[0]?.model ?? 'unknown',
  node: process.version,
  date: new Date().toISOString(),
};
console.log('\nRatios', JSON.stringify(results.ratios, null, 2));
if (!QUICK && ONLY === undefined) {
  const dir = join(root, 'bench/results');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'latest.json'), `${JSON.stringify(results, null, 2)}\n`);
  console.log('wrote bench/results/latest.json');
}
