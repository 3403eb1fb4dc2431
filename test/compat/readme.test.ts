// Runs the JavaScript example of the README's "mqtt-packet compatibility" section, as test/readme.test.ts runs the
// others: a line `expr; // → value` asserts that `expr` deep-equals `value`; 'mqtt-wire/compat' is the sources.

import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { transformSync } from 'esbuild';
import { afterAll, describe, expect, it } from 'vitest';
import '../support/byte-equality.js';

const ROOT = resolve(import.meta.dirname, '../..');
const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
const start = readme.indexOf('## mqtt-packet compatibility');
const section = readme.slice(start, readme.indexOf('\n## ', start + 1));
const blocks = [...section.matchAll(/```js\n([\s\S]*?)```/g)].map((m) => m[1]!);
const work = mkdtempSync(join(tmpdir(), 'mqtt-wire-compat-readme-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const seen: [actual: unknown, expected: unknown, line: string][] = [];
(globalThis as Record<string, unknown>)['__compatReadmeExpect'] = (actual: unknown, expected: unknown, line: string): void => {
  seen.push([actual, expected, line]);
};

describe("the README's mqtt-packet compatibility example", () => {
  it('exists', () => {
    expect(start).toBeGreaterThan(0);
    expect(blocks).toHaveLength(1);
  });

  blocks.forEach((block, i) => {
    it(`example ${i + 1} runs and its "// →" values hold`, async () => {
      let checks = 0;
      const code = block
        .split('\n')
        .map((line) => {
          const m = /^(\s*)(.+?);\s*\/\/ → (.+)$/.exec(line);
          if (m === null) return line;
          checks++;
          return `${m[1]}globalThis.__compatReadmeExpect((${m[2]}), (${m[3]}), ${JSON.stringify(line.trim())});`;
        })
        .join('\n')
        .replace(/from 'mqtt-wire\/compat'/g, `from '${pathToFileURL(join(ROOT, 'src/compat/index.ts')).href}'`);
      const file = join(work, `example-${i + 1}.mjs`);
      writeFileSync(file, transformSync(code, { loader: 'js', format: 'esm' }).code);
      seen.length = 0;
      await import(/* @vite-ignore */ pathToFileURL(file).href);
      expect(checks).toBeGreaterThan(0);
      expect(seen).toHaveLength(checks);
      for (const [actual, expected, line] of seen) expect(actual, line).toEqual(expected);
    });
  });
});
