// PUBACK, PUBREC, PUBREL, PUBCOMP (sections 3.4-3.7): one layout. Packet Identifier, and at level 5 an optional
// Reason Code and properties (Remaining Length 2, 3 or more); the encoder writes the shortest form.

import { invalidPacket, protocolError } from '../errors.js';
import { Ctx, describe, planProperties, readProperties, writeProperties, type PropertiesPlan } from '../properties.js';
import { hexByte, reasonCodeTable } from '../reason-codes.js';
import type { AckProperties, ProtocolVersion, PubackPacket, PubcompPacket, PubrecPacket, PubrelPacket } from '../types.js';
import type { Reader } from '../wire/reader.js';
import { varintSize, type Writer } from '../wire/writer.js';
import { checkPacketId, readPacketId, refuseV5Field, refuseV5Properties, type PacketCodec, type Plan } from './common.js';

export type AckPacket = PubackPacket | PubrecPacket | PubrelPacket | PubcompPacket;
type AckType = AckPacket['type'];

export interface AckPlan extends Plan {
  packetId: number;
  reasonCode: number;
  props: PropertiesPlan | undefined;
}

const INFO: Record<AckType, { id: number; ctx: number; v3Rule: string; codeRule: string; name: string }> = {
  puback: { id: 4, ctx: Ctx.Puback, v3Rule: 'U311-3.4-1', codeRule: 'MQTT-3.4.2-1', name: 'PUBACK' },
  pubrec: { id: 5, ctx: Ctx.Pubrec, v3Rule: 'U311-3.4-1', codeRule: 'MQTT-3.5.2-1', name: 'PUBREC' },
  // MQTT-3.6.1-1: PUBREL carries flags 0010
  pubrel: { id: 6, ctx: Ctx.Pubrel, v3Rule: 'U311-3.6-1', codeRule: 'MQTT-3.6.2-1', name: 'PUBREL' },
  pubcomp: { id: 7, ctx: Ctx.Pubcomp, v3Rule: 'U311-3.4-1', codeRule: 'MQTT-3.7.2-1', name: 'PUBCOMP' },
};

type AckInfo = (typeof INFO)[AckType];

function read(r: Reader, type: AckType): AckPacket {
  const info = INFO[type];
  if (r.version !== 5) {
    r.expectLength(2, info.v3Rule);
    return { type, packetId: readPacketId(r) };
  }
  const packetId = readPacketId(r);
  if (r.pos === r.end) return { type, packetId, reasonCode: 0 };
  const codeAt = r.pos;
  const reasonCode = r.u8('Reason Code');
  if (reasonCodeTable(type, 5)![reasonCode] !== 1) {
    throw protocolError(info.codeRule, `${info.name} Reason Code ${hexByte(reasonCode)} is not allowed in ${info.name}`, codeAt);
  }
  const packet: AckPacket = { type, packetId, reasonCode };
  if (r.pos < r.end) {
    const properties = readProperties(r, info.ctx) as AckProperties | undefined;
    if (properties !== undefined) packet.properties = properties;
    r.expectEnd();
  }
  return packet;
}

function size(p: AckPacket, version: ProtocolVersion, info: AckInfo, type: AckType): AckPlan {
  const { reasonCode, properties } = p;
  const packetId = checkPacketId(p.packetId, info.name, version);
  const first = (info.id << 4) | (type === 'pubrel' ? 2 : 0);
  if (version !== 5) {
    // guarded so the field name is not built for every 3.x acknowledgement
    if (reasonCode !== undefined) refuseV5Field(reasonCode, `${info.name} reasonCode`, version, info.v3Rule);
    if (properties !== undefined) refuseV5Properties(properties, info.name, version, info.v3Rule);
    return { first, length: 2, packetId, reasonCode: 0, props: undefined };
  }
  const code = reasonCode ?? 0;
  if (typeof code !== 'number' || reasonCodeTable(type, 5)![code] !== 1) {
    throw invalidPacket(info.codeRule, `${info.name} reasonCode ${describe(code)} is not allowed in ${info.name}`, 0x82);
  }
  const props = planProperties(properties, info.ctx);
  const length = props !== undefined ? 3 + varintSize(props.size) + props.size : code === 0 ? 2 : 3;
  return { first, length, packetId, reasonCode: code, props };
}

function write(s: AckPlan, w: Writer): void {
  w.u16(s.packetId);
  if (s.length === 2) return;
  w.u8(s.reasonCode);
  if (s.length > 3) writeProperties(w, s.props);
}

// Each read exported alone too, so a decode-only bundle leaves the encoder out.
export const readPuback = (r: Reader): PubackPacket => read(r, 'puback') as PubackPacket;
export const readPubrec = (r: Reader): PubrecPacket => read(r, 'pubrec') as PubrecPacket;
export const readPubrel = (r: Reader): PubrelPacket => read(r, 'pubrel') as PubrelPacket;
export const readPubcomp = (r: Reader): PubcompPacket => read(r, 'pubcomp') as PubcompPacket;

export const puback: PacketCodec<PubackPacket, AckPlan> = { read: readPuback, size: (p, v) => size(p, v, INFO.puback, 'puback'), write };
export const pubrec: PacketCodec<PubrecPacket, AckPlan> = { read: readPubrec, size: (p, v) => size(p, v, INFO.pubrec, 'pubrec'), write };
export const pubrel: PacketCodec<PubrelPacket, AckPlan> = { read: readPubrel, size: (p, v) => size(p, v, INFO.pubrel, 'pubrel'), write };
export const pubcomp: PacketCodec<PubcompPacket, AckPlan> = { read: readPubcomp, size: (p, v) => size(p, v, INFO.pubcomp, 'pubcomp'), write };
