// The shapes `dissect` returns: a field tree over the frame's bytes and the list of rules the frame breaks.

import type { MqttErrorCode } from '../errors.js';
import type { Packet, ProtocolVersion } from '../types.js';

/**
 * One field of a frame. Fields with `children` are groups: their children either tile the group's bytes exactly
 * (in order, no gap, no overlap) or are all bit fields of its one byte. A bit field has `mask` (the bits of the
 * parent byte it occupies, unshifted) and the same offset and length as its parent; together the bit fields of a
 * byte cover each of its bits once. So the top-level fields cover every byte of the input exactly once.
 */
export interface DissectField {
  /** The spec's name for the field (`Remaining Length`, `Topic Name`, `Packet Identifier`, `Will QoS`, …). */
  name: string;
  /** Offset of the field's first byte in the input. */
  offset: number;
  /** Bytes the field spans (for a bit field, its byte: 1). */
  length: number;
  /** Decoded value: integers and bit values as numbers, flags as booleans, text as strings, binary as bytes. */
  value?: number | string | boolean | Uint8Array;
  /** The value's meaning, where it is not plain: `PUBLISH`, `Granted QoS 1`, `MQTT 5.0`, `not well-formed UTF-8`. */
  note?: string;
  /** For a bit field: the bits of the byte it occupies (e.g. 0x06 for a QoS in bits 2-1). */
  mask?: number;
  children?: DissectField[];
}

/** One broken rule: the error `decode` would raise for it, as data. */
export interface DissectViolation {
  /** The spec's statement id where one applies (`MQTT-3.3.2-2`, `U5-2.2.2-2`). */
  rule?: string;
  code: MqttErrorCode;
  /** The 5.0 reason code a receiver would answer with (0x81, 0x82, 0x90, …). */
  reasonCode: number;
  /** Byte offset in the input where the fault lies. */
  offset: number;
  message: string;
}

export interface DissectOptions {
  /** Protocol level of the connection (a CONNECT is read by its own level). Default 4. */
  version?: ProtocolVersion;
}

export interface DissectResult {
  /** The decoded packet when the frame breaks no rule: then it deep-equals `decode(bytes, { version })`. */
  packet?: Packet;
  /** The field tree, covering every byte of the input exactly once. */
  fields: DissectField[];
  /** Every broken rule found, the first being the error `decode` throws for the same input; empty when valid. */
  violations: DissectViolation[];
  /**
   * Size of the frame as its fixed header declares it (1 + Remaining Length bytes + Remaining Length): where the
   * next frame of a stream starts. May exceed the input (a truncated frame) or fall short of it (trailing bytes).
   * When the header cannot be read, the input's length.
   */
  length: number;
}
