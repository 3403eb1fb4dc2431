// Installs npm packages into a scratch directory with `mqtt-packet` swapped for mqtt-wire's compat layer by an npm
// `overrides` entry, the way a user would. The swap package (packages/mqtt-wire-compat) is built from the sources
// here and packed, so nothing depends on a previous `npm run build`. Used by scripts/test-aedes.mjs and by the
// real-program tests (test/compat/real-programs.test.ts).

import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const SWAP_DIR = join(ROOT, 'packages/mqtt-wire-compat');
const NPM = process.platform === 'win32' ? 'npm.cmd' : 'npm';

/** A new directory under the OS's temporary directory. */
export function scratchDir(label) {
  return mkdtempSync(join(tmpdir(), `mqtt-wire-${label}-`));
}

function npm(args, cwd) {
  return execFileSync(NPM, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 300_000 });
}

/**
 * Builds the swap package from src/compat into `dir` (as `npm run build` would: one CommonJS file) and packs it.
 * Returns the path of the tarball.
 */
export async function packSwap(dir) {
  const pkg = join(dir, 'swap');
  mkdirSync(join(pkg, 'dist'), { recursive: true });
  copyFileSync(join(SWAP_DIR, 'package.json'), join(pkg, 'package.json'));
  copyFileSync(join(SWAP_DIR, 'README.md'), join(pkg, 'README.md'));
  await build({
    entryPoints: [join(ROOT, 'src/compat/index.ts')],
    outfile: join(pkg, 'dist/mqtt-wire-compat.cjs'),
    bundle: true,
    format: 'cjs',
    platform: 'node',
    target: 'node20',
    logLevel: 'warning',
  });
  const [{ filename }] = JSON.parse(npm(['pack', '--pack-destination', dir, '--json'], pkg));
  return join(dir, filename);
}

/**
 * Writes `manifest` (a package.json object) into `dir`, with `mqtt-packet` overridden by the swap tarball, and
 * installs. A project that depends on mqtt-packet itself gets the tarball as that dependency too (npm refuses an
 * override that conflicts with a direct dependency). Returns the manifest written.
 */
export function installWithSwap(dir, manifest, tarball) {
  const m = structuredClone(manifest);
  const spec = `file:${tarball}`;
  if (m.dependencies?.['mqtt-packet'] !== undefined) {
    m.dependencies['mqtt-packet'] = spec;
    m.overrides = { ...m.overrides, 'mqtt-packet': '$mqtt-packet' };
  } else {
    m.overrides = { ...m.overrides, 'mqtt-packet': spec };
  }
  writeFileSync(join(dir, 'package.json'), `${JSON.stringify(m, null, 2)}\n`);
  npm(['install', '--no-audit', '--no-fund', '--prefer-offline'], dir);
  return m;
}

/** Every installed copy of mqtt-packet under `dir`, as [path, package name] pairs (each should be the swap). */
export function installedMqttPacket(dir) {
  const found = [];
  const walk = (nodeModules) => {
    let entries;
    try {
      entries = readdirSync(nodeModules, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      if (!e.isDirectory()) continue;
      const p = join(nodeModules, e.name);
      if (e.name.startsWith('@')) {
        walk(p);
        continue;
      }
      if (e.name === 'mqtt-packet') found.push([p, JSON.parse(readFileSync(join(p, 'package.json'), 'utf8')).name]);
      walk(join(p, 'node_modules'));
    }
  };
  walk(join(dir, 'node_modules'));
  return found;
}

/** Downloads and unpacks an npm package's tarball into `dir`/package (for suites shipped inside it). */
export function unpackFromRegistry(dir, spec) {
  const out = npm(['pack', spec, '--pack-destination', dir, '--json'], dir);
  const [{ filename }] = JSON.parse(out);
  execFileSync('tar', ['xzf', join(dir, filename), '-C', dir]);
  return join(dir, 'package');
}
