// mqtt-packet's error message for a frame the codec refused, for users and tests that match on those messages.
// Only ever run on a frame that failed: it walks the body in mqtt-packet's order, checking what mqtt-packet checks
// (lengths, flags, reason codes) and nothing else, and returns mqtt-packet's message for the first fault it meets,
// or undefined when mqtt-packet would have accepted the frame (a rule only the codec enforces, whose own message
// then stands). Fixed-header faults are found by the parser's framing, before a frame is complete. mqtt-packet's
// reason code tables are the codec's (the spec's), but for DISCONNECT 0x8C; test/compat/faults.test.ts holds them
// equal to mqtt-packet's constants.

import { PROPERTY_TABLE, isAllowedReasonCode } from '../index.js';

const KNOWN_PROPERTY = new Uint8Array(256);
const VARINT_PROPERTY = new Uint8Array(256);
for (const def of PROPERTY_TABLE) {
  KNOWN_PROPERTY[def.id] = 1;
  if (def.type === 'varint') VARINT_PROPERTY[def.id] = 1;
}
/** Bytes each property value takes, or -1 for the length-prefixed and variable kinds. */
const FIXED_SIZE: Record<string, number> = { byte: 1, u16: 2, u32: 4 };
const VALUE_SIZE = new Int8Array(256).fill(-1);
const PAIR_PROPERTY = new Uint8Array(256);
for (const def of PROPERTY_TABLE) {
  VALUE_SIZE[def.id] = FIXED_SIZE[def.type] ?? -1;
  if (def.type === 'pair') PAIR_PROPERTY[def.id] = 1;
}

/** Reading state over one frame body: `pos` and `end` are indexes into `b` (the Remaining Length's bytes). */
class Walk {
  /** Where the body starts: mqtt-packet's position 0. */
  readonly bodyAt: number;

  constructor(
    readonly b: Uint8Array,
    public pos: number,
    readonly end: number,
  ) {
    this.bodyAt = pos;
  }

  /** A two-byte integer, or -1 when fewer than two bytes are left. */
  num(): number {
    if (this.end - this.pos < 2) return -1;
    const v = (this.b[this.pos]! << 8) | this.b[this.pos + 1]!;
    this.pos += 2;
    return v;
  }

  /** A length-prefixed string or binary field: false when its length or bytes run past the end. */
  field(): boolean {
    const len = this.num();
    if (len === -1 || this.pos + len > this.end) return false;
    this.pos += len;
    return true;
  }

  byte(): number | undefined {
    return this.pos < this.end ? this.b[this.pos++] : undefined;
  }

  /**
   * A Variable Byte Integer as mqtt-packet reads it: its value, `undefined` when the bytes run out first (no
   * error), or `null` when four bytes all have the continuation bit ('Invalid variable byte integer').
   */
  varint(): number | undefined | null {
    const start = this.pos;
    let value = 0;
    let mul = 1;
    let result: number | undefined | null = null;
    for (let n = 0; n < 4; n++) {
      if (this.pos >= this.end) {
        result = undefined;
        break;
      }
      const byte = this.b[this.pos++]!;
      value += (byte & 0x7f) * mul;
      if (byte < 0x80) {
        result = value;
        break;
      }
      mul *= 128;
    }
    // mqtt-packet moves past a Variable Byte Integer only when it did not start at position 0 of the body (where
    // a Packet Identifier too short to read has left it)
    if (start === this.bodyAt) this.pos = start;
    return result;
  }

  /** A property block: the first fault mqtt-packet reports in it, or undefined. */
  properties(): string | undefined {
    const len = this.varint();
    if (len === null) return 'Invalid variable byte integer';
    // a length that runs out is taken as 0 by mqtt-packet
    const end = this.pos + (len ?? 0);
    while (this.pos < end) {
      const id = this.byte();
      if (id === undefined || id === 0) return 'Cannot parse property code type';
      if (KNOWN_PROPERTY[id] !== 1) return 'Unknown property';
      // values are read without a check of their own length, as mqtt-packet reads them
      if (VARINT_PROPERTY[id] === 1) {
        if (this.varint() === null) return 'Invalid variable byte integer';
      } else if (PAIR_PROPERTY[id] === 1) {
        this.field();
        this.field();
      } else if (VALUE_SIZE[id]! > 0) {
        // a short integer is not consumed at all (mqtt-packet reads it as -1 and stays put)
        if (this.end - this.pos >= VALUE_SIZE[id]!) this.pos += VALUE_SIZE[id]!;
      } else {
        this.field();
      }
    }
    return undefined;
  }
}

const PACKET_NAMES = ['reserved', 'connect', 'connack', 'publish', 'puback', 'pubrec', 'pubrel', 'pubcomp', 'subscribe', 'suback', 'unsubscribe', 'unsuback', 'pingreq', 'pingresp', 'disconnect', 'auth'];

/**
 * mqtt-packet's message for the body of `frame` (its bytes `bodyAt`..end), or undefined where it finds no fault.
 * `settingsVersion` is the parser's `settings.protocolVersion` as given (mqtt-packet tests it for 3 and 4 literally).
 */
export function mqttPacketFault(frame: Uint8Array, bodyAt: number, settingsVersion: unknown): string | undefined {
  const typeId = frame[0]! >> 4;
  const w = new Walk(frame, bodyAt, frame.length);
  const v5 = settingsVersion === 5;
  const remaining = frame.length - bodyAt;
  switch (PACKET_NAMES[typeId]) {
    case 'connect':
      return connectFault(w);
    case 'connack': {
      const flags = w.byte();
      if (flags === undefined) return undefined;
      if (flags > 1) return 'Invalid connack flags, bits 7-1 must be set to 0';
      if (!v5) return undefined;
      w.byte();
      return w.properties();
    }
    case 'publish':
      if (!w.field()) return 'Cannot parse topic';
      if (((frame[0]! >> 1) & 3) > 0) w.num();
      return v5 ? w.properties() : undefined;
    case 'puback':
    case 'pubrec':
    case 'pubrel':
    case 'pubcomp': {
      w.num();
      if (!v5 || remaining <= 2) return undefined;
      const name = PACKET_NAMES[typeId]!;
      const code = w.byte();
      if (code === undefined || !isAllowedReasonCode(name, code, 5)) return `Invalid ${name} reason code`;
      return remaining > 3 ? w.properties() : undefined;
    }
    case 'subscribe':
      return subscribeFault(w, v5, remaining);
    case 'suback': {
      w.num();
      const props = v5 ? w.properties() : undefined;
      if (props !== undefined) return props;
      if (remaining <= 0) return 'Malformed suback, no payload specified';
      for (let code = w.byte(); code !== undefined; code = w.byte()) {
        if (v5 ? !isAllowedReasonCode('suback', code, 5) : code > 2 && code !== 0x80) {
          return v5 ? 'Invalid suback code' : 'Invalid suback QoS, must be 0, 1, 2 or 128';
        }
      }
      return undefined;
    }
    case 'unsubscribe': {
      w.num();
      const props = v5 ? w.properties() : undefined;
      if (props !== undefined) return props;
      if (remaining <= 0) return 'Malformed unsubscribe, no payload specified';
      while (w.pos < w.end) if (!w.field()) return 'Cannot parse topic';
      return undefined;
    }
    case 'unsuback': {
      w.num();
      if ((settingsVersion === 3 || settingsVersion === 4) && remaining !== 2) return 'Malformed unsuback, payload length must be 2';
      if (remaining <= 0) return 'Malformed unsuback, no payload specified';
      if (!v5) return undefined;
      const props = w.properties();
      if (props !== undefined) return props;
      for (let code = w.byte(); code !== undefined; code = w.byte()) {
        if (!isAllowedReasonCode('unsuback', code, 5)) return 'Invalid unsuback code';
      }
      return undefined;
    }
    case 'disconnect': {
      if (!v5) return undefined;
      const code = w.byte();
      // mqtt-packet's table is the spec's Table 3-10, without the 0x8C Bad authentication method of Table 2-6
      if (code !== undefined && (code === 0x8c || !isAllowedReasonCode('disconnect', code, 5))) return 'Invalid disconnect reason code';
      return w.properties();
    }
    case 'auth': {
      if (!v5) return 'Not supported auth packet for this version MQTT';
      const code = w.byte();
      if (code === undefined || !isAllowedReasonCode('auth', code, 5)) return 'Invalid auth reason code';
      return w.properties();
    }
    case 'reserved':
      return 'Not supported';
    default:
      // PINGREQ, PINGRESP: mqtt-packet reads nothing of their bodies
      return undefined;
  }
}

function connectFault(w: Walk): string | undefined {
  const nameAt = w.pos;
  if (!w.field()) return 'Cannot parse protocolId';
  const name = String.fromCharCode(...w.b.subarray(nameAt + 2, w.pos));
  if (name !== 'MQTT' && name !== 'MQIsdp') return 'Invalid protocolId';
  let level = w.byte();
  if (level === undefined) return 'Packet too short';
  // 0x80 marks a bridge
  if (level >= 0x80) level -= 0x80;
  if (level !== 3 && level !== 4 && level !== 5) return 'Invalid protocol version';
  const flags = w.byte();
  if (flags === undefined) return 'Packet too short';
  if ((flags & 0x01) !== 0) return 'Connect flag bit 0 must be 0, but got 1';
  const will = (flags & 0x04) !== 0;
  if (!will) {
    if ((flags & 0x20) !== 0) return 'Will Retain Flag must be set to zero when Will Flag is set to 0';
    if ((flags & 0x18) !== 0) return 'Will QoS must be set to zero when Will Flag is set to 0';
  }
  if (w.num() === -1) return 'Packet too short';
  const v5 = level === 5;
  if (v5) {
    const props = w.properties();
    if (props !== undefined) return props;
  }
  if (!w.field()) return 'Packet too short';
  if (will) {
    if (v5) {
      const props = w.properties();
      if (props !== undefined) return props;
    }
    if (!w.field()) return 'Cannot parse will topic';
    if (!w.field()) return 'Cannot parse will payload';
  }
  if ((flags & 0x80) !== 0 && !w.field()) return 'Cannot parse username';
  if ((flags & 0x40) !== 0 && !w.field()) return 'Cannot parse password';
  return undefined;
}

function subscribeFault(w: Walk, v5: boolean, remaining: number): string | undefined {
  w.num();
  const props = v5 ? w.properties() : undefined;
  if (props !== undefined) return props;
  if (remaining <= 0) return 'Malformed subscribe, no payload specified';
  while (w.pos < w.end) {
    if (!w.field()) return 'Cannot parse topic';
    const options = w.byte();
    if (options === undefined) return 'Malformed Subscribe Payload';
    if (v5 ? (options & 0xc0) !== 0 : (options & 0xfc) !== 0) {
      return v5 ? 'Invalid subscribe topic flag bits, bits 7-6 must be 0' : 'Invalid subscribe topic flag bits, bits 7-2 must be 0';
    }
    if ((options & 0x03) > 2) return 'Invalid subscribe QoS, must be <= 2';
    if (((options >> 4) & 0x03) > 2) return 'Invalid retain handling, must be <= 2';
  }
  return undefined;
}
