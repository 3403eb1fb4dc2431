// The lenient cursor of `dissect`: reads one field at a time, records a field for every byte it passes and a
// violation for every broken rule, and goes on wherever the bytes still say where the next field starts.
// Faults are found and worded by the strict codec's own Reader, so each carries decode's rule, code and offset.

import { MqttError, malformed } from '../errors.js';
import type { ProtocolVersion } from '../types.js';
import { ruleAt } from '../rules.js';
import { Reader } from '../wire/reader.js';
import type { DissectField, DissectViolation } from './types.js';

const lossy = new TextDecoder('utf-8', { fatal: false, ignoreBOM: true });

/** Text of bytes that are not a valid MQTT string, for display (ill-formed sequences as U+FFFD). */
export function lossyText(bytes: Uint8Array): string {
  return lossy.decode(bytes);
}

export function asViolation(e: unknown, at?: number): DissectViolation {
  if (e instanceof MqttError) {
    const v: DissectViolation = { code: e.code, reasonCode: e.reasonCode, offset: e.offset ?? at ?? 0, message: e.message };
    if (e.rule !== undefined) v.rule = e.rule;
    return v;
  }
  // the codec throws MqttError alone; anything else is a bug, still reported rather than thrown
  return { code: 'malformed-packet', reasonCode: 0x81, offset: at ?? 0, message: e instanceof Error ? e.message : String(e) };
}

/** A length-prefixed field read by `Walk.prefixed`: its group, where its counted bytes lie, and value or fault. */
interface Prefixed<T> {
  group: DissectField;
  start: number;
  len: number;
  value?: T;
  error?: MqttError;
}

export class Walk {
  readonly buf: Uint8Array;
  pos: number;
  /** End of the region being read: the frame's body, or a property block inside it. */
  end: number;
  version: ProtocolVersion;
  /** Packet name for messages (`PUBLISH`). */
  readonly packet: string;
  readonly violations: DissectViolation[];
  /**
   * Set when a field runs past `end`: nothing after it in the region can be placed. Cleared by the property block
   * reader when it leaves a block, whose own length still says where the packet goes on.
   */
  broken = false;
  /**
   * True when the input stops before the frame's declared end: faults of running out of bytes are then the
   * frame's truncation (already reported), not the packet's.
   */
  readonly cutShort: boolean;
  private readonly reader: Reader;
  private list: DissectField[];
  private readonly stack: DissectField[][] = [];

  constructor(
    buf: Uint8Array,
    pos: number,
    end: number,
    version: ProtocolVersion,
    packet: string,
    fields: DissectField[],
    violations: DissectViolation[],
    cutShort: boolean,
  ) {
    this.buf = buf;
    this.pos = pos;
    this.end = end;
    this.version = version;
    this.packet = packet;
    this.list = fields;
    this.violations = violations;
    this.cutShort = cutShort;
    this.reader = new Reader();
    this.reader.reset(buf, 0, pos, end, version, packet, false);
  }

  /** Rule id for "fields must exactly fill the Remaining Length" at this level. */
  get fillRule(): string {
    return ruleAt('frameFill', this.version);
  }

  violate(e: MqttError): void {
    this.violations.push(asViolation(e));
  }

  /** The field added last (for bit fields to be attached to a byte just read). */
  last: DissectField | undefined;

  add(field: DissectField): DissectField {
    this.last = field;
    this.list.push(field);
    return field;
  }

  /** Starts a group at the current position; fields added until `close` become its children. */
  open(name: string): DissectField {
    const group: DissectField = { name, offset: this.pos, length: 0, children: [] };
    this.list.push(group);
    this.stack.push(this.list);
    this.list = group.children!;
    return group;
  }

  /** Ends the group: it spans what its children read; a group that read nothing is dropped. */
  close(group: DissectField): DissectField | undefined {
    this.list = this.stack.pop()!;
    group.length = this.pos - group.offset;
    if (group.children!.length === 0) {
      this.list.splice(this.list.indexOf(group), 1);
      return undefined;
    }
    return group;
  }

  /** Runs one strict read at the current position; its MqttError is returned instead of thrown. */
  private strict<T>(read: (r: Reader) => T): T | MqttError {
    const r = this.reader;
    r.pos = this.pos;
    r.end = this.end;
    r.version = this.version;
    try {
      return read(r);
    } catch (e) {
      return e as MqttError;
    }
  }

  /** A read ran out of bytes: report it (unless the frame itself is cut short) and stop reading the region. */
  private runOut(e: MqttError): undefined {
    if (!this.cutShort) this.violate(e);
    this.broken = true;
    return undefined;
  }

  /** The rest of the region as one field of raw bytes (nothing when the region is used up). */
  rest(name: string, note?: string): void {
    if (this.pos >= this.end) return;
    const f: DissectField = { name, offset: this.pos, length: this.end - this.pos, value: this.buf.subarray(this.pos, this.end) };
    if (note !== undefined) f.note = note;
    this.add(f);
    this.pos = this.end;
  }

  private fixed(name: string, size: number, read: (r: Reader) => number, note?: (v: number) => string | undefined): number | undefined {
    if (this.broken) return undefined;
    const at = this.pos;
    const v = this.strict(read);
    if (v instanceof MqttError) {
      this.rest(name, 'truncated');
      return this.runOut(v);
    }
    this.pos = at + size;
    const f = this.add({ name, offset: at, length: size, value: v });
    const n = note?.(v);
    if (n !== undefined) f.note = n;
    return v;
  }

  u8(name: string, note?: (v: number) => string | undefined, field = name): number | undefined {
    return this.fixed(name, 1, (r) => r.u8(field), note);
  }

  u16(name: string, field = name): number | undefined {
    return this.fixed(name, 2, (r) => r.u16(field));
  }

  u32(name: string, field = name): number | undefined {
    return this.fixed(name, 4, (r) => r.u32(field));
  }

  /**
   * A Variable Byte Integer. One not in its shortest form is reported and its value still used; one longer than
   * four bytes, or cut off, ends the region.
   */
  varint(name: string, field = name): number | undefined {
    if (this.broken) return undefined;
    const at = this.pos;
    const v = this.strict((r) => r.varint(field));
    if (!(v instanceof MqttError)) {
      this.add({ name, offset: at, length: this.reader.pos - at, value: v });
      this.pos = this.reader.pos;
      return v;
    }
    // the strict read stopped: find the integer's own extent
    let p = at;
    let value = 0;
    let mul = 1;
    while (p < this.end && p - at < 4) {
      const b = this.buf[p++]!;
      value += (b & 0x7f) * mul;
      mul *= 128;
      if ((b & 0x80) === 0) {
        // complete but padded (MQTT-1.5.5-1): reported, the value stands
        this.violate(v);
        this.add({ name, offset: at, length: p - at, value, note: 'not in its shortest form' });
        this.pos = p;
        return value;
      }
    }
    if (p - at === 4 && p <= this.end) {
      // a continuation bit on the fourth byte
      this.violate(v);
      this.add({ name, offset: at, length: 4, value: this.buf.subarray(at, p), note: 'longer than 4 bytes' });
      this.pos = p;
      this.broken = true;
      this.rest('Unreadable bytes');
      return undefined;
    }
    this.rest(name, 'truncated');
    return this.runOut(v);
  }

  /**
   * A two-byte length and the bytes it counts, as a group named `name` with children `Length` and `bodyName`.
   * Returns the position and length of the counted bytes, or undefined (and ends the region) when they run past it.
   */
  private prefixed<T>(name: string, bodyName: string, read: (r: Reader) => T): Prefixed<T> | undefined {
    if (this.broken) return undefined;
    const at = this.pos;
    const v = this.strict(read);
    const truncated = v instanceof MqttError && (at + 2 > this.end || at + 2 + ((this.buf[at]! << 8) | this.buf[at + 1]!) > this.end);
    if (truncated) {
      if (at + 2 > this.end) {
        this.rest(name, 'truncated');
      } else {
        const group = this.open(name);
        this.u16('Length');
        this.rest(bodyName, 'truncated');
        this.close(group);
      }
      return this.runOut(v);
    }
    const len = (this.buf[at]! << 8) | this.buf[at + 1]!;
    const group = this.open(name);
    this.add({ name: 'Length', offset: at, length: 2, value: len });
    this.pos = at + 2 + len;
    this.close(group);
    // the group keeps its length even when the text is empty
    group.length = 2 + len;
    return v instanceof MqttError ? { group, start: at + 2, len, error: v } : { group, start: at + 2, len, value: v };
  }

  /**
   * A UTF-8 Encoded String. Ill-formed UTF-8 or U+0000 is reported and the field skipped by its length; the
   * result is then undefined, as when the string runs past the region (which ends it).
   */
  utf8(name: string, field = name): string | undefined {
    const p = this.prefixed(name, 'Text', (r) => r.utf8(field));
    if (p === undefined) return undefined;
    const bytes = this.buf.subarray(p.start, p.start + p.len);
    let text: string | undefined;
    if (p.error !== undefined) {
      this.violate(p.error);
      p.group.value = lossyText(bytes);
      p.group.note = p.error.rule === ruleAt('utf8Null', this.version) ? 'contains U+0000' : 'not well-formed UTF-8';
    } else {
      text = p.value!;
      p.group.value = text;
    }
    if (p.len > 0) p.group.children!.push({ name: 'Text', offset: p.start, length: p.len, value: p.group.value! });
    this.last = p.group;
    return text;
  }

  /** Binary Data: a two-byte length and that many bytes. */
  binary(name: string, field = name): Uint8Array | undefined {
    const p = this.prefixed(name, 'Data', (r) => r.binary(field));
    if (p === undefined) return undefined;
    const bytes = p.value ?? this.buf.subarray(p.start, p.start + p.len);
    p.group.value = bytes;
    if (p.len > 0) p.group.children!.push({ name: 'Data', offset: p.start, length: p.len, value: bytes });
    this.last = p.group;
    return bytes;
  }

  /** MQTT's fill rule: bytes left in the region after the last field are reported and shown raw. */
  expectEnd(): void {
    if (this.broken || this.pos >= this.end) return;
    const e = this.strict((r) => {
      r.expectEnd();
      return 0;
    });
    if (e instanceof MqttError) this.violate(e);
    this.rest('Unexpected bytes', 'left over after the last field');
  }

  /** A fault found by a check on fields already read, built by the codec's helpers. */
  fault(e: MqttError): void {
    this.violate(e);
  }

  /** A malformed-packet fault at `offset` (for the framing checks made here). */
  malformed(rule: string, message: string, offset: number): void {
    this.violate(malformed(rule, message, offset));
  }
}

/** One bit field of a byte: its name, its bits, and how to read its value (single bits as booleans). */
export type BitDef = readonly [name: string, mask: number, note?: (value: number) => string | undefined];

/** Gives the byte field `field` one child per bit field, covering all eight bits. */
export function splitBits(field: DissectField, byte: number, defs: readonly BitDef[]): void {
  field.children = defs.map(([name, mask, note]) => {
    const shift = 31 - Math.clz32(mask & -mask);
    const raw = (byte & mask) >> shift;
    const single = (mask & (mask - 1)) === 0;
    const f: DissectField = { name, offset: field.offset, length: 1, value: single ? raw === 1 : raw, mask };
    const n = note?.(raw);
    if (n !== undefined) f.note = n;
    return f;
  });
}
