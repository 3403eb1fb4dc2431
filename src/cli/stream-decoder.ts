// The decode loop of the CLI as a push API: chunks in, each packet out with where its frame lay in the stream,
// and at the end or at the first error, that error. Every packet before the error is handed over first, even those
// that share a chunk with it (PacketDecoder's onPacket). Memory held is one partial frame, whatever the stream's
// length.

import { MqttError, PacketDecoder, reasonCodeName } from '../index.js';
import type { Packet, ProtocolVersion } from '../index.js';
import type { FrameInfo } from './summary.js';

export interface StreamDecoderOptions {
  /** Fixed protocol level; when absent, 4 until the first CONNECT, then its level. */
  version?: ProtocolVersion;
  maxPacketSize: number;
}

export class StreamDecoder {
  /** Decodes the chunks as they come (in place), hands over every packet before an error, keeps stream offsets. */
  readonly #decoder: PacketDecoder;
  readonly #places = new FramePlaces();
  #error: MqttError | undefined;

  constructor(options: StreamDecoderOptions) {
    this.#decoder = new PacketDecoder({ maxPacketSize: options.maxPacketSize, ...(options.version !== undefined ? { version: options.version } : {}) });
  }

  /** The error that ended the stream, if one has. */
  get error(): MqttError | undefined {
    return this.#error;
  }

  /** Hands over each packet that `chunk` completes, in order; returns the stream's error once there is one. */
  push(chunk: Uint8Array, onFrame: (info: FrameInfo) => void): MqttError | undefined {
    if (this.#error !== undefined) return this.#error;
    // Node hands over Buffers: a plain Uint8Array view of the same bytes takes the decoder's fast path (payload
    // views made from the ArrayBuffer directly; Buffer's subarray looks up its species on every call).
    if (chunk.constructor !== Uint8Array) chunk = new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.length);
    this.#places.read(chunk);
    return this.#run(() => this.#decoder.push(chunk, (packet) => this.#hand(packet, onFrame)));
  }

  /** Call when the input ends: returns the error when it stopped inside a frame. */
  end(onFrame: (info: FrameInfo) => void = () => undefined): MqttError | undefined {
    if (this.#error !== undefined) return this.#error;
    return this.#run(() => this.#decoder.end((packet) => this.#hand(packet, onFrame)));
  }

  #run(decode: () => void): MqttError | undefined {
    try {
      decode();
    } catch (e) {
      // every packet before the error has been handed over by then
      if (!(e instanceof MqttError)) throw e;
      this.#error = e;
    }
    return this.#error;
  }

  #hand(packet: Packet, onFrame: (info: FrameInfo) => void): void {
    const places = this.#places;
    const q = places.next();
    onFrame({
      offset: places.queue[q]!,
      headerSize: places.queue[q + 1]!,
      size: places.queue[q + 2]!,
      flags: places.queue[q + 3]!,
      packet,
      // the decoder switches to a CONNECT's level as it delivers it: what follows is read at the new level
      version: packet.type === 'connect' ? packet.protocolVersion : this.#decoder.version,
    });
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
  // the detail: the message without the rule id, which the line names on its own
  return `error at byte ${e.offset ?? '?'}: ${parts.join(' ')}: ${e.detail}`;
}
