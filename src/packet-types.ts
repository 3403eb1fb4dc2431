// The fifteen control packet types (MQTT 5.0 section 2.1.2, 3.1.1 section 2.2.1): number, name, fixed-header
// flags and who sends each. The one place a packet's display name or direction is looked up.

import type { PacketType, ProtocolVersion } from './types.js';

export interface PacketTypeInfo {
  /** Packet type number (bits 7-4 of the first byte). */
  id: number;
  type: PacketType;
  /** The spec's name, for messages: `PUBLISH`. */
  name: string;
  /** Fixed-header flags the packet must carry (MQTT-2.2.2-1 / MQTT-2.1.3-1), or -1 where they carry fields (PUBLISH). */
  flags: number;
  /** The packet's own rule for wrong flags, where it has one; otherwise the general fixed-flags rule applies. */
  flagsRule?: string;
  /** Who sends it at level 5 (and at 3/4 unless `senderBefore5` says otherwise). */
  sender: 'client' | 'server' | 'both';
  /** 3.1.1 DISCONNECT flows from client to server only. */
  senderBefore5?: 'client';
  /** AUTH exists only from 5.0 on. */
  since?: 5;
}

const TYPES: readonly PacketTypeInfo[] = [
  { id: 1, type: 'connect', name: 'CONNECT', flags: 0, sender: 'client' },
  { id: 2, type: 'connack', name: 'CONNACK', flags: 0, sender: 'server' },
  { id: 3, type: 'publish', name: 'PUBLISH', flags: -1, sender: 'both' },
  { id: 4, type: 'puback', name: 'PUBACK', flags: 0, sender: 'both' },
  { id: 5, type: 'pubrec', name: 'PUBREC', flags: 0, sender: 'both' },
  { id: 6, type: 'pubrel', name: 'PUBREL', flags: 2, flagsRule: 'MQTT-3.6.1-1', sender: 'both' },
  { id: 7, type: 'pubcomp', name: 'PUBCOMP', flags: 0, sender: 'both' },
  { id: 8, type: 'subscribe', name: 'SUBSCRIBE', flags: 2, flagsRule: 'MQTT-3.8.1-1', sender: 'client' },
  { id: 9, type: 'suback', name: 'SUBACK', flags: 0, sender: 'server' },
  { id: 10, type: 'unsubscribe', name: 'UNSUBSCRIBE', flags: 2, flagsRule: 'MQTT-3.10.1-1', sender: 'client' },
  { id: 11, type: 'unsuback', name: 'UNSUBACK', flags: 0, sender: 'server' },
  { id: 12, type: 'pingreq', name: 'PINGREQ', flags: 0, sender: 'client' },
  { id: 13, type: 'pingresp', name: 'PINGRESP', flags: 0, sender: 'server' },
  { id: 14, type: 'disconnect', name: 'DISCONNECT', flags: 0, flagsRule: 'MQTT-3.14.1-1', sender: 'both', senderBefore5: 'client' },
  { id: 15, type: 'auth', name: 'AUTH', flags: 0, flagsRule: 'MQTT-3.15.1-1', sender: 'both', since: 5 },
];

/** Index = packet type number; 0 is reserved. */
export const PACKET_TYPE_INFO: readonly (PacketTypeInfo | undefined)[] = [undefined, ...TYPES];

/** Packet type number by type. */
export const PACKET_TYPE_ID = /* @__PURE__ */ Object.fromEntries(TYPES.map((t) => [t.type, t.id])) as Readonly<Record<PacketType, number>>;

/** Type by packet type number (index); 0 is reserved. */
export const PACKET_TYPE_NAME: readonly (PacketType | undefined)[] = /* @__PURE__ */ PACKET_TYPE_INFO.map((t) => t?.type);

const BY_TYPE = Object.fromEntries(TYPES.map((t) => [t.type, t])) as Readonly<Record<PacketType, PacketTypeInfo>>;

/** The info of a packet type, or undefined for a string that names none. */
export function packetTypeInfo(type: unknown): PacketTypeInfo | undefined {
  return typeof type === 'string' && Object.hasOwn(BY_TYPE, type) ? BY_TYPE[type as PacketType] : undefined;
}

/** The spec's name of a packet type: `packetName('publish') === 'PUBLISH'`. */
export function packetName(type: PacketType): string {
  return BY_TYPE[type].name;
}

/** Who sends `type` at `version`: a packet of the other side's kind arriving is a protocol error. */
export function senderOf(type: PacketType, version: ProtocolVersion): 'client' | 'server' | 'both' {
  const info = BY_TYPE[type];
  return version !== 5 && info.senderBefore5 !== undefined ? info.senderBefore5 : info.sender;
}
