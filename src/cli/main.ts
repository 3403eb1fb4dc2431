// `mqtt-wire`: inspect raw MQTT byte streams (decode) and write them from JSON lines (encode). Node only.
// Exit codes: 0 done; 1 the stream is malformed (packets before the error are printed); 2 bad usage or input.

import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { fromHex, toHex } from '../json.js';
import { MAX_PACKET_SIZE_LIMIT } from '../stream/splitter.js';
import type { ProtocolVersion } from '../types.js';
import { UsageError, decodeStream, encodeLines, errorLine, frameLine } from './commands.js';
import { runProbe } from './probe.js';

const HELP = `Usage: mqtt-wire <command> [options] [FILE|-]

Inspect and write raw MQTT 3.1 / 3.1.1 / 5.0 byte streams.

Commands:
  decode   print one line per packet of a byte stream
  encode   write the bytes of JSON packet lines (as printed by decode --json)
  probe    send labelled malformed cases to a broker and report how it answered

Run 'mqtt-wire <command> --help' for a command's options.
Exit codes: 0 success, 1 malformed stream, 2 bad arguments or input.
`;

const DECODE_HELP = `Usage: mqtt-wire decode [options] [FILE|-]

Reads a raw MQTT byte stream (FILE, or stdin when FILE is absent or '-') and prints one
line per packet: stream offset, type, flags, header+body sizes and the packet's fields.
A malformed stream prints the packets before the error, then the error on stderr
(byte offset, code, reason code, rule) and exits with 1.

Options:
  --json                   one JSON line per packet instead (read back by 'encode')
  --hex                    input is hex text (whitespace ignored) instead of binary
  --version 3|4|5          protocol level (default: 4, or the level of the first CONNECT)
  --max-packet-size N      largest packet accepted, header included
                           (default ${MAX_PACKET_SIZE_LIMIT}, the protocol's own limit)
  -h, --help               show this help
`;

const ENCODE_HELP = `Usage: mqtt-wire encode [options] [FILE|-]

Reads JSON packet lines (FILE, or stdin when FILE is absent or '-'), one packet per
line as printed by 'decode --json' (binary fields as {"utf8": ...} or {"hex": ...}),
and writes their frames to stdout: 'decode --json | encode' gives back the stream.

Options:
  --hex                    write hex text, one frame per line, instead of binary
  --version 3|4|5          protocol level (default: 4, or the level of each CONNECT)
  -h, --help               show this help
`;

type Io = { out: (data: string | Uint8Array) => void; err: (line: string) => void };

/** The whole input: FILE, or stdin (read as a stream, which also works when stdin is a non-blocking pipe). */
async function readInput(file: string | undefined): Promise<Uint8Array> {
  const stdin = file === undefined || file === '-';
  try {
    if (!stdin) return await readFile(file);
    if (process.stdin.isTTY === true) throw new Error('it is a terminal; give a FILE, or pipe a stream in');
    const chunks: Uint8Array[] = [];
    for await (const chunk of process.stdin) chunks.push(chunk as Uint8Array);
    return Buffer.concat(chunks);
  } catch (e) {
    // fs messages already carry the code and path: "ENOENT: no such file or directory, open 'x.bin'"
    throw new UsageError(`cannot read ${stdin ? 'stdin' : `'${file}'`}: ${(e as Error).message}`);
  }
}

function parseVersion(value: string | undefined): ProtocolVersion | undefined {
  if (value === undefined) return undefined;
  if (value === '3' || value === '4' || value === '5') return Number(value) as ProtocolVersion;
  throw new UsageError(`--version must be 3, 4 or 5, got '${value}'`);
}

function parseSize(value: string | undefined): number {
  if (value === undefined) return MAX_PACKET_SIZE_LIMIT;
  const n = /^\d+$/.test(value) ? Number(value) : NaN;
  if (!Number.isSafeInteger(n) || n < 2 || n > MAX_PACKET_SIZE_LIMIT) {
    throw new UsageError(`--max-packet-size must be an integer from 2 to ${MAX_PACKET_SIZE_LIMIT}, got '${value}'`);
  }
  return n;
}

const COMMON = { help: { type: 'boolean', short: 'h' }, hex: { type: 'boolean' }, version: { type: 'string' } } as const;
const DECODE_OPTIONS = { ...COMMON, json: { type: 'boolean' }, 'max-packet-size': { type: 'string' } } as const;

function parse<O extends typeof COMMON>(args: string[], options: O) {
  try {
    return parseArgs({ args, options, allowPositionals: true, strict: true });
  } catch (e) {
    // node:util messages end with advice for script authors; keep the first sentence
    throw new UsageError((e as Error).message.split('. ')[0]!.replace(/\.$/, ''));
  }
}

function oneFile(positionals: string[]): string | undefined {
  if (positionals.length > 1) throw new UsageError(`expected at most one FILE, got ${positionals.length}: ${positionals.join(' ')}`);
  return positionals[0];
}

async function runDecode(args: string[], io: Io): Promise<number> {
  const { values, positionals } = parse(args, DECODE_OPTIONS);
  if (values.help === true) {
    io.out(DECODE_HELP);
    return 0;
  }
  const version = parseVersion(values.version);
  const maxPacketSize = parseSize(values['max-packet-size']);
  const raw = await readInput(oneFile(positionals));
  let data = raw;
  if (values.hex === true) {
    try {
      data = fromHex(new TextDecoder().decode(raw));
    } catch (e) {
      throw new UsageError(`--hex input: ${(e as Error).message}`);
    }
  }
  const json = values.json === true;
  const lines: string[] = [];
  const error = decodeStream(data, { maxPacketSize, ...(version !== undefined ? { version } : {}) }, (info) => {
    lines.push(frameLine(info, json));
    // flush in batches so a large capture does not build one giant string
    if (lines.length >= 1024) io.out(`${lines.splice(0).join('\n')}\n`);
  });
  if (lines.length > 0) io.out(`${lines.join('\n')}\n`);
  if (error !== undefined) {
    io.err(errorLine(error));
    return 1;
  }
  return 0;
}

async function runEncode(args: string[], io: Io): Promise<number> {
  const { values, positionals } = parse(args, COMMON);
  if (values.help === true) {
    io.out(ENCODE_HELP);
    return 0;
  }
  const version = parseVersion(values.version);
  const text = new TextDecoder().decode(await readInput(oneFile(positionals)));
  const frames = encodeLines(text, version);
  if (values.hex === true) {
    io.out(frames.map((f) => `${toHex(f)}\n`).join(''));
  } else {
    let size = 0;
    for (const f of frames) size += f.length;
    const all = new Uint8Array(size);
    let o = 0;
    for (const f of frames) {
      all.set(f, o);
      o += f.length;
    }
    io.out(all);
  }
  return 0;
}

/** Runs the CLI on `argv` (without node and the script) and returns the exit code. */
export async function main(argv: string[], io: Io): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case 'decode':
        return await runDecode(rest, io);
      case 'encode':
        return await runEncode(rest, io);
      case 'probe':
        return await runProbe(rest, io);
      case '-h':
      case '--help':
      case 'help':
        io.out(HELP);
        return 0;
      case undefined:
        io.err(`mqtt-wire: missing command (decode or encode); see 'mqtt-wire --help'`);
        return 2;
      default:
        io.err(`mqtt-wire: unknown command '${command}' (decode or encode); see 'mqtt-wire --help'`);
        return 2;
    }
  } catch (e) {
    if (e instanceof UsageError) {
      io.err(`mqtt-wire ${command}: ${e.message}`);
      return 2;
    }
    throw e;
  }
}

// `decode ... | head` closes the pipe early: that is not an error
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw e;
});

process.exitCode = await main(process.argv.slice(2), {
  out: (data) => {
    process.stdout.write(data);
  },
  err: (line) => {
    process.stderr.write(`${line}\n`);
  },
});
