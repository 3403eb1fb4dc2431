// The fuzz loop of `npm run fuzz` (scripts/fuzz-engine.ts): a short budget on the codec finds nothing, and each
// kind of fault planted in a copy of the codec is found and reported with a shrunk input.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runFuzz, type Capture, type FindingKind, type FuzzReport, type Subject } from '../scripts/fuzz-engine.js';
import * as codec from '../src/index.js';
import { MqttError, type Packet } from '../src/index.js';

const root = resolve(__dirname, '..');
const index = JSON.parse(readFileSync(join(root, 'fixtures', 'captures', 'index.json'), 'utf8')) as {
  captures: { name: string; version: 3 | 4 | 5; c2s: { file: string }; s2c: { file: string } }[];
};
const captures: Capture[] = index.captures.flatMap((c) =>
  (['c2s', 's2c'] as const).map((dir) => ({
    name: `${c.name}.${dir}`,
    version: c.version,
    bytes: new Uint8Array(readFileSync(join(root, 'fixtures', 'captures', c[dir].file))),
  })),
);

const kinds = (r: FuzzReport): FindingKind[] => [...new Set(r.findings.map((f) => f.kind))].sort();

describe('fuzz engine', () => {
  it('a short budget on the codec: every source runs, nothing is found', () => {
    const report = runFuzz({ runs: 20_000, seed: 20_240_601, captures, linearEvery: 0 });
    expect(report.findings).toEqual([]);
    expect(Object.keys(report.sources).sort()).toEqual([
      'capture',
      'capture mutated',
      'malformed case',
      'malformed case mutated',
      'mutated frame',
      'random bytes',
      'random frame',
      'valid frames',
    ]);
    expect(report.packets).toBeGreaterThan(10_000);
    expect(report.refusals).toBeGreaterThan(10_000);
  });

  it('the same seed replays the same inputs', () => {
    const a = runFuzz({ runs: 2000, seed: 99, captures, linearEvery: 0 });
    const b = runFuzz({ runs: 2000, seed: 99, captures, linearEvery: 0 });
    expect(b.sources).toEqual(a.sources);
    expect([b.packets, b.refusals]).toEqual([a.packets, a.refusals]);
  });

  it('finds an exception that is not an MqttError, with the input shrunk', () => {
    const subject: Subject = {
      ...codec,
      // a decoder that crashes on a PUBLISH with a payload of 3+ bytes
      decode: (frame, options) => {
        const p = codec.decode(frame, options);
        if (p.type === 'publish' && p.payload.length >= 3) throw new TypeError('planted');
        return p;
      },
    };
    const report = runFuzz({ runs: 3000, seed: 1, captures, linearEvery: 0, subject });
    const found = report.findings.find((f) => f.kind === 'exception');
    expect(found?.detail).toBe('decode threw TypeError: planted');
    // the input kept shows it: a PUBLISH with a payload of three bytes or more
    const p = codec.decode(Buffer.from(found!.input, 'hex'), { version: found!.version });
    expect(p.type === 'publish' && p.payload.length >= 3).toBe(true);
  });

  it('finds a round-trip difference', () => {
    const subject: Subject = {
      ...codec,
      // an encoder that loses the RETAIN flag
      encode: (p, options) => codec.encode(p.type === 'publish' ? ({ ...p, retain: false } as Packet) : p, options),
    };
    const report = runFuzz({ runs: 3000, seed: 2, captures, linearEvery: 0, subject });
    expect(kinds(report)).toContain('round-trip');
    expect(report.findings.find((f) => f.kind === 'round-trip')?.detail).toBe('PUBLISH decodes to a different packet after encode');
  });

  it('finds a chunking difference', () => {
    // a decoder that hands packets out in reverse when one push completes several
    class Reversing extends codec.PacketDecoder {
      override push(chunk: Uint8Array): Packet[] {
        return super.push(chunk).reverse();
      }
    }
    const report = runFuzz({ runs: 3000, seed: 3, captures, linearEvery: 0, subject: { ...codec, PacketDecoder: Reversing } });
    expect(kinds(report)).toEqual(['chunking']);
  });

  it('finds a malformed case refused under another rule', () => {
    const subject: Subject = {
      ...codec,
      decode: (frame, options) => {
        try {
          return codec.decode(frame, options);
        } catch (e) {
          const err = e as MqttError;
          if (err.rule === 'MQTT-3.3.1-4') throw new MqttError(err.code, err.message, { reasonCode: err.reasonCode, rule: 'MQTT-3.3.1-2' });
          throw e;
        }
      },
    };
    const report = runFuzz({ runs: 4000, seed: 4, captures, linearEvery: 0, subject });
    const label = report.findings.find((f) => f.kind === 'label');
    expect(label?.detail).toBe("'PUBLISH QoS 3' is refused with malformed-packet MQTT-3.3.1-2 0x81; its label says malformed-packet MQTT-3.3.1-4 0x81");
  });

  it('finds work that grows faster than the input (a splitter that joins every chunk again)', () => {
    // planted: each push reads everything pushed so far again, as a splitter that re-joins its pieces would
    class Rejoining extends codec.PacketDecoder {
      private seen = new Uint8Array(1 << 16);
      private length = 0;
      checksum = 0;
      override push(chunk: Uint8Array): Packet[] {
        if (this.length + chunk.length > this.seen.length) {
          const grown = new Uint8Array(Math.max(this.seen.length * 2, this.length + chunk.length));
          grown.set(this.seen.subarray(0, this.length));
          this.seen = grown;
        }
        this.seen.set(chunk, this.length);
        this.length += chunk.length;
        for (let i = 0; i < this.length; i++) this.checksum = (this.checksum + this.seen[i]!) | 0;
        return super.push(chunk);
      }
    }
    const linearFamilies = ['one large PUBLISH, 1-byte chunks', 'SUBACK with n codes'];
    const report = runFuzz({ runs: 3, seed: 5, captures, linearEvery: 1, linearFamilies, linearSize: 2048, subject: { ...codec, PacketDecoder: Rejoining } });
    // the slow family is a suspect at its first check and confirmed at the next; the other runs once
    expect(report.linearChecks).toBe(3);
    // the decoder pushed in one-byte chunks grows quadratically; decode alone (SUBACK) is untouched
    expect(report.findings.filter((f) => f.kind === 'superlinear').map((f) => f.detail.split(':')[0])).toEqual(['one large PUBLISH, 1-byte chunks']);
  });
});

describe('npm run fuzz', () => {
  const run = (...args: string[]) => spawnSync(process.execPath, [join(root, 'scripts', 'fuzz.mjs'), ...args], { encoding: 'utf8', timeout: 120_000 });

  it('prints a JSON report and exits 0 when nothing is found', () => {
    const r = run('--runs', '300', '--seed', '8', '--linear-every', '0', '--json');
    expect(r.status, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout) as FuzzReport;
    expect([report.runs, report.seed, report.findings]).toEqual([300, 8, []]);
    expect(r.stderr).toContain('fuzz: 300 inputs, seed 8');
  });

  it('refuses bad arguments with exit code 2 and the reason', () => {
    const r = run('--runs', 'many');
    expect(r.status).toBe(2);
    expect(r.stderr).toBe("fuzz: --runs must be an integer from 0 to 1000000000000, got 'many'\n");
    expect(run('--speed', '3').status).toBe(2);
  });
});
