// MQTT 5.0 properties between mqtt-wire's form (numbers for byte flags, `[name, value]` pairs, `maximumQos`,
// `subscriptionIdentifiers`) and mqtt-packet's (booleans, an object of user properties, `maximumQoS`, one
// `subscriptionIdentifier` or an array). Driven by the codec's PROPERTY_TABLE: one row per property.

import { MqttError, PROPERTY_TABLE, type PropertyType, type Properties } from '../index.js';
import { asBytes, isBytes, utf8Bytes } from './bytes.js';
import type { UserProperties } from './types.js';

/** mqtt-packet's name for each value type, as its messages and checks use them. */
type CompatType = 'byte' | 'int8' | 'int16' | 'int32' | 'var' | 'string' | 'binary' | 'pair';

interface CompatProperty {
  /** The key in mqtt-wire's properties. */
  key: string;
  type: CompatType;
  /** Largest value of a numeric type. */
  max: number;
}

const COMPAT_TYPE: Record<PropertyType, CompatType> = {
  byte: 'byte',
  u16: 'int16',
  u32: 'int32',
  varint: 'var',
  string: 'string',
  binary: 'binary',
  pair: 'pair',
};
const MAX: Partial<Record<CompatType, number>> = { int8: 0xff, int16: 0xffff, int32: 0xffffffff, var: 0x0fffffff };

/** mqtt-packet's spelling of the one key whose name differs. */
const MAXIMUM_QOS = 'maximumQoS';
/** The identifier of Maximum QoS (0x24). */
export const MAXIMUM_QOS_ID = PROPERTY_TABLE.find((def) => def.key === 'maximumQos')!.id;

/** By mqtt-packet's property name. */
const BY_NAME: Record<string, CompatProperty> = Object.create(null) as Record<string, CompatProperty>;
/** mqtt-wire keys whose value is a 0/1 byte that mqtt-packet shows as a boolean. */
const FLAGS = new Set<string>();
for (const def of PROPERTY_TABLE) {
  // Maximum QoS is a byte that holds 0 or 1, but mqtt-packet keeps it a number
  const isQos = def.key === 'maximumQos';
  const type: CompatType = isQos ? 'int8' : COMPAT_TYPE[def.type];
  BY_NAME[isQos ? MAXIMUM_QOS : def.key] = { key: def.key, type, max: MAX[type] ?? 0 };
  if (type === 'byte') FLAGS.add(def.key);
}

// ---------------------------------------------------------------------------------------------------------------
// mqtt-wire → mqtt-packet (parse)

/** A decoded properties object in mqtt-packet's form, keys in wire order. Binary values are Buffer views. */
export function toCompatProperties(props: Properties): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const source = props as Record<string, unknown>;
  for (const key in source) {
    const value = source[key];
    if (key === 'userProperties') {
      out['userProperties'] = userPropertiesObject(value as [string, string][]);
    } else if (key === 'subscriptionIdentifiers') {
      // a PUBLISH: one identifier stays a number, several become an array (mqtt-packet turns a repeat into one)
      const ids = value as number[];
      out['subscriptionIdentifier'] = ids.length === 1 ? ids[0] : ids;
    } else if (key === 'maximumQos') {
      out[MAXIMUM_QOS] = value;
    } else if (FLAGS.has(key)) {
      out[key] = value === 1;
    } else if (isBytes(value)) {
      out[key] = asBytes(value);
    } else {
      out[key] = value;
    }
  }
  return out;
}

/** `[name, value]` pairs as mqtt-packet's object (no prototype): a repeated name gets the array of its values. */
function userPropertiesObject(pairs: [string, string][]): UserProperties {
  const out = Object.create(null) as UserProperties;
  // an index loop: destructuring each pair through the iterator was a tenth of a 5.0 PUBLISH parse (bench w3 profile)
  for (let i = 0; i < pairs.length; i++) {
    const pair = pairs[i]!;
    const name = pair[0];
    const value = pair[1];
    const seen = out[name];
    if (seen === undefined) out[name] = value;
    else if (typeof seen === 'string') out[name] = [seen, value];
    else seen.push(value);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------------------
// mqtt-packet → mqtt-wire (generate)

function invalid(message: string): MqttError {
  return new MqttError('invalid-packet', message);
}

/**
 * mqtt-packet's properties object as mqtt-wire's, checked as mqtt-packet checks it and with its messages (`Invalid
 * <name>: <value>`). Absent when nothing is left (mqtt-packet skips undefined values). `inPublish` says where a
 * Subscription Identifier goes: PUBLISH's list or SUBSCRIBE's single value. Everything else (values out of the
 * spec's range, properties a packet may not carry) the codec's encoder checks afterwards.
 */
export function toWireProperties(props: unknown, inPublish: boolean): Properties | undefined {
  // mqtt-packet writes an empty property block for anything that is not a plain object
  if (typeof props !== 'object' || props === null || (props as { length?: unknown }).length != null) return undefined;
  const source = props as Record<string, unknown>;
  let out: Record<string, unknown> | undefined;
  for (const name in source) {
    const value = source[name];
    if (value === undefined) continue;
    const def = BY_NAME[name];
    if (def === undefined) throw invalid(`Invalid property ${name}: ${String(value)}`);
    let converted: unknown;
    if (Array.isArray(value)) {
      converted = value.map((v) => wireValue(def, name, v));
      if (def.type === 'pair') converted = (converted as [string, string][][]).flat();
    } else {
      converted = wireValue(def, name, value);
    }
    out ??= {};
    if (def.key === 'subscriptionIdentifier' && inPublish) {
      out['subscriptionIdentifiers'] = Array.isArray(converted) ? converted : [converted];
    } else {
      out[def.key] = converted;
    }
  }
  return out as Properties | undefined;
}

/** One value checked as mqtt-packet's `getLengthProperty` checks it, in mqtt-wire's form. */
function wireValue(def: CompatProperty, name: string, value: unknown): unknown {
  const bad = (): MqttError => invalid(`Invalid ${name}: ${String(value)}`);
  switch (def.type) {
    case 'byte':
      if (typeof value !== 'boolean') throw bad();
      return value ? 1 : 0;
    case 'int8':
    case 'int16':
    case 'int32':
    case 'var':
      if (typeof value !== 'number' || value < 0 || value > def.max) throw bad();
      return value;
    case 'string':
      if (typeof value !== 'string') throw bad();
      return value;
    case 'binary':
      if (typeof value === 'string') return utf8Bytes(value);
      if (!isBytes(value)) throw bad();
      return value;
    case 'pair':
      if (typeof value !== 'object' || value === null) throw bad();
      return userPropertiesPairs(value as Record<string, unknown>, bad);
  }
}

/** mqtt-packet's user properties object as pairs, each name's values in order; values are made strings as it does. */
function userPropertiesPairs(obj: Record<string, unknown>, bad: () => MqttError): [string, string][] {
  const pairs: [string, string][] = [];
  for (const name of Object.getOwnPropertyNames(obj)) {
    const value = obj[name];
    if (Array.isArray(value)) {
      for (const v of value) pairs.push([name, text(v, bad)]);
    } else {
      pairs.push([name, text(value, bad)]);
    }
  }
  return pairs;
}

/** `value.toString()`, which mqtt-packet calls on every user property value; null and undefined have none. */
function text(value: unknown, bad: () => MqttError): string {
  if (value === null || value === undefined) throw bad();
  return typeof value === 'string' ? value : String(value);
}

// ---------------------------------------------------------------------------------------------------------------
// Finding one property's value in a frame

const SIZE_BY_TYPE: Record<PropertyType, number> = { byte: 1, u16: 2, u32: 4, varint: 0, string: -1, binary: -1, pair: -2 };
const VALUE_KIND = new Int8Array(256).fill(-3);
for (const def of PROPERTY_TABLE) VALUE_KIND[def.id] = SIZE_BY_TYPE[def.type];

/**
 * The index of the value of the first property `id` in the property block whose Property Length is at `at`, or -1
 * when the block has none (or cannot be walked: the codec then reports it). For the values the compat layer lets
 * through although the codec refuses them: it gives the codec an allowed value at that index, and puts the given
 * one back on the result.
 */
export function findPropertyValue(b: Uint8Array, at: number, id: number): number {
  let pos = at;
  let len = 0;
  let mul = 1;
  for (let i = 0; i < 4; i++) {
    if (pos >= b.length) return -1;
    const byte = b[pos++]!;
    len += (byte & 0x7f) * mul;
    if (byte < 0x80) break;
    mul *= 128;
  }
  const end = Math.min(pos + len, b.length);
  while (pos < end) {
    const found = b[pos++]!;
    if (found === id) return pos;
    const kind = VALUE_KIND[found]!;
    if (kind > 0) {
      pos += kind;
    } else if (kind === 0) {
      while (pos < end && b[pos]! >= 0x80) pos++;
      pos++;
    } else if (kind === -1 || kind === -2) {
      for (let n = kind === -1 ? 1 : 2; n > 0; n--) {
        if (pos + 2 > end) return -1;
        pos += 2 + ((b[pos]! << 8) | b[pos + 1]!);
      }
    } else {
      return -1;
    }
  }
  return -1;
}
