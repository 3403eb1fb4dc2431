// UNSUBSCRIBE and UNSUBACK (sections 3.10, 3.11): read, size, write.

import { invalidPacket, malformed, protocolError } from '../errors.js';
import { Ctx, describe, propertiesSize, readProperties, writeProperties } from '../properties.js';
import { REASON_CODES_V5 } from '../reason-codes.js';
import type { AckProperties, ProtocolVersion, UnsubackPacket, UnsubscribePacket, UnsubscribeProperties } from '../types.js';
import type { Reader } from '../wire/reader.js';
import { varintSize, type Writer } from '../wire/writer.js';
import { checkPacketId, expectLength, readPacketId, readTopicFilter, refuseV5Field, refuseV5Properties, topicFilterSize } from './common.js';

export function readUnsubscribe(r: Reader): UnsubscribePacket {
  const v5 = r.version === 5;
  const packetId = readPacketId(r);
  const properties = v5 ? (readProperties(r, Ctx.Unsubscribe) as UnsubscribeProperties | undefined) : undefined;
  if (r.pos === r.end) throw protocolError('MQTT-3.10.3-2', 'UNSUBSCRIBE has no Topic Filter (empty payload)', r.pos);
  const topicFilters: string[] = [];
  while (r.pos < r.end) topicFilters.push(readTopicFilter(r));
  const packet: UnsubscribePacket = { type: 'unsubscribe', packetId, topicFilters };
  if (properties !== undefined) packet.properties = properties;
  return packet;
}

export function unsubscribeSize(p: UnsubscribePacket, version: ProtocolVersion): number {
  checkPacketId(p.packetId, 'UNSUBSCRIBE', version);
  let size = 2;
  if (version === 5) {
    const ps = propertiesSize(p.properties, Ctx.Unsubscribe);
    size += varintSize(ps) + ps;
  } else {
    refuseV5Properties(p.properties, 'UNSUBSCRIBE', version);
  }
  const filters = p.topicFilters;
  if (!Array.isArray(filters)) throw invalidPacket(`UNSUBSCRIBE topicFilters must be an array, got ${describe(filters)}`);
  if (filters.length === 0) throw invalidPacket('UNSUBSCRIBE needs at least one topic filter', 'MQTT-3.10.3-2', 0x82);
  for (const f of filters) size += topicFilterSize(f, 'UNSUBSCRIBE', version);
  return size;
}

export function writeUnsubscribe(p: UnsubscribePacket, w: Writer, version: ProtocolVersion): void {
  w.u16(p.packetId);
  if (version === 5) writeProperties(w, p.properties, propertiesSize(p.properties, Ctx.Unsubscribe));
  for (const f of p.topicFilters) w.utf8(f);
}

export function readUnsuback(r: Reader): UnsubackPacket {
  if (r.version !== 5) {
    expectLength(r, 2, 'U311-3.11-1');
    return { type: 'unsuback', packetId: readPacketId(r) };
  }
  const packetId = readPacketId(r);
  const properties = readProperties(r, Ctx.Unsuback) as AckProperties | undefined;
  if (r.pos === r.end) throw malformed('U5-3.11-1', 'UNSUBACK has no Reason Codes (empty payload)', r.pos);
  const table = REASON_CODES_V5['unsuback']!;
  const reasonCodes: number[] = [];
  while (r.pos < r.end) {
    const at = r.pos;
    const code = r.u8('Reason Code');
    if (table[code] !== 1) throw protocolError('MQTT-3.11.3-2', `UNSUBACK Reason Code 0x${code.toString(16)} is not allowed`, at);
    reasonCodes.push(code);
  }
  const packet: UnsubackPacket = { type: 'unsuback', packetId, reasonCodes };
  if (properties !== undefined) packet.properties = properties;
  return packet;
}

export function unsubackSize(p: UnsubackPacket, version: ProtocolVersion): number {
  checkPacketId(p.packetId, 'UNSUBACK', version);
  if (version !== 5) {
    refuseV5Field(p.reasonCodes, 'UNSUBACK reasonCodes', version, 'U311-3.11-1');
    refuseV5Properties(p.properties, 'UNSUBACK', version, 'U311-3.11-1');
    return 2;
  }
  const ps = propertiesSize(p.properties, Ctx.Unsuback);
  const codes = p.reasonCodes;
  if (!Array.isArray(codes) || codes.length === 0) {
    throw invalidPacket('UNSUBACK needs reasonCodes (at least one) in MQTT 5.0', 'U5-3.11-1', 0x81);
  }
  const table = REASON_CODES_V5['unsuback']!;
  for (const c of codes) {
    if (typeof c !== 'number' || table[c] !== 1) throw invalidPacket(`UNSUBACK reason code ${describe(c)} is not allowed`, 'MQTT-3.11.3-2', 0x82);
  }
  return 2 + varintSize(ps) + ps + codes.length;
}

export function writeUnsuback(p: UnsubackPacket, w: Writer, version: ProtocolVersion): void {
  w.u16(p.packetId);
  if (version !== 5) return;
  writeProperties(w, p.properties, propertiesSize(p.properties, Ctx.Unsuback));
  for (const c of p.reasonCodes!) w.u8(c);
}
