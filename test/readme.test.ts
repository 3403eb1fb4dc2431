// Runs every ```ts example of README.md, so the README cannot drift from the code. A line `expr; // → value`
// becomes an assertion that `expr` deep-equals `value`; imports of 'mqtt-wire' resolve to the sources.
import { readFileSync, mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { transformSync } from 'esbuild';
import { afterAll, describe, expect, it } from 'vitest';

const root = resolve(__dirname, '..');
const readme = readFileSync(join(root, 'README.md'), 'utf8');
const blocks = [...readme.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]!);
const work = mkdtempSync(join(tmpdir(), 'mqtt-wire-readme-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const expectations: [actual: unknown, expected: unknown, line: string][] = [];
(globalThis as Record<string, unknown>)['__readmeExpect'] = (actual: unknown, expected: unknown, line: string) => {
  expectations.push([actual, expected, line]);
};

function instrument(code: string): { code: string; checks: number } {
  let checks = 0;
  const lines = code.split('\n').map((line) => {
    const m = /^(\s*)(.+?);\s*\/\/ → (.+)$/.exec(line);
    if (m === null) return line;
    checks++;
    return `${m[1]}__readmeExpect((${m[2]}), (${m[3]}), ${JSON.stringify(line.trim())});`;
  });
  const src = pathToFileURL(join(root, 'src')).href;
  return {
    code: lines
      .join('\n')
      .replace(/from 'mqtt-wire\/arbitraries'/g, `from '${src}/arbitraries.ts'`)
      .replace(/from 'mqtt-wire'/g, `from '${src}/index.ts'`)
      .replace(/declare const __readmeExpect.*\n/, ''),
    checks,
  };
}

describe('README examples', () => {
  it('has examples', () => {
    expect(blocks.length).toBeGreaterThanOrEqual(5);
  });
  blocks.forEach((block, i) => {
    const firstLine = block.split('\n').find((l) => l.startsWith('import')) ?? '';
    it(`example ${i + 1} runs and its "// →" values hold (${firstLine.slice(0, 60)})`, async () => {
      const { code, checks } = instrument(block);
      const js = transformSync(`declare function __readmeExpect(a: unknown, b: unknown, l: string): void;\n${code}`, {
        loader: 'ts',
        format: 'esm',
      }).code.replace(/__readmeExpect\(/g, 'globalThis.__readmeExpect(');
      const file = join(work, `example-${i + 1}.ts`);
      writeFileSync(file, js);
      expectations.length = 0;
      await import(/* @vite-ignore */ pathToFileURL(file).href);
      expect(expectations.length).toBe(checks);
      for (const [actual, expected, line] of expectations) {
        expect(actual, line).toEqual(expected);
      }
    });
  });
});
