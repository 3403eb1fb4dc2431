// Valid frames of every packet type as field lists (frame.ts), with contents drawn from `Choices`: the ground a
// malformed case starts from before it breaks one rule. Each builder names its fields so a fault can find them.

import type { Choices } from './choices.js';
import {
  bin,
  byte,
  props,
  raw,
  str,
  u16,
  u32,
  type Field,
  type FrameModel,
  type Property,
  utf8,
} from './frame.js';
import { FIXED_FLAGS, SPEC_PROPERTIES, SPEC_REASON_CODES_V5, SPEC_RETURN_CODES_311, TYPE_ID, type PropertyContext } from './spec.js';

/** Protocol levels the cases are written for: 4 (3.1.1) and 5 (5.0), the levels of the conformance tables. */
export type CaseVersion = 4 | 5;

// ---------------------------------------------------------------------------------------------------------------
// Strings and topics

/** A valid Topic Name: one to three levels, the first non-empty, no wildcards. */
export function topicName(c: Choices): string {
  const levels = [c.text(1, 8)];
  const more = c.int(0, 2);
  for (let i = 0; i < more; i++) levels.push(c.text(0, 8));
  return levels.join('/');
}

/** A valid Topic Filter: levels of text or '+', sometimes ending in '#'; never a 5.0 Shared Subscription. */
export function topicFilter(c: Choices): string {
  const n = c.int(1, 3);
  const levels: string[] = [];
  for (let i = 0; i < n; i++) levels.push(c.pick(['text', '+'] as const) === '+' ? '+' : c.text(1, 8));
  if (levels[0] === '$share') levels[0] = 'share';
  if (c.bool()) levels.push('#');
  return levels.join('/');
}

// ---------------------------------------------------------------------------------------------------------------
// Properties

/** Property `id` with a valid value (byte properties 0 or 1, non-zero where zero is refused). */
export function validProperty(c: Choices, id: number): Property {
  const def = SPEC_PROPERTIES.find((p) => p.id === id)!;
  switch (def.type) {
    case 'byte':
      return { id, value: [byte('value', c.int(0, 1))] };
    case 'u16':
      // Receive Maximum and Topic Alias must not be 0
      return { id, value: [u16('value', c.int(id === 0x21 || id === 0x23 ? 1 : 0, 0xffff))] };
    case 'u32':
      // Maximum Packet Size must not be 0
      return { id, value: [u32('value', c.int(id === 0x27 ? 1 : 0, 0xffffffff))] };
    case 'vbi':
      return { id, value: [{ kind: 'vbi', name: 'value', value: c.int(1, 268_435_455) }] };
    case 'string':
      // Response Topic is a Topic Name (MQTT-3.3.2-14)
      return { id, value: [str('value', id === 0x08 ? topicName(c) : c.text(0, 12))] };
    case 'binary':
      return { id, value: [bin('value', c.bytes(0, 12))] };
    case 'pair':
      return { id, value: [str('name', c.text(0, 8)), str('value', c.text(0, 8))] };
  }
}

/**
 * Properties that may appear in block `ctx` without any side condition: not Topic Alias or Subscription Identifier
 * (they interact with decoder options), not Authentication Data (it needs a Method), not Session Expiry Interval in
 * DISCONNECT (a client-role decoder refuses it).
 */
export function plainPropertyIds(ctx: PropertyContext): number[] {
  return SPEC_PROPERTIES.filter(
    (p) => p.packets.includes(ctx) && p.id !== 0x23 && p.id !== 0x0b && p.id !== 0x16 && !(p.id === 0x11 && ctx === 'disconnect'),
  ).map((p) => p.id);
}

/** Zero to `max` valid properties for block `ctx`, none repeated but User Property. */
export function someProperties(c: Choices, ctx: PropertyContext, max = 2, exclude: readonly number[] = []): Property[] {
  const ids = plainPropertyIds(ctx).filter((id) => !exclude.includes(id));
  const out: Property[] = [];
  if (ids.length === 0) return out;
  const n = c.int(0, max);
  for (let i = 0; i < n; i++) {
    const id = c.pick(ids);
    if (id !== 0x26 && out.some((p) => p.id === id)) continue;
    out.push(validProperty(c, id));
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------------------
// Packets

export interface ConnectOptions {
  will?: boolean;
  username?: boolean;
  password?: boolean;
  clean?: boolean;
  clientId?: string;
  properties?: Property[];
  willProperties?: Property[];
  willTopic?: string;
}

/** Connect Flags (section 3.1.2.3) from the parts present. */
export function connectFlags(o: { username: boolean; password: boolean; willRetain: boolean; willQos: number; will: boolean; clean: boolean }): number {
  return (
    (o.username ? 0x80 : 0) | (o.password ? 0x40 : 0) | (o.willRetain ? 0x20 : 0) | (o.willQos << 3) | (o.will ? 0x04 : 0) | (o.clean ? 0x02 : 0)
  );
}

/**
 * A CONNECT. Fields: protocolName, protocolLevel, connectFlags, keepAlive, properties (5.0), clientId, then as present
 * willProperties (5.0), willTopic, willPayload, username, password.
 */
export function connectModel(c: Choices, v: CaseVersion, o: ConnectOptions = {}): FrameModel {
  const will = o.will ?? c.bool();
  const username = o.username ?? c.bool();
  // 3.1.1: a password only with a user name (MQTT-3.1.2-22)
  const password = (o.password ?? c.bool()) && (v === 5 || username);
  const willQos = will ? c.int(0, 2) : 0;
  const willRetain = will ? c.bool() : false;
  const clean = o.clean ?? c.bool();
  const body: Field[] = [
    str('protocolName', 'MQTT'),
    byte('protocolLevel', v),
    byte('connectFlags', connectFlags({ username, password, willRetain, willQos, will, clean })),
    u16('keepAlive', c.int(0, 0xffff)),
  ];
  if (v === 5) body.push(props('properties', o.properties ?? someProperties(c, 'connect')));
  body.push(str('clientId', o.clientId ?? c.text(1, 23)));
  if (will) {
    if (v === 5) body.push(props('willProperties', o.willProperties ?? someProperties(c, 'will')));
    body.push(str('willTopic', o.willTopic ?? topicName(c)), bin('willPayload', c.bytes(0, 16)));
  }
  if (username) body.push(str('username', c.text(0, 12)));
  if (password) body.push(bin('password', c.bytes(0, 8)));
  return { type: 1, flags: 0, body };
}

/** A CONNACK accepting the connection. Fields: acknowledgeFlags, reasonCode, properties (5.0). */
export function connackModel(c: Choices, v: CaseVersion, o: { properties?: Property[] } = {}): FrameModel {
  const body: Field[] = [byte('acknowledgeFlags', c.int(0, 1)), byte('reasonCode', 0)];
  if (v === 5) body.push(props('properties', o.properties ?? someProperties(c, 'connack')));
  return { type: 2, flags: 0, body };
}

export interface PublishOptions {
  qos?: 0 | 1 | 2;
  topic?: string;
  properties?: Property[];
  payload?: Uint8Array;
}

/** A PUBLISH. Flags DUP (QoS > 0 only), QoS, RETAIN. Fields: topicName, packetId (QoS > 0), properties (5.0), payload. */
export function publishModel(c: Choices, v: CaseVersion, o: PublishOptions = {}): FrameModel {
  const qos = o.qos ?? c.pick([0, 1, 2] as const);
  const dup = qos > 0 && c.bool();
  const retain = c.bool();
  const body: Field[] = [str('topicName', o.topic ?? topicName(c))];
  if (qos > 0) body.push(u16('packetId', c.int(1, 0xffff)));
  if (v === 5) body.push(props('properties', o.properties ?? someProperties(c, 'publish')));
  body.push(raw('payload', o.payload ?? c.bytes(0, 16)));
  return { type: 3, flags: (dup ? 8 : 0) | (qos << 1) | (retain ? 1 : 0), body };
}

export type AckType = 'puback' | 'pubrec' | 'pubrel' | 'pubcomp';

/**
 * PUBACK, PUBREC, PUBREL or PUBCOMP. 3.1.1: packetId alone. 5.0 in the form asked (section 3.4.2.1): 2 = packetId,
 * 3 = plus reasonCode, 4 = plus properties (Property Length present).
 */
export function ackModel(c: Choices, type: AckType, v: CaseVersion, o: { form?: 2 | 3 | 4; reasonCode?: number; properties?: Property[] } = {}): FrameModel {
  const body: Field[] = [u16('packetId', c.int(1, 0xffff))];
  if (v === 5) {
    const form = o.form ?? c.pick([4, 3, 2] as const);
    if (form >= 3) body.push(byte('reasonCode', o.reasonCode ?? c.pick(SPEC_REASON_CODES_V5[type]!)));
    if (form === 4) body.push(props('properties', o.properties ?? someProperties(c, type)));
  }
  return { type: TYPE_ID[type], flags: FIXED_FLAGS[type], body };
}

export interface SubscriptionOptions {
  filter?: string;
  /** The Subscription Options / Requested QoS byte. */
  options?: number;
}

/** The Subscription Options byte: Requested QoS, and at 5.0 No Local, Retain As Published, Retain Handling. */
export function subscriptionOptions(c: Choices, v: CaseVersion, filter: string): number {
  const qos = c.int(0, 2);
  if (v === 4) return qos;
  const noLocal = !filter.startsWith('$share/') && c.bool();
  return qos | (noLocal ? 4 : 0) | (c.bool() ? 8 : 0) | (c.int(0, 2) << 4);
}

/** A SUBSCRIBE. Fields: packetId, properties (5.0), then topicFilter0, options0, topicFilter1, options1, … */
export function subscribeModel(c: Choices, v: CaseVersion, o: { entries?: SubscriptionOptions[]; properties?: Property[] } = {}): FrameModel {
  const body: Field[] = [u16('packetId', c.int(1, 0xffff))];
  if (v === 5) body.push(props('properties', o.properties ?? someProperties(c, 'subscribe')));
  const entries: SubscriptionOptions[] = o.entries ?? Array.from({ length: c.int(1, 3) }, () => ({}));
  entries.forEach((e, i) => {
    const filter = e.filter ?? topicFilter(c);
    body.push(str(`topicFilter${i}`, filter), byte(`options${i}`, e.options ?? subscriptionOptions(c, v, filter)));
  });
  return { type: 8, flags: 2, body };
}

/** A SUBACK. Fields: packetId, properties (5.0), reasonCodes (one byte each, raw). */
export function subackModel(c: Choices, v: CaseVersion, o: { codes?: number[]; properties?: Property[] } = {}): FrameModel {
  const allowed = v === 5 ? SPEC_REASON_CODES_V5['suback']! : SPEC_RETURN_CODES_311['suback']!;
  const codes = o.codes ?? Array.from({ length: c.int(1, 3) }, () => c.pick(allowed));
  const body: Field[] = [u16('packetId', c.int(1, 0xffff))];
  if (v === 5) body.push(props('properties', o.properties ?? someProperties(c, 'suback')));
  body.push(raw('reasonCodes', codes));
  return { type: 9, flags: 0, body };
}

/** An UNSUBSCRIBE. Fields: packetId, properties (5.0), topicFilter0, topicFilter1, … */
export function unsubscribeModel(c: Choices, v: CaseVersion, o: { filters?: string[]; properties?: Property[] } = {}): FrameModel {
  const body: Field[] = [u16('packetId', c.int(1, 0xffff))];
  if (v === 5) body.push(props('properties', o.properties ?? someProperties(c, 'unsubscribe')));
  const filters = o.filters ?? Array.from({ length: c.int(1, 3) }, () => topicFilter(c));
  filters.forEach((f, i) => body.push(str(`topicFilter${i}`, f)));
  return { type: 10, flags: 2, body };
}

/** An UNSUBACK. 3.1.1: packetId alone; 5.0: packetId, properties, reasonCodes. */
export function unsubackModel(c: Choices, v: CaseVersion, o: { codes?: number[]; properties?: Property[] } = {}): FrameModel {
  const body: Field[] = [u16('packetId', c.int(1, 0xffff))];
  if (v === 5) {
    body.push(props('properties', o.properties ?? someProperties(c, 'unsuback')));
    const codes = o.codes ?? Array.from({ length: c.int(1, 3) }, () => c.pick(SPEC_REASON_CODES_V5['unsuback']!));
    body.push(raw('reasonCodes', codes));
  }
  return { type: 11, flags: 0, body };
}

export const pingreqModel = (): FrameModel => ({ type: 12, flags: 0, body: [] });
export const pingrespModel = (): FrameModel => ({ type: 13, flags: 0, body: [] });

/**
 * A DISCONNECT. 3.1.1: empty. 5.0 in the form asked (section 3.14.2.1): 0 = empty, 1 = reasonCode, 2 = reasonCode and
 * properties.
 */
export function disconnectModel(c: Choices, v: CaseVersion, o: { form?: 0 | 1 | 2; reasonCode?: number; properties?: Property[] } = {}): FrameModel {
  const body: Field[] = [];
  if (v === 5) {
    const form = o.form ?? c.pick([2, 1, 0] as const);
    if (form >= 1) body.push(byte('reasonCode', o.reasonCode ?? c.pick(SPEC_REASON_CODES_V5['disconnect']!)));
    if (form === 2) body.push(props('properties', o.properties ?? someProperties(c, 'disconnect')));
  }
  return { type: 14, flags: 0, body };
}

/**
 * An AUTH (5.0). Form 0 is the empty Success form; otherwise reasonCode and properties, which always hold an
 * Authentication Method (U5-3.15.2.2-1) unless `properties` is given.
 */
export function authModel(c: Choices, o: { form?: 0 | 2; reasonCode?: number; properties?: Property[] } = {}): FrameModel {
  const form = o.form ?? c.pick([2, 0] as const);
  if (form === 0) return { type: 15, flags: 0, body: [] };
  const properties = o.properties ?? [{ id: 0x15, value: [str('method', c.text(1, 12))] }, ...someProperties(c, 'auth', 2, [0x15])];
  return {
    type: 15,
    flags: 0,
    body: [byte('reasonCode', o.reasonCode ?? c.pick(SPEC_REASON_CODES_V5['auth']!)), props('properties', properties)],
  };
}

/** A valid frame of `type` at `v` (AUTH at 5 only), with defaults for every part. */
export function validModel(c: Choices, type: keyof typeof TYPE_ID, v: CaseVersion): FrameModel {
  switch (type) {
    case 'connect':
      return connectModel(c, v);
    case 'connack':
      return connackModel(c, v);
    case 'publish':
      return publishModel(c, v);
    case 'puback':
    case 'pubrec':
    case 'pubrel':
    case 'pubcomp':
      return ackModel(c, type, v);
    case 'subscribe':
      return subscribeModel(c, v);
    case 'suback':
      return subackModel(c, v);
    case 'unsubscribe':
      return unsubscribeModel(c, v);
    case 'unsuback':
      return unsubackModel(c, v);
    case 'pingreq':
      return pingreqModel();
    case 'pingresp':
      return pingrespModel();
    case 'disconnect':
      return disconnectModel(c, v);
    case 'auth':
      return authModel(c);
  }
}

export { utf8 };
