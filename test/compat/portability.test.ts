// The compat layer runs wherever the codec runs: it imports nothing from Node, and where there is no Buffer it
// works on Uint8Arrays (a browser, Deno, a worker). Here: bundled for the browser with nothing external, then run
// in a bare V8 context (no Buffer, no process) to parse, generate and write.

import { runInNewContext } from 'node:vm';
import { join, resolve } from 'node:path';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../..');

async function bundle(format: 'esm' | 'iife'): Promise<string> {
  const out = await build({
    entryPoints: [join(ROOT, 'src/compat/index.ts')],
    bundle: true,
    platform: 'browser',
    format,
    globalName: 'compat',
    target: 'es2022',
    // no comments in the output: only code is searched below
    minifyWhitespace: true,
    write: false,
    logLevel: 'silent',
  });
  expect(out.errors).toStrictEqual([]);
  return out.outputFiles[0]!.text;
}

describe('mqtt-wire/compat outside Node', () => {
  it('bundles for the browser with nothing external: no require, no node: import, Buffer and process only looked up on globalThis', async () => {
    const text = await bundle('esm');
    expect(text).not.toMatch(/\brequire\s*\(/);
    expect(text).not.toMatch(/["']node:/);
    // Buffer and process are only read as properties of globalThis (and named in one message), never used bare
    const mentions = [...text.matchAll(/\b(?:Buffer|process)\b/g)].map((m) => text.slice(m.index - 11, m.index + m[0].length));
    expect(mentions).toStrictEqual(['globalThis.Buffer', 'globalThis.process', ' expects a Buffer']);
  });

  it('in a context without Buffer and process: parses to Uint8Array fields, generates Uint8Arrays, uncorks in a microtask', async () => {
    const code = await bundle('iife');
    const results: Record<string, unknown> = {};
    const done = new Promise<void>((resolvePromise) => {
      // TextEncoder and TextDecoder are not part of the language: the context gets its own, over the host's, so that
      // the arrays the code sees are the context's own Uint8Arrays
      const context = {
        hostEncode: (s: string) => Array.from(new TextEncoder().encode(s)),
        hostDecode: (bytes: number[], fatal: boolean) => new TextDecoder('utf-8', { fatal, ignoreBOM: true }).decode(Uint8Array.from(bytes)),
        queueMicrotask,
        results,
        finish: resolvePromise,
      };
      runInNewContext(
        `class TextEncoder {
          encode(s) { return new Uint8Array(hostEncode(s)); }
          encodeInto(s, dest) { const b = hostEncode(s); dest.set(b); return { read: s.length, written: b.length }; }
        }
        class TextDecoder {
          constructor(label, options = {}) { this.fatal = options.fatal === true; }
          decode(bytes) { return hostDecode(Array.from(bytes), this.fatal); }
        }
        ${code};
        results.hasBuffer = typeof Buffer !== 'undefined';
        const frame = compat.generate({ cmd: 'publish', topic: 'a/b', payload: 'hi', qos: 1, messageId: 7 });
        results.frameKind = Object.prototype.toString.call(frame) + ' ' + frame.constructor.name;
        results.frame = Array.from(frame);
        const p = compat.parser();
        p.on('packet', (packet) => {
          results.topic = packet.topic;
          results.payloadKind = packet.payload.constructor.name;
          results.payload = Array.from(packet.payload);
        });
        p.parse(frame);
        const calls = [];
        const stream = { cork: () => calls.push('cork'), uncork: () => calls.push('uncork'), write: (c) => (calls.push(c.constructor.name), true), destroy: () => calls.push('destroy') };
        compat.writeToStream({ cmd: 'pingreq' }, stream);
        results.syncCalls = calls.slice();
        queueMicrotask(() => queueMicrotask(() => { results.laterCalls = calls.slice(); finish(); }));`,
        context,
      );
    });
    await done;
    // arrays made in the context have its prototypes: compared as JSON
    expect(JSON.parse(JSON.stringify(results))).toStrictEqual({
      hasBuffer: false,
      frameKind: '[object Uint8Array] Uint8Array',
      frame: [0x32, 9, 0, 3, 0x61, 0x2f, 0x62, 0, 7, 0x68, 0x69],
      topic: 'a/b',
      payloadKind: 'Uint8Array',
      payload: [0x68, 0x69],
      syncCalls: ['cork', 'Uint8Array'],
      laterCalls: ['cork', 'Uint8Array', 'uncork'],
    });
  });
});
