// The two CLI commands as functions over bytes and text, free of process I/O so the entry stays thin.

import { encode } from '../codec.js';
import { MqttError } from '../errors.js';
import { packetFromJson, packetToJson } from '../json.js';
import { reasonCodeName } from '../reason-codes.js';
import { FrameSplitter } from '../stream/splitter.js';
import { PacketDecoder } from '../stream/decoder.js';
import type { ProtocolVersion } from '../types.js';
import { summaryLine, type FrameInfo } from './summary.js';

export interface DecodeStreamOptions {
  /** Fixed protocol level; when absent, 4 until the first CONNECT, then its level. */
  version?: ProtocolVersion;
  maxPacketSize: number;
}

/**
 * Decodes a whole byte stream, calling `onFrame` for each packet in order, and returns the error that stopped it
 * (its offset a stream offset), or undefined when the stream ended on a frame boundary. Every packet before the
 * error is reported, even those sharing a chunk with it.
 */
export function decodeStream(data: Uint8Array, options: DecodeStreamOptions, onFrame: (info: FrameInfo) => void): MqttError | undefined {
  // First cut the frames: a splitter error (bad Remaining Length, too large) would otherwise take the frames before
  // it down with it. Cutting again up to the error's offset gives exactly the frames that lie wholly before it.
  const limits = { maxPacketSize: options.maxPacketSize };
  let frames: Uint8Array[];
  try {
    frames = new FrameSplitter(limits).push(data);
  } catch (e) {
    frames = new FrameSplitter(limits).push(data.subarray(0, (e as MqttError).offset ?? 0));
  }
  // Then decode them one push each through a PacketDecoder, which follows the CONNECT's level and keeps offsets.
  const decoder = new PacketDecoder({ ...limits, ...(options.version !== undefined ? { version: options.version } : {}) });
  let offset = 0;
  try {
    for (const frame of frames) {
      const before = decoder.version;
      for (const packet of decoder.push(frame)) {
        let headerSize = 2;
        while (headerSize < 5 && (frame[headerSize - 1]! & 0x80) !== 0) headerSize++;
        const version = packet.type === 'connect' ? packet.protocolVersion : before;
        onFrame({ offset, headerSize, size: frame.length, flags: frame[0]! & 0x0f, packet, version });
      }
      offset += frame.length;
    }
    // What is left is the frame that failed to split, or a partial frame: the decoder reports either in its terms.
    decoder.push(data.subarray(offset));
    decoder.end();
  } catch (e) {
    return asMqttError(e);
  }
  return undefined;
}

function asMqttError(e: unknown): MqttError {
  return e instanceof MqttError ? e : new MqttError('malformed-packet', e instanceof Error ? e.message : String(e));
}

/** The stderr line for a stream error: offset, class, reason code with its name, rule, message. */
export function errorLine(e: MqttError): string {
  const parts = [`code=${e.code}`, `reasonCode=0x${e.reasonCode.toString(16).padStart(2, '0')} (${reasonCodeName(e.reasonCode)})`];
  if (e.rule !== undefined) parts.push(`rule=${e.rule}`);
  return `error at byte ${e.offset ?? '?'}: ${parts.join(' ')}: ${withoutRule(e)}`;
}

/** The message without the ` (rule)` it repeats, since the line names the rule on its own. */
function withoutRule(e: MqttError): string {
  return e.rule === undefined ? e.message : e.message.split(` (${e.rule})`).join('');
}

/** `decode` output for one frame: the summary line, or with `json` the packet's JSON line. */
export function frameLine(info: FrameInfo, json: boolean): string {
  return json ? JSON.stringify(packetToJson(info.packet)) : summaryLine(info);
}

/** A CLI failure that is the user's input, not the stream: one line on stderr, exit code 2. */
export class UsageError extends Error {}

/**
 * Encodes JSON lines (as `decode --json` prints them; blank lines skipped) to frames. Without `version`, packets
 * are encoded at 4 until a CONNECT, then at its level, as the decoder reads them.
 */
export function encodeLines(text: string, version: ProtocolVersion | undefined): Uint8Array[] {
  const frames: Uint8Array[] = [];
  let level: ProtocolVersion = version ?? 4;
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (line === '') continue;
    let json: unknown;
    try {
      json = JSON.parse(line);
    } catch (e) {
      throw new UsageError(`line ${i + 1}: invalid JSON: ${(e as Error).message}`);
    }
    try {
      const packet = packetFromJson(json);
      // a CONNECT encodes at its own level unless one was forced, and sets the level of what follows
      const own = version === undefined && packet.type === 'connect';
      frames.push(encode(packet, own ? {} : { version: level }));
      if (own) level = packet.protocolVersion;
    } catch (e) {
      const err = asMqttError(e);
      throw new UsageError(`line ${i + 1}: ${err.code}${err.rule !== undefined ? ` (${err.rule})` : ''}: ${withoutRule(err)}`);
    }
  }
  return frames;
}
