// `mqtt-wire pcap FILE`: the MQTT conversations of a pcap/pcapng capture, one line per packet (or one JSON line
// with --json), malformed packets with every rule they break.

import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { packetToJson, toHex } from '../json.js';
import { reasonCodeName } from '../reason-codes.js';
import type { DissectViolation } from '../dissect/index.js';
import type { ProtocolVersion } from '../types.js';
import { CaptureError, analyzeCapture, type PacketEvent, type PcapEvent } from './pcap/index.js';
import { summaryLine } from './summary.js';

export const PCAP_HELP = `Usage: mqtt-wire pcap [options] FILE

Reads a pcap or pcapng capture (Ethernet, Linux cooked v1/v2, BSD loopback or raw IP; IPv4
and IPv6), reassembles each TCP connection, and prints one line per MQTT packet: time since
the first record, connection (client → server), sender, then the packet as 'decode' prints
it. Malformed packets are listed with every rule they break; reading goes on after them
wherever the frame's length is readable. MQTT over WebSocket (an HTTP Upgrade, then binary
frames) is recognised on any port.

Options:
  --port N[,N...]          TCP ports that carry MQTT (default 1883)
  --protocol 3|4|5         read every connection at this level (default: each
                           connection's CONNECT, 4 before one)
  --json                   one JSON line per packet or note instead
  -h, --help               show this help

Exit codes: 0 every packet valid, 1 some packet malformed, 2 bad arguments or an unreadable file.
`;

export class PcapUsageError extends Error {}

type Io = { out: (data: string) => void; err: (line: string) => void };

function parsePorts(value: string | undefined): number[] {
  if (value === undefined) return [1883];
  const ports = value.split(',').map((p) => (/^\d+$/.test(p.trim()) ? Number(p.trim()) : NaN));
  if (ports.length === 0 || ports.some((p) => !Number.isInteger(p) || p < 1 || p > 65535)) {
    throw new PcapUsageError(`--port must be TCP ports from 1 to 65535 separated by commas, got '${value}'`);
  }
  return ports;
}

function parseProtocol(value: string | undefined): ProtocolVersion | undefined {
  if (value === undefined) return undefined;
  if (value === '3' || value === '4' || value === '5') return Number(value) as ProtocolVersion;
  throw new PcapUsageError(`--protocol must be 3, 4 or 5, got '${value}'`);
}

const hex2 = (n: number): string => `0x${n.toString(16).padStart(2, '0')}`;

/** One violation for a person: byte, rule, class, reason code by name, and the message without the rule it repeats. */
export function violationText(v: DissectViolation, base = 0): string {
  const message = v.rule === undefined ? v.message : v.message.split(` (${v.rule})`).join('');
  return `byte ${base + v.offset}: ${v.rule ?? '-'} ${v.code} ${hex2(v.reasonCode)} (${reasonCodeName(v.reasonCode)}): ${message}`;
}

/** The JSON line of one event. */
export function eventJson(e: PcapEvent): Record<string, unknown> {
  if (e.kind === 'note') {
    const out: Record<string, unknown> = { kind: 'note', frame: e.frame, time: e.time, connection: e.connection };
    if (e.from !== undefined) out['from'] = e.from;
    out['message'] = e.message;
    return out;
  }
  const d = e.dissection;
  const out: Record<string, unknown> = {
    kind: 'packet',
    frame: e.frame,
    time: e.time,
    connection: e.connection,
    from: e.from,
    transport: e.transport,
    offset: e.offset,
    version: e.version,
    size: e.bytes.length,
  };
  if (e.incomplete === true) out['incomplete'] = true;
  if (d.packet !== undefined) {
    out['packet'] = packetToJson(d.packet);
  } else {
    out['hex'] = toHex(e.bytes);
    if (e.looksLike !== undefined) out['looksLike'] = e.looksLike;
    out['violations'] = d.violations.map((v) => ({ ...v }));
  }
  return out;
}

function packetLine(e: PacketEvent, start: number): string {
  const head = `${(e.time - start).toFixed(6).padStart(12)}  ${e.connection}  ${e.from.padEnd(6)}`;
  const d = e.dissection;
  if (d.packet !== undefined) {
    const first = e.bytes[0]!;
    let headerSize = 2;
    while (headerSize < 5 && (e.bytes[headerSize - 1]! & 0x80) !== 0) headerSize++;
    return `${head}  ${summaryLine({ offset: e.offset, headerSize, size: e.bytes.length, flags: first & 0x0f, packet: d.packet, version: e.version })}`;
  }
  const type = e.bytes.length > 0 ? ['RESERVED', 'CONNECT', 'CONNACK', 'PUBLISH', 'PUBACK', 'PUBREC', 'PUBREL', 'PUBCOMP', 'SUBSCRIBE', 'SUBACK', 'UNSUBSCRIBE', 'UNSUBACK', 'PINGREQ', 'PINGRESP', 'DISCONNECT', 'AUTH'][e.bytes[0]! >> 4]! : '?';
  const lines = [`${head}  ${String(e.offset).padStart(8)}  ${type.padEnd(11)}  MALFORMED size=${e.bytes.length}  hex ${toHex(e.bytes.subarray(0, 24))}${e.bytes.length > 24 ? '…' : ''}`];
  for (const v of d.violations) lines.push(`${' '.repeat(14)}! ${violationText(v)}`);
  return lines.join('\n');
}

/** Runs `pcap` with its arguments; returns the exit code (usage errors: a line on stderr and 2). */
export async function runPcap(args: string[], io: Io): Promise<number> {
  try {
    return await pcap(args, io);
  } catch (e) {
    if (!(e instanceof PcapUsageError)) throw e;
    io.err(`mqtt-wire pcap: ${e.message}`);
    return 2;
  }
}

async function pcap(args: string[], io: Io): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args,
      options: { help: { type: 'boolean', short: 'h' }, json: { type: 'boolean' }, port: { type: 'string' }, protocol: { type: 'string' } },
      allowPositionals: true,
      strict: true,
    });
  } catch (e) {
    throw new PcapUsageError((e as Error).message.split('. ')[0]!.replace(/\.$/, ''));
  }
  const { values, positionals } = parsed;
  if (values.help === true) {
    io.out(PCAP_HELP);
    return 0;
  }
  const ports = parsePorts(values.port);
  const version = parseProtocol(values.protocol);
  if (positionals.length !== 1) throw new PcapUsageError(`expected one capture FILE, got ${positionals.length}`);
  const file = positionals[0]!;
  let bytes: Uint8Array;
  try {
    bytes = await readFile(file);
  } catch (e) {
    throw new PcapUsageError(`cannot read '${file}': ${(e as Error).message}`);
  }
  let events: PcapEvent[];
  try {
    events = analyzeCapture(bytes, { ports, ...(version !== undefined ? { version } : {}) });
  } catch (e) {
    if (e instanceof CaptureError) throw new PcapUsageError(`'${file}': ${e.message}`);
    throw e;
  }
  const start = events.length > 0 ? Math.min(...events.map((e) => e.time)) : 0;
  const lines: string[] = [];
  let malformed = false;
  for (const e of events) {
    if (e.kind === 'packet' && e.dissection.packet === undefined) malformed = true;
    if (values.json === true) lines.push(JSON.stringify(eventJson(e)));
    else if (e.kind === 'packet') lines.push(packetLine(e, start));
    else lines.push(`${(e.time - start).toFixed(6).padStart(12)}  ${e.connection}  ${(e.from ?? '').padEnd(6)}  -- ${e.message}`);
    if (lines.length >= 1024) io.out(`${lines.splice(0).join('\n')}\n`);
  }
  if (lines.length > 0) io.out(`${lines.join('\n')}\n`);
  return malformed ? 1 : 0;
}
