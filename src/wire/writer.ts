// Writing primitives over a caller-sized Uint8Array. The encoder computes the exact size first, so these never
// grow or check bounds: validation happened in the size pass.

import { uint8Length } from './bytes.js';
import { NATIVE_ENCODE_MIN, encodeUtf8Into } from './utf8.js';

export class Writer {
  buf: Uint8Array;
  pos: number;

  constructor(buf: Uint8Array, pos: number) {
    this.buf = buf;
    this.pos = pos;
  }

  u8(v: number): void {
    this.buf[this.pos++] = v;
  }

  u16(v: number): void {
    const b = this.buf;
    b[this.pos++] = v >>> 8;
    b[this.pos++] = v & 0xff;
  }

  u32(v: number): void {
    const b = this.buf;
    b[this.pos++] = v >>> 24;
    b[this.pos++] = (v >>> 16) & 0xff;
    b[this.pos++] = (v >>> 8) & 0xff;
    b[this.pos++] = v & 0xff;
  }

  varint(v: number): void {
    const b = this.buf;
    // most Remaining Lengths and every Property Length of a small packet take one byte
    if (v < 0x80) {
      b[this.pos++] = v;
      return;
    }
    do {
      let byte = v % 128;
      v = Math.floor(v / 128);
      if (v > 0) byte |= 0x80;
      b[this.pos++] = byte;
    } while (v > 0);
  }

  /** Two-byte length then the UTF-8 bytes; the length is filled in after writing, so it is not computed twice. */
  utf8(s: string): void {
    const start = this.pos;
    const end = encodeUtf8Into(s, this.buf, start + 2);
    const len = end - start - 2;
    this.buf[start] = len >>> 8;
    this.buf[start + 1] = len & 0xff;
    this.pos = end;
  }

  /**
   * Same as `utf8` for a string the caller has found to be all ASCII (one byte per code unit): the length is
   * known, and the loop stores each code without testing it. Long strings still go to TextEncoder.
   */
  ascii(s: string): void {
    const n = s.length;
    if (n >= NATIVE_ENCODE_MIN) {
      this.utf8(s);
      return;
    }
    const b = this.buf;
    const pos = this.pos + 2;
    b[pos - 2] = n >>> 8;
    b[pos - 1] = n & 0xff;
    for (let i = 0; i < n; i++) b[pos + i] = s.charCodeAt(i);
    this.pos = pos + n;
  }

  /** Binary Data: two-byte length, then the bytes. */
  binary(data: Uint8Array): void {
    const len = uint8Length(data);
    this.u16(len);
    this.bytes(data, len);
  }

  /**
   * The `len` bytes of `data` (its length as sized by the plan: nothing runs between sizing and writing, so it is
   * still its length). A length of 0 writes nothing, so a detached buffer (length 0) never reaches `set`, which
   * would throw on it.
   */
  bytes(data: Uint8Array, len: number): void {
    if (len > 0) this.buf.set(data, this.pos);
    this.pos += len;
  }
}

/** Bytes a Variable Byte Integer takes. */
export function varintSize(v: number): number {
  return v < 0x80 ? 1 : v < 0x4000 ? 2 : v < 0x200000 ? 3 : 4;
}

/** Largest value a Variable Byte Integer (and so a Remaining Length) can hold. */
export const VARINT_MAX = 268_435_455;
