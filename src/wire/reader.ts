// Bounds-checked cursor over one frame: every read stays inside [pos, end) or throws a Malformed Packet error
// that names the packet and field. Packet modules read integers, strings and binary data only through it.

import { malformed } from '../errors.js';
import type { ProtocolVersion } from '../types.js';
import { decodeUtf8, utf8Fault } from './utf8.js';

export class Reader {
  buf: Uint8Array;
  pos: number;
  end: number;
  /** Protocol level being decoded: selects the 3.1.1 or 5.0 rule ids in errors. */
  version: ProtocolVersion;
  /** Packet name for messages, e.g. `PUBLISH`. */
  packet: string;
  /** When true, binary fields (payloads, passwords, correlation data) are copied out of `buf`. */
  copy: boolean;
  /**
   * `buf.buffer` when `buf` is exactly a Uint8Array, else undefined; with `base` (= `buf.byteOffset`) it lets
   * `bytes` make a view with the Uint8Array constructor, half the cost of `subarray` in Node (bench w1 line
   * profile), and the same view. Set by PacketDecoder once per chunk. A subclass of Uint8Array (Node's, say)
   * keeps `subarray`, so its views stay of its class.
   */
  backing: ArrayBufferLike | undefined = undefined;
  base = 0;

  constructor(buf: Uint8Array, pos: number, end: number, version: ProtocolVersion, packet: string, copy = false) {
    this.buf = buf;
    this.pos = pos;
    this.end = end;
    this.version = version;
    this.packet = packet;
    this.copy = copy;
  }

  get remaining(): number {
    return this.end - this.pos;
  }

  /** Rule id for "fields must exactly fill the Remaining Length". */
  get fillRule(): string {
    return this.version === 5 ? 'U5-2-1' : 'U311-2-1';
  }

  truncated(field: string, need: number): never {
    throw malformed(
      this.fillRule,
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
    if (s === undefined) {
      const v5 = this.version === 5;
      if (utf8Fault === 'null') {
        throw malformed(v5 ? 'MQTT-1.5.4-2' : 'MQTT-1.5.3-2', `${this.packet} ${field} contains U+0000`, start);
      }
      throw malformed(v5 ? 'MQTT-1.5.4-1' : 'MQTT-1.5.3-1', `${this.packet} ${field} is not well-formed UTF-8`, start);
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
    const s = decodeUtf8(this.buf, p + 2, q);
    this.pos = q;
    return s;
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

  /** MQTT-... fields must exactly fill the Remaining Length: nothing may be left over. */
  expectEnd(): void {
    if (this.pos !== this.end) {
      throw malformed(
        this.fillRule,
        `${this.packet}: ${this.end - this.pos} byte(s) left over after the last field`,
        this.pos,
      );
    }
  }
}
