// The shape of a case generator, the refusal it promises, and the faults generators apply to a valid frame model.

import type { MqttErrorCode } from '../errors.js';
import type { EncodeOptions, Packet, PacketType } from '../types.js';
import type { Choices } from './choices.js';
import { fieldNamed, utf8, writeFields, type Field, type FrameModel } from './frame.js';
import type { CaseVersion } from './packets.js';

/** What the receiver must answer: `code`, `reasonCode` and `rule` exactly as the codec's MqttError carries them. */
export interface Expectation {
  rule: string | undefined;
  code: MqttErrorCode;
  reasonCode: number;
}

/**
 * The `PacketDecoder` options a case needs before the codec can see the fault: the receiver's role, the Topic Alias
 * Maximum or Maximum Packet Size it announced, or one of the optional (MAY) checks.
 */
export interface DecoderNeeds {
  role?: 'server' | 'client';
  topicAliasMaximum?: number;
  maxPacketSize?: number;
  strictStrings?: boolean;
  checkPayloadFormat?: boolean;
}

/** The packet type a case is about; `reserved` for packet type 0 (and 15 before 5.0). */
export type CaseTarget = PacketType | 'reserved';

interface GeneratorBase {
  /** Unique within a protocol level: packet, field and fault, e.g. `PUBLISH Topic Name: U+0000`. */
  name: string;
  packetType: CaseTarget;
  expect: Expectation;
  /** Conformance rows broken besides `expect.rule`. */
  rows: readonly string[];
}

/** Builds frames that a receiver refuses. */
export interface FrameGenerator extends GeneratorBase {
  side: 'decode';
  /** The decoder options the case needs (values that vary come from `build`). */
  decoder?: DecoderNeeds;
  build(c: Choices): FrameModel | Uint8Array | { frame: FrameModel | Uint8Array; decoder: DecoderNeeds };
}

/** Builds packet objects that `encode` refuses: rules that no byte sequence can break (a 65,536-byte topic). */
export interface EncoderGenerator extends GeneratorBase {
  side: 'encode';
  build(c: Choices): { packet: Packet; options: EncodeOptions };
}

export type Generator = FrameGenerator | EncoderGenerator;

// ---------------------------------------------------------------------------------------------------------------
// Refusals

export const malformed = (rule: string): Expectation => ({ rule, code: 'malformed-packet', reasonCode: 0x81 });
export const protocol = (rule: string, reasonCode = 0x82): Expectation => ({ rule, code: 'protocol-error', reasonCode });
export const unsupported = (rule: string): Expectation => ({ rule, code: 'unsupported-protocol-version', reasonCode: 0x84 });
/** The splitter's size check carries no rule id: the limit is the receiver's own (or negotiated) policy. */
export const tooLarge = (): Expectation => ({ rule: undefined, code: 'packet-too-large', reasonCode: 0x95 });
export const invalid = (rule: string, reasonCode: number): Expectation => ({ rule, code: 'invalid-packet', reasonCode });

/** Rule ids that differ between the 3.1.1 and 5.0 tables for the same statement. */
export function ruleIds(v: CaseVersion) {
  const v5 = v === 5;
  return {
    /** ill-formed UTF-8 */
    utf8: v5 ? 'MQTT-1.5.4-1' : 'MQTT-1.5.3-1',
    /** U+0000 in a string */
    nul: v5 ? 'MQTT-1.5.4-2' : 'MQTT-1.5.3-2',
    /** Disallowed Unicode code points (optional check) */
    disallowed: v5 ? 'U5-1.5.4-1' : 'U311-1.5.3-1',
    /** string longer than the packet */
    stringLength: v5 ? 'U5-1.5.4-2' : 'U311-1.5.3-2',
    /** fields must fill the Remaining Length exactly */
    fill: v5 ? 'U5-2-1' : 'U311-2-1',
    /** reserved fixed-header flags */
    flags: v5 ? 'MQTT-2.1.3-1' : 'MQTT-2.2.2-1',
    /** a Variable Byte Integer longer than four bytes */
    vbiLong: v5 ? 'U5-1.5.5-1' : 'U311-2.2.3-1',
    /** a Variable Byte Integer not in its shortest form */
    vbiPadded: v5 ? 'MQTT-1.5.5-1' : 'U311-2.2.3-3',
    /** reserved packet type */
    reservedType: v5 ? 'U5-2.1.2-1' : 'U311-2.2.1-1',
    /** packet sent in the wrong direction */
    direction: v5 ? 'U5-2.1.2-2' : 'U311-2.2.1-2',
    /** Packet Identifier 0 */
    packetId: v5 ? 'MQTT-2.2.1-3' : 'MQTT-2.3.1-1',
    /** wildcard in a Will Topic */
    willWildcard: v5 ? 'MQTT-4.7.0-1' : 'MQTT-4.7.1-1',
    /** '#' misplaced in a Topic Filter */
    hash: v5 ? 'MQTT-4.7.1-1' : 'MQTT-4.7.1-2',
    /** '+' not filling a level */
    plus: v5 ? 'MQTT-4.7.1-2' : 'MQTT-4.7.1-3',
    /** the general "receiver closes on a violation" duty */
    close: v5 ? 'MQTT-4.13.1-1' : 'MQTT-4.8.0-1',
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Faults

/** Ill-formed UTF-8 (RFC 3629): overlong forms, encoded surrogates, code points past U+10FFFF, bad lead and stray bytes. */
export const ILL_FORMED: readonly (readonly number[])[] = [
  [0xc0, 0x80],
  [0xc1, 0xbf],
  [0xe0, 0x80, 0x80],
  [0xe0, 0x9f, 0xbf],
  [0xf0, 0x80, 0x80, 0x80],
  [0xf0, 0x8f, 0xbf, 0xbf],
  [0xed, 0xa0, 0x80],
  [0xed, 0xbf, 0xbf],
  [0xed, 0xa0, 0xbd, 0xed, 0xb8, 0xb5],
  [0xf4, 0x90, 0x80, 0x80],
  [0xf5, 0x80, 0x80, 0x80],
  [0xff],
  [0xfe],
  [0xc3],
  [0xe2, 0x82],
  [0xf0, 0x9d, 0x84],
  [0x80],
  [0xbf],
];

/** Disallowed Unicode code points (5.0 section 1.5.4 / 3.1.1 section 1.5.3): controls and noncharacters. */
export const DISALLOWED_CODE_POINTS: readonly number[] = [0x01, 0x1f, 0x7f, 0x9f, 0xfdd0, 0xfdef, 0xfffe, 0xffff, 0x1fffe, 0x10ffff];

/** `before`, then `inserted`, then `after`: the bytes of a string with a foreign sequence inside. */
export function spliced(c: Choices, inserted: readonly number[]): Uint8Array {
  const before = utf8(c.pick(['', 'x']) === '' ? '' : c.text(1, 8));
  const after = utf8(c.pick(['', 'x']) === '' ? '' : c.text(1, 8));
  const out = new Uint8Array(before.length + inserted.length + after.length);
  out.set(before);
  out.set(inserted, before.length);
  out.set(after, before.length + inserted.length);
  return out;
}

/** Replaces the content of string field `name` (its length follows). */
export function setStringBytes(fields: readonly Field[], name: string, bytes: Uint8Array): void {
  const f = fieldNamed(fields, name);
  if (f.kind !== 'string' && f.kind !== 'binary') throw new Error(`field '${name}' is a ${f.kind}`);
  f.bytes = bytes;
}

/**
 * Gives the string or binary field `name` (top level) a length that runs past the end of the packet: from one
 * byte too many up to 65,535.
 */
export function lengthPastEnd(c: Choices, fields: readonly Field[], name: string): void {
  const i = fields.findIndex((f) => f.name === name);
  const f = fields[i];
  if (f === undefined || (f.kind !== 'string' && f.kind !== 'binary')) throw new Error(`no string field '${name}'`);
  const left = f.bytes.length + writeFields(fields.slice(i + 1)).length;
  f.length = c.pick([left + 1, 0xffff]);
  if (f.length <= left) f.length = left + 1;
}

/** Removes field `name` and every field after it (a payload that stops short). */
export function cutAt(fields: Field[], name: string): void {
  const i = fields.findIndex((f) => f.name === name);
  if (i < 0) throw new Error(`no field '${name}'`);
  fields.splice(i);
}

/** A copy of `items` without `exclude`. */
export function without<T>(items: readonly T[], exclude: readonly T[]): T[] {
  return items.filter((x) => !exclude.includes(x));
}

/** Byte values 0..255 that are not in `allowed`. */
export function notIn(allowed: readonly number[]): number[] {
  const out: number[] = [];
  for (let b = 0; b < 256; b++) if (!allowed.includes(b)) out.push(b);
  return out;
}
