// Runs aedes's own test suite (shipped in its npm tarball) with mqtt-packet swapped for mqtt-wire's compat layer by
// an npm `overrides` entry: `npm run test:aedes`. With --baseline, the same suite on the real mqtt-packet, for
// comparison. Everything happens in scratch directories under the OS's temp directory; needs the npm registry.
//
// A few of aedes's tests measure real TCP back-pressure against fixed delays and fail on a loaded machine whatever
// the codec: drain-timeout.js's 'E2E: drainTimeout disconnects slow client after TCP backpressure' leaves about
// 120 ms between aedes's 500 ms drain timer and its check, and failed 1 run in 3 on mqtt-packet and on the swap
// alike here (load average 5). The bar is the issue's: the suite passes with the swap as it passes on mqtt-packet.
// So a test that fails is run again by itself, up to three times; if it never passes, it is run by itself on the
// real mqtt-packet, up to three times, and only a test that passes there fails this run. Every rerun is printed.

import { spawnSync } from 'node:child_process';
import { readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { installWithSwap, installedMqttPacket, packSwap, scratchDir, unpackFromRegistry } from './swap-install.mjs';

const AEDES = 'aedes@1.2.0';
const baselineOnly = process.argv.includes('--baseline');
const keep = process.argv.includes('--keep');

const started = Date.now();
const elapsed = () => `${((Date.now() - started) / 1000).toFixed(1)} s`;
const dirs = [];

/** aedes's package unpacked and installed, with the swap or (baseline) with the real mqtt-packet. */
async function setUp(withSwap) {
  const dir = scratchDir(withSwap ? 'aedes' : 'aedes-baseline');
  dirs.push(dir);
  const project = unpackFromRegistry(dir, AEDES);
  const manifest = JSON.parse(readFileSync(join(project, 'package.json'), 'utf8'));
  // what the tests import, not aedes's lint and release tooling; no lifecycle scripts
  const dev = manifest.devDependencies;
  manifest.devDependencies = { mqtt: dev.mqtt, ws: dev.ws, 'toxiproxy-node-client': dev['toxiproxy-node-client'] };
  manifest.scripts = {};
  if (!withSwap) {
    writeFileSync(join(project, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
    const done = spawnSync('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline'], { cwd: project, encoding: 'utf8' });
    if (done.status !== 0) throw new Error(`npm install failed:\n${done.stderr}`);
    return project;
  }
  installWithSwap(project, manifest, await packSwap(dir));
  const copies = installedMqttPacket(project);
  const wrong = copies.filter(([, name]) => name !== 'mqtt-wire-compat');
  if (copies.length === 0 || wrong.length > 0) throw new Error(`mqtt-packet is not swapped everywhere: ${JSON.stringify(copies)}`);
  console.log(`mqtt-packet resolves to mqtt-wire-compat in ${copies.length} place(s): ${copies.map(([p]) => p.slice(project.length + 1)).join(', ')}`);
  return project;
}

function run(project, args) {
  return spawnSync(process.execPath, ['--test', '--test-timeout=180000', ...args], {
    cwd: project,
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
  });
}

const count = (out, what) => Number(new RegExp(`^# ${what} (\\d+)$`, 'm').exec(out)?.[1] ?? NaN);
const summary = (out) => ['tests', 'pass', 'fail', 'skipped', 'cancelled'].map((w) => `${w} ${count(out, w)}`).join(', ');

/** Runs one test by name in its file, up to `tries` times; the number of the try that passed, or 0. */
function runOne(project, failure, tries = 3) {
  const pattern = `^${failure.name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`;
  for (let i = 1; i <= tries; i++) {
    const out = run(project, [`--test-name-pattern=${pattern}`, failure.file]);
    if (out.status === 0 && count(out.stdout, 'pass') >= 1) return i;
  }
  return 0;
}

console.log(`${AEDES} ${baselineOnly ? 'on mqtt-packet (baseline)' : 'with mqtt-packet swapped for mqtt-wire-compat'}`);
const project = await setUp(!baselineOnly);
console.log(`installed in ${project} (${elapsed()})`);
const files = readdirSync(join(project, 'test'))
  .filter((f) => f.endsWith('.js') || f.endsWith('.cjs'))
  .map((f) => `test/${f}`);
const suite = run(project, files);
const log = join(project, '..', 'aedes-test.log');
writeFileSync(log, suite.stdout + suite.stderr);
console.log(`aedes suite: ${summary(suite.stdout)} (${elapsed()}); log: ${log}`);

// failing tests and their files: "not ok N - name" followed by "location: '<file>:line:col'"
const failures = [];
const re = /^not ok \d+ - (.*)\n(?:.*\n)*?\s+location: '([^']+?):\d+:\d+'/gm;
for (let m = re.exec(suite.stdout); m !== null; m = re.exec(suite.stdout)) {
  failures.push({ name: m[1], file: m[2].slice(project.length + 1) });
}
// a run that failed without a failing test to name (a crash) fails outright
let failed = suite.status !== 0 && failures.length === 0;
let baseline;
for (const f of failures) {
  const again = runOne(project, f);
  if (again > 0) {
    console.log(`  ${f.name} (${f.file}): passed when run again by itself (try ${again})`);
    continue;
  }
  if (baselineOnly) {
    console.log(`  ${f.name} (${f.file}): failed again, three times`);
    failed = true;
    continue;
  }
  baseline ??= await setUp(false);
  const onMqttPacket = runOne(baseline, f);
  if (onMqttPacket > 0) {
    console.log(`  ${f.name} (${f.file}): FAILED again three times, and passes on mqtt-packet (try ${onMqttPacket})`);
    failed = true;
  } else {
    console.log(`  ${f.name} (${f.file}): failed again three times, and three times on mqtt-packet too: not a difference`);
  }
}
if (!keep && !failed) for (const d of dirs) rmSync(d, { recursive: true, force: true });
console.log(failed ? `aedes suite FAILED (${elapsed()})` : `aedes suite passes as it passes on mqtt-packet (${elapsed()})`);
process.exit(failed ? 1 : 0);
