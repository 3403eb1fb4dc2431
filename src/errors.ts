// The one error type that leaves the codec, and the helpers that build it so a throw reads like the spec:
// `throw malformed('MQTT-3.3.1-4', 'PUBLISH QoS bits are 3', offset)`. Every helper takes (rule, message, …).

import type { Packet, PacketType } from './types.js';

/** What went wrong, in the classes MQTT 5.0 section 4.13 uses (plus `invalid-packet` for objects `encode` refuses). */
export type MqttErrorCode =
  | 'malformed-packet'
  | 'protocol-error'
  | 'packet-too-large'
  | 'unsupported-protocol-version'
  | 'invalid-packet';

/** Default 5.0 reason code for each error class (a specific code may be given instead, e.g. 0x94). */
const DEFAULT_REASON: Record<MqttErrorCode, number> = {
  'malformed-packet': 0x81,
  'protocol-error': 0x82,
  'packet-too-large': 0x95,
  'unsupported-protocol-version': 0x84,
  'invalid-packet': 0x81,
};

export interface MqttErrorOptions {
  /** The 5.0 reason code a broker would answer with; defaults from `code`. */
  reasonCode?: number;
  /** The spec's statement id, e.g. `MQTT-3.3.2-2` (or `U311-…`/`U5-…` for an unnumbered rule). */
  rule?: string;
  /** Byte offset (in the frame, or in the stream for the splitter and decoder) where decoding stopped. */
  offset?: number;
  /** The packet being decoded or encoded, where its type byte was readable. */
  packetType?: PacketType;
  /** The protocol level in force; for a CONNECT, the level it claimed (which may be one no version defines). */
  protocolVersion?: number;
}

export class MqttError extends Error {
  readonly code: MqttErrorCode;
  readonly reasonCode: number;
  readonly rule: string | undefined;
  readonly offset: number | undefined;
  readonly packetType: PacketType | undefined;
  readonly protocolVersion: number | undefined;
  /** The message without the rule id: what was found, where, and what was expected. */
  readonly detail: string;
  /**
   * Set on an error thrown by `PacketDecoder.push`: the packets completed earlier in that call, in stream order
   * (already handed to `onPacket` when one was given). Empty when the error came first.
   */
  packets?: Packet[];
  /** Set on an error thrown by `FrameSplitter.push`: the frames completed earlier in that call, in order. */
  frames?: Uint8Array[];

  /** `message` is `detail`, followed by the rule id in parentheses when there is one. */
  constructor(code: MqttErrorCode, detail: string, options: MqttErrorOptions = {}) {
    super(options.rule === undefined ? detail : `${detail} (${options.rule})`);
    this.name = 'MqttError';
    this.code = code;
    this.detail = detail;
    this.reasonCode = options.reasonCode ?? DEFAULT_REASON[code];
    this.rule = options.rule;
    this.offset = options.offset;
    this.packetType = options.packetType;
    this.protocolVersion = options.protocolVersion;
  }

  /** The same error with some fields replaced (a stream offset for a frame offset, say); the message follows. */
  with(changes: MqttErrorOptions): MqttError {
    const o: MqttErrorOptions = { reasonCode: this.reasonCode };
    if (this.rule !== undefined) o.rule = this.rule;
    if (this.offset !== undefined) o.offset = this.offset;
    if (this.packetType !== undefined) o.packetType = this.packetType;
    if (this.protocolVersion !== undefined) o.protocolVersion = this.protocolVersion;
    return new MqttError(this.code, this.detail, Object.assign(o, changes));
  }
}

/**
 * Sets the context of an error the codec built and nobody has seen yet (cheaper than `with` on the decode path:
 * no second stack trace). Fields already set are kept, so the innermost knowledge wins.
 */
export function annotate(e: MqttError, offset: number | undefined, packetType: PacketType | undefined, protocolVersion: number | undefined): MqttError {
  const w = e as { offset: number | undefined; packetType: PacketType | undefined; protocolVersion: number | undefined };
  w.offset = offset;
  if (w.packetType === undefined) w.packetType = packetType;
  if (w.protocolVersion === undefined) w.protocolVersion = protocolVersion;
  return e;
}

function options(rule: string | undefined, offset: number | undefined, reasonCode: number | undefined): MqttErrorOptions {
  const o: MqttErrorOptions = {};
  if (rule !== undefined) o.rule = rule;
  if (offset !== undefined) o.offset = offset;
  if (reasonCode !== undefined) o.reasonCode = reasonCode;
  return o;
}

/** A packet that cannot be parsed (5.0: 0x81 Malformed Packet). */
export function malformed(rule: string | undefined, message: string, offset?: number): MqttError {
  return new MqttError('malformed-packet', message, options(rule, offset, undefined));
}

/** A packet that parses but breaks a rule (5.0: 0x82 Protocol Error, or a more specific code). */
export function protocolError(rule: string | undefined, message: string, offset?: number, reasonCode?: number): MqttError {
  return new MqttError('protocol-error', message, options(rule, offset, reasonCode));
}

/** A CONNECT with a protocol name or level this codec does not speak (5.0: 0x84; 3.x: CONNACK 0x01). */
export function unsupportedVersion(rule: string | undefined, message: string, offset?: number): MqttError {
  return new MqttError('unsupported-protocol-version', message, options(rule, offset, undefined));
}

/** A packet over a size limit (5.0: 0x95 Packet too large). */
export function tooLarge(rule: string | undefined, message: string, offset?: number): MqttError {
  return new MqttError('packet-too-large', message, options(rule, offset, undefined));
}

/** An object `encode` refuses, or a bad argument; keeps the rule and reason code of the check that caught it. */
export function invalidPacket(rule: string | undefined, message: string, reasonCode?: number): MqttError {
  return new MqttError('invalid-packet', message, options(rule, undefined, reasonCode));
}

/**
 * Turns whatever an encoder's validation threw into `invalid-packet`, keeping the rule and reason code, so that
 * `encode` reports an object it refuses in one class whatever check caught it (and never leaks a TypeError).
 */
export function asInvalidPacket(e: unknown, what: string): MqttError {
  if (e instanceof MqttError) {
    if (e.code === 'invalid-packet' || e.code === 'packet-too-large') return e;
    const o: MqttErrorOptions = { reasonCode: e.reasonCode };
    if (e.rule !== undefined) o.rule = e.rule;
    return new MqttError('invalid-packet', e.detail, o);
  }
  const detail = e instanceof Error ? e.message : String(e);
  return new MqttError('invalid-packet', `${what}: ${detail}`);
}
