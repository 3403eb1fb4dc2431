// Bounds-checked cursor over one frame: every read stays inside [pos, end) or throws a Malformed Packet error
// that names the packet and field. Packet modules read integers, strings and binary data only through it.
// Error offsets are positions in `buf`; `decodeBody` makes them relative to the frame (`start`).

import { malformed } from '../errors.js';
import { ruleAt } from '../rules.js';
import type { ProtocolVersion } from '../types.js';
import { HAS_NULL, decodeUtf8, decodeUtf8Cached } from './utf8.js';

export class Reader {
  buf: Uint8Array = NO_BYTES;
  /** Position in `buf` of the frame's first byte (its type byte). */
  start = 0;
  pos = 0;
  end = 0;
  /** Protocol level being decoded: selects the 3.1.1 or 5.0 rule ids in errors. A CONNECT sets its own. */
  version: ProtocolVersion = 4;
  /** The Protocol Level byte of the CONNECT being read, once it was readable (-1 before): errors report it. */
  claimedLevel = -1;
  /** Packet name for messages, e.g. `PUBLISH`. */
  packet = '';
  /** When true, binary fields (payloads, passwords, correlation data) are copied out of `buf`. */
  copy = false;
  /**
   * `buf.buffer` when `buf` is exactly a Uint8Array, else undefined; with `base` (= `buf.byteOffset`) it lets
   * `bytes` make a view with the Uint8Array constructor, half the cost of `subarray` in Node (bench w1 line
   * profile), and the same view. A subclass of Uint8Array keeps `subarray`, so its views stay
   * of its class.
   */
  backing: ArrayBufferLike | undefined = undefined;
  base = 0;
  /** True while a decode uses this Reader; a re-entrant decode takes a fresh one. */
  busy = false;

  /** Points the reader at the frame body `buf[bodyStart, end)` of the frame starting at `frameStart`. */
  reset(buf: Uint8Array, frameStart: number, bodyStart: number, end: number, version: ProtocolVersion, packet: string, copy: boolean): void {
    this.buf = buf;
    this.start = frameStart;
    this.pos = bodyStart;
    this.end = end;
    this.version = version;
    this.claimedLevel = -1;
    this.packet = packet;
    this.copy = copy;
  }

  /** Drops the references to the caller's bytes (the Reader outlives the call; it must not keep them reachable). */
  release(): void {
    this.buf = NO_BYTES;
    this.backing = undefined;
  }

  get remaining(): number {
    return this.end - this.pos;
  }

  truncated(field: string, need: number): never {
    throw malformed(
      ruleAt('frameFill', this.version),
      `${this.packet} ${field}: needs ${need} byte(s) but only ${this.end - this.pos} remain in the packet`,
      this.pos,
    );
  }

  u8(field: string): number {
    if (this.pos >= this.end) this.truncated(field, 1);
    return this.buf[this.pos++]!;
  }

  u16(field: string): number {
    const p = this.pos;
    if (p + 2 > this.end) this.truncated(field, 2);
    this.pos = p + 2;
    return (this.buf[p]! << 8) | this.buf[p + 1]!;
  }

  u32(field: string): number {
    const p = this.pos;
    if (p + 4 > this.end) this.truncated(field, 4);
    this.pos = p + 4;
    const b = this.buf;
    return b[p]! * 0x1000000 + ((b[p + 1]! << 16) | (b[p + 2]! << 8) | b[p + 3]!);
  }

  /** A Variable Byte Integer: 1..4 bytes, minimal (MQTT-1.5.5-1), at most 268,435,455. */
  varint(field: string): number {
    const start = this.pos;
    let value = 0;
    let mul = 1;
    for (let i = 0; i < 4; i++) {
      if (this.pos >= this.end) this.truncated(field, 1);
      const b = this.buf[this.pos++]!;
      value += (b & 0x7f) * mul;
      if ((b & 0x80) === 0) {
        if (b === 0 && i > 0) {
          throw malformed('MQTT-1.5.5-1', `${this.packet} ${field}: Variable Byte Integer is not in its shortest form`, start);
        }
        return value;
      }
      mul *= 128;
    }
    throw malformed('U5-1.5.5-1', `${this.packet} ${field}: Variable Byte Integer longer than 4 bytes`, start);
  }

  /** A UTF-8 Encoded String: two-byte length, then that many bytes of strict UTF-8. */
  utf8(field: string): string {
    const start = this.pos;
    // the length read inline: `${field} length` is built only for the error
    if (start + 2 > this.end) this.truncated(`${field} length`, 2);
    const len = (this.buf[start]! << 8) | this.buf[start + 1]!;
    const p = start + 2;
    this.pos = p;
    if (p + len > this.end) this.truncated(field, len);
    const s = decodeUtf8(this.buf, p, p + len);
    if (typeof s !== 'string') {
      if (s === HAS_NULL) throw malformed(ruleAt('utf8Null', this.version), `${this.packet} ${field} contains U+0000`, start);
      throw malformed(ruleAt('utf8IllFormed', this.version), `${this.packet} ${field} is not well-formed UTF-8`, start);
    }
    this.pos = p + len;
    return s;
  }

  /**
   * `utf8` for fast paths that have no field name at hand: undefined for anything `utf8` would refuse (and the
   * position is then unspecified), so the caller reads again with `utf8(field)` for the precise error.
   */
  tryUtf8(): string | undefined {
    const p = this.pos;
    if (p + 2 > this.end) return undefined;
    const q = p + 2 + ((this.buf[p]! << 8) | this.buf[p + 1]!);
    if (q > this.end) return undefined;
    // the property fast path's strings, which repeat from packet to packet
    const s = decodeUtf8Cached(this.buf, p + 2, q);
    this.pos = q;
    return typeof s === 'string' ? s : undefined;
  }

  /** Binary Data: two-byte length, then that many bytes (a view unless `copy`). */
  binary(field: string): Uint8Array {
    const p = this.pos;
    if (p + 2 > this.end) this.truncated(`${field} length`, 2);
    this.pos = p + 2;
    return this.bytes(field, (this.buf[p]! << 8) | this.buf[p + 1]!);
  }

  /** The next `len` bytes (a view unless `copy`). */
  bytes(field: string, len: number): Uint8Array {
    const p = this.pos;
    if (p + len > this.end) this.truncated(field, len);
    this.pos = p + len;
    if (this.copy) return this.buf.slice(p, p + len);
    const backing = this.backing;
    return backing !== undefined ? new Uint8Array(backing, this.base + p, len) : this.buf.subarray(p, p + len);
  }

  /** Everything left (the PUBLISH payload). */
  rest(): Uint8Array {
    return this.bytes('payload', this.end - this.pos);
  }

  /** Fields must exactly fill the Remaining Length: nothing may be left over. */
  expectEnd(): void {
    if (this.pos !== this.end) {
      throw malformed(ruleAt('frameFill', this.version), `${this.packet}: ${this.end - this.pos} byte(s) left over after the last field`, this.pos);
    }
  }

  /** Fixed-size 3.x packets: Remaining Length must be exactly `n`. */
  expectLength(n: number, rule: string): void {
    if (this.end - this.pos !== n) {
      throw malformed(rule, `${this.packet} must have Remaining Length ${n}, got ${this.end - this.pos}`, this.pos);
    }
  }
}

const NO_BYTES = new Uint8Array(0);
