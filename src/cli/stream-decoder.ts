// The decode loop of the CLI as a push API: chunks in, each packet out with where its frame lay in the stream,
// and at the end or at the first error, that error. Every packet before the error is handed over first, even those
// that share a chunk with it. Memory held is one partial frame, whatever the length of the stream.

import { FrameSplitter, MqttError, PacketDecoder, reasonCodeName } from '../index.js';
import type { Packet, ProtocolVersion } from '../index.js';
import type { FrameInfo } from './summary.js';
import { concat } from './bytes.js';

export interface StreamDecoderOptions {
  /** Fixed protocol level; when absent, 4 until the first CONNECT, then its level. */
  version?: ProtocolVersion;
  maxPacketSize: number;
}

export class StreamDecoder {
  /** Decodes the chunks as they come (in place, its fast path); keeps stream offsets and rule ids by level. */
  readonly #decoder: PacketDecoder;
  readonly #maxPacketSize: number;
  readonly #fixedVersion: boolean;
  /** Whether a CONNECT has been handed over (the first one sets the level, as in PacketDecoder). */
  #sawConnect = false;
  readonly #places = new FramePlaces();
  /** Bytes pushed so far. */
  #received = 0;
  /**
   * The bytes after the last whole frame, as views of the chunks they arrived in (the decoder holds the same bytes,
   * so this costs no copy). After an error they are decoded again to find the packets before it.
   */
  #pending: Uint8Array[] = [];
  #pendingLength = 0;
  #error: MqttError | undefined;

  constructor(options: StreamDecoderOptions) {
    this.#maxPacketSize = options.maxPacketSize;
    this.#fixedVersion = options.version !== undefined;
    this.#decoder = new PacketDecoder({ maxPacketSize: options.maxPacketSize, ...(options.version !== undefined ? { version: options.version } : {}) });
  }

  /** The error that ended the stream, if one has. */
  get error(): MqttError | undefined {
    return this.#error;
  }

  /** Hands over each packet that `chunk` completes, in order; returns the stream's error once there is one. */
  push(chunk: Uint8Array, onFrame: (info: FrameInfo) => void): MqttError | undefined {
    if (this.#error !== undefined) return this.#error;
    // Node hands over Buffers: a plain Uint8Array view of the same bytes takes the decoder's fast path (Buffer's
    // subarray looks up its species on every payload view).
    if (chunk.constructor !== Uint8Array) chunk = new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.length);
    const versionBefore = this.#decoder.version;
    const knownBefore = this.#fixedVersion || this.#sawConnect;
    this.#places.read(chunk);
    let packets: Packet[];
    try {
      packets = this.#decoder.push(chunk);
    } catch (e) {
      this.#error = asMqttError(e);
      packets = this.#packetsBefore(this.#error, chunk, knownBefore ? versionBefore : undefined);
    }
    let version = versionBefore;
    const places = this.#places;
    for (const packet of packets) {
      if (packet.type === 'connect' && !this.#fixedVersion && !this.#sawConnect) {
        this.#sawConnect = true;
        version = packet.protocolVersion;
      }
      const q = places.next();
      const size = places.queue[q + 2]!;
      this.#pendingLength -= size;
      onFrame({
        offset: places.queue[q]!,
        headerSize: places.queue[q + 1]!,
        size,
        flags: places.queue[q + 3]!,
        packet,
        version: packet.type === 'connect' ? packet.protocolVersion : version,
      });
    }
    if (this.#error !== undefined) return this.#error;
    this.#keepPending(chunk);
    return undefined;
  }

  /** Call when the input ends: returns the error when it stopped inside a frame. */
  end(): MqttError | undefined {
    if (this.#error !== undefined) return this.#error;
    try {
      this.#decoder.end();
    } catch (e) {
      this.#error = asMqttError(e);
    }
    return this.#error;
  }

  /**
   * The packets of the held bytes and `chunk` that come before `error` (PacketDecoder.push throws them away):
   * the frames ending before the error's offset, decoded one by one from the level in force before the chunk.
   */
  #packetsBefore(error: MqttError, chunk: Uint8Array, version: ProtocolVersion | undefined): Packet[] {
    const start = this.#received - this.#pendingLength;
    const upTo = Math.max(0, (error.offset ?? start) - start);
    const bytes = concat([...this.#pending, chunk]).subarray(0, upTo);
    const packets: Packet[] = [];
    const replay = new PacketDecoder({ maxPacketSize: this.#maxPacketSize, ...(version !== undefined ? { version } : {}) });
    try {
      for (const frame of new FrameSplitter({ maxPacketSize: this.#maxPacketSize }).push(bytes)) packets.push(...replay.push(frame));
    } catch {
      // the failing frame itself (when the error lies at its very end): the packets before it are all there is
    }
    return packets;
  }

  /** After a successful push, keep views of the bytes after the last whole frame. */
  #keepPending(chunk: Uint8Array): void {
    this.#received += chunk.length;
    this.#pendingLength += chunk.length;
    const held = this.#pendingLength;
    if (held === 0) this.#pending = [];
    else if (held <= chunk.length) this.#pending = [chunk.subarray(chunk.length - held)];
    else this.#pending.push(chunk);
  }
}

/**
 * Reads the fixed header of each frame as its bytes arrive, to say where the frame lay: stream offset, header
 * size, size, flags. The decoder checks the framing; this only places the frames it accepted, so a broken header
 * (after which no packet is handed over) just stops the reading.
 */
class FramePlaces {
  /**
   * (stream offset, header size, size, flags) of each frame whose header has been read and whose packet has not been
   * handed over yet, in order, four numbers per frame from `#head` on.
   */
  queue: number[] = [];
  #head = 0;
  /** Header bytes read of the frame being read: 0 before its type byte, then 1 + Remaining Length bytes so far. */
  #headerSize = 0;
  #flags = 0;
  #remainingLength = 0;
  #multiplier = 1;
  /** Body bytes still to pass over before the next header. */
  #skip = 0;
  /** Stream offset of the frame being read. */
  #frameStart = 0;
  #broken = false;

  read(chunk: Uint8Array): void {
    if (this.#broken) return;
    const queue = this.queue;
    // drop the frames handed over (all of them but a partial frame's, usually)
    if (this.#head > 0) {
      if (this.#head === queue.length) queue.length = 0;
      else queue.splice(0, this.#head);
      this.#head = 0;
    }
    // the state in locals for the loop, written back at the end
    let headerSize = this.#headerSize;
    let flags = this.#flags;
    let remainingLength = this.#remainingLength;
    let multiplier = this.#multiplier;
    let skip = this.#skip;
    let frameStart = this.#frameStart;
    let n = queue.length;
    const len = chunk.length;
    let i = 0;
    while (i < len) {
      if (skip > 0) {
        const step = Math.min(skip, len - i);
        skip -= step;
        i += step;
        continue;
      }
      const b = chunk[i++]!;
      if (headerSize++ === 0) {
        flags = b & 0x0f;
        continue;
      }
      remainingLength += (b & 0x7f) * multiplier;
      multiplier *= 128;
      if ((b & 0x80) !== 0) {
        // a fifth Remaining Length byte: the decoder refuses this frame, and nothing after it is handed over
        if (headerSize === 5) {
          this.#broken = true;
          return;
        }
        continue;
      }
      const size = headerSize + remainingLength;
      queue[n++] = frameStart;
      queue[n++] = headerSize;
      queue[n++] = size;
      queue[n++] = flags;
      frameStart += size;
      skip = remainingLength;
      headerSize = 0;
      remainingLength = 0;
      multiplier = 1;
    }
    this.#headerSize = headerSize;
    this.#flags = flags;
    this.#remainingLength = remainingLength;
    this.#multiplier = multiplier;
    this.#skip = skip;
    this.#frameStart = frameStart;
  }

  /** The index in `queue` of the next frame's four numbers (valid until the next call). */
  next(): number {
    const at = this.#head;
    this.#head += 4;
    return at;
  }
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
export function withoutRule(e: MqttError): string {
  return e.rule === undefined ? e.message : e.message.split(` (${e.rule})`).join('');
}
