// A packet as a peer at another protocol level must receive it: what a broker needs to relay between 5.0 and 3.x
// clients. What the target level lacks is dropped where the spec lets the meaning survive, and refused where it
// would change what the receiver does.

import { invalidPacket } from './errors.js';
import { packetName, packetTypeInfo } from './packet-types.js';
import { describe } from './properties.js';
import { hexByte } from './reason-codes.js';
import type { ConnackPacket, ConnectPacket, Packet, ProtocolVersion, SubackPacket, SubscribePacket, Will } from './types.js';

/** 5.0 Connect Reason Code → 3.x Connect Return code, where 3.x has one that means the same (Table 3-1 / 3.1). */
const CONNACK_TO_V3: Readonly<Record<number, number>> = {
  0x00: 0x00,
  0x84: 0x01, // Unsupported Protocol Version → unacceptable protocol version
  0x85: 0x02, // Client Identifier not valid → identifier rejected
  0x88: 0x03, // Server unavailable
  0x89: 0x03, // Server busy
  0x97: 0x03, // Quota exceeded
  0x9c: 0x03, // Use another server
  0x9d: 0x03, // Server moved
  0x9f: 0x03, // Connection rate exceeded
  0x86: 0x04, // Bad User Name or Password
  0x87: 0x05, // Not authorized
  0x8a: 0x05, // Banned
  0x8c: 0x05, // Bad authentication method
};

/** 3.x Connect Return code → 5.0 Connect Reason Code. */
const CONNACK_TO_V5: Readonly<Record<number, number>> = { 0x00: 0x00, 0x01: 0x84, 0x02: 0x85, 0x03: 0x88, 0x04: 0x86, 0x05: 0x87 };

/**
 * `packet` as a peer at `version` must receive it. Returns the same object when nothing changes, else a new one;
 * the input is never modified. Towards 3.1 / 3.1.1:
 * - properties (and Will properties, and subscription options No Local, Retain As Published, Retain Handling) are
 *   dropped: the level has no way to carry them;
 * - CONNACK reason codes map to the 3.x return code of the same meaning (0x84 → 1, 0x85 → 2, 0x88/0x89/… → 3,
 *   0x86 → 4, 0x87/0x8A/0x8C → 5); a code 3.x has no counterpart for is refused (MQTT-3.2.2-6: close instead);
 * - SUBACK failure codes (≥ 0x80) become 0x80; PUBACK/PUBREC success codes and PUBREL/PUBCOMP codes are dropped;
 * refused with `invalid-packet`: AUTH; a PUBLISH whose Topic Name is empty because it uses a Topic Alias (resolve
 * it first); a PUBACK or PUBREC refusing the message (≥ 0x80: 3.x cannot say no); a DISCONNECT with a reason code
 * other than 0x00 (3.x would drop the Will the code keeps; close the connection instead); a CONNECT with a password
 * but no user name (MQTT-3.1.2-22) or an empty Client Identifier without Clean Session (MQTT-3.1.3-7).
 * Towards 5.0, CONNACK return codes map back (1 → 0x84, 2 → 0x85, 3 → 0x88, 4 → 0x86, 5 → 0x87); the rest carries
 * over as it is. A CONNECT takes the target level as its `protocolVersion`.
 */
export function toVersion<P extends Packet>(packet: P, version: ProtocolVersion): P {
  if (version !== 3 && version !== 4 && version !== 5) throw invalidPacket(undefined, `toVersion: version ${describe(version)} is not 3, 4 or 5`);
  if (typeof packet !== 'object' || packet === null) throw invalidPacket(undefined, `toVersion: packet must be an object, got ${describe(packet)}`);
  const info = packetTypeInfo(packet.type);
  if (info === undefined) throw invalidPacket(undefined, `toVersion: unknown packet type ${describe(packet.type)}`);
  const p = packet as Packet;
  const out = version === 5 ? toV5(p) : toV3(p, version);
  return out as P;
}

function toV5(p: Packet): Packet {
  switch (p.type) {
    case 'connect':
      return p.protocolVersion === 5 && p.protocolName === undefined ? p : withoutName({ ...p, protocolVersion: 5 });
    case 'connack': {
      if (p.properties !== undefined || p.reasonCode === 0) return p;
      const code = CONNACK_TO_V5[p.reasonCode];
      // a 5.0 code already (it had properties, or is no 3.x code): leave it for encode to judge
      return code === undefined ? p : { ...p, reasonCode: code };
    }
    default:
      return p;
  }
}

function toV3(p: Packet, version: 3 | 4): Packet {
  const name = packetName(p.type);
  const cannot = (why: string, rule?: string): never => {
    throw invalidPacket(rule, `toVersion(${version}): ${name} ${why}`);
  };
  switch (p.type) {
    case 'connect':
      return connectToV3(p, version, cannot);
    case 'connack': {
      const code = CONNACK_TO_V3[p.reasonCode];
      if (code === undefined) {
        if (p.reasonCode <= 5 && p.properties === undefined) return p; // a 3.x code already
        cannot(`reason code ${hexByte(p.reasonCode)} has no 3.x Connect Return code: close the connection without CONNACK`, 'MQTT-3.2.2-6');
      }
      const { properties: _, ...rest } = p;
      return code === p.reasonCode && p.properties === undefined ? p : ({ ...rest, reasonCode: code! } as ConnackPacket);
    }
    case 'publish': {
      if (p.properties === undefined) return p;
      if (p.topic.length === 0) cannot('has an empty Topic Name with a Topic Alias: resolve the alias to its Topic Name first');
      return drop(p);
    }
    case 'puback':
    case 'pubrec':
      if (p.reasonCode !== undefined && p.reasonCode >= 0x80) {
        cannot(`reason code ${hexByte(p.reasonCode)} refuses the message, which 3.x cannot express`);
      }
      return dropAck(p);
    case 'pubrel':
    case 'pubcomp':
      return dropAck(p);
    case 'subscribe': {
      const plain = p.subscriptions.every((s) => s.noLocal === undefined && s.retainAsPublished === undefined && s.retainHandling === undefined);
      if (plain && p.properties === undefined) return p;
      const { properties: _, ...rest } = p;
      return { ...rest, subscriptions: p.subscriptions.map((s) => ({ topicFilter: s.topicFilter, qos: s.qos })) } as SubscribePacket;
    }
    case 'suback': {
      const codes = p.reasonCodes.map((c) => (c >= 0x80 ? 0x80 : c));
      if (p.properties === undefined && codes.every((c, i) => c === p.reasonCodes[i])) return p;
      return { type: 'suback', packetId: p.packetId, reasonCodes: codes } as SubackPacket;
    }
    case 'unsubscribe':
      return p.properties === undefined ? p : drop(p);
    case 'unsuback':
      return p.properties === undefined && p.reasonCodes === undefined ? p : { type: 'unsuback', packetId: p.packetId };
    case 'disconnect':
      if (p.reasonCode !== undefined && p.reasonCode !== 0) {
        cannot(`reason code ${hexByte(p.reasonCode)} keeps the Will, which a 3.x DISCONNECT discards: close the connection instead`);
      }
      return p.reasonCode === undefined && p.properties === undefined ? p : { type: 'disconnect' };
    case 'auth':
      return cannot('exists only in MQTT 5.0', 'U311-2.2.1-1');
    case 'pingreq':
    case 'pingresp':
      return p;
  }
}

function connectToV3(p: ConnectPacket, version: 3 | 4, cannot: (why: string, rule?: string) => never): ConnectPacket {
  if (p.password !== undefined && p.username === undefined) {
    cannot('has a password without a user name, which 3.x does not allow', 'MQTT-3.1.2-22');
  }
  if (p.clientId.length === 0 && !p.clean) cannot('has an empty Client Identifier without Clean Session', 'MQTT-3.1.3-7');
  const will = p.will;
  if (p.protocolVersion === version && p.protocolName === undefined && p.properties === undefined && will?.properties === undefined) return p;
  const { properties: _, protocolName: __, ...rest } = p;
  const out: ConnectPacket = { ...rest, protocolVersion: version };
  if (will !== undefined) {
    const { properties: ___, ...w } = will;
    out.will = w as Will;
  }
  return out;
}

function withoutName(p: ConnectPacket): ConnectPacket {
  const { protocolName: _, ...rest } = p;
  return rest;
}

function drop<P extends { properties?: unknown }>(p: P): P {
  const { properties: _, ...rest } = p;
  return rest as P;
}

function dropAck<P extends { reasonCode?: number; properties?: unknown; type: string; packetId: number }>(p: P): P {
  if (p.reasonCode === undefined && p.properties === undefined) return p;
  return { type: p.type, packetId: p.packetId } as P;
}
