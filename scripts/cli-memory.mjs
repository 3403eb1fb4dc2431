#!/usr/bin/env node
// Measures the CLI on a large capture: generates one in a temporary directory, runs `mqtt-wire decode` (and
// `decode --json`, and `encode` of that JSON) on it with stdout to /dev/null, and reports each run's peak RSS, wall
// time and CPU time beside PacketDecoder alone reading the same file in the same chunks. A measurement to read, not a
// test: nothing here passes or fails on a number.
//
//   node scripts/cli-memory.mjs                 # a 200 MB capture of the bundled 3.1.1 session, repeated
//   node scripts/cli-memory.mjs --mb 50         # another size
//   node scripts/cli-memory.mjs --pingreq       # PINGREQs only (the smallest packet: the most lines per byte)
//
// The CLI and the codec are bundled from src/ with esbuild first, so the numbers are those of the current source.

import { spawn } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { build } from 'esbuild';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const { values } = parseArgs({ options: { mb: { type: 'string', default: '200' }, pingreq: { type: 'boolean' } } });
const megabytes = Number(values.mb);
if (!Number.isFinite(megabytes) || megabytes <= 0) throw new Error(`--mb must be a positive number, got '${values.mb}'`);

const work = mkdtempSync(join(tmpdir(), 'mqtt-wire-cli-memory-'));
/** The program being measured, so that an interrupted run stops it too. */
let running;
process.on('exit', () => {
  running?.kill('SIGKILL');
  rmSync(work, { recursive: true, force: true });
});
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => process.exit(130));

// The current source, bundled as tsup bundles dist/cli/main.js.
const cli = join(work, 'cli.mjs');
const codec = join(work, 'codec.mjs');
await build({ entryPoints: [join(ROOT, 'src/cli/main.ts')], bundle: true, platform: 'node', format: 'esm', target: 'node20', outfile: cli, logLevel: 'error' });
await build({ entryPoints: [join(ROOT, 'src/index.ts')], bundle: true, platform: 'neutral', format: 'esm', target: 'es2022', outfile: codec, logLevel: 'error' });

// Loaded before each measured program: on exit, writes its peak RSS and CPU time where RESOURCE_OUT says.
const preload = join(work, 'resources.mjs');
writeFileSync(
  preload,
  `import { writeFileSync } from 'node:fs';
process.on('exit', () => {
  const r = process.resourceUsage();
  writeFileSync(process.env.RESOURCE_OUT, JSON.stringify({ maxRssKiB: r.maxRSS, cpuMs: (r.userCPUTime + r.systemCPUTime) / 1000 }));
});
`,
);

// PacketDecoder alone over the same file, in the chunks fs hands over (64 KiB), counting packets.
const baseline = join(work, 'baseline.mjs');
writeFileSync(
  baseline,
  `import { createReadStream } from 'node:fs';
import { PacketDecoder } from ${JSON.stringify(codec)};
const decoder = new PacketDecoder({ maxPacketSize: 268435460 });
let packets = 0;
for await (const chunk of createReadStream(process.argv[2])) packets += decoder.push(chunk).length;
decoder.end();
console.log(packets);
`,
);

// The CLI's decode loop (StreamDecoder) over the same chunks, printing nothing: what the CLI adds to the library
// before any line is formatted.
const loop = join(work, 'loop.mjs');
await build({
  stdin: {
    contents: `import { createReadStream } from 'node:fs';
import { StreamDecoder } from './src/cli/stream-decoder.ts';
const decoder = new StreamDecoder({ maxPacketSize: 268435460 });
let packets = 0;
const count = () => packets++;
for await (const chunk of createReadStream(process.argv[2])) if (decoder.push(chunk, count) !== undefined) break;
if (decoder.error ?? decoder.end()) throw decoder.error;
console.log(packets);
`,
    resolveDir: ROOT,
    loader: 'ts',
  },
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  outfile: loop,
  logLevel: 'error',
});

// The capture: one unit repeated to the size asked for, written in blocks so this script's memory stays small too.
const unit = values.pingreq === true ? Buffer.from('c000', 'hex') : readFileSync(join(ROOT, 'fixtures/session-311.bin'));
const packetsPerUnit = values.pingreq === true ? 1 : 23;
const units = Math.ceil((megabytes * 1e6) / unit.length);
const capture = join(work, 'capture.bin');
{
  const perBlock = Math.max(1, Math.floor((1 << 20) / unit.length));
  const block = Buffer.concat(Array.from({ length: perBlock }, () => unit));
  const fd = openSync(capture, 'w');
  for (let left = units; left > 0; left -= perBlock) writeSync(fd, left >= perBlock ? block : block.subarray(0, left * unit.length));
  closeSync(fd);
}
const bytes = statSync(capture).size;

/** Runs node on `args` with stdout to `stdoutPath` and returns wall time, CPU time and peak RSS. */
function measure(args, stdoutPath, stdinPath) {
  const out = join(work, 'resources.json');
  return new Promise((resolve, reject) => {
    const stdout = openSync(stdoutPath, 'w');
    const stdin = stdinPath === undefined ? 'ignore' : openSync(stdinPath, 'r');
    const start = process.hrtime.bigint();
    const child = spawn(process.execPath, ['--import', preload, ...args], { stdio: [stdin, stdout, 'pipe'], env: { ...process.env, RESOURCE_OUT: out } });
    running = child;
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    child.once('error', reject);
    child.once('exit', (code) => {
      running = undefined;
      const wallMs = Number(process.hrtime.bigint() - start) / 1e6;
      closeSync(stdout);
      if (typeof stdin === 'number') closeSync(stdin);
      if (code !== 0) return reject(new Error(`${args.join(' ')} exited with ${code}: ${stderr}`));
      resolve({ wallMs, ...JSON.parse(readFileSync(out, 'utf8')) });
    });
  });
}

const packets = units * packetsPerUnit;
console.log(`capture: ${(bytes / 1e6).toFixed(1)} MB, ${packets.toLocaleString('en')} packets (${values.pingreq === true ? 'PINGREQ' : 'fixtures/session-311.bin'} × ${units.toLocaleString('en')})`);
console.log(`node ${process.version}, ${process.platform} ${process.arch}\n`);
const json = join(work, 'capture.jsonl');
const runs = [
  ['PacketDecoder alone (no output)', [baseline, capture], '/dev/null'],
  ["the CLI's decode loop, no output (StreamDecoder)", [loop, capture], '/dev/null'],
  ['mqtt-wire decode FILE > /dev/null', [cli, 'decode', capture], '/dev/null'],
  ['mqtt-wire decode --json FILE > FILE.jsonl', [cli, 'decode', '--json', capture], json],
  ['mqtt-wire encode < FILE.jsonl > /dev/null', [cli, 'encode'], '/dev/null', json],
];
console.log('| run | peak RSS | wall time | CPU time | packets/s (wall) |');
console.log('| --- | --- | --- | --- | --- |');
for (const [label, args, stdoutPath, stdinPath] of runs) {
  const r = await measure(args, stdoutPath, stdinPath);
  const extra = label.includes('--json') ? ` (JSON: ${(statSync(json).size / 1e6).toFixed(0)} MB)` : '';
  console.log(
    `| ${label}${extra} | ${(r.maxRssKiB / 1024).toFixed(0)} MiB | ${(r.wallMs / 1000).toFixed(1)} s | ${(r.cpuMs / 1000).toFixed(1)} s | ${Math.round(packets / (r.wallMs / 1000)).toLocaleString('en')} |`,
  );
}
