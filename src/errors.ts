// The one error type that leaves the codec, and the helpers that build it so a throw reads like the spec.

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
  /** The spec's statement id, e.g. `MQTT-3.3.2-2`, where the spec numbers the rule. */
  rule?: string;
  /** Byte offset (in the frame, or in the stream for the splitter) where decoding stopped. */
  offset?: number;
}

export class MqttError extends Error {
  readonly code: MqttErrorCode;
  readonly reasonCode: number;
  readonly rule: string | undefined;
  readonly offset: number | undefined;

  constructor(code: MqttErrorCode, message: string, options: MqttErrorOptions = {}) {
    super(message);
    this.name = 'MqttError';
    this.code = code;
    this.reasonCode = options.reasonCode ?? DEFAULT_REASON[code];
    this.rule = options.rule;
    this.offset = options.offset;
  }
}

function withRule(rule: string | undefined, message: string): string {
  return rule === undefined ? message : `${message} (${rule})`;
}

/** A packet that cannot be parsed (5.0: 0x81 Malformed Packet). */
export function malformed(rule: string | undefined, message: string, offset?: number): MqttError {
  return new MqttError('malformed-packet', withRule(rule, message), opts(rule, offset));
}

/** A packet that parses but breaks a rule (5.0: 0x82 Protocol Error, or a more specific code). */
export function protocolError(
  rule: string | undefined,
  message: string,
  offset?: number,
  reasonCode?: number,
): MqttError {
  const o = opts(rule, offset);
  if (reasonCode !== undefined) o.reasonCode = reasonCode;
  return new MqttError('protocol-error', withRule(rule, message), o);
}

export function unsupportedVersion(rule: string | undefined, message: string, offset?: number): MqttError {
  return new MqttError('unsupported-protocol-version', withRule(rule, message), opts(rule, offset));
}

export function tooLarge(message: string, offset?: number): MqttError {
  return new MqttError('packet-too-large', message, opts(undefined, offset));
}

export function invalidPacket(message: string, rule?: string, reasonCode?: number): MqttError {
  const o: MqttErrorOptions = {};
  if (rule !== undefined) o.rule = rule;
  if (reasonCode !== undefined) o.reasonCode = reasonCode;
  return new MqttError('invalid-packet', withRule(rule, message), o);
}

function opts(rule: string | undefined, offset: number | undefined): MqttErrorOptions {
  const o: MqttErrorOptions = {};
  if (rule !== undefined) o.rule = rule;
  if (offset !== undefined) o.offset = offset;
  return o;
}

/**
 * Turns whatever an encoder's validation threw into `invalid-packet`, keeping the rule and reason code, so that
 * `encode` reports an object it refuses in one class whatever check caught it (and never leaks a TypeError).
 */
export function asInvalidPacket(e: unknown, what: string): MqttError {
  if (e instanceof MqttError) {
    if (e.code === 'invalid-packet') return e;
    const o: MqttErrorOptions = { reasonCode: e.reasonCode };
    if (e.rule !== undefined) o.rule = e.rule;
    return new MqttError('invalid-packet', e.message, o);
  }
  const detail = e instanceof Error ? e.message : String(e);
  return new MqttError('invalid-packet', `${what}: ${detail}`);
}
