// The code blocks of README.md and docs/*.md are checked, so the documentation cannot drift from the code: every
// ```ts block is type-checked by tsc with the repository's compiler options, and every ```ts and ```js block is run.
// Imports of 'mqtt-wire', 'mqtt-wire/arbitraries' and 'mqtt-wire/compat' resolve to the sources. A line
// `expr; // → value` becomes an assertion that `expr` deep-equals `value`. Blocks that talk to a WebSocket get a
// stand-in broker (test/support/fake-websocket.ts): nothing leaves the machine. Other blocks (sh, output) are not run.
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { transformSync } from 'esbuild';
import ts from 'typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeWebSocket } from './support/fake-websocket.js';

const root = resolve(__dirname, '..');
const documents = ['README.md', ...(existsSync(join(root, 'docs')) ? readdirSync(join(root, 'docs')).filter((f) => f.endsWith('.md')).sort().map((f) => `docs/${f}`) : [])];

interface Block {
  /** The document and the line of the block's first code line, as `README.md:27`. */
  where: string;
  doc: string;
  line: number;
  lang: 'ts' | 'js';
  code: string;
}

const LANGS: Record<string, Block['lang']> = { ts: 'ts', typescript: 'ts', js: 'js', javascript: 'js', mjs: 'js' };

/** Fenced blocks whose info string names TypeScript or JavaScript (others are shown, not run). */
function codeBlocks(doc: string): Block[] {
  const text = readFileSync(join(root, doc), 'utf8');
  const blocks: Block[] = [];
  for (const m of text.matchAll(/^```([\w-]*)[^\n]*\n([\s\S]*?)^```\s*$/gm)) {
    const lang = LANGS[m[1]!.toLowerCase()];
    if (lang === undefined) continue;
    const line = text.slice(0, m.index).split('\n').length + 1;
    blocks.push({ where: `${doc}:${line}`, doc, line, lang, code: m[2]! });
  }
  return blocks;
}

const blocks = documents.flatMap(codeBlocks);
const work = mkdtempSync(join(tmpdir(), 'mqtt-wire-readme-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('documentation code blocks', () => {
  it('README.md has examples in TypeScript and JavaScript', () => {
    const readme = blocks.filter((b) => b.doc === 'README.md');
    expect(readme.filter((b) => b.lang === 'ts').length).toBeGreaterThanOrEqual(5);
    expect(readme.some((b) => b.lang === 'js')).toBe(true);
  });

  it('the block finder sees every fenced block, whatever its language', () => {
    // guards the regular expression: a README block it missed would go unchecked
    const text = '# t\n\n```ts\nconst a = 1;\n```\n\ntext\n\n```sh\nls\n```\n\n```js title="x"\nlet b;\n```\n';
    writeFileSync(join(work, 'probe.md'), text);
    const found = codeBlocks(relative(root, join(work, 'probe.md')));
    expect(found.map((b) => [b.lang, b.line, b.code])).toEqual([
      ['ts', 4, 'const a = 1;\n'],
      ['js', 14, 'let b;\n'],
    ]);
  });
});

describe('every ts block type-checks with tsc and the repository compiler options', () => {
  const tsBlocks = blocks.filter((b) => b.lang === 'ts');
  // One program for all blocks, each a module of its own beside the sources (so node_modules resolves as for
  // test files), given to tsc from memory rather than written into the tree.
  const virtual = new Map(tsBlocks.map((b, i) => [join(root, '__docs__', `block-${i + 1}.ts`), b]));
  // a block with a type error, checked in the same program: the check must not pass vacuously
  const control: Block = { where: 'control', doc: 'control', line: 1, lang: 'ts', code: "import { encode } from 'mqtt-wire';\nexport const n: string = encode({ type: 'pingreq' });\n" };
  virtual.set(join(root, '__docs__', 'control.ts'), control);
  let diagnostics = new Map<Block, string[]>();

  beforeAll(() => {
    const config = ts.getParsedCommandLineOfConfigFile(join(root, 'tsconfig.json'), {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: (d) => { throw new Error(ts.flattenDiagnosticMessageText(d.messageText, '\n')); } });
    if (config === undefined) throw new Error('tsconfig.json could not be read');
    const options: ts.CompilerOptions = {
      ...config.options,
      noEmit: true,
      paths: { 'mqtt-wire': [join(root, 'src/index.ts')], 'mqtt-wire/arbitraries': [join(root, 'src/arbitraries.ts')], 'mqtt-wire/compat': [join(root, 'src/compat/index.ts')] },
    };
    const host = ts.createCompilerHost(options);
    const getSourceFile = host.getSourceFile.bind(host);
    host.getSourceFile = (name, languageVersion, onError, shouldCreate) => {
      const block = virtual.get(resolve(name));
      return block !== undefined ? ts.createSourceFile(name, block.code, languageVersion, true) : getSourceFile(name, languageVersion, onError, shouldCreate);
    };
    const fileExists = host.fileExists.bind(host);
    host.fileExists = (name) => virtual.has(resolve(name)) || fileExists(name);
    const readFile = host.readFile.bind(host);
    host.readFile = (name) => virtual.get(resolve(name))?.code ?? readFile(name);
    const program = ts.createProgram([...virtual.keys()], options, host);
    diagnostics = new Map([...virtual.values()].map((b) => [b, []]));
    for (const d of ts.getPreEmitDiagnostics(program)) {
      const block = d.file === undefined ? undefined : virtual.get(resolve(d.file.fileName));
      const message = ts.flattenDiagnosticMessageText(d.messageText, '\n');
      if (block === undefined) {
        // an error outside the blocks (in src/, or the options) would hide theirs: report it against every block
        for (const list of diagnostics.values()) list.push(`${d.file?.fileName ?? 'options'}: ${message}`);
        continue;
      }
      const { line } = d.file!.getLineAndCharacterOfPosition(d.start ?? 0);
      diagnostics.get(block)!.push(`${block.doc}:${block.line + line}: TS${d.code} ${message}`);
    }
  }, 120_000);

  for (const block of tsBlocks) {
    it(`${block.where} (${firstImport(block)})`, () => {
      expect(diagnostics.get(block)).toEqual([]);
    });
  }

  it('tsc finds the error in a block that has one', () => {
    expect(diagnostics.get(control)).toEqual([
      "control:2: TS2322 Type 'Uint8Array<ArrayBufferLike>' is not assignable to type 'string'.",
    ]);
  });
});

function firstImport(block: Block): string {
  return (block.code.split('\n').find((l) => l.startsWith('import')) ?? block.code.split('\n')[0]!).slice(0, 60);
}

const expectations: [actual: unknown, expected: unknown, line: string][] = [];
(globalThis as Record<string, unknown>)['__docExpect'] = (actual: unknown, expected: unknown, line: string) => {
  expectations.push([actual, expected, line]);
};

/** Turns `expr; // → value` lines into recorded comparisons and points the package imports at the sources. */
function instrument(code: string): { code: string; checks: number } {
  let checks = 0;
  const lines = code.split('\n').map((line) => {
    const m = /^(\s*)(.+?);\s*\/\/ → (.+)$/.exec(line);
    if (m === null) return line;
    checks++;
    return `${m[1]}globalThis.__docExpect((${m[2]}), (${m[3]}), ${JSON.stringify(line.trim())});`;
  });
  const src = pathToFileURL(join(root, 'src')).href;
  return {
    code: lines
      .join('\n')
      .replace(/from 'mqtt-wire\/arbitraries'/g, `from '${src}/arbitraries.ts'`)
      .replace(/from 'mqtt-wire\/compat'/g, `from '${src}/compat/index.ts'`)
      .replace(/from 'mqtt-wire'/g, `from '${src}/index.ts'`),
    checks,
  };
}

describe('every ts and js block runs, and its "// →" values hold', () => {
  blocks.forEach((block, i) => {
    it(`${block.where} (${firstImport(block)})`, async () => {
      const { code, checks } = instrument(block.code);
      const js = transformSync(code, { loader: block.lang, format: 'esm' }).code;
      const file = join(work, `block-${i + 1}.mjs`);
      writeFileSync(file, js);
      expectations.length = 0;
      const sockets = FakeWebSocket.install();
      try {
        await import(/* @vite-ignore */ pathToFileURL(file).href);
        // a block that opened a WebSocket runs until the stand-in broker has closed it
        await Promise.all(sockets.map((s) => s.closed));
      } finally {
        FakeWebSocket.uninstall();
      }
      expect(expectations.length).toBe(checks);
      for (const [actual, expected, line] of expectations) expect(actual, line).toEqual(expected);
      for (const s of sockets) expect(s.received.map((p) => p.type), `${block.where}: what the block sent over its WebSocket`).toContain('connect');
    });
  });
});
