// FrameSplitter: cuts a byte stream (TCP, TLS, WebSocket) into whole MQTT frames, whatever the chunking.
// A frame inside one chunk leaves as a view of it; a frame spread over chunks is kept as a list of pieces and
// gathered once, when its last byte arrives. Memory held is bounded by maxPacketSize + 5 whatever the peer sends.
// Frames are cut one at a time (FrameCursor.next), so every frame before a bad header is handed over first.

import { MqttError, annotate, invalidPacket, malformed, tooLarge } from '../errors.js';
import { OptionKeys } from '../options.js';
import { PACKET_TYPE_INFO } from '../packet-types.js';
import { ruleAt } from '../rules.js';
import type { ProtocolVersion } from '../types.js';
import { uint8Length } from '../wire/bytes.js';
import { NEED_MORE, readRemainingLength } from '../wire/remaining-length.js';
import { varintSize } from '../wire/writer.js';

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

const EMPTY = new Uint8Array(0);

export interface FrameSplitterOptions {
  /** Largest whole packet accepted, header included; checked as soon as the Remaining Length is read. */
  maxPacketSize?: number;
  /** Protocol level, for the rule ids in errors (3.1.1 or 5.0 numbering). Default 4. */
  version?: ProtocolVersion;
}

/** Checks a `maxPacketSize` option: an integer of at least 2, capped at the protocol's limit. */
export function checkMaxPacketSize(max: unknown, where: string): number {
  if (max === undefined) return DEFAULT_MAX_PACKET_SIZE;
  if (typeof max !== 'number' || !Number.isInteger(max) || max < 2) {
    throw invalidPacket(undefined, `${where} maxPacketSize must be an integer of at least 2, got ${String(max)}`);
  }
  return Math.min(max, MAX_PACKET_SIZE_LIMIT);
}

/**
 * The splitting state of one stream, shared by FrameSplitter and PacketDecoder (not exported from the package).
 * `feed` gives it a chunk; each `next()` cuts one frame and describes it in `buf`/`start`/`bodyStart`/`end`/`at`,
 * or returns false when the input is used up (a partial frame held). A chunk fed before the previous one is used up
 * (a caller's callback threw mid-chunk) waits in a queue, so no byte is skipped.
 */
export class FrameCursor {
  readonly maxPacketSize: number;
  version: ProtocolVersion;

  // The frame `next()` found: `buf[start, end)`, body from `bodyStart`, at stream offset `at`.
  buf: Uint8Array = EMPTY;
  start = 0;
  bodyStart = 0;
  end = 0;
  at = 0;
  /** True when `buf` is a frame gathered from pieces of several chunks (a fresh array of exactly the frame). */
  gathered = false;

  /** The chunk being cut, the next position in it, and the stream offset of its first byte. */
  #chunk: Uint8Array = EMPTY;
  #pos = 0;
  #chunkBase = 0;
  /** Chunks fed while `#chunk` was not used up, in order. */
  #queue: Uint8Array[] = [];
  /** Stream offset after the last byte fed. */
  #fed = 0;
  /** Pieces of the partial frame in order (views of earlier chunks, or full staging blocks), joined once it completes. */
  #pieces: Uint8Array[] = [];
  /** Bytes held for the partial frame: the pieces plus the used part of `#staging`. */
  #held = 0;
  /** Block that small pieces are copied into; its used part follows `#pieces`. */
  #staging: Uint8Array | undefined;
  #stagingUsed = 0;
  /** Size of the partial frame once its header is known, else -1; and the size of its fixed header. */
  #need = -1;
  #headerSize = 0;
  /** The error that ended the stream: every later call throws it. */
  failure: MqttError | undefined;

  constructor(maxPacketSize: number, version: ProtocolVersion) {
    this.maxPacketSize = maxPacketSize;
    this.version = version;
  }

  /** Bytes held for a partial frame. */
  get held(): number {
    return this.#held;
  }

  /** Stream offset of the next byte to be fed. */
  get fed(): number {
    return this.#fed;
  }

  /** True while some fed bytes are not yet cut (only after a caller's callback threw mid-chunk). */
  get pending(): boolean {
    return this.#pos < this.#chunk.length || this.#queue.length > 0;
  }

  feed(chunk: Uint8Array, length: number): void {
    if (this.failure !== undefined) throw this.failure;
    if (length === 0) return;
    if (this.pending) {
      this.#queue.push(chunk);
    } else {
      this.#chunk = chunk;
      this.#pos = 0;
      this.#chunkBase = this.#fed;
    }
    this.#fed += length;
  }

  /** Cuts the next whole frame; false when the input is used up. Throws (and fails the stream) on a bad header. */
  next(): boolean {
    if (this.failure !== undefined) throw this.failure;
    try {
      return this.#next();
    } catch (e) {
      throw this.fail(e as MqttError);
    }
  }

  #next(): boolean {
    for (;;) {
      let chunk = this.#chunk;
      let pos = this.#pos;
      if (pos >= chunk.length) {
        const queued = this.#queue.shift();
        if (queued === undefined) return false;
        this.#chunkBase += chunk.length;
        this.#chunk = chunk = queued;
        this.#pos = pos = 0;
      }
      const len = chunk.length;
      const base = this.#chunkBase;
      if (this.#held > 0) {
        if (this.#need === -1) {
          // The header is split. Fewer than 5 bytes are held, all in the staging block (they are small pieces):
          // read the Remaining Length over them and up to 5 - held new bytes.
          const held = this.#held;
          const head = new Uint8Array(Math.min(held + len - pos, 5));
          head.set(this.#staging!.subarray(0, held));
          head.set(chunk.subarray(pos, pos + head.length - held), held);
          const rl = readRemainingLength(head, 1, head.length, this.version, base + pos - held);
          if (rl === NEED_MORE) {
            this.#holdRest(chunk, pos);
            continue;
          }
          this.#headerSize = 1 + varintSize(rl);
          this.#need = this.#checkSize(this.#headerSize + rl, head[0]!, base + pos - held);
        }
        const missing = this.#need - this.#held;
        if (len - pos < missing) {
          this.#holdRest(chunk, pos);
          continue;
        }
        const frameAt = base + pos - this.#held;
        const frame = this.#gather(chunk.subarray(pos, pos + missing));
        this.#pos = pos + missing;
        return this.#found(frame, 0, this.#headerSize, frame.length, frameAt, true);
      }
      const rl = readRemainingLength(chunk, pos + 1, len, this.version, base);
      if (rl === NEED_MORE) {
        this.#holdRest(chunk, pos);
        continue;
      }
      // MQTT-3.1.2-24 / 5.0 Maximum Packet Size: refuse at the header, before holding any of the body
      const headerSize = 1 + varintSize(rl);
      const size = this.#checkSize(headerSize + rl, chunk[pos]!, base + pos);
      if (len - pos < size) {
        this.#need = size;
        this.#headerSize = headerSize;
        this.#holdRest(chunk, pos);
        continue;
      }
      this.#pos = pos + size;
      return this.#found(chunk, pos, headerSize, pos + size, base + pos, false);
    }
  }

  #found(buf: Uint8Array, start: number, headerSize: number, end: number, at: number, gathered: boolean): true {
    this.buf = buf;
    this.start = start;
    this.bodyStart = start + headerSize;
    this.end = end;
    this.at = at;
    this.gathered = gathered;
    return true;
  }

  /** Keeps `chunk[pos..]` for the partial frame and marks the chunk used up. */
  #holdRest(chunk: Uint8Array, pos: number): void {
    this.#hold(pos === 0 ? chunk : chunk.subarray(pos));
    this.#pos = chunk.length;
  }

  /** Call at the end of the stream: throws when a partial frame remains. */
  finish(): void {
    if (this.failure !== undefined) throw this.failure;
    if (this.#held > 0) {
      throw this.fail(
        malformed(
          ruleAt('frameFill', this.version),
          `stream ended inside a frame: ${this.#held} byte(s) of ${this.#need === -1 ? 'an unfinished header' : `a ${this.#need}-byte frame`} buffered`,
          this.#fed - this.#held,
        ),
      );
    }
  }

  /** Ends the stream with `error` (MQTT-4.8.0-1: the connection must be closed): every later call throws it. */
  fail(error: MqttError): MqttError {
    if (this.failure === undefined) {
      this.failure = error;
      this.#pieces = [];
      this.#held = 0;
      this.#staging = undefined;
      this.#stagingUsed = 0;
      this.#queue = [];
      this.#chunk = EMPTY;
      this.#pos = 0;
      this.buf = EMPTY;
    }
    return this.failure;
  }

  /** Keeps `piece` for the partial frame: small pieces are copied into the staging block, others held as views. */
  #hold(piece: Uint8Array): void {
    const n = piece.length;
    if (n === 0) return;
    const staging = this.#staging;
    if (staging !== undefined && n <= staging.length - this.#stagingUsed) {
      staging.set(piece, this.#stagingUsed);
      this.#stagingUsed += n;
    } else if (n < SMALL_PIECE) {
      this.#flushStaging();
      // Sized by the bytes already held (doubling from 64 up to STAGING_BLOCK), never by the declared length
      // alone and never past what the frame still lacks: allocation stays within about twice what was received.
      const room =
        this.#need === -1 ? 5 : Math.min(this.#need - this.#held, Math.max(n, Math.min(STAGING_BLOCK, Math.max(64, this.#held))));
      const block = new Uint8Array(room);
      block.set(piece, 0);
      this.#staging = block;
      this.#stagingUsed = n;
    } else {
      this.#flushStaging();
      this.#pieces.push(piece);
    }
    this.#held += n;
  }

  #flushStaging(): void {
    if (this.#staging !== undefined) {
      this.#pieces.push(this.#staging.subarray(0, this.#stagingUsed));
      this.#staging = undefined;
      this.#stagingUsed = 0;
    }
  }

  /** Joins the held pieces and `last` into the completed frame: the only copy of a frame spread over chunks. */
  #gather(last: Uint8Array): Uint8Array {
    this.#flushStaging();
    const frame = new Uint8Array(this.#need);
    let o = 0;
    for (const p of this.#pieces) {
      frame.set(p, o);
      o += p.length;
    }
    frame.set(last, o);
    this.#pieces = [];
    this.#held = 0;
    this.#need = -1;
    return frame;
  }

  #checkSize(size: number, first: number, at: number): number {
    if (size > this.maxPacketSize) {
      const type = PACKET_TYPE_INFO[first >> 4]?.type;
      throw annotate(
        tooLarge(undefined, `packet of ${size} bytes exceeds the maximum packet size of ${this.maxPacketSize} bytes`, at),
        at,
        type,
        this.version,
      );
    }
    return size;
  }
}

const SPLITTER_OPTIONS = new OptionKeys('FrameSplitter', ['maxPacketSize', 'version']);

export class FrameSplitter {
  readonly #cursor: FrameCursor;

  constructor(options: FrameSplitterOptions = {}) {
    SPLITTER_OPTIONS.check(options);
    const { maxPacketSize, version } = options;
    if (version !== undefined && version !== 3 && version !== 4 && version !== 5) {
      throw new MqttError('unsupported-protocol-version', `FrameSplitter version ${String(version)} is not 3, 4 or 5`);
    }
    this.#cursor = new FrameCursor(checkMaxPacketSize(maxPacketSize, 'FrameSplitter'), version ?? 4);
  }

  /** Largest whole packet accepted, header included. */
  get maxPacketSize(): number {
    return this.#cursor.maxPacketSize;
  }

  /** Protocol level of the rule ids in errors; a caller that learns the level from a CONNECT may set it. */
  get version(): ProtocolVersion {
    return this.#cursor.version;
  }

  set version(v: ProtocolVersion) {
    this.#cursor.version = v;
  }

  /** Bytes held for a partial frame (at most maxPacketSize - 1, or 4 while its header is incomplete). */
  get buffered(): number {
    return this.#cursor.held;
  }

  /** Stream offset of the next byte `push` will receive. */
  get offset(): number {
    return this.#cursor.fed;
  }

  /**
   * Returns every frame completed by `chunk`, in order, and hands each to `onFrame` as soon as it is cut. Chunks
   * must not be modified after being pushed: frames, and pieces of a partial frame, may be views of them. A bad
   * header is thrown only after every frame before it was handed over; the error's `frames` lists them. After an
   * error, every call throws that same error. If `onFrame` throws, its exception propagates and the frames after
   * that one stay queued for the next `push` (an empty chunk will do) or `end`.
   */
  push(chunk: Uint8Array, onFrame?: (frame: Uint8Array) => void): Uint8Array[] {
    const cursor = this.#cursor;
    if (cursor.failure !== undefined) throw cursor.failure;
    const length = uint8Length(chunk);
    if (length < 0) throw invalidPacket(undefined, `FrameSplitter.push expects a Uint8Array, got ${chunk === null ? 'null' : typeof chunk}`);
    cursor.feed(chunk, length);
    return this.#drain(onFrame);
  }

  /**
   * Call at the end of the stream: returns (and hands to `onFrame`) any frames still queued after a callback threw,
   * then throws when a partial frame remains.
   */
  end(onFrame?: (frame: Uint8Array) => void): Uint8Array[] {
    const frames = this.#drain(onFrame);
    try {
      this.#cursor.finish();
    } catch (e) {
      (e as MqttError).frames ??= frames;
      throw e;
    }
    return frames;
  }

  #drain(onFrame: ((frame: Uint8Array) => void) | undefined): Uint8Array[] {
    const cursor = this.#cursor;
    const frames: Uint8Array[] = [];
    for (;;) {
      try {
        if (!cursor.next()) return frames;
      } catch (e) {
        const err = e as MqttError;
        err.frames ??= frames;
        throw err;
      }
      const frame = cursor.gathered ? cursor.buf : cursor.buf.subarray(cursor.start, cursor.end);
      frames.push(frame);
      if (onFrame !== undefined) onFrame(frame);
    }
  }
}
