// Bundle size of the codec as a browser or edge user ships it: esbuild --minify of the sources, then gzip (node:zlib
// defaults), the same measure `npm run bench` prints. Sizes are deterministic for a given esbuild, so these are
// exact limits, not timings.
import { resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '..');

async function minGzip(contents: string): Promise<{ minified: number; gzip: number; code: string }> {
  const out = await build({
    stdin: { contents, resolveDir: root, loader: 'ts' },
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'neutral',
    target: 'es2022',
    write: false,
  });
  const bytes = out.outputFiles[0]!.contents;
  return { minified: bytes.length, gzip: gzipSync(bytes).length, code: out.outputFiles[0]!.text };
}

describe('bundle size (esbuild --minify + gzip)', () => {
  it('a decode-only import stays under 12 KB: the encoder, streams, JSON form and topic helpers tree-shake away', async () => {
    const decodeOnly = await minGzip("export { decode } from './src/index.ts';");
    const full = await minGzip("export * from './src/index.ts';");
    expect(decodeOnly.gzip).toBeLessThan(12 * 1024);
    // the encoder's and the JSON form's entry points are really gone, not merely small
    expect(decodeOnly.code).not.toContain('remain in the target');
    expect(full.code).toContain('remain in the target');
    expect(decodeOnly.code).not.toContain('TransformStream');
    // nor the inspection pass (dissect)
    expect(decodeOnly.code).not.toContain('Trailing bytes');
    expect(decodeOnly.gzip).toBeLessThan(full.gzip * 0.6);
  });

  // The target was 12 KB for the whole codec; it is not met (16.4 KB when this test was written, 22.5 KB once the
  // second release added options checks, replyFor/toVersion, the one-record-per-packet encoder, the one-pass
  // property encoder and FrameWriter). About a third of the minified bytes are error messages, which name the
  // packet, field and rule and must stay as they are, and the rest is the checks themselves: see the README
  // (Performance). `dissect` (the inspection pass, its field names and notes) adds about 6 KB; it tree-shakes away
  // for a user who does not import it (the decode-only bundle above has none of it), so its share comes on top.
  // This ceiling stops unnoticed growth meanwhile.
  it('the full codec (every export of src/index.ts) stays under 23 KB, plus 7 KB for dissect', async () => {
    const full = await minGzip("export * from './src/index.ts';");
    expect(full.gzip).toBeLessThan(30 * 1024);
    // no Node built-in can have been bundled in: the build above is platform-neutral and would have failed
    expect(full.code).not.toMatch(/\bBuffer\b/);
  });
});
