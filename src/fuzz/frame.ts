// Frames as lists of named fields, written from the spec's layouts (not by the encoder under test), so that a
// malformed case can break one field and have every length around it recomputed — or leave one length wrong on purpose.

/** One field of a variable header or payload. Lengths are computed when the frame is written unless overridden. */
export type Field =
  | { kind: 'byte'; name: string; value: number }
  | { kind: 'u16'; name: string; value: number }
  | { kind: 'u32'; name: string; value: number }
  /** A Variable Byte Integer; `encoding` replaces the minimal form (non-minimal or over-long encodings). */
  | { kind: 'vbi'; name: string; value: number; encoding?: number[] }
  /** A UTF-8 Encoded String or Binary Data: two-byte length, then `bytes`; `length` replaces the true length. */
  | { kind: 'string' | 'binary'; name: string; bytes: Uint8Array; length?: number }
  /** A 5.0 property block: Property Length (a Variable Byte Integer), then the properties. */
  | { kind: 'properties'; name: string; items: Property[]; length?: number; lengthEncoding?: number[] }
  | { kind: 'raw'; name: string; bytes: Uint8Array };

/** One 5.0 property: identifier (a Variable Byte Integer, `idEncoding` to pad it) and its value fields. */
export interface Property {
  id: number;
  idEncoding?: number[];
  value: Field[];
}

/** A whole frame: packet type and flags (first byte), body fields, and optionally a forged Remaining Length. */
export interface FrameModel {
  type: number;
  flags: number;
  body: Field[];
  /** Remaining Length bytes to write instead of the minimal encoding of the body's length. */
  remainingLength?: number[];
  /** Bytes written after the body without being counted in the Remaining Length (the frame then ends early). */
  trailer?: Uint8Array;
}

const te = new TextEncoder();

/** UTF-8 bytes of a string of whole code points. */
export function utf8(text: string): Uint8Array {
  return te.encode(text);
}

/** The minimal Variable Byte Integer encoding of `n` (section 1.5.5). */
export function vbiBytes(n: number): number[] {
  const out: number[] = [];
  do {
    let d = n % 128;
    n = Math.floor(n / 128);
    if (n > 0) d |= 0x80;
    out.push(d);
  } while (n > 0);
  return out;
}

/** `n` as a Variable Byte Integer padded to `size` bytes (non-minimal when `size` exceeds the minimal length). */
export function paddedVbi(n: number, size: number): number[] {
  const out = vbiBytes(n);
  while (out.length < size) {
    out[out.length - 1]! |= 0x80;
    out.push(0);
  }
  return out;
}

class Out {
  bytes: number[] = [];
  push(...b: number[]): void {
    for (const x of b) this.bytes.push(x & 0xff);
  }
  u16(n: number): void {
    this.push(n >> 8, n);
  }
}

function writeField(out: Out, f: Field): void {
  switch (f.kind) {
    case 'byte':
      out.push(f.value);
      return;
    case 'u16':
      out.u16(f.value);
      return;
    case 'u32':
      out.push(f.value >>> 24, f.value >>> 16, f.value >>> 8, f.value);
      return;
    case 'vbi':
      out.push(...(f.encoding ?? vbiBytes(f.value)));
      return;
    case 'string':
    case 'binary':
      out.u16(f.length ?? f.bytes.length);
      out.push(...f.bytes);
      return;
    case 'raw':
      out.push(...f.bytes);
      return;
    case 'properties': {
      const inner = new Out();
      for (const p of f.items) {
        inner.push(...(p.idEncoding ?? vbiBytes(p.id)));
        for (const v of p.value) writeField(inner, v);
      }
      out.push(...(f.lengthEncoding ?? vbiBytes(f.length ?? inner.bytes.length)));
      out.push(...inner.bytes);
      return;
    }
  }
}

/** The body bytes of a list of fields. */
export function writeFields(fields: readonly Field[]): Uint8Array {
  const out = new Out();
  for (const f of fields) writeField(out, f);
  return Uint8Array.from(out.bytes);
}

/** The bytes of a frame model. */
export function writeFrame(m: FrameModel): Uint8Array {
  const body = writeFields(m.body);
  const rl = m.remainingLength ?? vbiBytes(body.length);
  const trailer = m.trailer ?? new Uint8Array(0);
  const out = new Uint8Array(1 + rl.length + body.length + trailer.length);
  out[0] = ((m.type << 4) | (m.flags & 0x0f)) & 0xff;
  out.set(rl, 1);
  out.set(body, 1 + rl.length);
  out.set(trailer, 1 + rl.length + body.length);
  return out;
}

// ---------------------------------------------------------------------------------------------------------------
// Field constructors

export const byte = (name: string, value: number): Field => ({ kind: 'byte', name, value });
export const u16 = (name: string, value: number): Field => ({ kind: 'u16', name, value });
export const u32 = (name: string, value: number): Field => ({ kind: 'u32', name, value });
export const vbi = (name: string, value: number): Field => ({ kind: 'vbi', name, value });
export const str = (name: string, text: string): Field => ({ kind: 'string', name, bytes: utf8(text) });
export const strBytes = (name: string, bytes: Uint8Array | readonly number[]): Field => ({
  kind: 'string',
  name,
  bytes: Uint8Array.from(bytes),
});
export const bin = (name: string, bytes: Uint8Array | readonly number[]): Field => ({ kind: 'binary', name, bytes: Uint8Array.from(bytes) });
export const raw = (name: string, bytes: Uint8Array | readonly number[]): Field => ({ kind: 'raw', name, bytes: Uint8Array.from(bytes) });
export const props = (name: string, items: Property[] = []): Field => ({ kind: 'properties', name, items });

/** Finds the field called `name` (searching inside property values too); throws when absent, a generator bug. */
export function fieldNamed(fields: readonly Field[], name: string): Field {
  for (const f of fields) {
    if (f.name === name) return f;
    if (f.kind === 'properties') {
      for (const p of f.items) {
        for (const v of p.value) if (v.name === name) return v;
      }
    }
  }
  throw new Error(`no field '${name}' in ${fields.map((f) => f.name).join(', ')}`);
}

/** Replaces the field called `name` (top level) with `replacement` fields (none removes it). */
export function replaceField(fields: Field[], name: string, ...replacement: Field[]): Field[] {
  const i = fields.findIndex((f) => f.name === name);
  if (i < 0) throw new Error(`no field '${name}' in ${fields.map((f) => f.name).join(', ')}`);
  fields.splice(i, 1, ...replacement);
  return fields;
}

/** Total bytes of the fields once written. */
export function fieldsLength(fields: readonly Field[]): number {
  return writeFields(fields).length;
}
