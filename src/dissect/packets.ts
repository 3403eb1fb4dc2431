// The body of each packet family, read leniently in the order the codec's packet modules read and check it
// (src/packets/*.ts), so that the first fault found here is the one decode throws. Rule ids the codec keeps in
// shared helpers (Packet Identifier, Topic Name and Filter rules, reason-code tables, property rules) are taken
// from those helpers; the others are the ones the packet modules cite, and the property tests hold them equal.

import { malformed, protocolError, unsupportedVersion } from '../errors.js';
import { topicFilterProblem, topicNameProblem } from '../packets/common.js';
import { ruleAt } from '../rules.js';
import { Ctx } from '../properties.js';
import { REASON_CODES_V3, REASON_CODES_V5, reasonCodeName } from '../reason-codes.js';
import { isSharedFilter } from '../topic.js';
import type {
  AckProperties,
  AuthProperties,
  ConnackProperties,
  ConnectPacket,
  ConnectProperties,
  DisconnectPacket,
  DisconnectProperties,
  Packet,
  PubackPacket,
  PubcompPacket,
  PubrecPacket,
  PubrelPacket,
  ProtocolVersion,
  PublishPacket,
  PublishProperties,
  Subscription,
  Will,
  WillProperties,
} from '../types.js';
import { walkProperties } from './properties.js';
import { splitBits, type BitDef, type Walk } from './walk.js';

const PROTOCOL_NAME: Record<number, string> = { 3: 'MQIsdp', 4: 'MQTT', 5: 'MQTT' };
const LEVEL_NOTE: Record<number, string> = { 3: 'MQTT 3.1', 4: 'MQTT 3.1.1', 5: 'MQTT 5.0' };

type AckType = 'puback' | 'pubrec' | 'pubrel' | 'pubcomp';
/** As src/packets/ack.ts: the 3.x length rule and the 5.0 reason-code rule of each acknowledgement. */
const ACK: Record<AckType, { ctx: Ctx; v3Rule: string; codeRule: string }> = {
  puback: { ctx: Ctx.Puback, v3Rule: 'U311-3.4-1', codeRule: 'MQTT-3.4.2-1' },
  pubrec: { ctx: Ctx.Pubrec, v3Rule: 'U311-3.4-1', codeRule: 'MQTT-3.5.2-1' },
  pubrel: { ctx: Ctx.Pubrel, v3Rule: 'U311-3.6-1', codeRule: 'MQTT-3.6.2-1' },
  pubcomp: { ctx: Ctx.Pubcomp, v3Rule: 'U311-3.4-1', codeRule: 'MQTT-3.7.2-1' },
};

/** Reads the body of a packet of type `typeId` (1-15) with fixed-header `flags`; returns the packet read. */
export function walkBody(w: Walk, typeId: number, flags: number): Packet | undefined {
  switch (typeId) {
    case 1:
      return walkConnect(w);
    case 2:
      return walkConnack(w);
    case 3:
      return walkPublish(w, flags);
    case 4:
      return walkAck(w, 'puback');
    case 5:
      return walkAck(w, 'pubrec');
    case 6:
      return walkAck(w, 'pubrel');
    case 7:
      return walkAck(w, 'pubcomp');
    case 8:
      return walkSubscribe(w);
    case 9:
      return walkSuback(w);
    case 10:
      return walkUnsubscribe(w);
    case 11:
      return walkUnsuback(w);
    case 12:
      w.expectEnd();
      return { type: 'pingreq' };
    case 13:
      w.expectEnd();
      return { type: 'pingresp' };
    case 14:
      return walkDisconnect(w);
    default:
      return walkAuth(w);
  }
}

function codeNote(packetType: string, version: ProtocolVersion): (code: number) => string {
  return (code) => reasonCodeName(code, packetType, version);
}

/** A Packet Identifier; 0 is reported (MQTT-2.3.1-1 / MQTT-2.2.1-3) and kept. */
function packetId(w: Walk): number | undefined {
  const at = w.pos;
  const id = w.u16('Packet Identifier');
  if (id === 0) w.fault(protocolError(ruleAt('packetIdZero', w.version), `${w.packet} Packet Identifier is 0`, at));
  return id;
}

/** Fixed-size 3.x bodies: a wrong Remaining Length is reported; what is there is still shown. */
function expectLength(w: Walk, n: number, rule: string): boolean {
  if (w.end - w.pos === n) return true;
  if (!w.cutShort || w.end - w.pos > n) w.fault(malformed(rule, `${w.packet} must have Remaining Length ${n}, got ${w.end - w.pos}`, w.pos));
  return false;
}

/** A Topic Filter, checked as the codec's readTopicFilter does (protocol error, 5.0 reason code 0x8F). */
function topicFilter(w: Walk, name = 'Topic Filter'): string | undefined {
  const at = w.pos;
  const filter = w.utf8(name, 'Topic Filter');
  if (filter === undefined) return undefined;
  const problem = topicFilterProblem(filter, `${w.packet} Topic Filter`, w.version);
  if (problem !== undefined) {
    w.fault(protocolError(problem[0], problem[1], at, 0x8f));
    w.last!.note = 'invalid Topic Filter';
  }
  return filter;
}

const CONNECT_FLAGS = (v5: boolean): readonly BitDef[] => [
  ['User Name Flag', 0x80],
  ['Password Flag', 0x40],
  ['Will Retain', 0x20],
  ['Will QoS', 0x18],
  ['Will Flag', 0x04],
  [v5 ? 'Clean Start' : 'Clean Session', 0x02],
  ['Reserved', 0x01],
];

function walkConnect(w: Walk): ConnectPacket | undefined {
  const header = w.open('Variable header');
  const nameAt = w.pos;
  const protocolName = w.utf8('Protocol Name');
  const named = protocolName === 'MQTT' || protocolName === 'MQIsdp';
  if (protocolName !== undefined && !named) {
    w.fault(unsupportedVersion('MQTT-3.1.2-1', `CONNECT Protocol Name '${protocolName}' is not 'MQTT' (or 'MQIsdp' for MQTT 3.1)`, nameAt));
  }
  const levelAt = w.pos;
  const level = w.u8('Protocol Level', (v) => LEVEL_NOTE[v] ?? 'unknown level');
  if (level === undefined) {
    w.close(header);
    return undefined;
  }
  if (level !== 3 && level !== 4 && level !== 5) {
    w.fault(unsupportedVersion('MQTT-3.1.2-2', `CONNECT Protocol Level ${level} is not 3 (MQTT 3.1), 4 (3.1.1) or 5 (5.0)`, levelAt));
    w.close(header);
    // the layout of the rest depends on the level
    w.rest('Unread bytes', `not read: protocol level ${level} is unknown`);
    return undefined;
  }
  if (named && protocolName !== PROTOCOL_NAME[level]) {
    w.fault(
      // MQTT's name with another MQTT level's number: the level is what this name cannot take (CONNACK 0x01)
      unsupportedVersion('MQTT-3.1.2-2', `CONNECT Protocol Name '${protocolName}' does not match level ${level} (expected '${PROTOCOL_NAME[level]!}')`, nameAt),
    );
  }
  const version: ProtocolVersion = level;
  w.version = version;
  const v5 = version === 5;
  const flagsAt = w.pos;
  const flags = w.u8('Connect Flags');
  if (flags === undefined) {
    w.close(header);
    return undefined;
  }
  splitBits(w.last!, flags, CONNECT_FLAGS(v5));
  const willFlag = (flags & 0x04) !== 0;
  const willQos = (flags & 0x18) >> 3;
  const willRetain = (flags & 0x20) !== 0;
  const hasUsername = (flags & 0x80) !== 0;
  const hasPassword = (flags & 0x40) !== 0;
  const clean = (flags & 0x02) !== 0;
  if ((flags & 0x01) !== 0) w.fault(malformed('MQTT-3.1.2-3', 'CONNECT Connect Flags reserved bit 0 is set', flagsAt));
  if (!willFlag && willQos !== 0) {
    w.fault(malformed(ruleAt('willQosWithoutWill', version), `CONNECT Will QoS is ${willQos} but the Will Flag is 0`, flagsAt));
  }
  if (willQos === 3) w.fault(malformed(ruleAt('willQos3', version), 'CONNECT Will QoS is 3', flagsAt));
  if (!willFlag && willRetain) {
    w.fault(malformed(ruleAt('willRetainWithoutWill', version), 'CONNECT Will Retain is 1 but the Will Flag is 0', flagsAt));
  }
  if (!v5 && hasPassword && !hasUsername) {
    w.fault(malformed('MQTT-3.1.2-22', 'CONNECT Password Flag is 1 but the User Name Flag is 0', flagsAt));
  }
  const keepAlive = w.u16('Keep Alive');
  const propsAt = w.pos;
  const properties = v5 ? (walkProperties(w, Ctx.Connect) as ConnectProperties | undefined) : undefined;
  if (properties?.authenticationData !== undefined && properties.authenticationMethod === undefined) {
    w.fault(protocolError('U5-3.1.2.11-5', 'CONNECT has Authentication Data without Authentication Method', propsAt));
  }
  w.close(header);

  const payload = w.open('Payload');
  const clientIdAt = w.pos;
  const clientId = w.utf8('Client Identifier');
  if (!v5 && clientId !== undefined && clientId.length === 0 && (!clean || version === 3)) {
    // MQTT 3.1 (level 3) takes Client Identifiers of 1 to 23 characters only, whatever Clean Session says
    const why = version === 3 ? 'MQTT 3.1 requires a Client Identifier of at least 1 character' : 'CONNECT has a zero-length Client Identifier with Clean Session 0';
    w.fault(protocolError('MQTT-3.1.3-8', why, clientIdAt, 0x85));
  }
  let will: Will | undefined;
  if (willFlag) {
    const group = w.open('Will');
    const willProps = v5 ? (walkProperties(w, Ctx.Will, 'Will Properties') as WillProperties | undefined) : undefined;
    const topicAt = w.pos;
    const topic = w.utf8('Will Topic');
    if (topic !== undefined) {
      const problem = topicNameProblem(topic, 'CONNECT Will Topic', version, true, false);
      if (problem !== undefined) w.fault(protocolError(problem[0], problem[1], topicAt, problem[2]));
    }
    const willPayload = w.binary('Will Payload');
    w.close(group);
    if (topic !== undefined && willPayload !== undefined) {
      will = { topic, payload: willPayload, qos: (willQos & 3) as 0 | 1 | 2, retain: willRetain };
      if (willProps !== undefined) will.properties = willProps;
    }
  }
  const username = hasUsername ? w.utf8('User Name') : undefined;
  const password = hasPassword ? w.binary('Password') : undefined;
  w.close(payload);
  w.expectEnd();
  if (clientId === undefined || keepAlive === undefined) return undefined;
  const packet: ConnectPacket = { type: 'connect', protocolVersion: version, clientId, clean, keepAlive };
  if (will !== undefined) packet.will = will;
  if (username !== undefined) packet.username = username;
  if (password !== undefined) packet.password = password;
  if (properties !== undefined) packet.properties = properties;
  return packet;
}

function walkConnack(w: Walk): Packet | undefined {
  const v5 = w.version === 5;
  const header = w.open('Variable header');
  const sized = v5 || expectLength(w, 2, 'U311-3.2.1-1');
  const flagsAt = w.pos;
  const flags = w.u8('Connect Acknowledge Flags');
  if (flags !== undefined) {
    splitBits(w.last!, flags, [['Reserved', 0xfe], ['Session Present', 0x01]]);
    if ((flags & 0xfe) !== 0) {
      w.fault(malformed(ruleAt('connackFlags', w.version), `CONNACK Connect Acknowledge Flags bits 7-1 are not 0 (0x${flags.toString(16)})`, flagsAt));
    }
  }
  const sessionPresent = flags === 1;
  const codeAt = w.pos;
  const reasonCode = w.u8(v5 ? 'Reason Code' : 'Connect Return code', codeNote('connack', w.version));
  if (reasonCode !== undefined) {
    if ((v5 ? REASON_CODES_V5 : REASON_CODES_V3)['connack']![reasonCode] !== 1) {
      w.fault(
        v5
          ? protocolError(ruleAt('connackCode', 5), `CONNACK Reason Code 0x${reasonCode.toString(16)} is not a Connect Reason Code`, codeAt)
          : protocolError(ruleAt('connackCode', w.version), `CONNACK Connect Return code ${reasonCode} is reserved (0-5 are defined)`, codeAt),
      );
    } else if (reasonCode !== 0 && sessionPresent) {
      w.fault(protocolError(ruleAt('connackSessionPresent', w.version), `CONNACK with non-zero code 0x${reasonCode.toString(16)} must have Session Present 0`, codeAt));
    }
  }
  const properties = v5 ? (walkProperties(w, Ctx.Connack) as ConnackProperties | undefined) : undefined;
  w.close(header);
  if (sized) w.expectEnd();
  else w.rest('Unexpected bytes', 'beyond the fixed size of the packet');
  if (reasonCode === undefined) return undefined;
  const packet: Packet = { type: 'connack', sessionPresent, reasonCode };
  if (properties !== undefined) packet.properties = properties;
  return packet;
}

function walkPublish(w: Walk, flags: number): PublishPacket | undefined {
  const qos = (flags >> 1) & 3;
  const v5 = w.version === 5;
  const header = w.open('Variable header');
  const topicAt = w.pos;
  const topic = w.utf8('Topic Name');
  const id = qos > 0 ? packetId(w) : 0;
  const properties = v5 ? (walkProperties(w, Ctx.Publish) as PublishProperties | undefined) : undefined;
  if (topic !== undefined && (topic.length === 0 || topic.indexOf('#') !== -1 || topic.indexOf('+') !== -1)) {
    const problem = topicNameProblem(topic, 'PUBLISH Topic Name', w.version, false, v5 && properties?.topicAlias !== undefined);
    if (problem !== undefined) w.fault(protocolError(problem[0], problem[1], topicAt, problem[2]));
  }
  w.close(header);
  if (w.broken) return undefined;
  const payload = w.buf.subarray(w.pos, w.end);
  if (payload.length > 0) w.add({ name: 'Payload', offset: w.pos, length: payload.length, value: payload });
  w.pos = w.end;
  if (topic === undefined || id === undefined) return undefined;
  const dup = (flags & 8) !== 0;
  const retain = (flags & 1) !== 0;
  const packet: PublishPacket =
    qos === 0 ? { type: 'publish', topic, payload, qos, retain, dup } : { type: 'publish', topic, payload, qos: qos as 1 | 2, retain, dup, packetId: id };
  if (properties !== undefined) packet.properties = properties;
  return packet;
}

function walkAck(w: Walk, type: AckType): Packet | undefined {
  const info = ACK[type];
  const header = w.open('Variable header');
  if (w.version !== 5) {
    const sized = expectLength(w, 2, info.v3Rule);
    const id = w.end - w.pos >= 2 ? packetId(w) : undefined;
    w.close(header);
    w.rest('Unexpected bytes', sized ? undefined : 'beyond the fixed size of the packet');
    return id === undefined ? undefined : { type, packetId: id };
  }
  const id = packetId(w);
  if (w.pos === w.end || w.broken) {
    w.close(header);
    return id === undefined ? undefined : { type, packetId: id, reasonCode: 0 };
  }
  const codeAt = w.pos;
  const reasonCode = w.u8('Reason Code', codeNote(type, 5))!;
  if (REASON_CODES_V5[type]![reasonCode] !== 1) {
    w.fault(protocolError(info.codeRule, `${w.packet} Reason Code 0x${reasonCode.toString(16)} is not allowed in ${w.packet}`, codeAt));
    w.last!.note = `${w.last!.note ?? ''} (not allowed in ${w.packet})`.trim();
  }
  let properties: AckProperties | undefined;
  if (w.pos < w.end) {
    properties = walkProperties(w, info.ctx) as AckProperties | undefined;
    w.close(header);
    w.expectEnd();
  } else {
    w.close(header);
  }
  if (id === undefined) return undefined;
  const packet: PubackPacket | PubrecPacket | PubrelPacket | PubcompPacket = { type, packetId: id, reasonCode };
  if (properties !== undefined) packet.properties = properties;
  return packet;
}

function subscriptionBits(v5: boolean): readonly BitDef[] {
  return v5
    ? [['Reserved', 0xc0], ['Retain Handling', 0x30], ['Retain As Published', 0x08], ['No Local', 0x04], ['Maximum QoS', 0x03]]
    : [['Reserved', 0xfc], ['Requested QoS', 0x03]];
}

function walkSubscribe(w: Walk): Packet | undefined {
  const v5 = w.version === 5;
  const header = w.open('Variable header');
  const id = packetId(w);
  const properties = v5 ? walkProperties(w, Ctx.Subscribe) : undefined;
  w.close(header);
  if (w.broken) return undefined;
  if (w.pos === w.end) {
    w.fault(protocolError(ruleAt('subscribeEmpty', w.version), 'SUBSCRIBE has no Topic Filter (empty payload)', w.pos));
  }
  const payload = w.open('Payload');
  const subscriptions: Subscription[] = [];
  let complete = true;
  while (w.pos < w.end && !w.broken) {
    const group = w.open('Subscription');
    const filter = topicFilter(w);
    const optAt = w.pos;
    const options = w.u8('Subscription Options');
    w.close(group);
    if (filter === undefined || options === undefined) {
      complete = false;
      continue;
    }
    group.value = filter;
    splitBits(w.last!, options, subscriptionBits(v5));
    const qos = options & 3;
    if (!v5) {
      if (options > 2) {
        w.fault(malformed('MQTT-3.8.3-4', `SUBSCRIBE Requested QoS byte 0x${options.toString(16)} for '${filter}' is not 0, 1 or 2`, optAt));
      }
      subscriptions.push({ topicFilter: filter, qos: (qos & 3) as 0 | 1 | 2 });
      continue;
    }
    if ((options & 0xc0) !== 0) {
      w.fault(malformed('MQTT-3.8.3-5', `SUBSCRIBE Subscription Options reserved bits 6-7 are set for '${filter}'`, optAt));
    }
    if (qos === 3) w.fault(protocolError('U5-3.8.3.1-1', `SUBSCRIBE Maximum QoS is 3 for '${filter}'`, optAt));
    const retainHandling = (options >> 4) & 3;
    if (retainHandling === 3) w.fault(protocolError('U5-3.8.3.1-2', `SUBSCRIBE Retain Handling is 3 for '${filter}'`, optAt));
    const noLocal = (options & 4) !== 0;
    if (noLocal && isSharedFilter(filter)) {
      w.fault(protocolError('MQTT-3.8.3-4', `SUBSCRIBE No Local is set on the Shared Subscription '${filter}'`, optAt));
    }
    subscriptions.push({
      topicFilter: filter,
      qos: qos as 0 | 1 | 2,
      noLocal,
      retainAsPublished: (options & 8) !== 0,
      retainHandling: retainHandling as 0 | 1 | 2,
    });
  }
  w.close(payload);
  if (id === undefined || !complete) return undefined;
  const packet: Packet = { type: 'subscribe', packetId: id, subscriptions };
  if (properties !== undefined) packet.properties = properties;
  return packet;
}

/** SUBACK and 5.0 UNSUBACK payloads: one reason code per byte, each checked against the packet's table. */
function reasonCodes(w: Walk, table: Uint8Array, packetType: 'suback' | 'unsuback', rule: string): number[] {
  const payload = w.open('Payload');
  const codes: number[] = [];
  while (w.pos < w.end && !w.broken) {
    const at = w.pos;
    const code = w.u8('Reason Code', codeNote(packetType, w.version))!;
    if (table[code] !== 1) {
      w.fault(
        protocolError(
          rule,
          packetType === 'suback' ? `SUBACK code 0x${code.toString(16)} is not allowed` : `UNSUBACK Reason Code 0x${code.toString(16)} is not allowed`,
          at,
        ),
      );
      w.last!.note = 'not allowed here';
    }
    codes.push(code);
  }
  w.close(payload);
  return codes;
}

function walkSuback(w: Walk): Packet | undefined {
  const v5 = w.version === 5;
  const header = w.open('Variable header');
  const id = packetId(w);
  const properties = v5 ? (walkProperties(w, Ctx.Suback) as AckProperties | undefined) : undefined;
  w.close(header);
  if (w.broken) return undefined;
  if (w.pos === w.end) w.fault(malformed(ruleAt('subackEmpty', w.version), 'SUBACK has no return codes (empty payload)', w.pos));
  const codes = reasonCodes(w, (v5 ? REASON_CODES_V5 : REASON_CODES_V3)['suback']!, 'suback', 'MQTT-3.9.3-2');
  if (id === undefined) return undefined;
  const packet: Packet = { type: 'suback', packetId: id, reasonCodes: codes };
  if (properties !== undefined) packet.properties = properties;
  return packet;
}

function walkUnsubscribe(w: Walk): Packet | undefined {
  const header = w.open('Variable header');
  const id = packetId(w);
  const properties = w.version === 5 ? walkProperties(w, Ctx.Unsubscribe) : undefined;
  w.close(header);
  if (w.broken) return undefined;
  if (w.pos === w.end) w.fault(protocolError('MQTT-3.10.3-2', 'UNSUBSCRIBE has no Topic Filter (empty payload)', w.pos));
  const payload = w.open('Payload');
  const topicFilters: string[] = [];
  let complete = true;
  while (w.pos < w.end && !w.broken) {
    const filter = topicFilter(w);
    if (filter === undefined) complete = false;
    else topicFilters.push(filter);
  }
  w.close(payload);
  if (id === undefined || !complete) return undefined;
  const packet: Packet = { type: 'unsubscribe', packetId: id, topicFilters };
  if (properties !== undefined) packet.properties = properties;
  return packet;
}

function walkUnsuback(w: Walk): Packet | undefined {
  const header = w.open('Variable header');
  if (w.version !== 5) {
    const sized = expectLength(w, 2, 'U311-3.11-1');
    const id = w.end - w.pos >= 2 ? packetId(w) : undefined;
    w.close(header);
    w.rest('Unexpected bytes', sized ? undefined : 'beyond the fixed size of the packet');
    return id === undefined ? undefined : { type: 'unsuback', packetId: id };
  }
  const id = packetId(w);
  const properties = walkProperties(w, Ctx.Unsuback) as AckProperties | undefined;
  w.close(header);
  if (w.broken) return undefined;
  if (w.pos === w.end) w.fault(malformed('U5-3.11-1', 'UNSUBACK has no Reason Codes (empty payload)', w.pos));
  const codes = reasonCodes(w, REASON_CODES_V5['unsuback']!, 'unsuback', 'MQTT-3.11.3-2');
  if (id === undefined) return undefined;
  const packet: Packet = { type: 'unsuback', packetId: id, reasonCodes: codes };
  if (properties !== undefined) packet.properties = properties;
  return packet;
}

function walkDisconnect(w: Walk): Packet | undefined {
  if (w.version !== 5) {
    if (!expectLength(w, 0, 'U311-3.14-1')) w.rest('Unexpected bytes', 'DISCONNECT has no body before MQTT 5.0');
    return { type: 'disconnect' };
  }
  if (w.pos === w.end) return { type: 'disconnect', reasonCode: 0 };
  const header = w.open('Variable header');
  const at = w.pos;
  const reasonCode = w.u8('Reason Code', codeNote('disconnect', 5))!;
  if (REASON_CODES_V5['disconnect']![reasonCode] !== 1) {
    w.fault(protocolError('MQTT-3.14.2-1', `DISCONNECT Reason Code 0x${reasonCode.toString(16)} is not a Disconnect Reason Code`, at));
  }
  let properties: DisconnectProperties | undefined;
  if (w.pos < w.end) {
    properties = walkProperties(w, Ctx.Disconnect) as DisconnectProperties | undefined;
    w.close(header);
    w.expectEnd();
  } else {
    w.close(header);
  }
  const packet: DisconnectPacket = { type: 'disconnect', reasonCode };
  if (properties !== undefined) packet.properties = properties;
  return packet;
}

function walkAuth(w: Walk): Packet | undefined {
  if (w.pos === w.end) return { type: 'auth', reasonCode: 0 };
  const header = w.open('Variable header');
  const at = w.pos;
  const reasonCode = w.u8('Reason Code', codeNote('auth', 5))!;
  if (REASON_CODES_V5['auth']![reasonCode] !== 1) {
    w.fault(protocolError('MQTT-3.15.2-1', `AUTH Reason Code 0x${reasonCode.toString(16)} is not 0x00, 0x18 or 0x19`, at));
  }
  if (w.pos === w.end) {
    if (!w.cutShort) w.fault(malformed('U5-3.15.2-1', 'AUTH with a Reason Code must also have a Property Length', w.pos));
    w.close(header);
    return undefined;
  }
  const propsAt = w.pos;
  const properties = walkProperties(w, Ctx.Auth) as AuthProperties | undefined;
  w.close(header);
  w.expectEnd();
  if (w.broken) return undefined;
  if (properties?.authenticationMethod === undefined) {
    w.fault(protocolError('U5-3.15.2.2-1', 'AUTH has no Authentication Method', propsAt));
    return undefined;
  }
  return { type: 'auth', reasonCode, properties };
}
