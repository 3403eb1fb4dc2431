// `npm run fuzz -- --runs N --seed S`: fuzzes the codec sources (bundled on the fly, so no build is needed) with
// the loop of scripts/fuzz-engine.ts. Exit code 0 when nothing was found, 1 with findings, 2 for bad arguments.
//
//   --runs N           inputs to try (default 100000)
//   --seed S           32-bit seed; the same seed replays the same inputs (default: from the clock, printed)
//   --linear-every K   one linear-time check every K inputs (default 20000; 0 for none)
//   --json             print the report as JSON

import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import * as esbuild from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

function fail(message) {
  process.stderr.write(`fuzz: ${message}\n`);
  process.exit(2);
}

let values;
try {
  ({ values } = parseArgs({
    options: { runs: { type: 'string' }, seed: { type: 'string' }, 'linear-every': { type: 'string' }, json: { type: 'boolean' } },
    strict: true,
  }));
} catch (e) {
  fail(e.message.split('. ')[0]);
}
const integer = (name, value, fallback, max) => {
  if (value === undefined) return fallback;
  if (!/^-?\d+$/.test(value) || !Number.isSafeInteger(Number(value)) || Number(value) < 0 || Number(value) > max) {
    fail(`--${name} must be an integer from 0 to ${max}, got '${value}'`);
  }
  return Number(value);
};
const runs = integer('runs', values.runs, 100_000, 1e12);
const seed = integer('seed', values.seed, Date.now() % 0x100000000, 0xffffffff);
const linearEvery = integer('linear-every', values['linear-every'], 20_000, 1e12);

// The recorded streams, each direction with its protocol level
const index = JSON.parse(readFileSync(join(root, 'fixtures', 'captures', 'index.json'), 'utf8'));
const captures = index.captures.flatMap((c) =>
  ['c2s', 's2c'].map((dir) => ({
    name: `${c.name}.${dir}`,
    version: c.version,
    bytes: new Uint8Array(readFileSync(join(root, 'fixtures', 'captures', c[dir].file))),
  })),
);

// Bundle the engine with the codec sources into one module
const work = mkdtempSync(join(tmpdir(), 'mqtt-wire-fuzz-'));
const bundle = join(work, 'engine.mjs');
await esbuild.build({
  entryPoints: [join(root, 'scripts', 'fuzz-engine.ts')],
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  outfile: bundle,
  logLevel: 'error',
});
const { runFuzz } = await import(pathToFileURL(bundle).href);
rmSync(work, { recursive: true, force: true });

// Most inputs end in an MqttError; capturing a stack trace for each was a quarter of the run's time, and a finding
// is replayed from its input, not from a stack.
Error.stackTraceLimit = 0;
process.stderr.write(`fuzz: ${runs} inputs, seed ${seed}\n`);
const report = runFuzz({
  runs,
  seed,
  captures,
  linearEvery,
  progressEvery: 100_000,
  onProgress: (done, r) => {
    const rate = Math.round(done / (r.durationMs / 1000));
    process.stderr.write(`fuzz: ${done} inputs, ${r.findings.length} finding(s), ${Math.round(r.durationMs / 1000)} s (${rate}/s)\n`);
  },
});

if (values.json) {
  process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
} else {
  const lines = [
    `inputs      ${report.runs} (seed ${report.seed}) in ${(report.durationMs / 1000).toFixed(1)} s`,
    `sources     ${Object.entries(report.sources)
      .sort((a, b) => b[1] - a[1])
      .map(([k, v]) => `${k} ${v}`)
      .join(', ')}`,
    `outcomes    ${report.packets} packets decoded and round-tripped; decode refused ${report.refusals} inputs as one frame (streams of several frames among them)`,
    `linear time ${report.linearChecks} checks, worst ratio at 2n/n ${report.worstRatio.toFixed(2)} (${report.worstFamily || '-'})`,
    `findings    ${report.findings.length}`,
  ];
  for (const f of report.findings) {
    lines.push(`  [${f.kind}] ${f.detail}`, `    level ${f.version}, ${f.source}, first at input ${f.first}, ${f.count} input(s); smallest input: ${f.input || '(none)'}`);
  }
  process.stdout.write(`${lines.join('\n')}\n`);
}
process.exitCode = report.findings.length > 0 ? 1 : 0;
