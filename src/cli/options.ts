// Command-line options shared by the commands: parsing with node:util, and the values several commands take
// (the protocol level, a packet size limit, one input file), each refused with a message naming the option.

import { parseArgs, type ParseArgsConfig } from 'node:util';
import { MAX_PACKET_SIZE_LIMIT } from '../index.js';
import type { ProtocolVersion } from '../index.js';
import { UsageError } from './command.js';

type Options = NonNullable<ParseArgsConfig['options']>;

/** `parseArgs` in strict mode, its errors turned into one-line usage errors. */
export function parseOptions<O extends Options>(args: string[], options: O) {
  try {
    return parseArgs({ args, options, allowPositionals: true, strict: true });
  } catch (e) {
    if (args.includes('--version') && !('version' in options)) {
      throw new UsageError(`--version is not an option of a command ('mqtt-wire --version' prints the program version); the protocol level is --protocol 3|4|5`);
    }
    // node:util messages end with advice for script authors; keep the first sentence
    throw new UsageError((e as Error).message.split('. ')[0]!.replace(/\.$/, ''));
  }
}

/** `--protocol 3|4|5`: the protocol level byte (3 = MQTT 3.1, 4 = 3.1.1, 5 = 5.0), or undefined when absent. */
export function protocolOption(value: string | undefined): ProtocolVersion | undefined {
  if (value === undefined) return undefined;
  if (value === '3' || value === '4' || value === '5') return Number(value) as ProtocolVersion;
  throw new UsageError(`--protocol must be 3 (MQTT 3.1), 4 (3.1.1) or 5 (5.0), got '${value}'`);
}

/** `--max-packet-size N`: the largest packet accepted, header included; default the protocol's own ceiling. */
export function maxPacketSizeOption(value: string | undefined): number {
  if (value === undefined) return MAX_PACKET_SIZE_LIMIT;
  const n = /^\d+$/.test(value) ? Number(value) : NaN;
  if (!Number.isSafeInteger(n) || n < 2 || n > MAX_PACKET_SIZE_LIMIT) {
    throw new UsageError(`--max-packet-size must be an integer from 2 to ${MAX_PACKET_SIZE_LIMIT}, got '${value}'`);
  }
  return n;
}

/** The one FILE operand, if any (`-` and none both mean stdin). */
export function oneFile(positionals: string[]): string | undefined {
  if (positionals.length > 1) throw new UsageError(`expected at most one FILE, got ${positionals.length}: ${positionals.join(' ')}`);
  return positionals[0];
}
