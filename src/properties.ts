// MQTT 5.0 properties (section 2.2.2): one table drives decoding, encoding, sizing, validation and the property
// types of each packet (types.ts derives them). Adding or fixing a property is one row of ROWS.

import { asInvalidPacket, invalidPacket, malformed, protocolError, type MqttError } from './errors.js';
import { hexByte } from './reason-codes.js';
import { ruleAt } from './rules.js';
import { topicNameFault } from './topic.js';
import type { Properties } from './types.js';
import { DETACHED, binaryLength, uint8Length } from './wire/bytes.js';
import type { Reader } from './wire/reader.js';
import { NATIVE_ENCODE_MIN, encodeUtf8Into, utf8Length } from './wire/utf8.js';
import { VARINT_MAX, varintSize, type Writer } from './wire/writer.js';

export type PropertyType = 'byte' | 'u16' | 'u32' | 'varint' | 'string' | 'binary' | 'pair';

/** The property blocks: each packet that has one, and the Will Properties in the CONNECT payload. */
export type PropertyContext =
  | 'will'
  | 'connect'
  | 'connack'
  | 'publish'
  | 'puback'
  | 'pubrec'
  | 'pubrel'
  | 'pubcomp'
  | 'subscribe'
  | 'suback'
  | 'unsubscribe'
  | 'unsuback'
  | 'disconnect'
  | 'auth';

/** Where a property block sits, as one bit each: bit n is packet type n; bit 0 stands for the Will Properties. */
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

const CTX_BIT: Readonly<Record<PropertyContext, number>> = {
  will: Ctx.Will,
  connect: Ctx.Connect,
  connack: Ctx.Connack,
  publish: Ctx.Publish,
  puback: Ctx.Puback,
  pubrec: Ctx.Pubrec,
  pubrel: Ctx.Pubrel,
  pubcomp: Ctx.Pubcomp,
  subscribe: Ctx.Subscribe,
  suback: Ctx.Suback,
  unsubscribe: Ctx.Unsubscribe,
  unsuback: Ctx.Unsuback,
  disconnect: Ctx.Disconnect,
  auth: Ctx.Auth,
};

/** Every property block: User Property may appear in each of them. */
const EVERY_BLOCK = Object.keys(CTX_BIT) as PropertyContext[];
const ACKS = ['puback', 'pubrec', 'pubrel', 'pubcomp'] as const;

/** A value check beyond the data type: returns the error for a bad value, or undefined. */
type ValueCheck = (value: number | string, ctx: Ctx, offset: number | undefined) => MqttError | undefined;

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

interface Row {
  id: number;
  name: string;
  key: string;
  type: PropertyType;
  /** The blocks that may carry it. */
  in: readonly PropertyContext[];
  /** The blocks where it may appear more than once: there its values are a list under `listKey` (else `key`). */
  repeatsIn?: readonly PropertyContext[];
  listKey?: string;
  check?: ValueCheck;
}

const ROWS = [
  { id: 0x01, name: 'Payload Format Indicator', key: 'payloadFormatIndicator', type: 'byte', in: ['publish', 'will'],
    check: zeroOrOne((ctx) => (ctx === Ctx.Will ? 'U5-3.1.3.2-3' : 'U5-3.3.2.3-3')) },
  { id: 0x02, name: 'Message Expiry Interval', key: 'messageExpiryInterval', type: 'u32', in: ['publish', 'will'] },
  { id: 0x03, name: 'Content Type', key: 'contentType', type: 'string', in: ['publish', 'will'] },
  { id: 0x08, name: 'Response Topic', key: 'responseTopic', type: 'string', in: ['publish', 'will'],
    check: (v, ctx, offset) => {
      const fault = topicNameFault(v as string);
      return fault === undefined ? undefined : protocolError('MQTT-3.3.2-14', `${ctxName(ctx)} Response Topic '${String(v)}' ${fault}`, offset);
    } },
  { id: 0x09, name: 'Correlation Data', key: 'correlationData', type: 'binary', in: ['publish', 'will'] },
  // PUBLISH keeps every Subscription Identifier, under the plural key; SUBSCRIBE has one
  { id: 0x0b, name: 'Subscription Identifier', key: 'subscriptionIdentifier', type: 'varint', in: ['publish', 'subscribe'],
    repeatsIn: ['publish'], listKey: 'subscriptionIdentifiers', check: nonZero(() => 'U5-3.3.2.3-4') },
  { id: 0x11, name: 'Session Expiry Interval', key: 'sessionExpiryInterval', type: 'u32', in: ['connect', 'connack', 'disconnect'] },
  { id: 0x12, name: 'Assigned Client Identifier', key: 'assignedClientIdentifier', type: 'string', in: ['connack'] },
  { id: 0x13, name: 'Server Keep Alive', key: 'serverKeepAlive', type: 'u16', in: ['connack'] },
  { id: 0x15, name: 'Authentication Method', key: 'authenticationMethod', type: 'string', in: ['connect', 'connack', 'auth'] },
  { id: 0x16, name: 'Authentication Data', key: 'authenticationData', type: 'binary', in: ['connect', 'connack', 'auth'] },
  { id: 0x17, name: 'Request Problem Information', key: 'requestProblemInformation', type: 'byte', in: ['connect'],
    check: zeroOrOne(() => 'U5-3.1.2.11-4') },
  { id: 0x18, name: 'Will Delay Interval', key: 'willDelayInterval', type: 'u32', in: ['will'] },
  { id: 0x19, name: 'Request Response Information', key: 'requestResponseInformation', type: 'byte', in: ['connect'],
    check: zeroOrOne(() => 'U5-3.1.2.11-4') },
  { id: 0x1a, name: 'Response Information', key: 'responseInformation', type: 'string', in: ['connack'] },
  { id: 0x1c, name: 'Server Reference', key: 'serverReference', type: 'string', in: ['connack', 'disconnect'] },
  { id: 0x1f, name: 'Reason String', key: 'reasonString', type: 'string',
    in: ['connack', ...ACKS, 'suback', 'unsuback', 'disconnect', 'auth'] },
  { id: 0x21, name: 'Receive Maximum', key: 'receiveMaximum', type: 'u16', in: ['connect', 'connack'],
    check: nonZero(connectOrConnack('U5-3.1.2.11-2')) },
  { id: 0x22, name: 'Topic Alias Maximum', key: 'topicAliasMaximum', type: 'u16', in: ['connect', 'connack'] },
  // MQTT-3.3.2-8: Topic Alias 0 is answered with 0x94 Topic Alias invalid
  { id: 0x23, name: 'Topic Alias', key: 'topicAlias', type: 'u16', in: ['publish'], check: nonZero(() => 'MQTT-3.3.2-8', 0x94) },
  { id: 0x24, name: 'Maximum QoS', key: 'maximumQos', type: 'byte', in: ['connack'], check: zeroOrOne(connackRule) },
  { id: 0x25, name: 'Retain Available', key: 'retainAvailable', type: 'byte', in: ['connack'], check: zeroOrOne(connackRule) },
  { id: 0x26, name: 'User Property', key: 'userProperties', type: 'pair', in: EVERY_BLOCK, repeatsIn: EVERY_BLOCK },
  { id: 0x27, name: 'Maximum Packet Size', key: 'maximumPacketSize', type: 'u32', in: ['connect', 'connack'],
    check: nonZero(connectOrConnack('U5-3.1.2.11-3')) },
  { id: 0x28, name: 'Wildcard Subscription Available', key: 'wildcardSubscriptionAvailable', type: 'byte', in: ['connack'], check: zeroOrOne(connackRule) },
  { id: 0x29, name: 'Subscription Identifier Available', key: 'subscriptionIdentifiersAvailable', type: 'byte', in: ['connack'], check: zeroOrOne(connackRule) },
  { id: 0x2a, name: 'Shared Subscription Available', key: 'sharedSubscriptionAvailable', type: 'byte', in: ['connack'], check: zeroOrOne(connackRule) },
] as const satisfies readonly Row[];

type TableRow = (typeof ROWS)[number];
/** The key a row's values take in block `C`: its list key where it repeats there, else its key. */
type KeyIn<R extends TableRow, C extends PropertyContext> = C extends R['in'][number]
  ? R extends { repeatsIn: readonly (infer X)[]; listKey: infer L } ? (C extends X ? L : R['key']) : R['key']
  : never;
/** The property keys a block may carry, straight from the table (types.ts builds each packet's properties from it). */
export type PropertyKeysIn<C extends PropertyContext> = TableRow extends infer R ? (R extends TableRow ? KeyIn<R, C> : never) : never;

export interface PropertyDef {
  id: number;
  /** Spec name, for messages. */
  name: string;
  /** camelCase key in a packet's `properties`. */
  key: keyof Properties;
  type: PropertyType;
  /** Blocks (Ctx bits) that may carry it. */
  allowed: number;
  /** Blocks (Ctx bits) in which it may appear more than once; its values are a list there. */
  repeats: number;
  /** Where it repeats, the key of the list (User Property: `userProperties`; PUBLISH: `subscriptionIdentifiers`). */
  listKey: keyof Properties;
  check?: ValueCheck;
}

function bits(contexts: readonly PropertyContext[] | undefined): number {
  let b = 0;
  for (const c of contexts ?? []) b |= CTX_BIT[c];
  return b;
}

export const PROPERTY_TABLE: readonly PropertyDef[] = ROWS.map((row: Row) => {
  const def: PropertyDef = {
    id: row.id,
    name: row.name,
    key: row.key as keyof Properties,
    type: row.type,
    allowed: bits(row.in),
    repeats: bits(row.repeatsIn),
    listKey: (row.listKey ?? row.key) as keyof Properties,
  };
  if (row.check !== undefined) def.check = row.check;
  return def;
});

/** Lookup by identifier (index) and by key (list keys included). */
const BY_ID: (PropertyDef | undefined)[] = [];
const BY_KEY: Record<string, PropertyDef> = Object.create(null) as Record<string, PropertyDef>;
for (const def of PROPERTY_TABLE) {
  BY_ID[def.id] = def;
  BY_KEY[def.key] = def;
  BY_KEY[def.listKey] = def;
}

/**
 * `BY_KEY[key]`, with the keys a 5.0 PUBLISH carries compared first as constants. BY_KEY has no prototype and so
 * many keys that V8 keeps it as a dictionary; a lookup in it with the key in a variable was about a tenth of a
 * 5.0 PUBLISH encode (w8 -7 to -13% with the compares, interleaved A/B; a Map or a fast-mode copy gained nothing).
 * Held to BY_KEY for every key by test/tables.test.ts.
 */
export function defOfKey(key: string): PropertyDef | undefined {
  switch (key) {
    case 'userProperties':
      return BY_ID[0x26];
    case 'contentType':
      return BY_ID[0x03];
    case 'messageExpiryInterval':
      return BY_ID[0x02];
    case 'payloadFormatIndicator':
      return BY_ID[0x01];
    case 'responseTopic':
      return BY_ID[0x08];
    case 'correlationData':
      return BY_ID[0x09];
    case 'topicAlias':
      return BY_ID[0x23];
    default:
      return BY_KEY[key];
  }
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

/**
 * How a field of block `ctx` is named after the packet's name, which the Reader puts first: nothing more for the
 * packet's own properties (`PUBLISH Content Type`), `Will Properties ` for the Will's (`CONNECT Will Properties …`).
 */
function blockField(ctx: Ctx): string {
  return ctx === Ctx.Will ? 'Will Properties ' : '';
}

export function ctxName(ctx: Ctx): string {
  return CTX_INFO[ctx]![0];
}

/** The Ctx bit of a packet type number. */
export function ctxOf(packetType: number): Ctx {
  return 1 << packetType;
}

/** The rule id for an identifier not allowed in block `ctx` (malformed, 0x81). */
export function notAllowedRule(ctx: Ctx): string {
  return CTX_INFO[ctx]![1];
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
    len = r.varint(`${blockField(ctx)}Property Length`);
  }
  if (len === 0) return undefined;
  const end = r.pos + len;
  if (end > r.end) {
    throw malformed('U5-2.2.2-1', `${ctxName(ctx)} Property Length ${len} runs past the end of the packet`, lenAt);
  }
  const outerEnd = r.end;
  r.end = end; // a property value may not run past the property block
  const props: Properties = {};
  // identifiers seen so far, one bit each (all are under 64): a duplicate test without reading `props` by key
  let seenLow = 0;
  let seenHigh = 0;
  while (r.pos < end) {
    const at = r.pos;
    // every identifier is under 128: one byte, read inline (`at < end` holds here)
    let id = r.buf[at]!;
    if (id < 0x80) r.pos = at + 1;
    else id = r.varint(`${blockField(ctx)}property identifier`);
    const def = BY_ID[id];
    if (def === undefined || (def.allowed & ctx) === 0) {
      const what = def === undefined ? `unknown property identifier ${hexByte(id)}` : `${def.name} (${hexByte(id)}) is not allowed`;
      throw malformed(CTX_INFO[ctx]![1], `${ctxName(ctx)}: ${what}`, at);
    }
    const value = readValue(r, def, ctx);
    if (def.check !== undefined) {
      const err = def.check(value as number | string, ctx, at);
      if (err !== undefined) throw err;
    }
    if (id === 0x26) {
      // User Property, the list nearly every 5.0 packet that has properties carries: a constant key (see `store`)
      const list = props.userProperties;
      if (list === undefined) props.userProperties = [value as [string, string]];
      else list.push(value as [string, string]);
    } else if ((def.repeats & ctx) !== 0) {
      const lists = props as Record<string, unknown[] | undefined>;
      const list = lists[def.listKey];
      if (list === undefined) lists[def.listKey] = [value];
      else list.push(value);
    } else {
      const bit = 1 << (id & 31);
      if (((id < 32 ? seenLow : seenHigh) & bit) !== 0) {
        throw protocolError(CTX_INFO[ctx]![2], `${ctxName(ctx)}: ${def.name} appears more than once`, at);
      }
      if (id < 32) seenLow |= bit;
      else seenHigh |= bit;
      store(props, id, def.key, value);
    }
  }
  r.end = outerEnd;
  return props;
}

/**
 * `props[key] = value` for the property `id`, by a store of a constant key for the properties PUBLISH carries: a
 * keyed store with the key in a variable is megamorphic across the table's keys, and was the costliest line of
 * reading a 5.0 PUBLISH's properties (line profile of bench w3). The keys are the table's (test/tables.test.ts).
 */
function store(props: Properties, id: number, key: string, value: unknown): void {
  switch (id) {
    case 0x01:
      props.payloadFormatIndicator = value as number;
      return;
    case 0x02:
      props.messageExpiryInterval = value as number;
      return;
    case 0x03:
      props.contentType = value as string;
      return;
    case 0x08:
      props.responseTopic = value as string;
      return;
    case 0x09:
      props.correlationData = value as Uint8Array;
      return;
    case 0x23:
      props.topicAlias = value as number;
      return;
    default:
      (props as Record<string, unknown>)[key] = value;
  }
}

/** The identifiers `store` writes with a constant key, and those keys (held to PROPERTY_TABLE by a test). */
export const STORED_KEYS: Readonly<Record<number, keyof Properties>> = {
  0x01: 'payloadFormatIndicator',
  0x02: 'messageExpiryInterval',
  0x03: 'contentType',
  0x08: 'responseTopic',
  0x09: 'correlationData',
  0x23: 'topicAlias',
};

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
  const field = `${blockField(ctx)}${def.name}`;
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

// ---------------------------------------------------------------------------------------------------------------
// Encoding: one pass over the caller's properties object reads each value once, checks it and writes it into a
// PropertyEncoder's own growing buffer; the frame then copies the bytes. (Sizing in one pass and writing in
// another read every value twice and looked each key up twice: a 5.0 PUBLISH encodeInto took twice as long.)

/** A property block, checked and encoded: the bytes after the Property Length, and which identifiers it holds. */
export interface PropertiesPlan {
  /** Bytes of the properties, without the Property Length. */
  size: number;
  bytes: Uint8Array;
  /** Identifiers present, one bit each (all are under 64): bits 0-31 and 32-63. */
  low: number;
  high: number;
}

/** True when `plan` holds property `id`. */
export function planHas(plan: PropertiesPlan | undefined, id: number): boolean {
  return plan !== undefined && ((id < 32 ? plan.low : plan.high) & (1 << (id & 31))) !== 0;
}

/** Writes a property block in one pass into a buffer of its own, which grows as needed. */
export class PropertyEncoder {
  buf = new Uint8Array(128);
  /** Bytes written: the block's size. */
  pos = 0;
  /** `#views[n]`: the first `n` bytes of `buf`, made on first use and dropped when `buf` grows. */
  #views: Uint8Array[] = [];
  low = 0;
  high = 0;
  /** True while an encode uses this encoder; a re-entrant encode (from a getter) takes a fresh one. */
  busy = false;

  /**
   * Encodes `props` for block `ctx`: throws `invalid-packet` for a key that is not a 5.0 property, one not allowed
   * in this block, or a value of the wrong type or range. Leaves `pos` 0 for absent or empty properties.
   */
  encode(props: unknown, ctx: Ctx): void {
    this.pos = 0;
    this.low = 0;
    this.high = 0;
    if (props === undefined) return;
    if (typeof props !== 'object' || props === null || Array.isArray(props)) {
      throw invalidPacket(undefined, `${ctxName(ctx)} properties must be an object, got ${describe(props)}`);
    }
    for (const key in props) {
      const value = (props as Record<string, unknown>)[key];
      if (value === undefined) continue;
      const def = defOfKey(key);
      if (def === undefined) throw invalidPacket(undefined, `${ctxName(ctx)} property '${key}' is not an MQTT 5.0 property`);
      const list = (def.repeats & ctx) !== 0;
      if ((def.allowed & ctx) === 0 || key !== (list ? def.listKey : def.key)) {
        throw invalidPacket(CTX_INFO[ctx]![1], `${ctxName(ctx)} may not carry the ${def.name} property ('${key}')`, 0x81);
      }
      if (def.id < 32) this.low |= 1 << def.id;
      else this.high |= 1 << (def.id & 31);
      if (list) {
        if (!Array.isArray(value)) throw invalidPacket(undefined, `${what(ctx, key)} must be an array, got ${describe(value)}`);
        const n = value.length;
        for (let i = 0; i < n; i++) this.#value(def, value[i], ctx, key);
      } else {
        this.#value(def, value, ctx, key);
      }
    }
  }

  /** The encoded block as a plan of its own (a copy), or undefined when it is empty. */
  plan(): PropertiesPlan | undefined {
    return this.pos === 0 ? undefined : { size: this.pos, bytes: this.buf.slice(0, this.pos), low: this.low, high: this.high };
  }

  /**
   * The block written, as a view of `buf` kept for the next block of the same size: copied into a frame by the
   * intrinsic set, it took a third of the time of a byte loop over its 40-60 bytes, which had been the costliest
   * line of a 5.0 PUBLISH encode (line profile of bench w8), and a fresh view per block costs an allocation.
   */
  block(): Uint8Array {
    const n = this.pos;
    if (n >= 0x100) return new Uint8Array(this.buf.buffer, 0, n);
    let view = this.#views[n];
    if (view === undefined) this.#views[n] = view = new Uint8Array(this.buf.buffer, 0, n);
    return view;
  }

  #room(n: number): Uint8Array {
    let buf = this.buf;
    if (this.pos + n > buf.length) {
      const bigger = new Uint8Array(Math.max(buf.length * 2, this.pos + n));
      bigger.set(buf.subarray(0, this.pos));
      this.buf = buf = bigger;
      this.#views = [];
    }
    return buf;
  }

  #value(def: PropertyDef, value: unknown, ctx: Ctx, key: string): void {
    const buf = this.#room(5);
    let p = this.pos;
    buf[p++] = def.id;
    switch (def.type) {
      case 'byte':
        if (!(typeof value === 'number' && value >>> 0 === value && value <= 0xff)) intSize(value, 0xff, 1, ctx, key);
        this.#check(def, value, ctx);
        buf[p++] = value as number;
        break;
      case 'u16':
        if (!(typeof value === 'number' && value >>> 0 === value && value <= 0xffff)) intSize(value, 0xffff, 2, ctx, key);
        this.#check(def, value, ctx);
        buf[p++] = (value as number) >>> 8;
        buf[p++] = (value as number) & 0xff;
        break;
      case 'u32': {
        // `>>> 0` keeps exactly the integers 0..2^32-1
        if (!(typeof value === 'number' && value >>> 0 === value)) intSize(value, 0xffffffff, 4, ctx, key);
        this.#check(def, value, ctx);
        const v = value as number;
        buf[p++] = v >>> 24;
        buf[p++] = (v >>> 16) & 0xff;
        buf[p++] = (v >>> 8) & 0xff;
        buf[p++] = v & 0xff;
        break;
      }
      case 'varint': {
        if (!(typeof value === 'number' && value >>> 0 === value && value <= VARINT_MAX)) {
          if (typeof value === 'number' && Number.isInteger(value) && value > VARINT_MAX) {
            throw invalidPacket('U5-1.5.5-1', `${what(ctx, key)} ${value} does not fit a Variable Byte Integer (at most ${VARINT_MAX})`, 0x81);
          }
          intSize(value, VARINT_MAX, 0, ctx, key);
        }
        this.#check(def, value, ctx);
        let v = value as number;
        while (v >= 0x80) {
          buf[p++] = (v & 0x7f) | 0x80;
          v >>>= 7;
        }
        buf[p++] = v;
        break;
      }
      case 'string':
        this.pos = p;
        this.#string(value, ctx, key, '');
        this.#check(def, value, ctx);
        return;
      case 'binary': {
        const len = binaryLength(value);
        if (len < 0) throw notBinary(value, len, what(ctx, key));
        if (len > 0xffff) throw invalidPacket(ruleAt('binaryTooLong', 5), `${what(ctx, key)} is ${len} bytes; the limit is 65535`, 0x81);
        const room = this.#room(3 + len);
        room[p++] = len >>> 8;
        room[p++] = len & 0xff;
        if (len > 0) room.set(value as Uint8Array, p);
        p += len;
        break;
      }
      case 'pair': {
        if (!Array.isArray(value)) throw invalidPacket(undefined, `${what(ctx, key)}: each entry must be a [name, value] pair, got ${describe(value)}`);
        const n = value.length;
        const name: unknown = value[0];
        const val: unknown = value[1];
        if (n !== 2) throw invalidPacket(undefined, `${what(ctx, key)}: each entry must be a [name, value] pair, got ${n} element(s)`);
        this.pos = p;
        this.#string(name, ctx, key, ' name');
        this.#string(val, ctx, key, ' value');
        return;
      }
    }
    this.pos = p;
  }

  #check(def: PropertyDef, value: unknown, ctx: Ctx): void {
    if (def.check !== undefined) {
      const err = def.check(value as number | string, ctx, undefined);
      if (err !== undefined) throw asInvalidPacket(err, ctxName(ctx));
    }
  }

  /**
   * A UTF-8 Encoded String (length prefix and bytes) at `pos`, refusing what `stringSize` refuses. The field's name
   * for messages (`ctx`, `key`, `part`) is built only for an error: building it for every value was a tenth of a
   * 5.0 PUBLISH encode (profile, bench w8).
   */
  #string(value: unknown, ctx: Ctx, key: string, part: string): void {
    if (typeof value !== 'string') throw invalidPacket(undefined, `${what(ctx, key)}${part} must be a string, got ${describe(value)}`);
    const n = value.length;
    const start = this.pos;
    let end: number;
    if (n < NATIVE_ENCODE_MIN) {
      const buf = this.#room(2 + 3 * n);
      let p = start + 2;
      let i = 0;
      // ASCII without U+0000, the usual case, written as it is checked
      for (; i < n; i++) {
        const c = value.charCodeAt(i);
        if (c >= 0x80 || c === 0) break;
        buf[p++] = c;
      }
      if (i < n) {
        stringSize(value, `${what(ctx, key)}${part}`, 5);
        p = encodeUtf8Into(value, buf, start + 2);
      }
      end = p;
    } else {
      const len = utf8Length(value);
      const size = len >= 0 && len <= 0xffff ? 2 + len : stringSize(value, `${what(ctx, key)}${part}`, 5);
      end = encodeUtf8Into(value, this.#room(size), start + 2);
    }
    const len = end - start - 2;
    this.buf[start] = len >>> 8;
    this.buf[start + 1] = len & 0xff;
    this.pos = end;
  }
}

const SHARED_ENCODER = /* @__PURE__ */ new PropertyEncoder();

/** The shared PropertyEncoder, or a fresh one when it is in use (a getter encoding while an encode runs). */
export function takeEncoder(): PropertyEncoder {
  const e = SHARED_ENCODER.busy ? new PropertyEncoder() : SHARED_ENCODER;
  e.busy = true;
  return e;
}

export function releaseEncoder(e: PropertyEncoder): void {
  e.busy = false;
}

/**
 * Reads, checks and encodes a packet's `properties` (undefined when absent or empty); throws `invalid-packet` for a
 * key that is not a 5.0 property, one not allowed in this block, or a value of the wrong type or range.
 */
export function planProperties(props: unknown, ctx: Ctx): PropertiesPlan | undefined {
  if (props === undefined) return undefined;
  const e = takeEncoder();
  try {
    e.encode(props, ctx);
    return e.plan();
  } finally {
    releaseEncoder(e);
  }
}

function what(ctx: Ctx, key: string): string {
  return `${ctxName(ctx)} property '${key}'`;
}

function intSize(value: unknown, max: number, size: number, ctx: Ctx, key: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > max) {
    throw invalidPacket(undefined, `${what(ctx, key)} must be an integer from 0 to ${max}, got ${describe(value)}`);
  }
  return size;
}

/** 2 + UTF-8 length of a string field, refusing lone surrogates, U+0000 and more than 65,535 bytes. */
export function stringSize(value: unknown, field: string, version: number): number {
  if (typeof value !== 'string') throw invalidPacket(undefined, `${field} must be a string, got ${describe(value)}`);
  const len = utf8Length(value);
  if (len === -1) throw invalidPacket(ruleAt('utf8IllFormed', version), `${field} contains a lone surrogate (not encodable as UTF-8)`, 0x81);
  if (len === -2) throw invalidPacket(ruleAt('utf8Null', version), `${field} contains U+0000`, 0x81);
  if (len > 0xffff) {
    throw invalidPacket(ruleAt('stringTooLong', version), `${field} is ${len} bytes of UTF-8; the limit is 65535`, 0x81);
  }
  return 2 + len;
}

/** 2 + length of a Binary Data field (at most 65,535 bytes). */
export function binarySize(value: unknown, field: string, version: number): number {
  const len = binaryLength(value);
  if (len < 0) throw notBinary(value, len, field);
  if (len > 0xffff) {
    throw invalidPacket(ruleAt('binaryTooLong', version), `${field} is ${len} bytes; the limit is 65535`, 0x81);
  }
  return 2 + len;
}

/** The error for a value `binaryLength` refused (`len` < 0). */
export function notBinary(value: unknown, len: number, field: string): MqttError {
  return len === DETACHED
    ? invalidPacket(undefined, `${field} is a Uint8Array whose ArrayBuffer is detached (transferred): its bytes are gone`)
    : invalidPacket(undefined, `${field} must be a Uint8Array, got ${describe(value)}`);
}

/** A short description of a value for messages: `"abc"`, `Uint8Array(3)`, `an array`, `null`, `7`. */
export function describe(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  if (typeof value === 'object') {
    const len = uint8Length(value);
    return len >= 0 ? `Uint8Array(${len})` : Array.isArray(value) ? 'an array' : 'an object';
  }
  if (typeof value === 'symbol' || typeof value === 'function') return typeof value;
  return String(value);
}

/** Writes the Property Length and the properties of a plan (Property Length 0 for none). */
export function writeProperties(w: Writer, plan: PropertiesPlan | undefined): void {
  if (plan === undefined) {
    w.u8(0);
    return;
  }
  w.varint(plan.size);
  w.bytes(plan.bytes, plan.size);
}

/** Bytes a plan takes on the wire: Property Length and properties. */
export function propertiesLength(plan: PropertiesPlan | undefined): number {
  return plan === undefined ? 1 : varintSize(plan.size) + plan.size;
}

/** True when a properties object has at least one present value (3.x refuses rather than drops them). */
export function hasProperties(props: unknown): boolean {
  if (props === undefined || props === null || typeof props !== 'object') return props !== undefined;
  for (const key in props) if ((props as Record<string, unknown>)[key] !== undefined) return true;
  return false;
}
