// The bench harness still runs: every default workload of bench/ratios.mjs sets up, passes its equal-work checks
// (mqtt-packet's frames equal ours, FrameWriter's output equals encode's, both decoders return every packet) and
// reports its rows. A smoke run with the shortest settings: it asserts no timing, only that the tables are whole.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '..');

describe('bench/ratios.mjs', () => {
  it('runs every default workload once and prints the tables, marked not for publishing', () => {
    const r = spawnSync(process.execPath, ['bench/ratios.mjs', '--quick', '--processes=1', '--rounds=2', '--slice-ms=1'], {
      cwd: root,
      encoding: 'utf8',
      timeout: 300_000,
    });
    expect(r.stderr).not.toMatch(/bench check failed|Error/);
    expect(r.status).toBe(0);
    const out = r.stdout;
    expect(out).toMatch(/^> Not for publishing: a --quick run; 1 process\(es\) per workload, fewer than 5/m);
    // one row per ratio and fact, each workload present
    for (const row of [
      /^\| w1 decode \| PacketDecoder vs mqtt-packet parser \| [\d.]+× \|/m,
      /^\| w1 decode \| time of PacketDecoder \/ time of the floor loop \| [\d.]+ \|/m,
      /^\| w2 encode \| encode vs mqtt-packet generate \| [\d.]+× \| [\d.]+×–[\d.]+× \| ≥ 6× \|/m,
      /^\| w2 encodeInto \| encodeInto one buffer vs mqtt-packet generate \+ copy \| [\d.]+× \| [\d.]+×–[\d.]+× \| ≥ 10× \|/m,
      // both APIs in one process: shown, with no target
      /^\| w2 both \| encode vs mqtt-packet generate, in a process that also runs encodeInto \| [\d.]+× \| [\d.]+×–[\d.]+× \|  \|  \|$/m,
      /^\| w2 both \| encodeInto one buffer vs mqtt-packet generate \+ copy, in a process that also runs encode \|/m,
      /^\| w3 encodeInto \| encodeInto one buffer vs mqtt-packet generate \+ copy \|/m,
      /^\| w3 both \| encode vs mqtt-packet generate, in a process that also runs encodeInto \|/m,
      /^\| w3 decode \| PacketDecoder vs mqtt-packet parser \|/m,
      /^\| w3 encode \| encode vs mqtt-packet generate \|/m,
      /^\| w4 decode \|/m,
      /^\| w4 encode \|/m,
      // exact, not timed: the copies test/copies.test.ts counts, counted again in the bench process
      /^\| w5 \| copies of the payload bytes, 16 chunks \(bytes copied \/ frame size\) \| 1 \| exact \| = 1 \| met \|$/m,
      /^\| w5 \| time of PacketDecoder \/ time of one copy into a reused buffer \| [\d.]+ \|/m,
      /^\| w8 batch \| FrameWriter \(flush every 100 frames\) vs mqtt-packet generate of each frame \| [\d.]+× \|/m,
      /^\| full codec \(every export of src\/index.ts\) \| [\d,]+ B \| [\d,]+ B \|$/m,
    ]) {
      expect(out).toMatch(row);
    }
    expect(out).toMatch(/^Measured .* on .* Node v\d+/m);
  });

  it('README.md and docs/performance.md hold the tables of bench/results/ratios.md, a run fit to publish', () => {
    const md = readFileSync(resolve(root, 'bench/results/ratios.md'), 'utf8').trimEnd();
    const block = (file: string) => {
      const text = readFileSync(resolve(root, file), 'utf8');
      const m = /<!-- bench\/results\/ratios\.md -->\n([\s\S]*?)\n<!-- end of bench\/results\/ratios\.md -->/.exec(text);
      expect(m, `${file} has the block`).not.toBeNull();
      return m![1]!;
    };
    expect(md).not.toMatch(/Not for publishing/);
    expect(md).toMatch(/^Measured .* Each workload ran in [5-9] separate processes/);
    expect(block('docs/performance.md')).toBe(md);
    const [head, ratios] = md.split('\n\n');
    expect(block('README.md')).toBe(`${head}\n\n${ratios}`);
    expect(ratios).toMatch(/^\| workload \| measure \| median \| range over \d+ processes \| target \| \|$/m);
  });
});
