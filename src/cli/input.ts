// Where a command's bytes come from: FILE, or stdin for '-' or no FILE, read as a stream in the chunks the system
// hands over, so memory does not grow with the input and output can start before the input ends.

import { createReadStream } from 'node:fs';
import { UsageError, type Io } from './command.js';

/** The input as a stream of chunks; a read failure (missing file, a directory, …) is a usage error naming it. */
export function openInput(file: string | undefined, io: Io): AsyncIterable<Uint8Array> {
  if (file === undefined || file === '-') {
    if (io.stdin.isTTY === true) throw new UsageError('stdin is a terminal; give a FILE, or pipe a stream in');
    return explainFailure(io.stdin, 'stdin');
  }
  return explainFailure(createReadStream(file), `'${file}'`);
}

async function* explainFailure(source: AsyncIterable<Uint8Array>, name: string): AsyncGenerator<Uint8Array> {
  try {
    // a consumer that stops early (the first stream error) ends this loop, which closes the file
    for await (const chunk of source) yield chunk;
  } catch (e) {
    // fs messages already carry the code and path: "ENOENT: no such file or directory, open 'x.bin'"
    throw new UsageError(`cannot read ${name}: ${(e as Error).message}`);
  }
}

/** Value of an ASCII hex digit, or -1. */
function hexValue(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x61 && c <= 0x66) return c - 0x57;
  if (c >= 0x41 && c <= 0x46) return c - 0x37;
  return -1;
}

/** Space, tab, line feed, vertical tab, form feed, carriage return. */
function isSpace(c: number): boolean {
  return c === 0x20 || (c >= 0x09 && c <= 0x0d);
}

/**
 * The bytes of a hex text stream (`--hex`), whitespace ignored, a digit pair may be split across chunks. The bytes
 * before a bad character are handed on first, so everything decodable before it is decoded and printed; then the
 * bad character is a usage error naming its position.
 */
export async function* hexBytes(text: AsyncIterable<Uint8Array>): AsyncGenerator<Uint8Array> {
  let high = -1;
  let position = 0;
  for await (const chunk of text) {
    const out = new Uint8Array((chunk.length + 1) >> 1);
    let n = 0;
    let bad = -1;
    for (let i = 0; i < chunk.length; i++) {
      const c = chunk[i]!;
      const v = hexValue(c);
      if (v < 0) {
        if (isSpace(c)) continue;
        bad = i;
        break;
      }
      if (high < 0) high = v;
      else {
        out[n++] = (high << 4) | v;
        high = -1;
      }
    }
    if (n > 0) yield out.subarray(0, n);
    if (bad >= 0) {
      const c = chunk[bad]!;
      const shown = c >= 0x21 && c <= 0x7e ? `'${String.fromCharCode(c)}'` : `byte 0x${c.toString(16).padStart(2, '0')}`;
      throw new UsageError(`--hex input: ${shown} at offset ${position + bad} is not a hex digit or whitespace`);
    }
    position += chunk.length;
  }
  if (high >= 0) throw new UsageError('--hex input: it ends in the middle of a byte (an odd number of hex digits)');
}
