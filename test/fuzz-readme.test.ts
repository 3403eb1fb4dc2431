// Runs the worked example of fuzzing a broker in docs/fuzzing.md (the ```ts-mosquitto block) against a mosquitto started here,
// so the example and what it says mosquitto does cannot drift. As in readme.test.ts, a line `expr; // → value`
// asserts that `expr` deep-equals `value`, and imports of 'mqtt-wire' resolve to the sources.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { transformSync } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { INSTALL_HINT, findExecutable, startMosquitto, type MosquittoBroker } from './interop/mosquitto-process.js';

const root = resolve(__dirname, '..');
const blocks = [...readFileSync(join(root, 'docs', 'fuzzing.md'), 'utf8').matchAll(/```ts-mosquitto\n([\s\S]*?)```/g)].map((m) => m[1]!);

const haveMosquitto = findExecutable('mosquitto') !== undefined && findExecutable('mosquitto_passwd') !== undefined;
const onCi = (process.env.CI ?? '') !== '' && process.env.CI !== 'false';
const skip = !haveMosquitto && !onCi;
if (skip) console.warn(`\n*** README fuzzing example SKIPPED: mosquitto is not on PATH; ${INSTALL_HINT} ***\n`);

const checks: [actual: unknown, expected: unknown, line: string][] = [];
(globalThis as Record<string, unknown>)['__exampleExpect'] = (actual: unknown, expected: unknown, line: string) => {
  checks.push([actual, expected, line]);
};

function instrument(code: string): { code: string; count: number } {
  let count = 0;
  const src = pathToFileURL(join(root, 'src')).href;
  const lines = code.split('\n').map((line) => {
    const m = /^(\s*)(.+?);\s*\/\/ → (.+)$/.exec(line);
    if (m === null) return line;
    count++;
    return `${m[1]}globalThis.__exampleExpect((${m[2]}), (${m[3]}), ${JSON.stringify(line.trim())});`;
  });
  const ts = lines
    .join('\n')
    .replace(/from 'mqtt-wire\/arbitraries'/g, `from '${src}/arbitraries.ts'`)
    .replace(/from 'mqtt-wire'/g, `from '${src}/index.ts'`);
  return { code: transformSync(`declare const globalThis: any;\n${ts}`, { loader: 'ts', format: 'esm' }).code, count };
}

describe.skipIf(skip)('README: fuzzing a broker with sessionArbitrary', () => {
  let broker: MosquittoBroker;
  const work = mkdtempSync(join(tmpdir(), 'mqtt-wire-fuzz-readme-'));
  beforeAll(async () => {
    broker = await startMosquitto();
  });
  afterAll(async () => {
    if (broker !== undefined) await broker.stop();
    rmSync(work, { recursive: true, force: true });
  });

  it('has the example', () => {
    expect(blocks).toHaveLength(1);
  });

  blocks.forEach((block, i) => {
    it(`example ${i + 1} runs against mosquitto and its "// →" values hold`, async () => {
      const { code, count } = instrument(block);
      const file = join(work, `example-${i + 1}.mjs`);
      writeFileSync(file, code);
      process.env.MQTT_PORT = String(broker.port);
      checks.length = 0;
      await import(pathToFileURL(file).href);
      expect(checks.length).toBe(count);
      for (const [actual, expected, line] of checks) expect(actual, line).toEqual(expected);
    });
  });
});
