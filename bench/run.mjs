// Per-case ops/s with benny, for looking at one case at a time: `npm run bench:ops`. The workloads are those of
// bench/workloads.mjs. benny times cases one after another, so on a shared machine the ratio of two of its numbers
// swings 0.7–2.3× between runs for the same code: the ratios it prints are indicative only. Published ratios come
// from bench/ratios.mjs (`npm run bench`), which interleaves the cases and times CPU.
//
// Each workload runs in a child process of its own, both libraries in it, mqtt-wire first. (They used to share one
// process, and after 2,000 mqtt-packet generate calls garbage collection took 31% of mqtt-wire's 5.0 decode
// instead of 7%, halving it for reasons that had nothing to do with either decoder.) Also prints the bundle size.
//
//   npm run bench:ops                      every workload, w7 strings included
//   node bench/run.mjs --quick --only=w1   shorter samples
//   node bench/run.mjs --save              also writes bench/results/latest.json

import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import b from 'benny';
import { MEASURING_ENV, WORKLOADS, bundleSizes, ensureBuilt, loadCodec, machine, root } from './workloads.mjs';

const args = process.argv.slice(2);
const QUICK = args.includes('--quick');
const SAVE = args.includes('--save');
const ONLY = args.find((a) => a.startsWith('--only='))?.slice(7).split(',');
/** Child mode: the one workload to run, and the file its results go to. */
const PART = args.find((a) => a.startsWith('--part='))?.slice(7);
const OUT = args.find((a) => a.startsWith('--out='))?.slice(6);

// short benny runs: the whole report must finish in a few minutes on 2 cores
const CASE_OPTIONS = QUICK ? { minTime: 0.02, maxTime: 0.3, minSamples: 3 } : { minTime: 0.05, maxTime: 1.2, minSamples: 5 };

function fmt(n) {
  return n >= 100 ? Math.round(n).toLocaleString('en-US') : n.toPrecision(3);
}

/** Runs one workload's cases as a benny suite; returns { suite, ops: { case: ops/s }, ratios: { key: value } }. */
async function runPart(workload) {
  const mw = await loadCodec();
  const { cases, ratios, facts } = await workload.setup(mw);
  console.log(`\n${workload.title}`);
  const ops = {};
  await b.suite(
    workload.title,
    ...Object.entries(cases).map(([name, fn]) => b.add(name, () => void fn(), CASE_OPTIONS)),
    b.cycle((r) => {
      console.log(`  ${r.name.padEnd(52)} ${fmt(r.ops).padStart(14)} ops/s  ±${r.margin.toFixed(2)}%`);
      ops[r.name] = r.ops;
      return undefined;
    }),
    b.complete(() => undefined),
  );
  const values = {};
  for (const r of ratios) {
    // ops/s are inverse times: speedup = time(b) / time(a) = ops(a) / ops(b)
    const v = r.kind === 'speedup' ? ops[r.a] / ops[r.b] : ops[r.b] / ops[r.a];
    values[r.key] = Number(v.toFixed(3));
    console.log(`  → ${r.label}: ${r.kind === 'speedup' ? `${v.toFixed(2)}×` : v.toFixed(2)} (sequential, indicative)`);
  }
  for (const f of facts) {
    values[f.key] = f.value;
    console.log(`  → ${f.label}: ${f.value}`);
  }
  return { suite: workload.title, ops, ratios: values };
}

if (PART !== undefined) {
  // child: run one workload, hand its results to the parent
  const workload = WORKLOADS.find((w) => w.id === PART);
  writeFileSync(OUT, JSON.stringify(await runPart(workload)));
  process.exit(0);
}

await ensureBuilt();
const results = { suites: {}, ratios: {} };
const bundle = await bundleSizes();
results.bundle = bundle;
console.log('Bundle size (esbuild --minify, gzip):');
console.log(`  full codec (src/index.ts)        ${bundle.full.minified} B min, ${bundle.full.gzip} B min+gzip`);
console.log(`  import { decode } only           ${bundle.decodeOnly.minified} B min, ${bundle.decodeOnly.gzip} B min+gzip`);

const tmp = mkdtempSync(join(os.tmpdir(), 'mqtt-wire-bench-'));
try {
  for (const w of WORKLOADS) {
    if (ONLY !== undefined && !ONLY.some((o) => w.id.startsWith(o))) continue;
    const out = join(tmp, `${w.id}.json`);
    const child = spawnSync(process.execPath, [fileURLToPath(import.meta.url), `--part=${w.id}`, `--out=${out}`, ...(QUICK ? ['--quick'] : [])], { stdio: 'inherit', env: { ...process.env, ...MEASURING_ENV } });
    if (child.status !== 0) throw new Error(`bench part ${w.id} failed (exit ${child.status})`);
    const part = JSON.parse(readFileSync(out, 'utf8'));
    results.suites[part.suite] = part.ops;
    Object.assign(results.ratios, part.ratios);
  }
} finally {
  rmSync(tmp, { recursive: true, force: true });
}

results.machine = machine();
console.log('\nRatios (benny, sequential: indicative only; publish those of `npm run bench`)', JSON.stringify(results.ratios, null, 2));
if (SAVE) {
  const dir = join(root, 'bench/results');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'latest.json'), `${JSON.stringify(results, null, 2)}\n`);
  console.log('wrote bench/results/latest.json');
}
