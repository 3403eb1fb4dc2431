// The compat layer (mqtt-wire/compat) beside mqtt-packet on the small-PUBLISH workloads of bench/run.mjs:
// parser().parse of 1000 PUBLISH in 64 KiB chunks, and generate() of the same 1000 packets, at 3.1.1 and 5.0.
// Run with `node bench/compat.mjs [--quick]`; writes bench/results/compat.json (not with --quick).
//
// Method: both libraries run in this one process, interleaved: each round times every case once, in an order that
// alternates from round to round, by CPU time (process.cpuUsage, user + system) over a batch sized to take about
// 60 ms. A ratio is taken per round between the two cases of a pair (same round, adjacent in time), and the
// reported ratio is the median over rounds, with the range. Every pair is checked for equal results first.
//
// The cases are exported (`compatCases`) so that the main bench can run them in its own harness.

import { Buffer } from 'node:buffer';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { isDeepStrictEqual } from 'node:util';
import * as esbuild from 'esbuild';
import mqttPacket from 'mqtt-packet';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/** The compat layer built from the sources now (esbuild, as tsup builds dist/compat.js). */
export async function loadCompat() {
  const dir = mkdtempSync(join(os.tmpdir(), 'mqtt-wire-bench-compat-'));
  const file = join(dir, 'compat.mjs');
  await esbuild.build({
    entryPoints: [join(root, 'src/compat/index.ts')],
    outfile: file,
    bundle: true,
    format: 'esm',
    platform: 'neutral',
    target: 'es2022',
    logLevel: 'warning',
  });
  const mod = await import(pathToFileURL(file).href);
  rmSync(dir, { recursive: true, force: true });
  return mod;
}

const KINDS = ['temperature', 'humidity', 'pressure', 'voltage'];
const CHUNK = 64 * 1024;

/** bench/run.mjs's workload: 1000 PUBLISH (half QoS 0, half QoS 1), with three properties at 5.0. */
function publishes(v5) {
  const out = [];
  for (let i = 0; i < 1000; i++) {
    const qos = i % 2;
    const p = {
      cmd: 'publish',
      topic: `sensor/${i % 100}/${KINDS[i % 4]}`,
      payload: Buffer.from(`{"v":${(20 + (i % 97) / 10).toFixed(1)},"ts":${1700000000000 + i}}`),
      qos,
      retain: false,
      dup: false,
    };
    if (qos === 1) p.messageId = (i % 65535) + 1;
    if (v5) p.properties = { messageExpiryInterval: 3600, contentType: 'application/json', userProperties: { site: 'plant-7', unit: 'celsius' } };
    out.push(p);
  }
  return out;
}

/** The stream of `packets` as mqtt-packet writes it, cut into 64 KiB chunks, each a Buffer of its own. */
function chunksOf(packets, opts) {
  const stream = Buffer.concat(packets.map((p) => mqttPacket.generate(p, opts)));
  const chunks = [];
  for (let i = 0; i < stream.length; i += CHUNK) chunks.push(Buffer.from(stream.subarray(i, i + CHUNK)));
  return { chunks, bytes: stream.length };
}

function assert(cond, message) {
  if (!cond) throw new Error(`bench check failed: ${message}`);
}

/**
 * The cases, in pairs: `{ name, ours, theirs, ops }`, each function doing one unit of work (parse the stream, or
 * generate 1000 frames); `ops` is the packets per unit. Results are checked equal before this returns.
 */
export function compatCases(compat) {
  const cases = [];
  for (const v of [4, 5]) {
    const label = v === 4 ? '3.1.1' : '5.0';
    const opts = { protocolVersion: v };
    const packets = publishes(v === 5);
    const { chunks, bytes } = chunksOf(packets, opts);

    // parse: the same packets from both parsers
    let ourCount = 0;
    let theirCount = 0;
    const ourParser = compat.parser(opts);
    const theirParser = mqttPacket.parser(opts);
    const ours = [];
    const theirs = [];
    ourParser.on('packet', (p) => (ourCount++, ours.length < 1000 && ours.push({ ...p })));
    theirParser.on('packet', (p) => (theirCount++, theirs.length < 1000 && theirs.push({ ...p })));
    for (const parser of [ourParser, theirParser]) parser.on('error', (e) => {
      throw e;
    });
    for (const c of chunks) ourParser.parse(c);
    for (const c of chunks) theirParser.parse(c);
    assert(ours.length === 1000 && isDeepStrictEqual(ours, theirs), `${label}: both parsers emit the same 1000 packets`);
    cases.push({
      name: `compat parse ${label} PUBLISH stream (1000 packets, ${bytes} bytes)`,
      ops: 1000,
      ours: () => {
        for (const c of chunks) ourParser.parse(c);
      },
      theirs: () => {
        for (const c of chunks) theirParser.parse(c);
      },
      counts: () => [ourCount, theirCount],
    });

    // generate: the same bytes from both
    for (const p of packets) assert(Buffer.compare(compat.generate(p, opts), mqttPacket.generate(p, opts)) === 0, `${label}: same frame`);
    cases.push({
      name: `compat generate ${label} PUBLISH (1000 packets)`,
      ops: 1000,
      ours: () => {
        let n = 0;
        for (const p of packets) n += compat.generate(p, opts).length;
        return n;
      },
      theirs: () => {
        let n = 0;
        for (const p of packets) n += mqttPacket.generate(p, opts).length;
        return n;
      },
    });
  }
  return cases;
}

/** CPU microseconds (user + system) spent by `fn` over `n` calls. */
function cpuTime(fn, n) {
  const start = process.cpuUsage();
  for (let i = 0; i < n; i++) fn();
  const used = process.cpuUsage(start);
  return used.user + used.system;
}

function median(values) {
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** Runs the pairs interleaved for `rounds` rounds; returns per pair the median ops/s of each side and the ratios. */
export function runInterleaved(cases, { rounds = 21, batchMs = 60 } = {}) {
  // warm up, then size each side's batch to about batchMs of CPU time
  const sides = cases.flatMap((c) => [c.ours, c.theirs]);
  const batch = sides.map((fn) => {
    let n = 1;
    for (let t = cpuTime(fn, n); t < 20_000; t = cpuTime(fn, n)) n *= 2;
    return Math.max(1, Math.round((n * batchMs * 1000) / cpuTime(fn, n)));
  });
  const samples = sides.map(() => []);
  for (let r = 0; r < rounds; r++) {
    const order = sides.map((_, i) => i);
    if (r % 2 === 1) order.reverse();
    for (const i of order) samples[i].push((batch[i] * 1e6) / cpuTime(sides[i], batch[i]));
  }
  return cases.map((c, k) => {
    const ours = samples[2 * k];
    const theirs = samples[2 * k + 1];
    const ratios = ours.map((o, r) => o / theirs[r]);
    return {
      name: c.name,
      oursOpsPerSecond: median(ours) * c.ops,
      theirsOpsPerSecond: median(theirs) * c.ops,
      ratio: median(ratios),
      ratioRange: [Math.min(...ratios), Math.max(...ratios)],
    };
  });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const quick = process.argv.includes('--quick');
  const compat = await loadCompat();
  const cases = compatCases(compat);
  const results = runInterleaved(cases, quick ? { rounds: 5, batchMs: 20 } : {});
  const fmt = (n) => Math.round(n).toLocaleString('en-US');
  console.log('mqtt-wire/compat beside mqtt-packet (packets/s, CPU time, median over interleaved rounds)\n');
  for (const r of results) {
    console.log(r.name);
    console.log(`  compat       ${fmt(r.oursOpsPerSecond).padStart(12)} packets/s`);
    console.log(`  mqtt-packet  ${fmt(r.theirsOpsPerSecond).padStart(12)} packets/s`);
    console.log(`  → ${r.ratio.toFixed(2)}× (rounds: ${r.ratioRange.map((x) => x.toFixed(2)).join('–')}×)\n`);
  }
  if (!quick) {
    const out = {
      results,
      machine: { cpu: os.cpus()[0]?.model ?? 'unknown', nproc: os.availableParallelism?.() ?? os.cpus().length, node: process.version, date: new Date().toISOString() },
    };
    mkdirSync(join(root, 'bench/results'), { recursive: true });
    writeFileSync(join(root, 'bench/results/compat.json'), `${JSON.stringify(out, null, 2)}\n`);
    console.log('wrote bench/results/compat.json');
  }
}
