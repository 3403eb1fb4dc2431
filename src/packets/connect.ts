// CONNECT (section 3.1): read, size, write. The packet carries its own protocol level.

import { invalidPacket, malformed, protocolError, unsupportedVersion } from '../errors.js';
import { Ctx, binarySize, describe, propertiesSize, readProperties, stringSize, writeProperties } from '../properties.js';
import type { ConnectPacket, ConnectProperties, ProtocolVersion, Will, WillProperties } from '../types.js';
import type { Reader } from '../wire/reader.js';
import { varintSize, type Writer } from '../wire/writer.js';
import { checkBoolean, checkInt, checkQos, refuseV5Properties, topicNameProblem, topicNameSize } from './common.js';

const PROTOCOL_NAME: Record<number, string> = { 3: 'MQIsdp', 4: 'MQTT', 5: 'MQTT' };

// Connect Flags bits
const USERNAME = 0x80;
const PASSWORD = 0x40;
const WILL_RETAIN = 0x20;
const WILL_QOS = 0x18;
const WILL = 0x04;
const CLEAN = 0x02;
const RESERVED = 0x01;

/** Reads the protocol level from a CONNECT body without decoding the rest (for version detection). */
export function readConnect(r: Reader): ConnectPacket {
  const nameAt = r.pos;
  const protocolName = r.utf8('Protocol Name');
  // MQTT-3.1.2-1: a name that is not MQTT's is not MQTT at all, so it is reported before the level (a server
  // must not answer it with CONNACK 0x01, which the level check below calls for)
  if (protocolName !== 'MQTT' && protocolName !== 'MQIsdp') {
    throw unsupportedVersion('MQTT-3.1.2-1', `CONNECT Protocol Name '${protocolName}' is not 'MQTT' (or 'MQIsdp' for MQTT 3.1)`, nameAt);
  }
  const levelAt = r.pos;
  const level = r.u8('Protocol Level');
  if (level !== 3 && level !== 4 && level !== 5) {
    throw unsupportedVersion('MQTT-3.1.2-2', `CONNECT Protocol Level ${level} is not 3 (MQTT 3.1), 4 (3.1.1) or 5 (5.0)`, levelAt);
  }
  if (protocolName !== PROTOCOL_NAME[level]) {
    throw unsupportedVersion(
      'MQTT-3.1.2-1',
      `CONNECT Protocol Name '${protocolName}' does not match level ${level} (expected '${PROTOCOL_NAME[level]!}')`,
      nameAt,
    );
  }
  const version: ProtocolVersion = level;
  r.version = version;
  const v5 = version === 5;
  const flagsAt = r.pos;
  const flags = r.u8('Connect Flags');
  if ((flags & RESERVED) !== 0) throw malformed('MQTT-3.1.2-3', 'CONNECT Connect Flags reserved bit 0 is set', flagsAt);
  const willFlag = (flags & WILL) !== 0;
  const willQos = (flags & WILL_QOS) >> 3;
  const willRetain = (flags & WILL_RETAIN) !== 0;
  if (!willFlag && willQos !== 0) {
    throw malformed(v5 ? 'MQTT-3.1.2-11' : 'MQTT-3.1.2-13', `CONNECT Will QoS is ${willQos} but the Will Flag is 0`, flagsAt);
  }
  if (willQos === 3) throw malformed(v5 ? 'MQTT-3.1.2-12' : 'MQTT-3.1.2-14', 'CONNECT Will QoS is 3', flagsAt);
  if (!willFlag && willRetain) {
    throw malformed(v5 ? 'MQTT-3.1.2-13' : 'MQTT-3.1.2-15', 'CONNECT Will Retain is 1 but the Will Flag is 0', flagsAt);
  }
  const hasUsername = (flags & USERNAME) !== 0;
  const hasPassword = (flags & PASSWORD) !== 0;
  if (!v5 && hasPassword && !hasUsername) {
    throw malformed('MQTT-3.1.2-22', 'CONNECT Password Flag is 1 but the User Name Flag is 0', flagsAt);
  }
  const clean = (flags & CLEAN) !== 0;
  const keepAlive = r.u16('Keep Alive');
  const propsAt = r.pos;
  const properties = v5 ? (readProperties(r, Ctx.Connect) as ConnectProperties | undefined) : undefined;
  if (properties !== undefined) checkAuthPair(properties, propsAt);

  const clientIdAt = r.pos;
  const clientId = r.utf8('Client Identifier');
  if (!v5 && clientId.length === 0 && !clean) {
    // 3.x answers with CONNACK 0x02 Identifier rejected; 5.0's nearest code is 0x85 Client Identifier not valid
    throw protocolError('MQTT-3.1.3-8', 'CONNECT has a zero-length Client Identifier with Clean Session 0', clientIdAt, 0x85);
  }
  const packet: ConnectPacket = { type: 'connect', protocolVersion: version, clientId, clean, keepAlive };
  if (willFlag) {
    const willProps = v5 ? (readProperties(r, Ctx.Will) as WillProperties | undefined) : undefined;
    const topicAt = r.pos;
    const topic = r.utf8('Will Topic');
    const problem = topicNameProblem(topic, 'CONNECT Will Topic', version, true, false);
    if (problem !== undefined) throw protocolError(problem[0], problem[1], topicAt, problem[2]);
    const payload = r.binary('Will Payload');
    const will: Will = { topic, payload, qos: willQos as 0 | 1 | 2, retain: willRetain };
    if (willProps !== undefined) will.properties = willProps;
    packet.will = will;
  }
  if (hasUsername) packet.username = r.utf8('User Name');
  if (hasPassword) packet.password = r.binary('Password');
  r.expectEnd();
  if (properties !== undefined) packet.properties = properties;
  return packet;
}

/** U5-3.1.2.11-5: Authentication Data without Authentication Method is a Protocol Error. */
function checkAuthPair(props: ConnectProperties, at: number): void {
  if (props.authenticationData !== undefined && props.authenticationMethod === undefined) {
    throw protocolError('U5-3.1.2.11-5', 'CONNECT has Authentication Data without Authentication Method', at);
  }
}

export function connectSize(p: ConnectPacket, version: ProtocolVersion): number {
  if (p.protocolVersion !== version) {
    throw invalidPacket(`CONNECT protocolVersion ${describe(p.protocolVersion)} differs from the encoding version ${version}`);
  }
  const name = PROTOCOL_NAME[version]!;
  if (p.protocolName !== undefined && p.protocolName !== name) {
    throw invalidPacket(`CONNECT protocolName '${String(p.protocolName)}' does not match protocol level ${version} ('${name}')`, 'MQTT-3.1.2-1', 0x84);
  }
  checkBoolean(p.clean, 'CONNECT clean');
  checkInt(p.keepAlive, 0xffff, 'CONNECT keepAlive');
  const v5 = version === 5;
  let size = 2 + name.length + 1 + 1 + 2;
  refuseV5Properties(p.properties, 'CONNECT', version);
  if (v5) {
    if (p.properties !== undefined) {
      if (p.properties.authenticationData !== undefined && p.properties.authenticationMethod === undefined) {
        throw invalidPacket('CONNECT has authenticationData without authenticationMethod', 'U5-3.1.2.11-5', 0x82);
      }
    }
    const ps = propertiesSize(p.properties, Ctx.Connect);
    size += varintSize(ps) + ps;
  }
  size += stringSize(p.clientId, 'CONNECT clientId', version);
  if (!v5 && p.clientId.length === 0 && !p.clean) {
    throw invalidPacket('CONNECT with an empty clientId must set clean (Clean Session 1)', 'MQTT-3.1.3-7', 0x85);
  }
  const will = p.will;
  if (will !== undefined) {
    if (typeof will !== 'object' || will === null) throw invalidPacket('CONNECT will must be an object');
    if (will.qos === (3 as number)) throw invalidPacket('CONNECT will.qos is 3', v5 ? 'MQTT-3.1.2-12' : 'MQTT-3.1.2-14', 0x81);
    checkQos(will.qos, 'CONNECT will.qos');
    checkBoolean(will.retain, 'CONNECT will.retain');
    refuseV5Properties(will.properties, 'CONNECT will', version);
    if (v5) {
      const ws = propertiesSize(will.properties, Ctx.Will);
      size += varintSize(ws) + ws;
    }
    size += topicNameSize(will.topic, 'CONNECT will.topic', version, true, false);
    size += binarySize(will.payload, 'CONNECT will.payload', version);
  }
  if (p.username !== undefined) size += stringSize(p.username, 'CONNECT username', version);
  if (p.password !== undefined) {
    if (!v5 && p.username === undefined) {
      throw invalidPacket('CONNECT password without username is not allowed before MQTT 5.0', 'MQTT-3.1.2-22', 0x81);
    }
    size += binarySize(p.password, 'CONNECT password', version);
  }
  return size;
}

export function writeConnect(p: ConnectPacket, w: Writer, version: ProtocolVersion): void {
  w.utf8(PROTOCOL_NAME[version]!);
  w.u8(version);
  const will = p.will;
  let flags = p.clean ? CLEAN : 0;
  if (will !== undefined) flags |= WILL | (will.qos << 3) | (will.retain ? WILL_RETAIN : 0);
  if (p.username !== undefined) flags |= USERNAME;
  if (p.password !== undefined) flags |= PASSWORD;
  w.u8(flags);
  w.u16(p.keepAlive);
  const v5 = version === 5;
  if (v5) writeProperties(w, p.properties, propertiesSize(p.properties, Ctx.Connect));
  w.utf8(p.clientId);
  if (will !== undefined) {
    if (v5) writeProperties(w, will.properties, propertiesSize(will.properties, Ctx.Will));
    w.utf8(will.topic);
    w.binary(will.payload);
  }
  if (p.username !== undefined) w.utf8(p.username);
  if (p.password !== undefined) w.binary(p.password);
}
