// PUBACK, PUBREC, PUBREL, PUBCOMP (sections 3.4-3.7): one layout. Packet Identifier, and at level 5 an optional
// Reason Code and properties (Remaining Length 2, 3 or more); the encoder writes the shortest form.

import { invalidPacket, protocolError } from '../errors.js';
import { Ctx, describe, propertiesSize, readProperties, writeProperties } from '../properties.js';
import { REASON_CODES_V5 } from '../reason-codes.js';
import type { AckProperties, ProtocolVersion, PubackPacket, PubcompPacket, PubrecPacket, PubrelPacket } from '../types.js';
import type { Reader } from '../wire/reader.js';
import { varintSize, type Writer } from '../wire/writer.js';
import { checkPacketId, expectLength, readPacketId, refuseV5Field, refuseV5Properties } from './common.js';

export type AckPacket = PubackPacket | PubrecPacket | PubrelPacket | PubcompPacket;
type AckType = AckPacket['type'];

const INFO: Record<AckType, { ctx: Ctx; v3Rule: string; codeRule: string; name: string }> = {
  puback: { ctx: Ctx.Puback, v3Rule: 'U311-3.4-1', codeRule: 'MQTT-3.4.2-1', name: 'PUBACK' },
  pubrec: { ctx: Ctx.Pubrec, v3Rule: 'U311-3.4-1', codeRule: 'MQTT-3.5.2-1', name: 'PUBREC' },
  pubrel: { ctx: Ctx.Pubrel, v3Rule: 'U311-3.6-1', codeRule: 'MQTT-3.6.2-1', name: 'PUBREL' },
  pubcomp: { ctx: Ctx.Pubcomp, v3Rule: 'U311-3.4-1', codeRule: 'MQTT-3.7.2-1', name: 'PUBCOMP' },
};

export function readAck(r: Reader, type: AckType): AckPacket {
  const info = INFO[type];
  if (r.version !== 5) {
    expectLength(r, 2, info.v3Rule);
    return { type, packetId: readPacketId(r) };
  }
  const packetId = readPacketId(r);
  if (r.pos === r.end) return { type, packetId, reasonCode: 0 };
  const codeAt = r.pos;
  const reasonCode = r.u8('Reason Code');
  if (REASON_CODES_V5[type]![reasonCode] !== 1) {
    throw protocolError(info.codeRule, `${info.name} Reason Code 0x${reasonCode.toString(16)} is not allowed in ${info.name}`, codeAt);
  }
  const packet: AckPacket = { type, packetId, reasonCode };
  if (r.pos < r.end) {
    const properties = readProperties(r, info.ctx) as AckProperties | undefined;
    if (properties !== undefined) packet.properties = properties;
    r.expectEnd();
  }
  return packet;
}

/** Property Length found by the last `ackSize`, for `writeAck` right after it (as `sizedProperties` in publish.ts). */
let sizedProperties = 0;

/** Remaining Length of an acknowledgement (validating it). */
export function ackSize(p: AckPacket, version: ProtocolVersion): number {
  const info = INFO[p.type];
  checkPacketId(p.packetId, info.name, version);
  if (version !== 5) {
    // guarded so the field name is not built for every 3.x acknowledgement (it refuses only a present reasonCode)
    if (p.reasonCode !== undefined) refuseV5Field(p.reasonCode, `${info.name} reasonCode`, version, info.v3Rule);
    refuseV5Properties(p.properties, info.name, version, info.v3Rule);
    return 2;
  }
  const code = p.reasonCode ?? 0;
  if (typeof code !== 'number' || REASON_CODES_V5[p.type]![code] !== 1) {
    throw invalidPacket(`${info.name} reasonCode ${describe(code)} is not allowed in ${info.name}`, info.codeRule, 0x82);
  }
  const ps = propertiesSize(p.properties, info.ctx);
  sizedProperties = ps;
  if (ps > 0) return 3 + varintSize(ps) + ps;
  return code === 0 ? 2 : 3;
}

export function writeAck(p: AckPacket, w: Writer, version: ProtocolVersion, remainingLength: number): void {
  w.u16(p.packetId);
  if (version !== 5 || remainingLength === 2) return;
  w.u8(p.reasonCode ?? 0);
  if (remainingLength > 3) writeProperties(w, p.properties, sizedProperties);
}

