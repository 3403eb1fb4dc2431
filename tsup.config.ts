import { defineConfig } from 'tsup';

export default defineConfig([
  {
    entry: { index: 'src/index.ts', arbitraries: 'src/arbitraries.ts', cases: 'src/cases.ts', compat: 'src/compat/index.ts' },
    format: ['esm', 'cjs'],
    dts: true,
    clean: true,
    sourcemap: true,
    target: 'es2022',
    platform: 'neutral',
    external: ['fast-check'],
    // CommonJS too shares one copy of the core between the entries, so that an MqttError thrown through
    // mqtt-wire/compat or mqtt-wire/arbitraries is `instanceof` the MqttError of mqtt-wire
    splitting: true,
  },
  {
    // the swap package for npm `overrides` (packages/mqtt-wire-compat): mqtt-wire/compat in one CommonJS file, as
    // mqtt-packet is one CommonJS package. Platform node only for esbuild's note of the export names, which lets
    // Node's ESM `import { parser } from 'mqtt-packet'` find them; the code imports nothing from Node. A name of its
    // own and no `clean`, so that a build with --out-dir (test/portability.test.ts) leaves the codec's files alone.
    entry: { 'mqtt-wire-compat': 'src/compat/index.ts' },
    outDir: 'packages/mqtt-wire-compat/dist',
    format: ['cjs'],
    dts: true,
    target: 'node20',
    platform: 'node',
  },
  {
    entry: { 'cli/main': 'src/cli/main.ts' },
    format: ['esm'],
    target: 'node20',
    platform: 'node',
    banner: { js: '#!/usr/bin/env node' },
  },
]);
