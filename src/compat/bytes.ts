// Binary values as mqtt-packet's users expect them: Node Buffers where `globalThis.Buffer` exists (Node, Bun), plain
// Uint8Arrays elsewhere (browsers, Deno, workers). Found at run time, never imported.

import type { Bytes } from './types.js';

export interface BufferConstructorLike {
  from(buffer: ArrayBufferLike, byteOffset: number, length: number): Uint8Array;
  allocUnsafe(size: number): Uint8Array;
  isBuffer(value: unknown): boolean;
  prototype: Uint8Array;
}

/** Node's Buffer, where it exists. */
export const NodeBuffer = (globalThis as { Buffer?: BufferConstructorLike }).Buffer;
/** Buffer.prototype where Buffer exists: `Object.getPrototypeOf(x) === BUFFER_PROTO` tells a Buffer apart cheaply. */
const BUFFER_PROTO: object | undefined = NodeBuffer?.prototype;

const utf8Encoder = new TextEncoder();
const strictDecoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** `bytes` as a Buffer view of the same memory (no copy) where Buffer exists; else `bytes` itself. */
export function asBytes(bytes: Uint8Array): Bytes {
  if (BUFFER_PROTO === undefined || Object.getPrototypeOf(bytes) === BUFFER_PROTO) return bytes as Bytes;
  return NodeBuffer!.from(bytes.buffer, bytes.byteOffset, bytes.length) as Bytes;
}

/**
 * A new array of `size` bytes, contents unspecified: Buffer.allocUnsafe where Buffer exists (small sizes come from
 * Node's pool, about a tenth of the cost of a new 100-byte Uint8Array, which V8 backs with its own ArrayBuffer).
 */
export function allocBytes(size: number): Uint8Array {
  return NodeBuffer !== undefined ? NodeBuffer.allocUnsafe(size) : new Uint8Array(size);
}

/** True for a Buffer or any other Uint8Array. */
export function isBytes(value: unknown): value is Uint8Array {
  return value instanceof Uint8Array;
}

/** True for what mqtt-packet calls a Buffer: a Node Buffer where Buffer exists, else any Uint8Array. */
export function isBuffer(value: unknown): value is Uint8Array {
  return NodeBuffer !== undefined ? NodeBuffer.isBuffer(value) : value instanceof Uint8Array;
}

export function utf8Bytes(s: string): Uint8Array {
  return utf8Encoder.encode(s);
}

/** Strict UTF-8 decoding of `bytes`, or undefined when they are not well-formed. */
export function utf8String(bytes: Uint8Array): string | undefined {
  try {
    return strictDecoder.decode(bytes);
  } catch {
    return undefined;
  }
}

/** Equal bytes. */
export function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
