// SUBACK (section 3.9) and UNSUBACK (section 3.11): a Packet Identifier, properties at level 5, and one reason
// code per Topic Filter of the request. 3.x UNSUBACK has the codes neither (Remaining Length exactly 2).

import { invalidPacket, malformed, protocolError } from '../errors.js';
import { Ctx, describe, planProperties, propertiesLength, readProperties, writeProperties, type PropertiesPlan } from '../properties.js';
import { hexByte, reasonCodeTable } from '../reason-codes.js';
import { ruleAt } from '../rules.js';
import type { AckProperties, ProtocolVersion, SubackPacket, UnsubackPacket } from '../types.js';
import type { Reader } from '../wire/reader.js';
import type { Writer } from '../wire/writer.js';
import { checkPacketId, readPacketId, refuseV5Field, refuseV5Properties, type PacketCodec, type Plan } from './common.js';

export interface CodesPlan extends Plan {
  packetId: number;
  v5: boolean;
  props: PropertiesPlan | undefined;
  codes: number[];
}

/** Reads the reason codes filling the rest of the packet, each from `table` (else `rule`). */
function readCodes(r: Reader, table: Uint8Array, rule: string): number[] {
  const codes: number[] = [];
  while (r.pos < r.end) {
    const at = r.pos;
    const code = r.u8('Reason Code');
    if (table[code] !== 1) throw protocolError(rule, `${r.packet} code ${hexByte(code)} is not allowed`, at);
    codes.push(code);
  }
  return codes;
}

/** Checks and copies the reason codes of an object. */
function checkCodes(value: unknown, table: Uint8Array, name: string, emptyRule: string, codeRule: string): number[] {
  if (!Array.isArray(value)) throw invalidPacket(undefined, `${name} reasonCodes must be an array, got ${describe(value)}`);
  const n = value.length;
  if (n === 0) throw invalidPacket(emptyRule, `${name} needs at least one reason code`, 0x81);
  const codes: number[] = [];
  for (let i = 0; i < n; i++) {
    const c: unknown = value[i];
    if (typeof c !== 'number' || table[c] !== 1) throw invalidPacket(codeRule, `${name} reasonCodes[${i}] ${describe(c)} is not allowed`, 0x82);
    codes.push(c);
  }
  return codes;
}

function write(s: CodesPlan, w: Writer): void {
  w.u16(s.packetId);
  if (!s.v5 && s.length === 2) return;
  if (s.v5) writeProperties(w, s.props);
  for (const c of s.codes) w.u8(c);
}

export function readSuback(r: Reader): SubackPacket {
    const v5 = r.version === 5;
    const packetId = readPacketId(r);
    const properties = v5 ? (readProperties(r, Ctx.Suback) as AckProperties | undefined) : undefined;
    if (r.pos === r.end) throw malformed(ruleAt('subackEmpty', r.version), 'SUBACK has no return codes (empty payload)', r.pos);
    const reasonCodes = readCodes(r, reasonCodeTable('suback', r.version)!, 'MQTT-3.9.3-2');
    const packet: SubackPacket = { type: 'suback', packetId, reasonCodes };
    if (properties !== undefined) packet.properties = properties;
    return packet;
}

function sizeSuback(p: SubackPacket, version: ProtocolVersion): CodesPlan {
    const { reasonCodes, properties } = p;
    const packetId = checkPacketId(p.packetId, 'SUBACK', version);
    const v5 = version === 5;
    let props: PropertiesPlan | undefined;
    if (v5) props = planProperties(properties, Ctx.Suback);
    else refuseV5Properties(properties, 'SUBACK', version, 'U311-3.9-1');
    const codes = checkCodes(reasonCodes, reasonCodeTable('suback', version)!, 'SUBACK', ruleAt('subackEmpty', version), 'MQTT-3.9.3-2');
    return { first: 0x90, length: 2 + (v5 ? propertiesLength(props) : 0) + codes.length, packetId, v5, props, codes };
}

export function readUnsuback(r: Reader): UnsubackPacket {
    if (r.version !== 5) {
      r.expectLength(2, 'U311-3.11-1');
      return { type: 'unsuback', packetId: readPacketId(r) };
    }
    const packetId = readPacketId(r);
    const properties = readProperties(r, Ctx.Unsuback) as AckProperties | undefined;
    if (r.pos === r.end) throw malformed('U5-3.11-1', 'UNSUBACK has no Reason Codes (empty payload)', r.pos);
    const reasonCodes = readCodes(r, reasonCodeTable('unsuback', 5)!, 'MQTT-3.11.3-2');
    const packet: UnsubackPacket = { type: 'unsuback', packetId, reasonCodes };
    if (properties !== undefined) packet.properties = properties;
    return packet;
}

function sizeUnsuback(p: UnsubackPacket, version: ProtocolVersion): CodesPlan {
    const { reasonCodes, properties } = p;
    const packetId = checkPacketId(p.packetId, 'UNSUBACK', version);
    if (version !== 5) {
      refuseV5Field(reasonCodes, 'UNSUBACK reasonCodes', version, 'U311-3.11-1');
      refuseV5Properties(properties, 'UNSUBACK', version, 'U311-3.11-1');
      return { first: 0xb0, length: 2, packetId, v5: false, props: undefined, codes: [] };
    }
    const props = planProperties(properties, Ctx.Unsuback);
    if (reasonCodes === undefined) throw invalidPacket('U5-3.11-1', 'UNSUBACK needs reasonCodes (at least one) in MQTT 5.0', 0x81);
    const codes = checkCodes(reasonCodes, reasonCodeTable('unsuback', 5)!, 'UNSUBACK', 'U5-3.11-1', 'MQTT-3.11.3-2');
    return { first: 0xb0, length: 2 + propertiesLength(props) + codes.length, packetId, v5: true, props, codes };
}

export const suback: PacketCodec<SubackPacket, CodesPlan> = { read: readSuback, size: sizeSuback, write };
export const unsuback: PacketCodec<UnsubackPacket, CodesPlan> = { read: readUnsuback, size: sizeUnsuback, write };
