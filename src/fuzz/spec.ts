// What the malformed cases need to know of the spec, written from the spec's own tables (fixtures/spec) rather than
// read from the codec's: a case label is an independent oracle, so a wrong row in the codec's tables shows up as a
// case the codec refuses differently. A test holds these tables equal to the spec checklists.

import type { PacketType } from '../types.js';

/** Value type of a 5.0 property (section 2.2.2.2). */
export type SpecPropertyType = 'byte' | 'u16' | 'u32' | 'vbi' | 'string' | 'binary' | 'pair';

/** Where a property block sits: a packet type, or `will` for the Will Properties of CONNECT. */
export type PropertyContext = Exclude<PacketType, 'pingreq' | 'pingresp'> | 'will';

export interface SpecProperty {
  id: number;
  name: string;
  type: SpecPropertyType;
  /** Blocks that may carry it (v5-properties.tsv, column `packets`). */
  packets: readonly PropertyContext[];
}

const ACKS: PropertyContext[] = ['puback', 'pubrec', 'pubrel', 'pubcomp'];

/** MQTT 5.0 Table 2-4 (v5-properties.tsv). */
export const SPEC_PROPERTIES: readonly SpecProperty[] = [
  { id: 0x01, name: 'Payload Format Indicator', type: 'byte', packets: ['publish', 'will'] },
  { id: 0x02, name: 'Message Expiry Interval', type: 'u32', packets: ['publish', 'will'] },
  { id: 0x03, name: 'Content Type', type: 'string', packets: ['publish', 'will'] },
  { id: 0x08, name: 'Response Topic', type: 'string', packets: ['publish', 'will'] },
  { id: 0x09, name: 'Correlation Data', type: 'binary', packets: ['publish', 'will'] },
  { id: 0x0b, name: 'Subscription Identifier', type: 'vbi', packets: ['publish', 'subscribe'] },
  { id: 0x11, name: 'Session Expiry Interval', type: 'u32', packets: ['connect', 'connack', 'disconnect'] },
  { id: 0x12, name: 'Assigned Client Identifier', type: 'string', packets: ['connack'] },
  { id: 0x13, name: 'Server Keep Alive', type: 'u16', packets: ['connack'] },
  { id: 0x15, name: 'Authentication Method', type: 'string', packets: ['connect', 'connack', 'auth'] },
  { id: 0x16, name: 'Authentication Data', type: 'binary', packets: ['connect', 'connack', 'auth'] },
  { id: 0x17, name: 'Request Problem Information', type: 'byte', packets: ['connect'] },
  { id: 0x18, name: 'Will Delay Interval', type: 'u32', packets: ['will'] },
  { id: 0x19, name: 'Request Response Information', type: 'byte', packets: ['connect'] },
  { id: 0x1a, name: 'Response Information', type: 'string', packets: ['connack'] },
  { id: 0x1c, name: 'Server Reference', type: 'string', packets: ['connack', 'disconnect'] },
  { id: 0x1f, name: 'Reason String', type: 'string', packets: ['connack', ...ACKS, 'suback', 'unsuback', 'disconnect', 'auth'] },
  { id: 0x21, name: 'Receive Maximum', type: 'u16', packets: ['connect', 'connack'] },
  { id: 0x22, name: 'Topic Alias Maximum', type: 'u16', packets: ['connect', 'connack'] },
  { id: 0x23, name: 'Topic Alias', type: 'u16', packets: ['publish'] },
  { id: 0x24, name: 'Maximum QoS', type: 'byte', packets: ['connack'] },
  { id: 0x25, name: 'Retain Available', type: 'byte', packets: ['connack'] },
  {
    id: 0x26,
    name: 'User Property',
    type: 'pair',
    packets: ['connect', 'connack', 'publish', 'will', ...ACKS, 'subscribe', 'suback', 'unsubscribe', 'unsuback', 'disconnect', 'auth'],
  },
  { id: 0x27, name: 'Maximum Packet Size', type: 'u32', packets: ['connect', 'connack'] },
  { id: 0x28, name: 'Wildcard Subscription Available', type: 'byte', packets: ['connack'] },
  { id: 0x29, name: 'Subscription Identifier Available', type: 'byte', packets: ['connack'] },
  { id: 0x2a, name: 'Shared Subscription Available', type: 'byte', packets: ['connack'] },
];

export function specProperty(id: number): SpecProperty {
  const p = SPEC_PROPERTIES.find((d) => d.id === id);
  if (p === undefined) throw new Error(`no property 0x${id.toString(16)}`);
  return p;
}

/** The Reason Codes each 5.0 packet may carry (v5-reason-codes.tsv, Tables 3-1 to 3-11 and 2-6). */
export const SPEC_REASON_CODES_V5: Readonly<Record<string, readonly number[]>> = {
  connack: [0x00, 0x80, 0x81, 0x82, 0x83, 0x84, 0x85, 0x86, 0x87, 0x88, 0x89, 0x8a, 0x8c, 0x90, 0x95, 0x97, 0x99, 0x9a, 0x9b, 0x9c, 0x9d, 0x9f],
  puback: [0x00, 0x10, 0x80, 0x83, 0x87, 0x90, 0x91, 0x97, 0x99],
  pubrec: [0x00, 0x10, 0x80, 0x83, 0x87, 0x90, 0x91, 0x97, 0x99],
  pubrel: [0x00, 0x92],
  pubcomp: [0x00, 0x92],
  suback: [0x00, 0x01, 0x02, 0x80, 0x83, 0x87, 0x8f, 0x91, 0x97, 0x9e, 0xa1, 0xa2],
  unsuback: [0x00, 0x11, 0x80, 0x83, 0x87, 0x8f, 0x91],
  disconnect: [
    0x00, 0x04, 0x80, 0x81, 0x82, 0x83, 0x87, 0x89, 0x8b, 0x8c, 0x8d, 0x8e, 0x8f, 0x90, 0x93, 0x94, 0x95, 0x96, 0x97, 0x98, 0x99,
    0x9a, 0x9b, 0x9c, 0x9d, 0x9e, 0x9f, 0xa0, 0xa1, 0xa2,
  ],
  auth: [0x00, 0x18, 0x19],
};

/** 3.1.1 CONNACK return codes (section 3.2.2.3) and SUBACK return codes (section 3.9.3). */
export const SPEC_RETURN_CODES_311: Readonly<Record<string, readonly number[]>> = {
  connack: [0x00, 0x01, 0x02, 0x03, 0x04, 0x05],
  suback: [0x00, 0x01, 0x02, 0x80],
};

/** Packet type numbers (section 2.2.1 / 2.1.2). */
export const TYPE_ID: Readonly<Record<PacketType, number>> = {
  connect: 1,
  connack: 2,
  publish: 3,
  puback: 4,
  pubrec: 5,
  pubrel: 6,
  pubcomp: 7,
  subscribe: 8,
  suback: 9,
  unsubscribe: 10,
  unsuback: 11,
  pingreq: 12,
  pingresp: 13,
  disconnect: 14,
  auth: 15,
};

/** Fixed-header flags each packet type must carry (section 2.2.2 / 2.1.3); PUBLISH uses DUP, QoS and RETAIN. */
export const FIXED_FLAGS: Readonly<Record<Exclude<PacketType, 'publish'>, number>> = {
  connect: 0,
  connack: 0,
  puback: 0,
  pubrec: 0,
  pubrel: 2,
  pubcomp: 0,
  subscribe: 2,
  suback: 0,
  unsubscribe: 2,
  unsuback: 0,
  pingreq: 0,
  pingresp: 0,
  disconnect: 0,
  auth: 0,
};

/** Packets only a client sends, and only a server sends (section 2.2.1 / Table 2-1). */
export const CLIENT_ONLY: readonly PacketType[] = ['connect', 'subscribe', 'unsubscribe', 'pingreq'];
export const SERVER_ONLY: readonly PacketType[] = ['connack', 'suback', 'unsuback', 'pingresp'];
