// mqtt-packet's own test suite (test.js in its npm tarball, run by tape: 352 tests, 658 assertions) run against the
// compat layer, which is built for it from the sources here. Every test must pass except the ones listed in
// REFUSED, each with its reason; the README lists the same ones. The suite is first run on mqtt-packet itself, so
// the harness is known to count what the suite holds.

import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../..');
const require = createRequire(import.meta.url);
const SUITE = require.resolve('mqtt-packet/test.js');
const HOOK = join(import.meta.dirname, 'redirect-mqtt-packet.cjs');

/** The tests of mqtt-packet's suite the compat layer does not pass, and why. */
export const REFUSED: Record<string, string> = {
  'support cork':
    "counts nine write() calls for one CONNECT, because mqtt-packet writes a packet field by field; the compat layer writes each packet with one write() (one frame per write: fewer system calls, and one WebSocket message per packet)",
};

interface TapRun {
  /** Test names in order. */
  tests: string[];
  /** Names of tests with at least one failed assertion. */
  failed: Set<string>;
  assertions: number;
  passed: number;
  stderr: string;
}

function runSuite(impl: string): TapRun {
  const out = spawnSync(process.execPath, ['-r', HOOK, SUITE], {
    cwd: ROOT,
    env: { ...process.env, MQTT_PACKET_IMPL: impl },
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
    timeout: 240_000,
  });
  const tests: string[] = [];
  const failed = new Set<string>();
  let current = '';
  for (const line of out.stdout.split('\n')) {
    const summary = /^# (tests|pass|fail|ok)\b/.test(line);
    if (line.startsWith('# ') && !summary) {
      current = line.slice(2);
      tests.push(current);
    } else if (line.startsWith('not ok ')) {
      failed.add(current);
    }
  }
  const num = (what: string): number => Number(new RegExp(`^# ${what} +(\\d+)$`, 'm').exec(out.stdout)?.[1] ?? NaN);
  return { tests, failed, assertions: num('tests'), passed: num('pass'), stderr: out.stderr };
}

describe("mqtt-packet's test suite", () => {
  const dir = mkdtempSync(join(tmpdir(), 'mqtt-wire-compat-suite-'));
  const compatBundle = join(dir, 'compat.cjs');
  let original: TapRun;
  let compat: TapRun;

  beforeAll(async () => {
    await build({
      entryPoints: [join(ROOT, 'src/compat/index.ts')],
      outfile: compatBundle,
      bundle: true,
      format: 'cjs',
      platform: 'node',
      target: 'node20',
      logLevel: 'warning',
    });
    original = runSuite(require.resolve('mqtt-packet'));
    compat = runSuite(compatBundle);
  }, 300_000);

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('is mqtt-packet 9.0.2, and on mqtt-packet itself runs 352 tests and 658 assertions, all passing', () => {
    expect(JSON.parse(readFileSync(require.resolve('mqtt-packet/package.json'), 'utf8')).version).toBe('9.0.2');
    expect(original.tests).toHaveLength(352);
    expect(original.assertions).toBe(658);
    expect(original.passed).toBe(658);
    expect([...original.failed]).toStrictEqual([]);
  });

  it('on the compat layer runs the same 352 tests, and only the refused ones fail', () => {
    expect(compat.tests).toStrictEqual(original.tests);
    expect([...compat.failed].sort()).toStrictEqual(Object.keys(REFUSED).sort());
  });

  it('the passing tests make every assertion they make on mqtt-packet', () => {
    // 'support cork' plans nine assertions and makes one, plus tape's "plan != count": 658 - 9 + 2
    expect(compat.assertions).toBe(651);
    expect(compat.passed).toBe(650);
  });

  it('docs/compat.md names each refused test and its reason', () => {
    const section = readFileSync(join(ROOT, 'docs', 'compat.md'), 'utf8');
    for (const name of Object.keys(REFUSED)) expect(section).toContain(`\`${name}\``);
  });
});
