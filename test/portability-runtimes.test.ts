// The portability promise, proven by running: one smoke suite (test/support/portability-smoke.ts: round trips at
// every level, the splitter and decoder, the WHATWG streams, MqttError) bundled into one file with no imports, then
// run in Node, headless Chromium, Deno and Bun. Deno runs it with no permission at all, so the codec reaches for no
// file, network or environment; Chromium loads it as a module from a server on 127.0.0.1.
//
// Locally a missing runtime skips its test with a line saying how to get it; under CI (CI set, as .ci/run does)
// a missing runtime fails. Deno and Bun come from npm (dev dependencies `deno` and `bun`, which bring the binary of
// the platform, e.g. @deno/linux-x64-glibc and @oven/bun-linux-x64); Chromium is Debian's `chromium` package,
// driven by playwright-core.

import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SmokeResult } from './support/portability-smoke.js';

const ROOT = join(__dirname, '..');
const onCi = (process.env.CI ?? '') !== '' && process.env.CI !== 'false';
/** Every run of a runtime is bounded; the suite itself takes well under a second. */
const RUN_TIMEOUT_MS = 60_000;

/** The first candidate that exists and answers `--version`, or undefined. */
function findBinary(candidates: string[]): string | undefined {
  for (const path of candidates) {
    if (!existsSync(path)) continue;
    const r = spawnSync(path, ['--version'], { timeout: RUN_TIMEOUT_MS, encoding: 'utf8' });
    if (r.status === 0) return path;
  }
  return undefined;
}

const nm = (p: string) => join(ROOT, 'node_modules', p);
const arch = process.arch;
const RUNTIMES = {
  deno: {
    path: findBinary([nm(`@deno/${process.platform}-${arch}-glibc/deno`), nm(`@deno/${process.platform}-${arch}/deno`), nm('deno/deno')]),
    hint: "Deno comes with 'npm ci' (dev dependency deno, binary from @deno/linux-x64-glibc)",
  },
  bun: {
    path: findBinary([nm(`@oven/bun-${process.platform}-${process.arch === 'arm64' ? 'aarch64' : arch}/bin/bun`), nm('bun/bin/bun.exe')]),
    hint: "Bun comes with 'npm ci' (dev dependency bun, binary from @oven/bun-linux-x64)",
  },
  chromium: {
    path: findBinary([process.env.CHROMIUM_PATH ?? '', '/usr/bin/chromium', '/usr/bin/chromium-browser']),
    hint: 'install Debian chromium: apt-get install -y chromium (or set CHROMIUM_PATH)',
  },
};
for (const [name, { path, hint }] of Object.entries(RUNTIMES)) {
  if (path === undefined && !onCi) console.warn(`\n*** portability test in ${name} SKIPPED: ${name} not found; ${hint} ***\n`);
}

let work = '';
let bundle = '';
let expected: SmokeResult[] = [];

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'mqtt-wire-portability-'));
  bundle = join(work, 'smoke.mjs');
  // platform neutral and nothing external: the one file must load anywhere without a resolver
  const result = await build({
    entryPoints: [join(ROOT, 'test/support/portability-smoke.ts')],
    bundle: true,
    platform: 'neutral',
    format: 'esm',
    target: 'es2022',
    outfile: bundle,
    metafile: true,
    logLevel: 'error',
  });
  expect(Object.values(result.metafile.outputs)[0]!.imports).toEqual([]);
  writeFileSync(join(work, 'run.mjs'), "import { runSmoke } from './smoke.mjs';\nconsole.log(JSON.stringify(await runSmoke()));\n");
  // what every runtime must report: every check, passed
  const { runSmoke } = (await import(/* @vite-ignore */ pathToFileURL(bundle).href)) as { runSmoke: () => Promise<SmokeResult[]> };
  expected = (await runSmoke()).map(({ name }) => ({ name }));
}, 120_000);

afterAll(() => {
  if (work !== '') rmSync(work, { recursive: true, force: true });
});

/** The JSON line a runtime printed, as results; the whole output in the message when it is not one. */
function parseResults(what: string, stdout: string, stderr: string): SmokeResult[] {
  const line = stdout.trim().split('\n').at(-1) ?? '';
  try {
    return JSON.parse(line) as SmokeResult[];
  } catch {
    throw new Error(`${what} printed no results.\nstdout: ${stdout}\nstderr: ${stderr}`);
  }
}

describe('the smoke suite', () => {
  it('passes in Node, from the bundle every runtime loads', async () => {
    const { runSmoke } = (await import(/* @vite-ignore */ pathToFileURL(bundle).href)) as { runSmoke: () => Promise<SmokeResult[]> };
    const results = await runSmoke();
    expect(results.filter((r) => r.failure !== undefined)).toEqual([]);
    expect(results.length).toBeGreaterThanOrEqual(8);
  });

  it('reports a failing check as a failure, not a pass', async () => {
    // the runtimes' results are compared with `expected`: a check that cannot fail would make them all pass
    const broken = readFileSync(bundle, 'utf8').replace(/check\([^\n]*=== "c000", "PINGREQ"\)/, 'check(false, "PINGREQ")');
    expect(broken).not.toBe(readFileSync(bundle, 'utf8'));
    const file = join(work, 'broken.mjs');
    writeFileSync(file, broken);
    const { runSmoke } = (await import(/* @vite-ignore */ pathToFileURL(file).href)) as { runSmoke: () => Promise<SmokeResult[]> };
    const failed = (await runSmoke()).filter((r) => r.failure !== undefined);
    expect(failed.map((r) => r.failure)).toEqual(['Error: PINGREQ']);
  });
});

describe('the same suite in other runtimes', () => {
  const deno = RUNTIMES.deno.path;
  it.skipIf(deno === undefined && !onCi)('Deno, with no permissions', () => {
    expect(deno, RUNTIMES.deno.hint).toBeDefined();
    const r = spawnSync(deno!, ['run', '--quiet', '--no-config', '--no-lock', '--no-remote', '--no-npm', '--no-prompt', join(work, 'run.mjs')], {
      encoding: 'utf8',
      timeout: RUN_TIMEOUT_MS,
      env: { ...process.env, DENO_DIR: join(work, 'deno-dir'), NO_COLOR: '1', DENO_NO_UPDATE_CHECK: '1' },
    });
    expect(parseResults('deno', r.stdout, r.stderr)).toEqual(expected);
    expect(r.status).toBe(0);
  }, 2 * RUN_TIMEOUT_MS);

  const bun = RUNTIMES.bun.path;
  it.skipIf(bun === undefined && !onCi)('Bun', () => {
    expect(bun, RUNTIMES.bun.hint).toBeDefined();
    const r = spawnSync(bun!, [join(work, 'run.mjs')], {
      encoding: 'utf8',
      timeout: RUN_TIMEOUT_MS,
      cwd: work,
      env: { ...process.env, NO_COLOR: '1', BUN_RUNTIME_TRANSPILER_CACHE_PATH: '0', DO_NOT_TRACK: '1' },
    });
    expect(parseResults('bun', r.stdout, r.stderr)).toEqual(expected);
    expect(r.status).toBe(0);
  }, 2 * RUN_TIMEOUT_MS);

  const chromium = RUNTIMES.chromium.path;
  it.skipIf(chromium === undefined && !onCi)('headless Chromium, as a module page served from 127.0.0.1', async () => {
    expect(chromium, RUNTIMES.chromium.hint).toBeDefined();
    const { chromium: driver } = await import('playwright-core');
    const page = `<!doctype html><meta charset="utf-8"><title>mqtt-wire smoke</title>
<script type="module">
import { runSmoke } from './smoke.mjs';
window.__smoke = await runSmoke();
</script>`;
    const files: Record<string, [string, string]> = {
      '/': ['text/html; charset=utf-8', page],
      '/smoke.mjs': ['text/javascript; charset=utf-8', readFileSync(bundle, 'utf8')],
    };
    const server: Server = createServer((req, res) => {
      const file = files[req.url ?? ''];
      res.writeHead(file === undefined ? 404 : 200, { 'content-type': file?.[0] ?? 'text/plain' });
      res.end(file?.[1] ?? 'not found');
    });
    await new Promise<void>((ready) => server.listen(0, '127.0.0.1', ready));
    const { port } = server.address() as { port: number };
    const profile = mkdtempSync(join(work, 'chromium-profile-'));
    let context: Awaited<ReturnType<typeof driver.launchPersistentContext>> | undefined;
    try {
      // a fresh profile directory; no network but the page's own server
      context = await driver.launchPersistentContext(profile, {
        executablePath: chromium!,
        headless: true,
        timeout: RUN_TIMEOUT_MS,
        args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
      });
      const tab = await context.newPage();
      const errors: string[] = [];
      tab.on('pageerror', (e) => errors.push(e.message));
      await tab.goto(`http://127.0.0.1:${port}/`, { timeout: RUN_TIMEOUT_MS });
      await tab.waitForFunction(() => (window as unknown as { __smoke?: unknown }).__smoke !== undefined, undefined, { timeout: RUN_TIMEOUT_MS });
      const results = (await tab.evaluate(() => (window as unknown as { __smoke: unknown }).__smoke)) as SmokeResult[];
      expect(errors).toEqual([]);
      expect(results).toEqual(expected);
      // it ran in the browser, not somewhere else: no Node globals there
      expect(await tab.evaluate(() => typeof (globalThis as Record<string, unknown>)['process'])).toBe('undefined');
    } finally {
      await context?.close();
      await new Promise((done) => server.close(done));
    }
  }, 4 * RUN_TIMEOUT_MS);
});
