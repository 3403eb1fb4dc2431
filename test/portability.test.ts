// The codec must run unchanged outside Node (browsers, Deno, Bun, workers): bundling it for the browser with
// nothing external must succeed and leave no trace of Node (built-in imports, Buffer, process, require). The
// arbitraries entry is held to the same rule with fast-check as its one external. Then the package as published
// (npm pack): what it ships, and the `exports` map resolving from both module systems. The same smoke suite run in
// Chromium, Deno and Bun is test/portability-runtimes.test.ts.

import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type BuildResult, type Metafile } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');

/** Bundles one entry for the browser in memory; returns the single output's text and the metafile. */
async function bundleForBrowser(entry: string, external: string[]): Promise<{ text: string; metafile: Metafile }> {
  const result: BuildResult<{ write: false; metafile: true }> = await build({
    entryPoints: [join(ROOT, entry)],
    bundle: true,
    platform: 'browser',
    format: 'esm',
    target: 'es2022',
    write: false,
    metafile: true,
    external,
    logLevel: 'silent',
  });
  expect(result.errors).toStrictEqual([]);
  expect(result.outputFiles).toHaveLength(1);
  return { text: result.outputFiles[0]!.text, metafile: result.metafile };
}

/** Every trace of Node in bundled code, as `label: excerpt` lines (empty when there is none). */
function nodeTraces(text: string): string[] {
  const patterns: [string, RegExp][] = [
    ['Buffer', /\bBuffer\b/g],
    ['process', /\bprocess\b/g],
    ['require(', /\brequire\s*\(/g],
    ['node: import', /["']node:[a-z_/]+["']/g],
    ['__dirname/__filename', /\b__(?:dirname|filename)\b/g],
  ];
  const found: string[] = [];
  for (const [label, re] of patterns) {
    for (const m of text.matchAll(re)) found.push(`${label}: …${text.slice(Math.max(0, m.index - 40), m.index + 40)}…`);
  }
  return found;
}

const NODE_BUILTINS = new Set(
  [
    'assert', 'buffer', 'child_process', 'crypto', 'events', 'fs', 'net', 'os', 'path', 'process', 'stream', 'tls',
    'url', 'util', 'worker_threads', 'zlib', 'string_decoder',
  ],
);

describe('browser bundle', () => {
  it('src/index.ts bundles for the browser with nothing external and no trace of Node', async () => {
    const { text, metafile } = await bundleForBrowser('src/index.ts', []);
    expect(nodeTraces(text)).toStrictEqual([]);
    const [output] = Object.values(metafile.outputs);
    // nothing left to import at run time: every module came from src/
    expect(output!.imports).toStrictEqual([]);
    const inputs = Object.keys(metafile.inputs).map((p) => relative(ROOT, join(process.cwd(), p)));
    expect(inputs.filter((p) => !p.startsWith('src/') || p.startsWith('src/cli/'))).toStrictEqual([]);
    // the bundle really holds the codec (guards against an empty entry passing)
    expect(text).toMatch(/function decode\(/);
  });

  it('src/arbitraries.ts bundles for the browser with only fast-check external and no trace of Node', async () => {
    const { text, metafile } = await bundleForBrowser('src/arbitraries.ts', ['fast-check']);
    expect(nodeTraces(text)).toStrictEqual([]);
    const [output] = Object.values(metafile.outputs);
    expect(output!.imports.map((i) => i.path)).toStrictEqual(['fast-check']);
    expect(output!.imports.every((i) => i.external)).toBe(true);
    for (const i of output!.imports) expect(NODE_BUILTINS.has(i.path.replace(/^node:/, ''))).toBe(false);
    expect(text).toMatch(/function packetArbitrary\(/);
  });

  it('the arbitraries tree-shake: importing one leaves the packet arbitraries and the encoder out', async () => {
    const result = await build({
      stdin: { contents: "export { topicNameArbitrary } from './src/arbitraries.ts';", resolveDir: ROOT, loader: 'ts' },
      bundle: true,
      platform: 'browser',
      format: 'esm',
      write: false,
      external: ['fast-check'],
      logLevel: 'silent',
    });
    const text = result.outputFiles[0]!.text;
    expect(text).toMatch(/function topicNameArbitrary\(/);
    expect(text).not.toMatch(/function (connectArbitrary|packetArbitrary|frameArbitrary|propertiesArbitrary)\(/);
    expect(text).not.toMatch(/function (encode|decode|writeConnect|readPublish)\(/);
  });

  it('the trace check finds Node use when there is some', () => {
    // the checker above must not pass vacuously
    expect(nodeTraces('const b = Buffer.from(x); if (process.env.X) require("fs"); import "node:fs";')).toHaveLength(4);
  });
});

describe('package exports', () => {
  // The package as published: the tracked files of the checkout copied to a scratch directory (node_modules
  // linked), packed by `npm pack` (whose prepack script builds dist/), and the tarball unpacked as
  // node_modules/mqtt-wire of a scratch project that has fast-check beside it. So these tests see what a user
  // installs, and a stale dist/ in the checkout decides nothing.
  let pkgDir = '';
  let packed: string[] = [];

  beforeAll(() => {
    const scratch = mkdtempSync(join(tmpdir(), 'mqtt-wire-pack-'));
    const source = join(scratch, 'source');
    const listed = execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard', '-z'], { cwd: ROOT, encoding: 'utf8' });
    for (const file of listed.split('\0')) {
      if (file === '' || !existsSync(join(ROOT, file))) continue;
      mkdirSync(dirname(join(source, file)), { recursive: true });
      copyFileSync(join(ROOT, file), join(source, file));
    }
    symlinkSync(join(ROOT, 'node_modules'), join(source, 'node_modules'), 'dir');
    const out = execFileSync('npm', ['pack', '--json', '--pack-destination', scratch], { cwd: source, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    const [info] = JSON.parse(out.slice(out.lastIndexOf('[\n  {'))) as { filename: string; files: { path: string }[] }[];
    packed = info!.files.map((f) => f.path).sort();
    pkgDir = join(scratch, 'project');
    const installed = join(pkgDir, 'node_modules', 'mqtt-wire');
    mkdirSync(installed, { recursive: true });
    execFileSync('tar', ['-xzf', join(scratch, info!.filename), '-C', installed, '--strip-components=1']);
    symlinkSync(join(ROOT, 'node_modules', 'fast-check'), join(pkgDir, 'node_modules', 'fast-check'), 'dir');
    writeFileSync(join(pkgDir, 'package.json'), '{ "name": "user-project", "private": true }\n');
  }, 240_000);

  afterAll(() => {
    if (pkgDir !== '') rmSync(dirname(pkgDir), { recursive: true, force: true });
  });

  it('npm pack ships dist/ (built by prepack), the CLI, the sources, README and LICENSE, and nothing else', () => {
    for (const f of [
      'dist/index.js',
      'dist/index.cjs',
      'dist/index.d.ts',
      'dist/index.d.cts',
      'dist/arbitraries.js',
      'dist/arbitraries.cjs',
      'dist/arbitraries.d.ts',
      'dist/arbitraries.d.cts',
      'dist/cli/main.js',
      'src/index.ts',
      'LICENSE',
      'README.md',
      'package.json',
    ]) {
      expect(packed, f).toContain(f);
    }
    expect(packed.filter((f) => !/^(dist|src)\/|^(LICENSE|README\.md|package\.json)$/.test(f))).toEqual([]);
    expect(readFileSync(join(pkgDir, 'node_modules/mqtt-wire/LICENSE'), 'utf8')).toMatch(/^MIT License\n\nCopyright \(c\) 2026 mqtt-wire contributors\n/);
  });

  it('the packed CLI runs: --version and a decode of a bundled session', () => {
    const cli = join(pkgDir, 'node_modules/mqtt-wire/dist/cli/main.js');
    expect(readFileSync(cli, 'utf8').startsWith('#!/usr/bin/env node')).toBe(true);
    expect(runNode([cli, '--version'])).toBe(JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).version);
    expect(runNode([cli, 'decode', join(ROOT, 'fixtures/session-311.bin')])).toBe(readFileSync(join(ROOT, 'fixtures/session-311.decode.txt'), 'utf8').trim());
  });

  /** Runs a script with Node from the package root, where `mqtt-wire` resolves to the package itself. */
  function runNode(args: string[]): string {
    return execFileSync(process.execPath, args, { cwd: pkgDir, encoding: 'utf8' }).trim();
  }

  // a PINGREQ round trip through the loaded entry: C0 00
  const ROUND_TRIP = `const f = m.encode({ type: 'pingreq' }); console.log(Array.from(f).join(','), m.decode(f).type, typeof m.MqttError);`;

  it("import('mqtt-wire') loads the ESM build", () => {
    expect(runNode(['--input-type=module', '-e', `const m = await import('mqtt-wire'); ${ROUND_TRIP}`])).toBe('192,0 pingreq function');
  });

  it("require('mqtt-wire') loads the CommonJS build", () => {
    expect(runNode(['-e', `const m = require('mqtt-wire'); ${ROUND_TRIP}`])).toBe('192,0 pingreq function');
  });

  it('mqtt-wire/arbitraries loads from both module systems and generates encodable packets', () => {
    const script = (load: string): string =>
      `${load}; const w = ${load.includes('import') ? "await import('mqtt-wire')" : "require('mqtt-wire')"};` +
      `const fc = ${load.includes('import') ? "await import('fast-check')" : "require('fast-check')"};` +
      `const ps = fc.sample(a.packetArbitrary(5), { numRuns: 50, seed: 7 });` +
      `console.log(ps.every((p) => w.decode(w.encode(p, { version: 5 }), { version: 5 }).type === p.type), ps.length);`;
    expect(runNode(['--input-type=module', '-e', script("const a = await import('mqtt-wire/arbitraries')")])).toBe('true 50');
    expect(runNode(['-e', script("const a = require('mqtt-wire/arbitraries')")])).toBe('true 50');
  });

  it('package.json is exported and names the entries with types first', async () => {
    const pkg = (await import('../package.json', { with: { type: 'json' } })).default as {
      exports: Record<string, Record<string, Record<string, string>> | string>;
    };
    for (const entry of ['.', './arbitraries']) {
      const conditions = pkg.exports[entry] as Record<string, Record<string, string>>;
      for (const kind of ['import', 'require']) expect(Object.keys(conditions[kind]!)[0]).toBe('types');
    }
    expect(runNode(['-e', "console.log(require('mqtt-wire/package.json').name)"])).toBe('mqtt-wire');
  });
});
