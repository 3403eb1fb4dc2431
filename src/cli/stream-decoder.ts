// The decode loop of the CLI as a push API: chunks in, each packet out with where its frame lay in the stream,
// and at the end or at the first error, that error. Every packet before the error is handed over first, even those
// that share a chunk with it. Memory held is one partial frame, whatever the length of the stream.

import { FrameSplitter, MqttError, PacketDecoder, reasonCodeName } from '../index.js';
import type { ProtocolVersion } from '../index.js';
import type { FrameInfo } from './summary.js';
import { concat } from './bytes.js';

export interface StreamDecoderOptions {
  /** Fixed protocol level; when absent, 4 until the first CONNECT, then its level. */
  version?: ProtocolVersion;
  maxPacketSize: number;
}

export class StreamDecoder {
  /** Cuts the frames, so that each can be decoded (and reported) alone. */
  readonly #splitter: FrameSplitter;
  /** Decodes one frame per push: follows a CONNECT's level, keeps stream offsets and rule ids by level. */
  readonly #decoder: PacketDecoder;
  /** Stream offset of the next frame's first byte. */
  #offset = 0;
  /** Bytes pushed so far. */
  #received = 0;
  /**
   * The bytes of the partial frame the splitter holds, as views of the chunks they arrived in (the splitter holds
   * the same bytes, so this costs no copy). After a header error they are cut again to find the frames before it.
   */
  #pending: Uint8Array[] = [];
  #error: MqttError | undefined;

  constructor(options: StreamDecoderOptions) {
    const limits = { maxPacketSize: options.maxPacketSize };
    this.#splitter = new FrameSplitter(limits);
    this.#decoder = new PacketDecoder({ ...limits, ...(options.version !== undefined ? { version: options.version } : {}) });
  }

  /** The error that ended the stream, if one has. */
  get error(): MqttError | undefined {
    return this.#error;
  }

  /** Hands over each packet that `chunk` completes, in order; returns the stream's error once there is one. */
  push(chunk: Uint8Array, onFrame: (info: FrameInfo) => void): MqttError | undefined {
    if (this.#error !== undefined) return this.#error;
    const start = this.#received;
    this.#received += chunk.length;
    let frames: Uint8Array[];
    let failed = false;
    try {
      frames = this.#splitter.push(chunk);
    } catch (e) {
      // A bad header: the frames of this chunk before it were not returned. Cutting the held bytes and the chunk up
      // to the error's offset with a fresh splitter gives exactly those frames.
      failed = true;
      const upTo = Math.max(0, ((e as MqttError).offset ?? start) - start);
      frames = new FrameSplitter({ maxPacketSize: this.#splitter.maxPacketSize }).push(concat([...this.#pending, chunk.subarray(0, upTo)]));
    }
    for (const frame of frames) {
      if (!this.#decodeFrame(frame, onFrame)) return this.#error;
    }
    if (failed) {
      // What follows the last whole frame holds the error: let the decoder find it, in its own terms (the rule id of
      // the level in force after a CONNECT in the same chunk).
      const rest = concat([...this.#pending, chunk]).subarray(this.#offset - (start - this.#pendingLength()));
      return this.#fail(() => this.#decoder.push(rest));
    }
    this.#keepPending(chunk);
    return undefined;
  }

  /** Call when the input ends: returns the error when it stopped inside a frame. */
  end(): MqttError | undefined {
    if (this.#error !== undefined) return this.#error;
    // The decoder has only seen whole frames: give it the partial one, so that it reports it in its own terms.
    const rest = concat(this.#pending);
    return this.#fail(() => {
      this.#decoder.push(rest);
      this.#decoder.end();
    });
  }

  #pendingLength(): number {
    let n = 0;
    for (const p of this.#pending) n += p.length;
    return n;
  }

  /** After a successful push, keep views of the bytes of the partial frame the splitter now holds. */
  #keepPending(chunk: Uint8Array): void {
    const held = this.#splitter.buffered;
    if (held === 0) this.#pending = [];
    else if (held <= chunk.length) this.#pending = [chunk.subarray(chunk.length - held)];
    else this.#pending.push(chunk);
  }

  #decodeFrame(frame: Uint8Array, onFrame: (info: FrameInfo) => void): boolean {
    const before = this.#decoder.version;
    let packets;
    try {
      packets = this.#decoder.push(frame);
    } catch (e) {
      this.#error = asMqttError(e);
      return false;
    }
    let headerSize = 2;
    while (headerSize < 5 && (frame[headerSize - 1]! & 0x80) !== 0) headerSize++;
    for (const packet of packets) {
      const version = packet.type === 'connect' ? packet.protocolVersion : before;
      onFrame({ offset: this.#offset, headerSize, size: frame.length, flags: frame[0]! & 0x0f, packet, version });
    }
    this.#offset += frame.length;
    return true;
  }

  #fail(run: () => void): MqttError | undefined {
    try {
      run();
    } catch (e) {
      this.#error = asMqttError(e);
      return this.#error;
    }
    return undefined;
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
