// FrameSplitter: cuts a byte stream (TCP, TLS, WebSocket) into whole MQTT frames, whatever the chunking.
// A frame inside one chunk leaves as a view of it; a frame spread over chunks is kept as a list of pieces and
// gathered once, when its last byte arrives. Memory held is bounded by maxPacketSize + 5 whatever the peer sends.

import { MqttError, malformed, tooLarge } from '../errors.js';
import { NEED_MORE, headerSize, readRemainingLength } from '../wire/remaining-length.js';

/**
 * Default limit on a whole packet (fixed header included): 1 MiB. A bet for servers facing untrusted peers, where
 * the protocol's own ceiling (268,435,460 bytes) would let one connection pin 256 MiB. Raise it per connection
 * with `maxPacketSize` when larger messages are expected.
 */
export const DEFAULT_MAX_PACKET_SIZE = 1024 * 1024;
/** The largest packet MQTT can express: 1 type byte + 4 length bytes + 268,435,455. */
export const MAX_PACKET_SIZE_LIMIT = 268_435_460;

/**
 * A piece of a partial frame shorter than this is copied into a staging block instead of being held as a view.
 * A bet on memory, not speed: a view costs ~100 bytes of object (plus the caller's chunk behind it), so a peer that
 * trickles a frame one byte per TCP segment would otherwise make the splitter hold ~100 times the frame. Copying
 * pieces under 1 KiB bounds that overhead to about 10% and copies those bytes at most twice (in, then out); pieces
 * of 1 KiB and more are still held as views and copied once.
 */
const SMALL_PIECE = 1024;
/** Largest staging block; blocks start at 64 bytes and grow with the bytes held, never past what the frame lacks. */
const STAGING_BLOCK = 16 * 1024;

export interface FrameSplitterOptions {
  /** Largest whole packet accepted, header included; checked as soon as the Remaining Length is read. */
  maxPacketSize?: number;
  /** Protocol level, for the rule ids in errors (3.1.1 or 5.0 numbering). Default 4. */
  version?: 3 | 4 | 5;
}

/** The 5.0 ids of the Remaining Length rules that 3.1.1 numbers differently. */
const V5_HEADER_RULE: Record<string, string> = { 'U311-2.2.3-1': 'U5-1.5.5-1', 'U311-2.2.3-3': 'MQTT-1.5.5-1' };

export class FrameSplitter {
  readonly maxPacketSize: number;
  version: 3 | 4 | 5;
  /** Pieces of the partial frame in order (views of earlier chunks, or full staging blocks), joined once it completes. */
  private pieces: Uint8Array[] = [];
  /** Bytes held for the partial frame: the pieces plus the used part of `staging`. */
  private piecesLength = 0;
  /** Block that small pieces are copied into; its used part follows `pieces`. */
  private staging: Uint8Array | undefined;
  private stagingUsed = 0;
  /** Size of the partial frame once its header is known, else -1. */
  private need = -1;
  /** Stream offset of the first byte after the last chunk pushed. */
  private consumed = 0;
  private failure: MqttError | undefined;
  /** Stream offset of the first frame the last `scan` returned (the gathered one, else the first in the chunk). @internal */
  firstFrameOffset = 0;
  /** A header error found after whole frames of the same chunk, held until they are decoded. */
  private deferred: MqttError | undefined;
  /** Reused by `push` for the frame offsets of each chunk. */
  private readonly bounds: number[] = [];

  constructor(options: FrameSplitterOptions = {}) {
    const max = options.maxPacketSize ?? DEFAULT_MAX_PACKET_SIZE;
    if (!Number.isInteger(max) || max < 2) {
      throw new MqttError('invalid-packet', `FrameSplitter maxPacketSize must be an integer of at least 2, got ${String(max)}`);
    }
    this.maxPacketSize = Math.min(max, MAX_PACKET_SIZE_LIMIT);
    this.version = options.version ?? 4;
  }

  /** Bytes held for a partial frame (at most maxPacketSize - 1, or 4 while its header is incomplete). */
  get buffered(): number {
    return this.piecesLength;
  }

  /** Stream offset of the next byte `push` will receive. */
  get offset(): number {
    return this.consumed;
  }

  /**
   * Returns every frame completed by `chunk`, in order. Chunks must not be modified after being pushed: frames,
   * and pieces of a partial frame, may be views of them. After an error, every call throws that error.
   */
  push(chunk: Uint8Array): Uint8Array[] {
    const bounds = this.bounds;
    const joined = this.scan(chunk, bounds);
    const frames: Uint8Array[] = joined === undefined ? [] : [joined];
    for (let i = 0; i < bounds.length; i += 3) frames.push(chunk.subarray(bounds[i]!, bounds[i]! + bounds[i + 2]!));
    return frames;
  }

  /**
   * `push` without the frame views: returns the frame completed from held pieces (gathered), if any, and fills
   * `bounds` with (start, header size, frame size) triples for the whole frames inside `chunk`, in order.
   * PacketDecoder decodes straight from `chunk` at those offsets, so a frame inside a chunk costs no view object
   * and its Remaining Length is read once.
   */
  /**
   * With `deferHeaderError`, a bad header found after some whole frames of the chunk is not thrown at once: the
   * frames before it are returned, and the caller decodes them and then calls `raiseDeferred()`. So the first error
   * in stream order is the one reported, however the stream was chunked.
   * @internal
   */
  scan(chunk: Uint8Array, bounds: number[], deferHeaderError = false): Uint8Array | undefined {
    if (this.failure !== undefined) throw this.failure;
    if (!(chunk instanceof Uint8Array)) {
      throw new MqttError('invalid-packet', `FrameSplitter.push expects a Uint8Array, got ${chunk === null ? 'null' : typeof chunk}`);
    }
    bounds.length = 0;
    let joined: Uint8Array | undefined;
    try {
      joined = this.split(chunk, bounds);
    } catch (e) {
      bounds.length = 0;
      throw this.poison(e as MqttError);
    }
    if (this.deferred !== undefined && !deferHeaderError) this.raiseDeferred();
    return joined;
  }

  /** Throws the header error `scan` deferred, if any (poisoning the stream with it). @internal */
  raiseDeferred(): void {
    let e = this.deferred;
    if (e !== undefined) {
      this.deferred = undefined;
      // A 5.0 CONNECT earlier in the same chunk switched the level after the header was read: cite the 5.0 rule.
      const v5Rule = this.version === 5 && e.rule !== undefined ? V5_HEADER_RULE[e.rule] : undefined;
      if (v5Rule !== undefined) {
        e = new MqttError(e.code, e.message.replace(`(${e.rule!})`, `(${v5Rule})`), {
          reasonCode: e.reasonCode,
          rule: v5Rule,
          ...(e.offset !== undefined ? { offset: e.offset } : {}),
        });
      }
      throw this.poison(e);
    }
  }

  /** Call at the end of the stream: throws when a partial frame remains. */
  end(): void {
    if (this.failure !== undefined) throw this.failure;
    if (this.piecesLength > 0) {
      throw this.poison(
        malformed(
          this.version === 5 ? 'U5-2-1' : 'U311-2-1',
          `stream ended inside a frame: ${this.piecesLength} byte(s) of ${this.need === -1 ? 'an unfinished header' : `a ${this.need}-byte frame`} buffered`,
          this.consumed - this.piecesLength,
        ),
      );
    }
  }

  /**
   * Marks the stream as failed: every later `push` throws the same error. Used by PacketDecoder for errors found
   * in a frame's body, after which the connection must be closed too (MQTT-4.8.0-1).
   */
  poison(error: MqttError): MqttError {
    if (this.failure === undefined) {
      this.failure = new MqttError(error.code, `${error.message}; the stream cannot be resynchronised after this error`, {
        reasonCode: error.reasonCode,
        ...(error.rule !== undefined ? { rule: error.rule } : {}),
        ...(error.offset !== undefined ? { offset: error.offset } : {}),
      });
      this.pieces = [];
      this.piecesLength = 0;
      this.staging = undefined;
      this.stagingUsed = 0;
    }
    return this.failure;
  }

  private split(chunk: Uint8Array, bounds: number[]): Uint8Array | undefined {
    let joined: Uint8Array | undefined;
    const len = chunk.length;
    const base = this.consumed;
    this.consumed += len;
    this.firstFrameOffset = base;
    let pos = 0;
    if (this.piecesLength > 0) {
      if (this.need === -1) {
        // The header is split. Fewer than 5 bytes are held, all in the staging block (they are small pieces):
        // read the Remaining Length over them and up to 5 - held new bytes.
        const held = this.piecesLength;
        const head = new Uint8Array(Math.min(held + len, 5));
        head.set(this.staging!.subarray(0, held));
        head.set(chunk.subarray(0, head.length - held), held);
        const rl = readRemainingLength(head, 1, head.length, this.version === 5, base - held);
        if (rl === NEED_MORE) {
          this.hold(chunk);
          return undefined;
        }
        this.need = this.checkSize(headerSize + rl, base - held);
      }
      const missing = this.need - this.piecesLength;
      if (len < missing) {
        this.hold(chunk);
        return undefined;
      }
      joined = this.gather(chunk.subarray(0, missing));
      this.firstFrameOffset = base + missing - joined.length;
      pos = missing;
    }
    while (pos < len) {
      let rl: number;
      let size: number;
      try {
        rl = readRemainingLength(chunk, pos + 1, len, this.version === 5, base);
        if (rl === NEED_MORE) break;
        // MQTT-3.1.2-24 / 5.0 Maximum Packet Size: refuse at the header, before holding any of the body
        size = this.checkSize(headerSize + rl, base + pos);
      } catch (e) {
        if (bounds.length === 0 && joined === undefined) throw e;
        // frames before the bad header come first: report it after them (see scan)
        this.deferred = e as MqttError;
        return joined;
      }
      const hs = headerSize;
      if (len - pos < size) {
        this.need = size;
        break;
      }
      bounds.push(pos, hs, size);
      pos += size;
    }
    if (pos < len) this.hold(chunk.subarray(pos));
    return joined;
  }

  /** Keeps `piece` for the partial frame: small pieces are copied into the staging block, others held as views. */
  private hold(piece: Uint8Array): void {
    const n = piece.length;
    if (n === 0) return;
    const staging = this.staging;
    if (staging !== undefined && n <= staging.length - this.stagingUsed) {
      staging.set(piece, this.stagingUsed);
      this.stagingUsed += n;
    } else if (n < SMALL_PIECE) {
      this.flushStaging();
      // Sized by the bytes already held (doubling from 64 up to STAGING_BLOCK), never by the declared length
      // alone and never past what the frame still lacks: allocation stays within about twice what was received.
      const room =
        this.need === -1
          ? 5
          : Math.min(this.need - this.piecesLength, Math.max(n, Math.min(STAGING_BLOCK, Math.max(64, this.piecesLength))));
      const block = new Uint8Array(room);
      block.set(piece, 0);
      this.staging = block;
      this.stagingUsed = n;
    } else {
      this.flushStaging();
      this.pieces.push(piece);
    }
    this.piecesLength += n;
  }

  private flushStaging(): void {
    if (this.staging !== undefined) {
      this.pieces.push(this.staging.subarray(0, this.stagingUsed));
      this.staging = undefined;
      this.stagingUsed = 0;
    }
  }

  /** Joins the held pieces and `last` into the completed frame: the only copy of a frame spread over chunks. */
  private gather(last: Uint8Array): Uint8Array {
    this.flushStaging();
    const frame = new Uint8Array(this.need);
    let o = 0;
    for (const p of this.pieces) {
      frame.set(p, o);
      o += p.length;
    }
    frame.set(last, o);
    this.pieces = [];
    this.piecesLength = 0;
    this.need = -1;
    return frame;
  }

  private checkSize(size: number, at: number): number {
    if (size > this.maxPacketSize) {
      throw tooLarge(`packet of ${size} bytes exceeds the maximum packet size of ${this.maxPacketSize} bytes`, at);
    }
    return size;
  }
}
