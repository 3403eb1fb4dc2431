// The CLI streams: output starts before the input ends (a child process fed through a pipe, one piece at a time),
// and the decode and encode loops give the same result however the input is cut into chunks, errors included.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FrameSplitter, toHex } from '../src/index.js';
import { UsageError } from '../src/cli/command.js';
import { hexBytes } from '../src/cli/input.js';
import { LineEncoder } from '../src/cli/packet-lines.js';
import { StreamDecoder, errorLine } from '../src/cli/stream-decoder.js';
import { summaryLine } from '../src/cli/summary.js';

const root = join(__dirname, '..');
const session311 = readFileSync(join(root, 'fixtures', 'session-311.bin'));
const session50 = readFileSync(join(root, 'fixtures', 'session-50.bin'));
const expected311 = readFileSync(join(root, 'fixtures', 'session-311.decode.txt'), 'utf8').split('\n').filter((l) => l !== '');
let dir = '';
let cli = '';

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'mqtt-wire-cli-stream-'));
  cli = join(dir, 'main.mjs');
  await build({ entryPoints: [join(root, 'src/cli/main.ts')], bundle: true, platform: 'node', format: 'esm', target: 'node20', outfile: cli, logLevel: 'error' });
});
afterAll(() => {
  if (dir !== '') rmSync(dir, { recursive: true, force: true });
});

/** A running CLI whose stdout can be awaited piece by piece; every wait is bounded. */
class Child {
  readonly proc: ChildProcessWithoutNullStreams;
  stdout = Buffer.alloc(0);
  stderr = '';
  readonly exited: Promise<number | null>;
  #waiters: (() => void)[] = [];

  constructor(args: string[]) {
    this.proc = spawn(process.execPath, [cli, ...args], { cwd: root });
    this.proc.stdout.on('data', (d: Buffer) => {
      this.stdout = Buffer.concat([this.stdout, d]);
      for (const w of this.#waiters.splice(0)) w();
    });
    this.proc.stderr.on('data', (d: Buffer) => (this.stderr += d.toString()));
    this.exited = new Promise((resolve) => this.proc.once('exit', (code) => resolve(code)));
  }

  /** Resolves once stdout satisfies `done`; rejects after 10 s saying what it holds. */
  async until(what: string, done: (out: Buffer) => boolean): Promise<void> {
    const deadline = Date.now() + 10_000;
    while (!done(this.stdout)) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out waiting for ${what}; stdout so far: ${JSON.stringify(this.stdout.toString())}, stderr: ${this.stderr}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.min(left, 200));
        this.#waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  kill(): void {
    if (this.proc.exitCode === null) this.proc.kill('SIGKILL');
  }
}

describe('output starts before the input ends', () => {
  it('decode prints each packet as soon as its frame has arrived, while stdin stays open', async () => {
    const child = new Child(['decode']);
    try {
      const frames = new FrameSplitter().push(session311);
      for (let i = 0; i < frames.length; i++) {
        child.proc.stdin.write(frames[i]);
        const wanted = `${expected311.slice(0, i + 1).join('\n')}\n`;
        await child.until(`line ${i + 1}`, (out) => out.toString() === wanted);
      }
      // a frame cut in two: nothing is printed for its first half
      child.proc.stdin.end();
      expect(await child.exited).toBe(0);
      expect(child.stderr).toBe('');
    } finally {
      child.kill();
    }
  });

  it('decode prints the packets before an error, and the error, while the writer could go on sending', async () => {
    const child = new Child(['decode', '--json']);
    try {
      child.proc.stdin.write(session311.subarray(0, 77));
      await child.until('two packets', (out) => out.toString().split('\n').length === 3);
      child.proc.stdin.write(Buffer.from('3080808080', 'hex'));
      // the CLI stops at the error without waiting for the end of its input
      expect(await child.exited).toBe(1);
      expect(child.stderr).toMatch(/^error at byte 81: code=malformed-packet /);
    } finally {
      child.kill();
    }
  });

  it('encode writes each frame as soon as its line has arrived, while stdin stays open', async () => {
    const child = new Child(['encode']);
    try {
      const frames = new FrameSplitter().push(session50);
      const json = (await new Promise<string>((resolve, reject) => {
        const d = spawn(process.execPath, [cli, 'decode', '--json', 'fixtures/session-50.bin'], { cwd: root });
        let out = '';
        d.stdout.on('data', (c: Buffer) => (out += c.toString()));
        d.once('error', reject);
        d.once('exit', () => resolve(out));
      })).split('\n');
      let written = 0;
      for (let i = 0; i < frames.length; i++) {
        // each line in two writes: the frame comes after the newline, not before
        const line = `${json[i]}\n`;
        child.proc.stdin.write(line.slice(0, 10));
        child.proc.stdin.write(line.slice(10));
        written += frames[i]!.length;
        await child.until(`frame ${i + 1}`, (out) => out.length === written);
        expect(toHex(child.stdout.subarray(written - frames[i]!.length))).toBe(toHex(frames[i]!));
      }
      child.proc.stdin.end();
      expect(await child.exited).toBe(0);
      expect(Buffer.compare(child.stdout, session50)).toBe(0);
    } finally {
      child.kill();
    }
  });
});

/** Cuts `bytes` at the given (sorted, deduplicated) positions. */
function cut(bytes: Uint8Array, at: number[]): Uint8Array[] {
  const points = [...new Set(at.map((p) => p % (bytes.length + 1)))].sort((a, b) => a - b);
  const chunks: Uint8Array[] = [];
  let from = 0;
  for (const p of [...points, bytes.length]) {
    chunks.push(bytes.subarray(from, p));
    from = p;
  }
  return chunks;
}

/** The summary lines and the error line of a stream pushed in the given chunks. */
function decodeChunks(chunks: Uint8Array[], maxPacketSize = 268_435_460): string[] {
  const decoder = new StreamDecoder({ maxPacketSize });
  const out: string[] = [];
  let error;
  for (const chunk of chunks) {
    error = decoder.push(chunk, (info) => out.push(summaryLine(info)));
    if (error !== undefined) break;
  }
  error ??= decoder.end();
  if (error !== undefined) out.push(errorLine(error));
  return out;
}

describe('StreamDecoder: the same lines and the same error however the stream is chunked', () => {
  const streams: [string, Buffer][] = [
    ['the 3.1.1 session', session311],
    ['the 5.0 session', session50],
    // a 5.0 CONNECT, then a Remaining Length with a fifth byte: the 5.0 rule id whatever the chunking
    ['a header error after a 5.0 CONNECT', Buffer.concat([session50.subarray(0, 124), Buffer.from('3080808080', 'hex')])],
    // four packets, then a PUBLISH with QoS bits 11
    ['a body error after four packets', Buffer.concat([session311.subarray(0, 144), Buffer.from('36050001610001', 'hex'), session311.subarray(144)])],
    // two packets, a 4-byte Remaining Length with a fifth byte, then more
    ['a header error after two packets', Buffer.concat([session311.subarray(0, 77), Buffer.from('3080808080', 'hex'), session311.subarray(77)])],
    // a large PUBLISH (3-byte Remaining Length) cut short
    ['a stream ending inside a large frame', Buffer.concat([session311.subarray(0, 73), Buffer.from('30b0ea01000162', 'hex'), new Uint8Array(3000)])],
  ];
  for (const [what, bytes] of streams) {
    it(what, () => {
      const whole = decodeChunks([bytes]);
      expect(whole.length).toBeGreaterThan(1);
      // one byte at a time, then random cuts
      expect(decodeChunks(cut(bytes, Array.from({ length: bytes.length }, (_, i) => i)))).toEqual(whole);
      fc.assert(
        fc.property(fc.array(fc.nat(), { maxLength: 12 }), (at) => {
          expect(decodeChunks(cut(bytes, at))).toEqual(whole);
        }),
        { numRuns: 200, seed: 11 },
      );
    });
  }

  it('the whole 3.1.1 session gives exactly the fixture lines, and the error streams end in their error', () => {
    expect(decodeChunks([session311])).toEqual(expected311);
    expect(decodeChunks([streams[2]![1]]).at(-1)).toMatch(/^error at byte 128: .* rule=U5-1\.5\.5-1: /);
    expect(decodeChunks([streams[3]![1]])).toEqual([...expected311.slice(0, 4), expect.stringMatching(/^error at byte 144: .*rule=MQTT-3\.3\.1-4: /)]);
    expect(decodeChunks([streams[5]![1]]).at(-1)).toMatch(/^error at byte 73: .*rule=U311-2-1: stream ended inside a frame: 3007 byte\(s\) of a 30004-byte frame buffered/);
  });

  it('a too-large header after packets in the same chunk: the packets, then packet-too-large at its offset', () => {
    const out = decodeChunks([session311.subarray(73)], 59);
    expect(out).toEqual([expected311[1]!.replace(/^ +73/, '       0'), expect.stringMatching(/^error at byte 4: code=packet-too-large /)]);
  });

  it('after the error, pushing more returns the same error and hands over nothing', () => {
    const decoder = new StreamDecoder({ maxPacketSize: 1024 });
    const first = decoder.push(Buffer.from('00', 'hex'), () => undefined);
    expect(first).toBeUndefined();
    const error = decoder.push(Buffer.from('00c000', 'hex'), () => undefined);
    expect(error?.code).toBe('malformed-packet');
    let called = false;
    expect(decoder.push(session311, () => (called = true))).toBe(error);
    expect(decoder.end()).toBe(error);
    expect(called).toBe(false);
  });
});

/** Frames (hex) of JSON lines pushed in the given chunks, and the error message, if any. */
function encodeChunks(chunks: Uint8Array[]): string[] {
  const encoder = new LineEncoder(undefined);
  const out: string[] = [];
  try {
    for (const chunk of chunks) encoder.push(chunk, (f) => out.push(toHex(f)));
    encoder.end((f) => out.push(toHex(f)));
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    out.push(`error: ${e.message}`);
  }
  return out;
}

describe('LineEncoder: the same frames and the same error however the lines are chunked', () => {
  const lines50 = [
    '{"type":"connect","protocolVersion":5,"clientId":"ü-1","clean":true,"keepAlive":30}',
    '',
    '  {"type":"publish","topic":"t/€","payload":{"utf8":"ünïcødé 😀"},"qos":1,"packetId":3,"retain":false,"dup":false}  ',
    '{"type":"puback","packetId":3,"reasonCode":16}',
  ];
  const inputs: [string, string][] = [
    ['a 5.0 session with multi-byte characters (level taken from the CONNECT)', `${lines50.join('\n')}\n`],
    ['the same without a last newline', lines50.join('\n')],
    ['a bad line after good ones', `${lines50.join('\n')}\n{"type":"puback","packetId":0}\n${lines50[3]}\n`],
  ];
  for (const [what, text] of inputs) {
    it(what, () => {
      const bytes = new TextEncoder().encode(text);
      const whole = encodeChunks([bytes]);
      expect(whole.length).toBeGreaterThanOrEqual(3);
      expect(encodeChunks(cut(bytes, Array.from({ length: bytes.length }, (_, i) => i)))).toEqual(whole);
      fc.assert(
        fc.property(fc.array(fc.nat(), { maxLength: 12 }), (at) => {
          expect(encodeChunks(cut(bytes, at))).toEqual(whole);
        }),
        { numRuns: 200, seed: 5 },
      );
    });
  }

  it('the frames are the 5.0 encodings, and the bad line is named by its number', () => {
    const out = encodeChunks([new TextEncoder().encode(inputs[2]![1])]);
    // CONNECT at 5 (its own level), then the PUBLISH and the PUBACK at 5: the PUBACK has its reason code
    expect(out[0]!.startsWith('10')).toBe(true);
    expect(out[2]).toBe('4003000310');
    expect(out[3]).toMatch(/^error: line 5: invalid-packet/);
    expect(out).toHaveLength(4);
  });
});

async function hexOf(chunks: Uint8Array[]): Promise<string> {
  let out = '';
  async function* source(): AsyncGenerator<Uint8Array> {
    yield* chunks;
  }
  try {
    for await (const bytes of hexBytes(source())) out += toHex(bytes);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    out += ` error: ${e.message}`;
  }
  return out;
}

describe('--hex input: the same bytes however the text is chunked, a digit pair split or not', () => {
  const text = new TextEncoder().encode(' C0 00\n\t30 0a 00 03 61 2F 62 68 69\r\n');
  it('every cut gives the bytes of the whole', async () => {
    const whole = await hexOf([text]);
    expect(whole).toBe('c000300a0003612f626869');
    for (let at = 0; at <= text.length; at++) expect(await hexOf([text.subarray(0, at), text.subarray(at)])).toBe(whole);
    expect(await hexOf(cut(text, Array.from({ length: text.length }, (_, i) => i)))).toBe(whole);
  });

  it('the bytes before a bad character come out first, then the error names its offset', async () => {
    const bad = new TextEncoder().encode('c000 d0 0x');
    expect(await hexOf([bad])).toBe("c000d0 error: --hex input: 'x' at offset 9 is not a hex digit or whitespace");
    expect(await hexOf(cut(bad, [3, 6, 8]))).toBe("c000d0 error: --hex input: 'x' at offset 9 is not a hex digit or whitespace");
  });
});
