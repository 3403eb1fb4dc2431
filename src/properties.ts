// MQTT 5.0 properties (section 2.2.2): one table drives decoding, encoding, sizing and validation.
// Adding or fixing a property is one row of PROPERTY_TABLE.

import { asInvalidPacket, malformed, protocolError, invalidPacket, type MqttError } from './errors.js';
import type { Properties, UserProperties } from './types.js';
import { topicNameFault } from './topic.js';
import type { Reader } from './wire/reader.js';
import { varintSize, VARINT_MAX, type Writer } from './wire/writer.js';
import { utf8Length } from './wire/utf8.js';

export type PropertyType = 'byte' | 'u16' | 'u32' | 'varint' | 'string' | 'binary' | 'pair';

/** Where a property block sits: bit n is packet type n; bit 0 stands for the Will Properties of CONNECT. */
export const Ctx = {
  Will: 1 << 0,
  Connect: 1 << 1,
  Connack: 1 << 2,
  Publish: 1 << 3,
  Puback: 1 << 4,
  Pubrec: 1 << 5,
  Pubrel: 1 << 6,
  Pubcomp: 1 << 7,
  Subscribe: 1 << 8,
  Suback: 1 << 9,
  Unsubscribe: 1 << 10,
  Unsuback: 1 << 11,
  Disconnect: 1 << 14,
  Auth: 1 << 15,
} as const;
export type Ctx = number;

const ACKS = Ctx.Puback | Ctx.Pubrec | Ctx.Pubrel | Ctx.Pubcomp;

/** A value check beyond the data type: returns the error for a bad value, or undefined. */
type ValueCheck = (value: number | string, ctx: Ctx, offset: number | undefined) => MqttError | undefined;

export interface PropertyDef {
  id: number;
  /** Spec name, for messages. */
  name: string;
  /** camelCase key in a packet's `properties`. */
  key: keyof Properties;
  type: PropertyType;
  /** Packets (Ctx bits) that may carry it. */
  allowed: number;
  /** Contexts in which it may appear more than once (User Property everywhere; Subscription Identifier in PUBLISH). */
  repeats: number;
  check?: ValueCheck;
}

const ANY = 0xffff;

function zeroOrOne(rule: (ctx: Ctx) => string): ValueCheck {
  return (v, ctx, offset) =>
    v === 0 || v === 1 ? undefined : protocolError(rule(ctx), `${ctxName(ctx)} property value ${String(v)} is not 0 or 1`, offset);
}
function nonZero(rule: (ctx: Ctx) => string, reasonCode?: number): ValueCheck {
  return (v, ctx, offset) =>
    v !== 0 ? undefined : protocolError(rule(ctx), `${ctxName(ctx)} property value must not be 0`, offset, reasonCode);
}
const connectOrConnack = (connect: string) => (ctx: Ctx) => (ctx === Ctx.Connack ? 'U5-3.2.2.3-2' : connect);
const connackRule = () => 'U5-3.2.2.3-2';

export const PROPERTY_TABLE: readonly PropertyDef[] = [
  { id: 0x01, name: 'Payload Format Indicator', key: 'payloadFormatIndicator', type: 'byte', allowed: Ctx.Publish | Ctx.Will, repeats: 0,
    check: zeroOrOne((ctx) => (ctx === Ctx.Will ? 'U5-3.1.3.2-3' : 'U5-3.3.2.3-3')) },
  { id: 0x02, name: 'Message Expiry Interval', key: 'messageExpiryInterval', type: 'u32', allowed: Ctx.Publish | Ctx.Will, repeats: 0 },
  { id: 0x03, name: 'Content Type', key: 'contentType', type: 'string', allowed: Ctx.Publish | Ctx.Will, repeats: 0 },
  { id: 0x08, name: 'Response Topic', key: 'responseTopic', type: 'string', allowed: Ctx.Publish | Ctx.Will, repeats: 0,
    check: (v, ctx, offset) => {
      const fault = topicNameFault(v as string);
      return fault === undefined ? undefined : protocolError('MQTT-3.3.2-14', `${ctxName(ctx)} Response Topic '${String(v)}' ${fault}`, offset);
    } },
  { id: 0x09, name: 'Correlation Data', key: 'correlationData', type: 'binary', allowed: Ctx.Publish | Ctx.Will, repeats: 0 },
  { id: 0x0b, name: 'Subscription Identifier', key: 'subscriptionIdentifier', type: 'varint', allowed: Ctx.Publish | Ctx.Subscribe, repeats: Ctx.Publish,
    check: nonZero(() => 'U5-3.3.2.3-4') },
  { id: 0x11, name: 'Session Expiry Interval', key: 'sessionExpiryInterval', type: 'u32', allowed: Ctx.Connect | Ctx.Connack | Ctx.Disconnect, repeats: 0 },
  { id: 0x12, name: 'Assigned Client Identifier', key: 'assignedClientIdentifier', type: 'string', allowed: Ctx.Connack, repeats: 0 },
  { id: 0x13, name: 'Server Keep Alive', key: 'serverKeepAlive', type: 'u16', allowed: Ctx.Connack, repeats: 0 },
  { id: 0x15, name: 'Authentication Method', key: 'authenticationMethod', type: 'string', allowed: Ctx.Connect | Ctx.Connack | Ctx.Auth, repeats: 0 },
  { id: 0x16, name: 'Authentication Data', key: 'authenticationData', type: 'binary', allowed: Ctx.Connect | Ctx.Connack | Ctx.Auth, repeats: 0 },
  { id: 0x17, name: 'Request Problem Information', key: 'requestProblemInformation', type: 'byte', allowed: Ctx.Connect, repeats: 0,
    check: zeroOrOne(() => 'U5-3.1.2.11-4') },
  { id: 0x18, name: 'Will Delay Interval', key: 'willDelayInterval', type: 'u32', allowed: Ctx.Will, repeats: 0 },
  { id: 0x19, name: 'Request Response Information', key: 'requestResponseInformation', type: 'byte', allowed: Ctx.Connect, repeats: 0,
    check: zeroOrOne(() => 'U5-3.1.2.11-4') },
  { id: 0x1a, name: 'Response Information', key: 'responseInformation', type: 'string', allowed: Ctx.Connack, repeats: 0 },
  { id: 0x1c, name: 'Server Reference', key: 'serverReference', type: 'string', allowed: Ctx.Connack | Ctx.Disconnect, repeats: 0 },
  { id: 0x1f, name: 'Reason String', key: 'reasonString', type: 'string',
    allowed: Ctx.Connack | ACKS | Ctx.Suback | Ctx.Unsuback | Ctx.Disconnect | Ctx.Auth, repeats: 0 },
  { id: 0x21, name: 'Receive Maximum', key: 'receiveMaximum', type: 'u16', allowed: Ctx.Connect | Ctx.Connack, repeats: 0,
    check: nonZero(connectOrConnack('U5-3.1.2.11-2')) },
  { id: 0x22, name: 'Topic Alias Maximum', key: 'topicAliasMaximum', type: 'u16', allowed: Ctx.Connect | Ctx.Connack, repeats: 0 },
  // MQTT-3.3.2-8: Topic Alias 0 is answered with 0x94 Topic Alias invalid
  { id: 0x23, name: 'Topic Alias', key: 'topicAlias', type: 'u16', allowed: Ctx.Publish, repeats: 0, check: nonZero(() => 'MQTT-3.3.2-8', 0x94) },
  { id: 0x24, name: 'Maximum QoS', key: 'maximumQos', type: 'byte', allowed: Ctx.Connack, repeats: 0, check: zeroOrOne(connackRule) },
  { id: 0x25, name: 'Retain Available', key: 'retainAvailable', type: 'byte', allowed: Ctx.Connack, repeats: 0, check: zeroOrOne(connackRule) },
  { id: 0x26, name: 'User Property', key: 'userProperties', type: 'pair', allowed: ANY & ~(1 << 12 | 1 << 13), repeats: ANY },
  { id: 0x27, name: 'Maximum Packet Size', key: 'maximumPacketSize', type: 'u32', allowed: Ctx.Connect | Ctx.Connack, repeats: 0,
    check: nonZero(connectOrConnack('U5-3.1.2.11-3')) },
  { id: 0x28, name: 'Wildcard Subscription Available', key: 'wildcardSubscriptionAvailable', type: 'byte', allowed: Ctx.Connack, repeats: 0, check: zeroOrOne(connackRule) },
  { id: 0x29, name: 'Subscription Identifier Available', key: 'subscriptionIdentifiersAvailable', type: 'byte', allowed: Ctx.Connack, repeats: 0, check: zeroOrOne(connackRule) },
  { id: 0x2a, name: 'Shared Subscription Available', key: 'sharedSubscriptionAvailable', type: 'byte', allowed: Ctx.Connack, repeats: 0, check: zeroOrOne(connackRule) },
];

/** Lookup by identifier (index) and by key. */
const BY_ID: (PropertyDef | undefined)[] = [];
const BY_KEY: Record<string, PropertyDef> = Object.create(null) as Record<string, PropertyDef>;
for (const def of PROPERTY_TABLE) {
  BY_ID[def.id] = def;
  BY_KEY[def.key] = def;
}
// PUBLISH keeps every Subscription Identifier, under its plural key.
const SUB_IDS = BY_ID[0x0b]!;
BY_KEY['subscriptionIdentifiers'] = SUB_IDS;

export function propertyById(id: number): PropertyDef | undefined {
  return BY_ID[id];
}

/** Per property block: its name for messages, and the rule ids for a disallowed identifier and for a duplicate. */
const CTX_INFO: Record<number, [name: string, notAllowed: string, duplicate: string]> = {
  [Ctx.Will]: ['CONNECT Will Properties', 'U5-3.1.3.2-1', 'U5-3.1.3.2-2'],
  [Ctx.Connect]: ['CONNECT', 'U5-2.2.2-2', 'U5-3.1.2.11-1'],
  [Ctx.Connack]: ['CONNACK', 'U5-2.2.2-2', 'U5-3.2.2.3-1'],
  [Ctx.Publish]: ['PUBLISH', 'U5-3.3.2.3-1', 'U5-3.3.2.3-2'],
  [Ctx.Puback]: ['PUBACK', 'U5-3.4.2.2-1', 'U5-3.4.2.2-1'],
  [Ctx.Pubrec]: ['PUBREC', 'U5-3.5.2.2-1', 'U5-3.5.2.2-1'],
  [Ctx.Pubrel]: ['PUBREL', 'U5-3.6.2.2-1', 'U5-3.6.2.2-1'],
  [Ctx.Pubcomp]: ['PUBCOMP', 'U5-3.7.2.2-1', 'U5-3.7.2.2-1'],
  [Ctx.Subscribe]: ['SUBSCRIBE', 'U5-3.8.2.1-1', 'U5-3.8.2.1-1'],
  [Ctx.Suback]: ['SUBACK', 'U5-3.9-1', 'U5-3.9-1'],
  [Ctx.Unsubscribe]: ['UNSUBSCRIBE', 'U5-3.10.2-1', 'U5-2.2.2-5'],
  [Ctx.Unsuback]: ['UNSUBACK', 'U5-3.11-1', 'U5-3.11-1'],
  [Ctx.Disconnect]: ['DISCONNECT', 'U5-3.14.2.2-1', 'U5-3.14.2.2-1'],
  [Ctx.Auth]: ['AUTH', 'U5-3.15.2.2-1', 'U5-3.15.2.2-1'],
};

export function ctxName(ctx: Ctx): string {
  return CTX_INFO[ctx]![0];
}

/** The Ctx bit of a packet type number. */
export function ctxOf(packetType: number): Ctx {
  return 1 << packetType;
}

// ---------------------------------------------------------------------------------------------------------------
// Decoding

/**
 * Reads Property Length and the properties after it. Returns undefined when there are none, so decoded packets
 * leave `properties` absent rather than empty.
 */
export function readProperties(r: Reader, ctx: Ctx): Properties | undefined {
  const lenAt = r.pos;
  // A one-byte Property Length (under 128) is read inline; the field name is built only for the general read.
  const first = lenAt < r.end ? r.buf[lenAt]! : 0x80;
  let len: number;
  if (first < 0x80) {
    len = first;
    r.pos = lenAt + 1;
  } else {
    len = r.varint(`${ctxName(ctx)} Property Length`);
  }
  if (len === 0) return undefined;
  const end = r.pos + len;
  if (end > r.end) {
    throw malformed('U5-2.2.2-1', `${ctxName(ctx)} Property Length ${len} runs past the end of the packet`, lenAt);
  }
  const outerEnd = r.end;
  r.end = end; // a property value may not run past the property block
  const props: Record<string, unknown> = {};
  // identifiers seen so far, one bit each (all are under 64): a duplicate test without reading `props` by key
  let seenLow = 0;
  let seenHigh = 0;
  while (r.pos < end) {
    const at = r.pos;
    // every identifier is under 128: one byte, read inline (`at < end` holds here)
    let id = r.buf[at]!;
    if (id < 0x80) r.pos = at + 1;
    else id = r.varint(`${ctxName(ctx)} property identifier`);
    const def = BY_ID[id];
    if (def === undefined || (def.allowed & ctx) === 0) {
      const what = def === undefined ? `unknown property identifier 0x${hex(id)}` : `${def.name} (0x${hex(id)}) is not allowed`;
      throw malformed(CTX_INFO[ctx]![1], `${ctxName(ctx)}: ${what}`, at);
    }
    const value = readValue(r, def, ctx);
    if (def.check !== undefined && def.type !== 'pair') {
      const err = def.check(value as number | string, ctx, at);
      if (err !== undefined) throw err;
    }
    if (def.type === 'pair') {
      const list = props['userProperties'] as UserProperties | undefined;
      if (list === undefined) props['userProperties'] = [value];
      else list.push(value as [string, string]);
    } else if (def === SUB_IDS && ctx === Ctx.Publish) {
      const list = props['subscriptionIdentifiers'] as number[] | undefined;
      if (list === undefined) props['subscriptionIdentifiers'] = [value];
      else list.push(value as number);
    } else {
      const bit = 1 << (id & 31);
      if (((id < 32 ? seenLow : seenHigh) & bit) !== 0) {
        throw protocolError(CTX_INFO[ctx]![2], `${ctxName(ctx)}: ${def.name} appears more than once`, at);
      }
      if (id < 32) seenLow |= bit;
      else seenHigh |= bit;
      props[def.key] = value;
    }
  }
  r.end = outerEnd;
  return props as Properties;
}

/**
 * Reads one property value. The common case is read inline without building the field name for messages (that
 * string was a sixth of decoding a 5.0 PUBLISH, bench w3); anything short, ill-formed or multi-byte goes through
 * `readValueNamed` from the same position, which gives the precise error.
 */
function readValue(r: Reader, def: PropertyDef, ctx: Ctx): unknown {
  const p = r.pos;
  const end = r.end;
  const b = r.buf;
  switch (def.type) {
    case 'byte':
      if (p < end) {
        r.pos = p + 1;
        return b[p]!;
      }
      break;
    case 'u16':
      if (p + 2 <= end) {
        r.pos = p + 2;
        return (b[p]! << 8) | b[p + 1]!;
      }
      break;
    case 'u32':
      if (p + 4 <= end) {
        r.pos = p + 4;
        return b[p]! * 0x1000000 + ((b[p + 1]! << 16) | (b[p + 2]! << 8) | b[p + 3]!);
      }
      break;
    case 'varint':
      if (p < end && b[p]! < 0x80) {
        r.pos = p + 1;
        return b[p]!;
      }
      break;
    case 'string': {
      const s = r.tryUtf8();
      if (s !== undefined) return s;
      break;
    }
    case 'binary':
      break;
    case 'pair': {
      const name = r.tryUtf8();
      if (name !== undefined) {
        const value = r.tryUtf8();
        if (value !== undefined) return [name, value];
      }
      break;
    }
  }
  r.pos = p;
  return readValueNamed(r, def, ctx);
}

function readValueNamed(r: Reader, def: PropertyDef, ctx: Ctx): unknown {
  const field = `${ctxName(ctx)} ${def.name}`;
  switch (def.type) {
    case 'byte':
      return r.u8(field);
    case 'u16':
      return r.u16(field);
    case 'u32':
      return r.u32(field);
    case 'varint':
      return r.varint(field);
    case 'string':
      return r.utf8(field);
    case 'binary':
      return r.binary(field);
    case 'pair':
      return [r.utf8(`${field} name`), r.utf8(`${field} value`)];
  }
}

function hex(n: number): string {
  return n.toString(16).padStart(2, '0');
}

// ---------------------------------------------------------------------------------------------------------------
// Encoding

/**
 * Byte length of the properties (without the Property Length prefix), validating every value; throws
 * `invalid-packet` for an unknown key, a key not allowed in this packet or a value of the wrong type or range.
 */
export function propertiesSize(props: Properties | undefined, ctx: Ctx): number {
  if (props === undefined) return 0;
  if (typeof props !== 'object' || props === null) {
    throw invalidPacket(`${ctxName(ctx)} properties must be an object`);
  }
  let size = 0;
  for (const key in props) {
    const value = (props as Record<string, unknown>)[key];
    if (value === undefined) continue;
    const def = BY_KEY[key];
    if (def === undefined) throw invalidPacket(`${ctxName(ctx)} property '${key}' is not an MQTT 5.0 property`);
    if ((def.allowed & ctx) === 0 || (def === SUB_IDS && (key === 'subscriptionIdentifiers') !== (ctx === Ctx.Publish))) {
      throw invalidPacket(`${ctxName(ctx)} may not carry the ${def.name} property ('${key}')`, CTX_INFO[ctx]![1], 0x81);
    }
    if (def.type === 'pair' || key === 'subscriptionIdentifiers') {
      if (!Array.isArray(value)) throw invalidPacket(`${ctxName(ctx)} property '${key}' must be an array`);
      for (const item of value) size += 1 + (plainValueSize(def, item) || valueSize(def, item, ctx, key));
    } else {
      size += 1 + (plainValueSize(def, value) || valueSize(def, value, ctx, key));
    }
  }
  return size;
}

/**
 * Size of a value that plainly passes `valueSize`'s checks (right type, in range, no extra check to run), or 0 to
 * send it through `valueSize`, which names the property in its messages: building those names eagerly was a fifth
 * of encoding a 5.0 PUBLISH (bench w3). Every size is at least 1, so 0 is free as the sentinel.
 */
function plainValueSize(def: PropertyDef, value: unknown): number {
  if (def.check !== undefined) return 0;
  switch (def.type) {
    case 'byte':
      return typeof value === 'number' && value >>> 0 === value && value <= 0xff ? 1 : 0;
    case 'u16':
      return typeof value === 'number' && value >>> 0 === value && value <= 0xffff ? 2 : 0;
    case 'u32':
      // `>>> 0` keeps exactly the integers 0..2^32-1
      return typeof value === 'number' && value >>> 0 === value ? 4 : 0;
    case 'varint':
      return typeof value === 'number' && value >>> 0 === value && value <= VARINT_MAX ? varintSize(value) : 0;
    case 'string':
      return typeof value === 'string' ? plainStringSize(value) : 0;
    case 'binary':
      return value instanceof Uint8Array && value.length <= 0xffff ? 2 + value.length : 0;
    case 'pair': {
      if (!Array.isArray(value) || value.length !== 2) return 0;
      const name: unknown = value[0];
      const val: unknown = value[1];
      if (typeof name !== 'string' || typeof val !== 'string') return 0;
      const a = plainStringSize(name);
      const b = plainStringSize(val);
      return a === 0 || b === 0 ? 0 : a + b;
    }
  }
}

/** 2 + UTF-8 length of a string `stringSize` accepts, else 0. */
function plainStringSize(s: string): number {
  const len = utf8Length(s);
  return len >= 0 && len <= 0xffff ? 2 + len : 0;
}

function valueSize(def: PropertyDef, value: unknown, ctx: Ctx, key: string): number {
  const what = `${ctxName(ctx)} property '${key}'`;
  let size: number;
  switch (def.type) {
    case 'byte':
      size = intSize(value, 0xff, 1, what);
      break;
    case 'u16':
      size = intSize(value, 0xffff, 2, what);
      break;
    case 'u32':
      size = intSize(value, 0xffffffff, 4, what);
      break;
    case 'varint':
      if (typeof value === 'number' && Number.isInteger(value) && value > VARINT_MAX) {
        throw invalidPacket(`${what} ${value} does not fit a Variable Byte Integer (at most ${VARINT_MAX})`, 'U5-1.5.5-1', 0x81);
      }
      intSize(value, VARINT_MAX, 0, what);
      size = varintSize(value as number);
      break;
    case 'string':
      size = stringSize(value, what);
      break;
    case 'binary':
      size = binarySize(value, what);
      break;
    case 'pair':
      if (!Array.isArray(value) || value.length !== 2) throw invalidPacket(`${what}: each entry must be a [name, value] pair`);
      return stringSize(value[0], `${what} name`) + stringSize(value[1], `${what} value`);
  }
  if (def.check !== undefined) {
    const err = def.check(value as number | string, ctx, undefined);
    if (err !== undefined) throw asInvalidPacket(err, ctxName(ctx));
  }
  return size;
}

function intSize(value: unknown, max: number, size: number, what: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > max) {
    throw invalidPacket(`${what} must be an integer from 0 to ${max}, got ${describe(value)}`);
  }
  return size;
}

/** 2 + UTF-8 length of a string field, refusing lone surrogates, U+0000 and more than 65,535 bytes. */
export function stringSize(value: unknown, what: string, version = 5): number {
  if (typeof value !== 'string') throw invalidPacket(`${what} must be a string, got ${describe(value)}`);
  const len = utf8Length(value);
  if (len === -1) {
    throw invalidPacket(`${what} contains a lone surrogate (not encodable as UTF-8)`, version === 5 ? 'MQTT-1.5.4-1' : 'MQTT-1.5.3-1', 0x81);
  }
  if (len === -2) throw invalidPacket(`${what} contains U+0000`, version === 5 ? 'MQTT-1.5.4-2' : 'MQTT-1.5.3-2', 0x81);
  if (len > 0xffff) {
    throw invalidPacket(`${what} is ${len} bytes of UTF-8; the limit is 65535`, version === 5 ? 'U5-1.5.4-2' : 'U311-1.5.3-2', 0x81);
  }
  return 2 + len;
}

/** 2 + length of a Binary Data field (at most 65,535 bytes); `version` selects the rule id (5.0 or 3.1.1). */
export function binarySize(value: unknown, what: string, version = 5): number {
  if (!(value instanceof Uint8Array)) throw invalidPacket(`${what} must be a Uint8Array, got ${describe(value)}`);
  if (value.length > 0xffff) {
    throw invalidPacket(`${what} is ${value.length} bytes; the limit is 65535`, version === 5 ? 'U5-1.5.6-1' : 'U311-3.1.3-1', 0x81);
  }
  return 2 + value.length;
}

export function describe(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  if (typeof value === 'object') return value instanceof Uint8Array ? `Uint8Array(${value.length})` : Array.isArray(value) ? 'an array' : 'an object';
  return String(value);
}

/** Writes Property Length (`size`, from `propertiesSize`) and the properties. */
export function writeProperties(w: Writer, props: Properties | undefined, size: number): void {
  w.varint(size);
  if (props === undefined || size === 0) return;
  for (const key in props) {
    const value = (props as Record<string, unknown>)[key];
    if (value === undefined) continue;
    const def = BY_KEY[key]!;
    if (def.type === 'pair') {
      for (const pair of value as UserProperties) {
        w.u8(def.id);
        w.utf8(pair[0]);
        w.utf8(pair[1]);
      }
    } else if (key === 'subscriptionIdentifiers') {
      for (const id of value as number[]) {
        w.u8(def.id);
        w.varint(id);
      }
    } else {
      w.u8(def.id);
      writeValue(w, def.type, value);
    }
  }
}

function writeValue(w: Writer, type: PropertyType, value: unknown): void {
  switch (type) {
    case 'byte':
      w.u8(value as number);
      break;
    case 'u16':
      w.u16(value as number);
      break;
    case 'u32':
      w.u32(value as number);
      break;
    case 'varint':
      w.varint(value as number);
      break;
    case 'string':
      w.utf8(value as string);
      break;
    case 'binary':
      w.binary(value as Uint8Array);
      break;
    case 'pair':
      break;
  }
}

/** True when a properties object has at least one present value. */
export function hasProperties(props: Properties | undefined): boolean {
  if (props === undefined) return false;
  for (const key in props) if ((props as Record<string, unknown>)[key] !== undefined) return true;
  return false;
}
