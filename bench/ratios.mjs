// The published ratios: mqtt-wire against mqtt-packet (and against floors), measured so that a busy, shared machine
// cannot fake them. Run with `npm run bench`; prints markdown tables the README takes as they are.
//
// Method. Each workload runs in a process of its own. In it, every case runs for a short slice (about --slice-ms of
// CPU time, a fixed number of ops calibrated after warm-up), one case after another in an order rotated each
// round, and each slice is timed by process.cpuUsage() (user + system CPU time of the process, so time the process
// spends descheduled counts for nothing). A ratio is taken within each round, from slices run moments apart, and the
// process reports the median over its rounds. The driver runs every workload in --processes separate processes
// (at least five for a published table) and reports the median of the process medians and their range.
//
// Every measuring process runs with glibc malloc's thresholds pinned (MEASURING_ENV in workloads.mjs says why).
//
// No garbage collection is forced between slices, except where a workload asks for it (w5, see there): a forced
// collection shrinks V8's young generation, which then made allocating code (mqtt-packet) up to 5× slower in the
// next slice, and a forced minor collection, which promotes whatever the harness still held, flipped V8's
// pretenuring of FrameWriter's buffers in some processes and not others (its time doubled in 3 of 5).
//
//   npm run bench                                  every default workload, 5 processes each, tables on stdout
//   node bench/ratios.mjs --only=w1,w8 --processes=7
//   node bench/ratios.mjs --save                   also writes bench/results/ratios.{json,md}
//   node bench/ratios.mjs --quick                  2 processes, short rounds: checks the harness, not for publishing

import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { MEASURING_ENV, WORKLOADS, bundleSizes, ensureBuilt, loadCodec, machine, root, selectWorkloads } from './workloads.mjs';

const args = process.argv.slice(2);
const flag = (name) => args.includes(`--${name}`);
const option = (name) => args.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
const QUICK = flag('quick');
const PROCESSES = Number(option('processes') ?? (QUICK ? 2 : 5));
const ROUNDS = Number(option('rounds') ?? (QUICK ? 8 : 30));
const SLICE_MS = Number(option('slice-ms') ?? (QUICK ? 5 : 10));
/** Rounds run and thrown away after calibration, so every case is optimised before the first measured round. */
const WARMUP_ROUNDS = 5;
const MIN_PUBLISHED_PROCESSES = 5;
/** Where README.md and docs/performance.md hold the tables of the last published run (`--save`). */
const BLOCK_BEGIN = '<!-- bench/results/ratios.md -->';
const BLOCK_END = '<!-- end of bench/results/ratios.md -->';
/**
 * A process whose timed slices got less CPU time than this share of their wall time ran on a busy machine. CPU time
 * does not stop contention from slowing the code itself (shared caches and memory bandwidth, a sibling hardware
 * thread): on the 2-core machine of the README, per-op times doubled at a share of 0.5 and ratios moved by 10-25%.
 */
const BUSY_SHARE = 0.8;

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m] : (s[m - 1] + s[m]) / 2;
};

// ---------------------------------------------------------------------------------------------------------------
// Child: one workload, interleaved rounds, results to --out.

async function child(id, out) {
  const workload = WORKLOADS.find((w) => w.id === id);
  if (workload === undefined) throw new Error(`unknown workload ${id}`);
  const mw = await loadCodec();
  const { cases, ratios, facts, fullGcBeforeSlice = false } = await workload.setup(mw);
  const names = Object.keys(cases);
  // one loop function per case, so each call site sees one function (the cases differ in shape and cost)
  const loops = names.map(() => new Function('fn', 'k', 'let r; for (let i = 0; i < k; i++) r = fn(); return r;'));
  const gc = globalThis.gc;
  if (fullGcBeforeSlice && typeof gc !== 'function') throw new Error(`${id} needs node --expose-gc (the driver passes it)`);
  let sink;
  /** Runs case `i` `k` times; returns the CPU and wall time it took, in µs. */
  const slice = (i, k) => {
    if (fullGcBeforeSlice) {
      sink = undefined;
      gc();
    }
    const wall0 = process.hrtime.bigint();
    const cpu0 = process.cpuUsage();
    sink = loops[i](cases[names[i]], k);
    const cpu = process.cpuUsage(cpu0);
    return { cpu: cpu.user + cpu.system, wall: Number(process.hrtime.bigint() - wall0) / 1e3 };
  };
  // calibrate: double the ops until one slice takes at least 1 ms of CPU time
  const perOp = names.map((_, i) => {
    for (let k = 1; ; k *= 2) {
      const { cpu } = slice(i, k);
      if (cpu >= 1000 || k >= 2 ** 24) return cpu / k;
    }
  });
  const sliceUs = SLICE_MS * 1000;
  let ops = perOp.map((t) => Math.max(1, Math.round(sliceUs / t)));
  const order = (round) => names.map((_, j) => (j + round) % names.length);
  // warm-up rounds, then the ops per slice set again from their median time per op
  const warm = names.map(() => []);
  for (let r = 0; r < WARMUP_ROUNDS; r++) for (const i of order(r)) warm[i].push(slice(i, ops[i]).cpu / ops[i]);
  ops = warm.map((ts) => Math.max(1, Math.round(sliceUs / median(ts))));

  const times = names.map(() => []); // ns per op, per round
  let cpuTotal = 0;
  let wallTotal = 0;
  for (let r = 0; r < ROUNDS; r++) {
    for (const i of order(r)) {
      const { cpu, wall } = slice(i, ops[i]);
      times[i].push((cpu * 1000) / ops[i]);
      cpuTotal += cpu;
      wallTotal += wall;
    }
  }
  if (sink === Symbol.for('never')) console.log(sink);
  const at = (name) => {
    const i = names.indexOf(name);
    if (i < 0) throw new Error(`ratio names unknown case ${name}`);
    return times[i];
  };
  const result = {
    workload: id,
    rounds: ROUNDS,
    sliceMs: SLICE_MS,
    fullGcBeforeSlice,
    cpuShare: cpuTotal / wallTotal,
    cases: Object.fromEntries(names.map((n, i) => [n, { opsPerSlice: ops[i], nsPerOp: median(times[i]) }])),
    ratios: ratios.map((r) => {
      const a = at(r.a);
      const b = at(r.b);
      const perRound = a.map((ta, k) => (r.kind === 'speedup' ? b[k] / ta : ta / b[k]));
      return { ...r, median: median(perRound), min: Math.min(...perRound), max: Math.max(...perRound), perRound };
    }),
    facts,
  };
  writeFileSync(out, JSON.stringify(result));
}

// ---------------------------------------------------------------------------------------------------------------
// Driver: every workload in PROCESSES processes, then the tables.

function fmtValue(kind, v) {
  if (kind === 'speedup') return `${v >= 10 ? v.toFixed(1) : v.toFixed(2)}×`;
  return v >= 10 ? v.toFixed(1) : v.toFixed(2);
}

function fmtTarget(target, kind) {
  if (target === undefined) return '';
  const op = { '>=': '≥', '<=': '≤', '==': '=' }[target.op];
  return `${op} ${kind === 'speedup' ? `${target.value}×` : target.value}`;
}

function verdict(target, value) {
  if (target === undefined) return '';
  const ok = target.op === '>=' ? value >= target.value : target.op === '<=' ? value <= target.value : value === target.value;
  return ok ? 'met' : 'missed';
}

function fmtTime(ns) {
  if (ns >= 1e6) return `${(ns / 1e6).toFixed(2)} ms`;
  if (ns >= 1e3) return `${(ns / 1e3).toPrecision(3)} µs`;
  return `${ns.toPrecision(3)} ns`;
}

/** Why `summary` may not be published (empty when it may). */
function notForPublishing(summary) {
  const shares = summary.cpuShare;
  const busy = shares.filter((s) => s < BUSY_SHARE).length;
  const reasons = [];
  if (summary.quick) reasons.push('a --quick run');
  if (summary.processes < MIN_PUBLISHED_PROCESSES) reasons.push(`${summary.processes} process(es) per workload, fewer than ${MIN_PUBLISHED_PROCESSES}`);
  if (busy > 0) {
    reasons.push(
      `the machine was busy: ${busy} of ${shares.length} processes got less than ${BUSY_SHARE} of a core, and under contention ` +
        'the side that allocates more (mqtt-packet) slows down more, which moves ratios in mqtt-wire\'s favour',
    );
  }
  return reasons;
}

/** The markdown tables for `summary`. */
function markdown(summary) {
  const m = summary.machine;
  const lines = [];
  const shares = summary.cpuShare;
  const reasons = notForPublishing(summary);
  if (reasons.length > 0) lines.push(`> Not for publishing: ${reasons.join('; ')}.`, '');
  lines.push(
    `Measured ${m.date.slice(0, 10)} on ${m.cpu} (${m.logicalCpus} logical CPUs, ${m.memoryGiB} GiB), Node ${m.node} (V8 ${m.v8}), ${m.os}; ` +
      `mqtt-wire ${m.commit ?? 'unknown commit'}${m.dirty ? ' with local changes' : ''}, mqtt-packet ${m.mqttPacket}. ` +
      `Each workload ran in ${summary.processes} separate process${summary.processes === 1 ? '' : 'es'}; in each, ${summary.rounds} rounds of every case for a slice of about ` +
      `${summary.sliceMs} ms of CPU time, in rotated order, timed by \`process.cpuUsage()\`, with glibc malloc's thresholds pinned ` +
      `(${Object.entries(MEASURING_ENV).map(([k, v]) => `${k}=${v}`).join(', ')}). A ratio is taken per round; ` +
      `the table gives the median over processes of each process's median, and the range of the process medians. ` +
      `"N×" is how many times as fast mqtt-wire is; "time of" rows are plain time ratios (lower is better).`,
    '',
    `| workload | measure | median | range over ${summary.processes} processes | target | |`,
    '|---|---|---|---|---|---|',
  );
  for (const w of summary.workloads) {
    const name = w.title.split(':')[0];
    for (const f of w.facts) {
      const values = [...new Set(f.values)];
      lines.push(`| ${name} | ${f.label} | ${values.join(' / ')} | exact | ${fmtTarget(f.target, 'fact')} | ${values.length === 1 ? verdict(f.target, values[0]) : 'varies'} |`);
    }
    for (const r of w.ratios) {
      lines.push(
        `| ${name} | ${r.label} | ${fmtValue(r.kind, r.median)} | ${fmtValue(r.kind, r.min)}–${fmtValue(r.kind, r.max)} | ${fmtTarget(r.target, r.kind)} | ${verdict(r.target, r.median)} |`,
      );
    }
  }
  const { full, decodeOnly } = summary.bundle;
  const kb = (n) => `${n.toLocaleString('en-US')} B`;
  lines.push(
    '',
    '| bundle (esbuild --minify --bundle, gzip) | min+gzip | minified |',
    '|---|---|---|',
    `| full codec (every export of src/index.ts) | ${kb(full.gzip)} | ${kb(full.minified)} |`,
    `| \`import { decode }\` only | ${kb(decodeOnly.gzip)} | ${kb(decodeOnly.minified)} |`,
  );
  lines.push('', '| workload | case | time per op (median of process medians) |', '|---|---|---|');
  for (const w of summary.workloads) {
    for (const [name, ns] of Object.entries(w.nsPerOp)) lines.push(`| ${w.title.split(':')[0]} | ${name} | ${fmtTime(ns)} |`);
  }
  lines.push(
    '',
    `CPU time over wall time in the timed slices (1.0: the process had a core to itself): median ${median(shares).toFixed(2)}, ` +
      `lowest ${Math.min(...shares).toFixed(2)} over ${shares.length} processes.`,
  );
  return lines.join('\n');
}

async function driver() {
  const workloads = selectWorkloads(option('only')?.split(','));
  if (!Number.isInteger(PROCESSES) || PROCESSES < 1) throw new Error(`--processes must be a positive integer, got ${option('processes')}`);
  await ensureBuilt();
  const tmp = mkdtempSync(join(os.tmpdir(), 'mqtt-wire-ratios-'));
  const runs = Object.fromEntries(workloads.map((w) => [w.id, []]));
  const self = fileURLToPath(import.meta.url);
  try {
    for (let p = 0; p < PROCESSES; p++) {
      // the workload order rotates too, so a slow spell of the machine does not always fall on the same one
      for (let j = 0; j < workloads.length; j++) {
        const w = workloads[(j + p) % workloads.length];
        const out = join(tmp, `${w.id}-${p}.json`);
        const childArgs = ['--expose-gc', self, `--child=${w.id}`, `--out=${out}`, `--rounds=${ROUNDS}`, `--slice-ms=${SLICE_MS}`];
        const r = spawnSync(process.execPath, childArgs, { stdio: ['ignore', 'inherit', 'inherit'], env: { ...process.env, ...MEASURING_ENV } });
        if (r.status !== 0) throw new Error(`workload ${w.id} failed in process ${p + 1} (exit ${r.status})`);
        const result = JSON.parse(readFileSync(out, 'utf8'));
        runs[w.id].push(result);
        const shown = result.ratios.map((x) => `${x.key} ${fmtValue(x.kind, x.median)}`).join(', ');
        process.stderr.write(`process ${p + 1}/${PROCESSES} ${w.id.padEnd(10)} ${shown} (CPU share ${result.cpuShare.toFixed(2)})\n`);
      }
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }

  const summary = {
    machine: machine(),
    bundle: await bundleSizes(),
    quick: QUICK,
    processes: PROCESSES,
    rounds: ROUNDS,
    sliceMs: SLICE_MS,
    cpuShare: [],
    workloads: workloads.map((w) => {
      const results = runs[w.id];
      const first = results[0];
      return {
        id: w.id,
        title: w.title,
        facts: first.facts.map((f, i) => ({ ...f, values: results.map((r) => r.facts[i].value) })),
        ratios: first.ratios.map((r, i) => {
          const medians = results.map((x) => x.ratios[i].median);
          const { perRound, median: _m, min: _a, max: _b, ...rest } = r;
          return { ...rest, median: median(medians), min: Math.min(...medians), max: Math.max(...medians), processMedians: medians };
        }),
        nsPerOp: Object.fromEntries(Object.keys(first.cases).map((c) => [c, median(results.map((x) => x.cases[c].nsPerOp))])),
        processes: results.map(({ ratios, ...rest }) => ({ ...rest, ratios: ratios.map(({ key, median: m, perRound }) => ({ key, median: m, perRound })) })),
      };
    }),
  };
  summary.cpuShare = summary.workloads.flatMap((w) => w.processes.map((p) => p.cpuShare));
  const md = markdown(summary);
  console.log(`\n${md}`);
  if (flag('save')) {
    const dir = join(root, 'bench/results');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'ratios.json'), `${JSON.stringify(summary, null, 2)}\n`);
    writeFileSync(join(dir, 'ratios.md'), `${md}\n`);
    console.log('\nwrote bench/results/ratios.json and bench/results/ratios.md');
    if (notForPublishing(summary).length > 0) {
      console.log('README.md and docs/performance.md left as they were: this run is not for publishing');
    } else {
      // the README takes the machine and the ratios; docs/performance.md all of it (test/bench-harness.test.ts
      // holds both to bench/results/ratios.md)
      const [head, ratios] = md.split('\n\n');
      replaceBlock(join(root, 'README.md'), `${head}\n\n${ratios}`);
      replaceBlock(join(root, 'docs/performance.md'), md);
      console.log('updated the tables in README.md and docs/performance.md');
    }
  }
}

/** Between BLOCK_BEGIN and BLOCK_END in `file`, `content`. */
function replaceBlock(file, content) {
  const text = readFileSync(file, 'utf8');
  const i = text.indexOf(BLOCK_BEGIN);
  const j = text.indexOf(BLOCK_END);
  if (i < 0 || j < i) throw new Error(`${file} has no ${BLOCK_BEGIN} … ${BLOCK_END} block`);
  writeFileSync(file, `${text.slice(0, i + BLOCK_BEGIN.length)}\n${content}\n${text.slice(j)}`);
}

const childId = option('child');
if (childId !== undefined) await child(childId, option('out'));
else await driver();
