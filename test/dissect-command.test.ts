// `mqtt-wire dissect` run as a child process (bundled with esbuild first, as in cli.test.ts).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dissect, fromHex } from '../src/index.js';

const root = join(__dirname, '..');
let dir = '';
let cli = '';
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'mqtt-wire-dissect-'));
  cli = join(dir, 'main.mjs');
  await build({ entryPoints: [join(root, 'src/cli/main.ts')], bundle: true, platform: 'node', format: 'esm', target: 'node20', outfile: cli, logLevel: 'error' });
});
afterAll(() => {
  if (dir !== '') rmSync(dir, { recursive: true, force: true });
});

const run = (args: string[], input = '') => {
  const r = spawnSync(process.execPath, [cli, 'dissect', ...args], { input });
  return { status: r.status, out: r.stdout.toString('utf8'), err: r.stderr.toString('utf8') };
};

const BAD_PUBLISH = '30 0e 0003 612f23 07 230000 0101 0100 78';

describe('mqtt-wire dissect', () => {
  it('prints the field tree with each field\'s bytes, the bit fields, a hex dump and every violation', () => {
    const r = run(['--hex', '--protocol', '5'], BAD_PUBLISH);
    expect(r.status).toBe(1);
    const lines = r.out.split('\n');
    expect(lines[0]).toBe('PUBLISH at byte 0: 16 bytes, protocol level 5, MALFORMED');
    expect(lines.slice(1, 9)).toEqual([
      '       0                     Fixed header',
      '       0  30                   Packet type and flags = 0x30',
      '                                 0011 .... Packet type = 3 (PUBLISH)',
      '                                 .... 0... DUP = false',
      '                                 .... .00. QoS = 0',
      '                                 .... ...0 RETAIN = false',
      '       1  0e                   Remaining Length = 14',
      '       2                     Variable header',
    ]);
    expect(lines).toContain('      13                         Payload Format Indicator = 0 (duplicate)');
    expect(lines).toContain('      15  78                 Payload = hex 78');
    expect(lines).toContain('  000000  30 0e 00 03 61 2f 23 07 23 00 00 01 01 01 00 78  0...a/#.#......x');
    expect(lines.filter((l) => l.startsWith('  ! '))).toEqual([
      '  ! byte 8: MQTT-3.3.2-8 protocol-error 0x94 (Topic Alias invalid): PUBLISH property value must not be 0',
      '  ! byte 13: U5-3.3.2.3-2 protocol-error 0x82 (Protocol Error): PUBLISH: Payload Format Indicator appears more than once',
      "  ! byte 2: MQTT-3.3.2-2 protocol-error 0x90 (Topic Name invalid): PUBLISH Topic Name 'a/#' contains the wildcard '#'",
    ]);
  });

  it('--json: one line per frame with the same tree and violations as dissect(); frames follow one another', () => {
    const stream = '100d00044d5154540502003c000000 ' + BAD_PUBLISH;
    const r = run(['--hex', '--json'], stream);
    expect(r.status).toBe(1);
    const frames = r.out.trim().split('\n').map((l) => JSON.parse(l) as { offset: number; version: number; violations: unknown[]; packet?: unknown; fields: unknown[] });
    expect(frames.map((f) => [f.offset, f.version, f.violations.length, f.packet !== undefined])).toEqual([
      [0, 5, 0, true],
      [15, 5, 3, false],
    ]);
    const d = dissect(fromHex(BAD_PUBLISH), { version: 5 });
    expect(frames[1]!.violations).toEqual(JSON.parse(JSON.stringify(d.violations)));
    expect(frames[1]!.fields).toHaveLength(d.fields.length);
  });

  it('names another protocol at the start of the input', () => {
    const r = run(['--hex'], '16030100c8010000c40303' + '07'.repeat(32));
    expect(r.out).toContain('  this looks like a TLS ClientHello');
  });

  it('bad arguments: exit 2 with the problem named', () => {
    expect(run(['--protocol', '7'])).toMatchObject({ status: 2, err: "mqtt-wire dissect: --protocol must be 3, 4 or 5, got '7'\n" });
    expect(run(['--hex'], 'zz')).toMatchObject({ status: 2 });
  });
});
