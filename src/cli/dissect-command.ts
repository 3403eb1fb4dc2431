// `mqtt-wire dissect [FILE|-]`: every frame of a raw MQTT byte stream as a field tree with the bytes of each field
// beside it, a hex dump, and every broken rule; --json for tools.

import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { dissect, type DissectField, type DissectResult } from '../dissect/index.js';
import { fromHex, packetToJson, toHex } from '../json.js';
import { sniff } from '../sniff.js';
import type { ProtocolVersion } from '../types.js';
import { connectLevel } from './pcap/index.js';
import { violationText } from './pcap-command.js';

export const DISSECT_HELP = `Usage: mqtt-wire dissect [options] [FILE|-]

Reads a raw MQTT byte stream (FILE, or stdin when FILE is absent or '-') and shows each
frame field by field: offset, the field's bytes, its name and value, bit fields of flag
bytes, then a hex dump of the frame and every rule it breaks (not only the first). Reading
goes on after a malformed frame wherever its Remaining Length is readable.

Options:
  --json                   one JSON line per frame: offset, length, version, packet (when
                           valid), fields (binary values as hex), violations
  --hex                    input is hex text (whitespace ignored) instead of binary
  --protocol 3|4|5         protocol level (default: 4, or the level of the first CONNECT)
  -h, --help               show this help

Exit codes: 0 every frame valid, 1 some frame malformed, 2 bad arguments or input.
`;

class DissectUsageError extends Error {}

type Io = { out: (data: string) => void; err: (line: string) => void };

/** Bytes of a field shown beside it, at most this many (then '…'). */
const SHOWN_BYTES = 8;

async function readInput(file: string | undefined): Promise<Uint8Array> {
  const stdin = file === undefined || file === '-';
  try {
    if (!stdin) return await readFile(file);
    if (process.stdin.isTTY === true) throw new Error('it is a terminal; give a FILE, or pipe a stream in');
    const chunks: Uint8Array[] = [];
    for await (const chunk of process.stdin) chunks.push(chunk as Uint8Array);
    return Buffer.concat(chunks);
  } catch (e) {
    throw new DissectUsageError(`cannot read ${stdin ? 'stdin' : `'${file}'`}: ${(e as Error).message}`);
  }
}

/** One frame of the stream, dissected, with where it starts. */
export interface StreamFrame {
  offset: number;
  version: ProtocolVersion;
  result: DissectResult;
}

/**
 * Cuts `data` into frames by their fixed headers and dissects each, at the level of the first CONNECT (or
 * `version`). Stops after a frame whose length cannot be read: nothing after it can be placed.
 */
export function dissectStream(data: Uint8Array, version: ProtocolVersion | undefined): StreamFrame[] {
  const frames: StreamFrame[] = [];
  let level: ProtocolVersion = version ?? 4;
  let seenConnect = false;
  let pos = 0;
  while (pos < data.length) {
    const rest = data.subarray(pos);
    let frameVersion = level;
    if (rest[0]! >> 4 === 1 && version === undefined && !seenConnect) {
      const own = connectLevel(rest);
      if (own !== undefined) {
        frameVersion = own;
        level = own;
      }
      seenConnect = true;
    }
    const peek = dissect(rest, { version: frameVersion });
    const length = peek.length;
    const whole = length <= rest.length && length > 0 ? dissect(rest.subarray(0, length), { version: frameVersion }) : peek;
    frames.push({ offset: pos, version: frameVersion, result: whole });
    if (length <= 0 || length > rest.length || whole.fields.some((f) => f.name === 'Unreadable bytes')) break;
    pos += length;
  }
  return frames;
}

function valueText(f: DissectField): string {
  const v = f.value;
  let text = '';
  if (v instanceof Uint8Array) text = v.length <= 32 ? `hex ${toHex(v)}` : `hex ${toHex(v.subarray(0, 32))}… (${v.length} bytes)`;
  else if (typeof v === 'string') text = JSON.stringify(v);
  else if (typeof v === 'number' && f.mask === undefined && f.length === 1 && f.children !== undefined) text = `0x${v.toString(16).padStart(2, '0')}`;
  else if (v !== undefined) text = String(v);
  if (f.note !== undefined) text += text === '' ? `(${f.note})` : ` (${f.note})`;
  return text === '' ? '' : ` = ${text}`;
}

function bitPattern(byte: number, mask: number): string {
  let s = '';
  for (let i = 7; i >= 0; i--) {
    s += (mask >> i) & 1 ? String((byte >> i) & 1) : '.';
    if (i === 4) s += ' ';
  }
  return s;
}

/** The field tree as lines: offset, the field's bytes (leaves), indentation by depth, name and value. */
export function treeLines(bytes: Uint8Array, fields: DissectField[], base: number, depth = 0, out: string[] = []): string[] {
  for (const f of fields) {
    const leaf = f.children === undefined || f.children.every((c) => c.mask !== undefined);
    const shown = leaf ? toHex(bytes.subarray(f.offset, f.offset + Math.min(f.length, SHOWN_BYTES))) + (f.length > SHOWN_BYTES ? '…' : '') : '';
    out.push(`  ${String(base + f.offset).padStart(6)}  ${shown.padEnd(SHOWN_BYTES * 2 + 1)}  ${'  '.repeat(depth)}${f.name}${valueText(f)}`);
    if (f.children !== undefined) {
      if (leaf) {
        for (const c of f.children) out.push(`  ${''.padStart(6)}  ${''.padEnd(SHOWN_BYTES * 2 + 1)}  ${'  '.repeat(depth + 1)}${bitPattern(bytes[f.offset]!, c.mask!)} ${c.name}${valueText(c)}`);
      } else {
        treeLines(bytes, f.children, base, depth + 1, out);
      }
    }
  }
  return out;
}

/** A classic hex dump: offset, 16 bytes, their ASCII. */
export function hexDump(bytes: Uint8Array, base: number): string[] {
  const out: string[] = [];
  for (let i = 0; i < bytes.length; i += 16) {
    const row = bytes.subarray(i, i + 16);
    const hex = Array.from(row, (b) => b.toString(16).padStart(2, '0')).join(' ');
    const text = Array.from(row, (b) => (b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : '.')).join('');
    out.push(`  ${(base + i).toString(16).padStart(6, '0')}  ${hex.padEnd(47)}  ${text}`);
  }
  return out;
}

function fieldJson(f: DissectField): Record<string, unknown> {
  const out: Record<string, unknown> = { name: f.name, offset: f.offset, length: f.length };
  if (f.value !== undefined) out['value'] = f.value instanceof Uint8Array ? { hex: toHex(f.value) } : f.value;
  if (f.note !== undefined) out['note'] = f.note;
  if (f.mask !== undefined) out['mask'] = f.mask;
  if (f.children !== undefined) out['children'] = f.children.map(fieldJson);
  return out;
}

export async function runDissect(args: string[], io: Io): Promise<number> {
  try {
    return await run(args, io);
  } catch (e) {
    if (!(e instanceof DissectUsageError)) throw e;
    io.err(`mqtt-wire dissect: ${e.message}`);
    return 2;
  }
}

async function run(args: string[], io: Io): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args,
      options: { help: { type: 'boolean', short: 'h' }, json: { type: 'boolean' }, hex: { type: 'boolean' }, protocol: { type: 'string' } },
      allowPositionals: true,
      strict: true,
    });
  } catch (e) {
    throw new DissectUsageError((e as Error).message.split('. ')[0]!.replace(/\.$/, ''));
  }
  const { values, positionals } = parsed;
  if (values.help === true) {
    io.out(DISSECT_HELP);
    return 0;
  }
  const p = values.protocol;
  if (p !== undefined && p !== '3' && p !== '4' && p !== '5') throw new DissectUsageError(`--protocol must be 3, 4 or 5, got '${p}'`);
  const version = p === undefined ? undefined : (Number(p) as ProtocolVersion);
  if (positionals.length > 1) throw new DissectUsageError(`expected at most one FILE, got ${positionals.length}: ${positionals.join(' ')}`);
  let data = await readInput(positionals[0]);
  if (values.hex === true) {
    try {
      data = fromHex(new TextDecoder().decode(data));
    } catch (e) {
      throw new DissectUsageError(`--hex input: ${(e as Error).message}`);
    }
  }
  const frames = dissectStream(data, version);
  const out: string[] = [];
  let malformed = false;
  for (const { offset, version: level, result } of frames) {
    const bytes = data.subarray(offset, offset + Math.min(result.length, data.length - offset));
    const valid = result.packet !== undefined;
    if (!valid) malformed = true;
    const other = offset === 0 && !valid ? sniff(data) : undefined;
    if (values.json === true) {
      const line: Record<string, unknown> = { offset, length: result.length, version: level };
      if (result.packet !== undefined) line['packet'] = packetToJson(result.packet);
      line['fields'] = result.fields.map(fieldJson);
      line['violations'] = result.violations;
      if (other !== undefined) line['looksLike'] = other;
      out.push(JSON.stringify(line));
      continue;
    }
    const type = bytes.length > 0 ? ['RESERVED', 'CONNECT', 'CONNACK', 'PUBLISH', 'PUBACK', 'PUBREC', 'PUBREL', 'PUBCOMP', 'SUBSCRIBE', 'SUBACK', 'UNSUBSCRIBE', 'UNSUBACK', 'PINGREQ', 'PINGRESP', 'DISCONNECT', 'AUTH'][bytes[0]! >> 4]! : '?';
    out.push(`${type} at byte ${offset}: ${result.length} bytes, protocol level ${level}${valid ? '' : ', MALFORMED'}`);
    if (other !== undefined) out.push(`  this looks like ${other.description}`);
    out.push(...treeLines(bytes, result.fields, offset));
    out.push(...hexDump(bytes, offset));
    for (const v of result.violations) {
      out.push(`  ! ${violationText(v, offset)}`);
    }
    out.push('');
  }
  io.out(out.length > 0 ? `${out.join('\n')}\n` : '');
  return malformed ? 1 : 0;
}
