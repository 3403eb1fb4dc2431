// A JSON form of packets, for fixtures, the CLI's `--json` lines and anyone who logs packets as text.
// Binary fields (Uint8Array) become `{ "utf8": "..." }` when the bytes are well-formed UTF-8 and `{ "hex": "..." }`
// otherwise; both forms are read back, so `packetFromJson(packetToJson(p))` deep-equals `p`.

import { invalidPacket } from './errors.js';
import type { Packet } from './types.js';

const fatal = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const encoder = new TextEncoder();

/** Hex of `bytes`, lowercase, no separators. */
export function toHex(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i++) s += (bytes[i]! < 16 ? '0' : '') + bytes[i]!.toString(16);
  return s;
}

/** Bytes of a hex string; whitespace is ignored. Throws `invalid-packet` on anything else. */
export function fromHex(hex: string): Uint8Array {
  const clean = hex.replace(/\s+/g, '');
  if (clean.length % 2 !== 0 || /[^0-9a-fA-F]/.test(clean)) {
    throw invalidPacket(undefined, `'${clean.length > 40 ? `${clean.slice(0, 40)}…` : clean}' is not an even-length hex string`);
  }
  const out = new Uint8Array(clean.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(clean.slice(i * 2, i * 2 + 2), 16);
  return out;
}

/** A JSON-ready copy of `packet` (binary fields as `{utf8}` or `{hex}` objects). */
export function packetToJson(packet: Packet): unknown {
  return toJson(packet);
}

function toJson(value: unknown): unknown {
  if (value instanceof Uint8Array) {
    try {
      const text = fatal.decode(value);
      // a string only when it reads back to the same bytes (always true for well-formed UTF-8)
      return { utf8: text };
    } catch {
      return { hex: toHex(value) };
    }
  }
  if (Array.isArray(value)) return value.map(toJson);
  if (typeof value === 'object' && value !== null) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = toJson(v);
    return out;
  }
  return value;
}

/** The packet a `packetToJson` object (or a parsed JSON line) stands for. Shape is checked later by `encode`. */
export function packetFromJson(json: unknown): Packet {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw invalidPacket(undefined, 'a JSON packet must be an object with a "type"');
  }
  return fromJson(json) as Packet;
}

function fromJson(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(fromJson);
  if (typeof value === 'object' && value !== null) {
    const keys = Object.keys(value);
    if (keys.length === 1) {
      const v = value as Record<string, unknown>;
      if (keys[0] === 'hex' && typeof v['hex'] === 'string') return fromHex(v['hex']);
      if (keys[0] === 'utf8' && typeof v['utf8'] === 'string') return encoder.encode(v['utf8']);
    }
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      // JSON.parse makes "__proto__" an own key; assigned, it would set the prototype and supply every field
      if (k === '__proto__') throw invalidPacket(undefined, 'a JSON packet may not have a "__proto__" key');
      out[k] = fromJson(v);
    }
    return out;
  }
  return value;
}
