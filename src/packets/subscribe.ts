// SUBSCRIBE and SUBACK (sections 3.8, 3.9): read, size, write.

import { invalidPacket, malformed, protocolError } from '../errors.js';
import { Ctx, describe, propertiesSize, readProperties, writeProperties } from '../properties.js';
import { REASON_CODES_V3, REASON_CODES_V5 } from '../reason-codes.js';
import { isSharedFilter } from '../topic.js';
import type { AckProperties, ProtocolVersion, SubackPacket, SubscribePacket, SubscribeProperties, Subscription } from '../types.js';
import type { Reader } from '../wire/reader.js';
import { varintSize, type Writer } from '../wire/writer.js';
import { checkBoolean, checkPacketId, checkQos, readPacketId, readTopicFilter, refuseV5Properties, topicFilterSize } from './common.js';

export function readSubscribe(r: Reader): SubscribePacket {
  const v5 = r.version === 5;
  const packetId = readPacketId(r);
  const properties = v5 ? (readProperties(r, Ctx.Subscribe) as SubscribeProperties | undefined) : undefined;
  if (r.pos === r.end) {
    throw protocolError(v5 ? 'MQTT-3.8.3-2' : 'MQTT-3.8.3-3', 'SUBSCRIBE has no Topic Filter (empty payload)', r.pos);
  }
  const subscriptions: Subscription[] = [];
  while (r.pos < r.end) {
    const topicFilter = readTopicFilter(r);
    const optAt = r.pos;
    const options = r.u8('Subscription Options');
    const qos = options & 3;
    if (!v5) {
      if (options > 2) {
        throw malformed('MQTT-3.8.3-4', `SUBSCRIBE Requested QoS byte 0x${options.toString(16)} for '${topicFilter}' is not 0, 1 or 2`, optAt);
      }
      subscriptions.push({ topicFilter, qos: qos as 0 | 1 | 2 });
      continue;
    }
    if ((options & 0xc0) !== 0) {
      throw malformed('MQTT-3.8.3-5', `SUBSCRIBE Subscription Options reserved bits 6-7 are set for '${topicFilter}'`, optAt);
    }
    if (qos === 3) throw protocolError('U5-3.8.3.1-1', `SUBSCRIBE Maximum QoS is 3 for '${topicFilter}'`, optAt);
    const retainHandling = (options >> 4) & 3;
    if (retainHandling === 3) throw protocolError('U5-3.8.3.1-2', `SUBSCRIBE Retain Handling is 3 for '${topicFilter}'`, optAt);
    const noLocal = (options & 4) !== 0;
    if (noLocal && isSharedFilter(topicFilter)) {
      throw protocolError('MQTT-3.8.3-4', `SUBSCRIBE No Local is set on the Shared Subscription '${topicFilter}'`, optAt);
    }
    subscriptions.push({
      topicFilter,
      qos: qos as 0 | 1 | 2,
      noLocal,
      retainAsPublished: (options & 8) !== 0,
      retainHandling: retainHandling as 0 | 1 | 2,
    });
  }
  const packet: SubscribePacket = { type: 'subscribe', packetId, subscriptions };
  if (properties !== undefined) packet.properties = properties;
  return packet;
}

export function subscribeSize(p: SubscribePacket, version: ProtocolVersion): number {
  checkPacketId(p.packetId, 'SUBSCRIBE', version);
  const v5 = version === 5;
  let size = 2;
  if (v5) {
    const ps = propertiesSize(p.properties, Ctx.Subscribe);
    size += varintSize(ps) + ps;
  } else {
    refuseV5Properties(p.properties, 'SUBSCRIBE', version);
  }
  const subs = p.subscriptions;
  if (!Array.isArray(subs)) throw invalidPacket(`SUBSCRIBE subscriptions must be an array, got ${describe(subs)}`);
  if (subs.length === 0) {
    throw invalidPacket('SUBSCRIBE needs at least one subscription', v5 ? 'MQTT-3.8.3-2' : 'MQTT-3.8.3-3', 0x82);
  }
  for (const s of subs) {
    if (typeof s !== 'object' || s === null) throw invalidPacket('SUBSCRIBE subscriptions entries must be objects');
    size += topicFilterSize(s.topicFilter, 'SUBSCRIBE', version) + 1;
    if (s.qos === (3 as number)) {
      throw v5
        ? invalidPacket(`SUBSCRIBE qos of '${s.topicFilter}' is 3`, 'U5-3.8.3.1-1', 0x82)
        : invalidPacket(`SUBSCRIBE qos of '${s.topicFilter}' is 3`, 'MQTT-3.8.3-4', 0x81);
    }
    checkQos(s.qos, `SUBSCRIBE qos of '${s.topicFilter}'`);
    if (v5) {
      if (s.noLocal !== undefined) checkBoolean(s.noLocal, `SUBSCRIBE noLocal of '${s.topicFilter}'`);
      if (s.retainAsPublished !== undefined) checkBoolean(s.retainAsPublished, `SUBSCRIBE retainAsPublished of '${s.topicFilter}'`);
      const rh = s.retainHandling;
      if (rh !== undefined && rh !== 0 && rh !== 1 && rh !== 2) {
        throw invalidPacket(`SUBSCRIBE retainHandling of '${s.topicFilter}' must be 0, 1 or 2, got ${describe(rh)}`, 'U5-3.8.3.1-2', 0x82);
      }
      if (s.noLocal === true && isSharedFilter(s.topicFilter)) {
        throw invalidPacket(`SUBSCRIBE noLocal may not be set on the Shared Subscription '${s.topicFilter}'`, 'MQTT-3.8.3-4', 0x82);
      }
    } else if (s.noLocal === true || s.retainAsPublished === true || (s.retainHandling !== undefined && s.retainHandling !== 0)) {
      // they would set bits of the Requested QoS byte that 3.1.1 reserves (MQTT-3.8.3-4)
      throw invalidPacket(
        `SUBSCRIBE noLocal, retainAsPublished and retainHandling exist only in MQTT 5.0 (encoding for protocol level ${version})`,
        'MQTT-3.8.3-4',
        0x81,
      );
    }
  }
  return size;
}

export function writeSubscribe(p: SubscribePacket, w: Writer, version: ProtocolVersion): void {
  w.u16(p.packetId);
  const v5 = version === 5;
  if (v5) writeProperties(w, p.properties, propertiesSize(p.properties, Ctx.Subscribe));
  for (const s of p.subscriptions) {
    w.utf8(s.topicFilter);
    let options: number = s.qos;
    if (v5) options |= (s.noLocal === true ? 4 : 0) | (s.retainAsPublished === true ? 8 : 0) | ((s.retainHandling ?? 0) << 4);
    w.u8(options);
  }
}

export function readSuback(r: Reader): SubackPacket {
  const v5 = r.version === 5;
  const packetId = readPacketId(r);
  const properties = v5 ? (readProperties(r, Ctx.Suback) as AckProperties | undefined) : undefined;
  if (r.pos === r.end) throw malformed(v5 ? 'U5-3.9-1' : 'U311-3.9-1', 'SUBACK has no return codes (empty payload)', r.pos);
  const table = (v5 ? REASON_CODES_V5 : REASON_CODES_V3)['suback']!;
  const reasonCodes: number[] = [];
  while (r.pos < r.end) {
    const at = r.pos;
    const code = r.u8('Reason Code');
    if (table[code] !== 1) throw protocolError('MQTT-3.9.3-2', `SUBACK code 0x${code.toString(16)} is not allowed`, at);
    reasonCodes.push(code);
  }
  const packet: SubackPacket = { type: 'suback', packetId, reasonCodes };
  if (properties !== undefined) packet.properties = properties;
  return packet;
}

export function subackSize(p: SubackPacket, version: ProtocolVersion): number {
  checkPacketId(p.packetId, 'SUBACK', version);
  const v5 = version === 5;
  let size = 2;
  if (v5) {
    const ps = propertiesSize(p.properties, Ctx.Suback);
    size += varintSize(ps) + ps;
  } else {
    refuseV5Properties(p.properties, 'SUBACK', version, 'U311-3.9-1');
  }
  const codes = p.reasonCodes;
  if (!Array.isArray(codes)) throw invalidPacket(`SUBACK reasonCodes must be an array, got ${describe(codes)}`);
  if (codes.length === 0) throw invalidPacket('SUBACK needs at least one reason code', v5 ? 'U5-3.9-1' : 'U311-3.9-1', 0x81);
  const table = (v5 ? REASON_CODES_V5 : REASON_CODES_V3)['suback']!;
  for (const c of codes) {
    if (typeof c !== 'number' || table[c] !== 1) throw invalidPacket(`SUBACK code ${describe(c)} is not allowed`, 'MQTT-3.9.3-2', 0x82);
  }
  return size + codes.length;
}

export function writeSuback(p: SubackPacket, w: Writer, version: ProtocolVersion): void {
  w.u16(p.packetId);
  if (version === 5) writeProperties(w, p.properties, propertiesSize(p.properties, Ctx.Suback));
  for (const c of p.reasonCodes) w.u8(c);
}
