// CONNECT (section 3.1): read, size, write. The packet carries its own protocol level.

import { invalidPacket, malformed, protocolError, unsupportedVersion } from '../errors.js';
import { Ctx, binarySize, describe, planHas, planProperties, propertiesLength, readProperties, stringSize, writeProperties, type PropertiesPlan } from '../properties.js';
import { ruleAt } from '../rules.js';
import type { ConnectPacket, ConnectProperties, ProtocolVersion, Will, WillProperties } from '../types.js';
import { binaryLength } from '../wire/bytes.js';
import type { Reader } from '../wire/reader.js';
import type { Writer } from '../wire/writer.js';
import { checkBoolean, checkInt, checkQos, refuseV5Properties, topicNameProblem, topicNameSize, type PacketCodec, type Plan } from './common.js';

/** The Protocol Name each level must carry (MQTT-3.1.2-1). */
export const PROTOCOL_NAME: Readonly<Record<ProtocolVersion, string>> = { 3: 'MQIsdp', 4: 'MQTT', 5: 'MQTT' };

// Connect Flags bits
const USERNAME = 0x80;
const PASSWORD = 0x40;
const WILL_RETAIN = 0x20;
const WILL_QOS = 0x18;
const WILL = 0x04;
const CLEAN = 0x02;
const RESERVED = 0x01;

interface WillPlan {
  props: PropertiesPlan | undefined;
  topic: string;
  payload: Uint8Array;
  payloadLength: number;
}

export interface ConnectPlan extends Plan {
  version: ProtocolVersion;
  flags: number;
  keepAlive: number;
  props: PropertiesPlan | undefined;
  clientId: string;
  will: WillPlan | undefined;
  username: string | undefined;
  password: Uint8Array | undefined;
  passwordLength: number;
}

function read(r: Reader): ConnectPacket {
  const nameAt = r.pos;
  const protocolName = r.utf8('Protocol Name');
  const levelAt = r.pos;
  // errors about this CONNECT report the level it claims, whenever that byte is there
  if (levelAt < r.end) r.claimedLevel = r.buf[levelAt]!;
  // MQTT-3.1.2-1: a name that is not MQTT's is not MQTT at all, so it is reported before the level (a server
  // must not answer it with CONNACK 0x01, which the level check below calls for)
  if (protocolName !== 'MQTT' && protocolName !== 'MQIsdp') {
    throw unsupportedVersion('MQTT-3.1.2-1', `CONNECT Protocol Name '${protocolName}' is not 'MQTT' (or 'MQIsdp' for MQTT 3.1)`, nameAt);
  }
  const level = r.u8('Protocol Level');
  if (level !== 3 && level !== 4 && level !== 5) {
    throw unsupportedVersion('MQTT-3.1.2-2', `CONNECT Protocol Level ${level} is not 3 (MQTT 3.1), 4 (3.1.1) or 5 (5.0)`, levelAt);
  }
  if (protocolName !== PROTOCOL_NAME[level]) {
    // MQTT's name with another MQTT level's number: the level is what this name cannot take (CONNACK 0x01)
    throw unsupportedVersion(
      'MQTT-3.1.2-2',
      `CONNECT Protocol Name '${protocolName}' does not match level ${level} (expected '${PROTOCOL_NAME[level]}')`,
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
  if (!willFlag && willQos !== 0) throw malformed(ruleAt('willQosWithoutWill', version), `CONNECT Will QoS is ${willQos} but the Will Flag is 0`, flagsAt);
  if (willQos === 3) throw malformed(ruleAt('willQos3', version), 'CONNECT Will QoS is 3', flagsAt);
  if (!willFlag && willRetain) throw malformed(ruleAt('willRetainWithoutWill', version), 'CONNECT Will Retain is 1 but the Will Flag is 0', flagsAt);
  const hasUsername = (flags & USERNAME) !== 0;
  const hasPassword = (flags & PASSWORD) !== 0;
  if (!v5 && hasPassword && !hasUsername) {
    throw malformed('MQTT-3.1.2-22', 'CONNECT Password Flag is 1 but the User Name Flag is 0', flagsAt);
  }
  const clean = (flags & CLEAN) !== 0;
  const keepAlive = r.u16('Keep Alive');
  const propsAt = r.pos;
  const properties = v5 ? (readProperties(r, Ctx.Connect) as ConnectProperties | undefined) : undefined;
  if (properties?.authenticationData !== undefined && properties.authenticationMethod === undefined) {
    throw protocolError('U5-3.1.2.11-5', 'CONNECT has Authentication Data without Authentication Method', propsAt);
  }
  const clientIdAt = r.pos;
  const clientId = r.utf8('Client Identifier');
  if (!v5 && clientId.length === 0 && (!clean || version === 3)) {
    // 3.x answers with CONNACK 0x02 Identifier rejected; 5.0's nearest code is 0x85 Client Identifier not valid.
    // MQTT 3.1 (level 3) takes Client Identifiers of 1 to 23 characters only, whatever Clean Session says.
    const why = version === 3 ? 'MQTT 3.1 requires a Client Identifier of at least 1 character' : 'CONNECT has a zero-length Client Identifier with Clean Session 0';
    throw protocolError('MQTT-3.1.3-8', why, clientIdAt, 0x85);
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

function size(p: ConnectPacket, version: ProtocolVersion): ConnectPlan {
  // protocolVersion was read (once) by the codec, which chose `version` by it
  const { protocolName, clientId, username, password, will, properties } = p;
  const name = PROTOCOL_NAME[version];
  if (protocolName !== undefined && protocolName !== name) {
    const known = protocolName === 'MQTT' || protocolName === 'MQIsdp';
    throw invalidPacket(
      known ? 'MQTT-3.1.2-2' : 'MQTT-3.1.2-1',
      `CONNECT protocolName ${describe(protocolName)} does not match protocol level ${version} ('${name}')`,
      0x84,
    );
  }
  const clean = checkBoolean(p.clean, 'CONNECT clean');
  const keepAlive = checkInt(p.keepAlive, 0xffff, 'CONNECT keepAlive');
  const v5 = version === 5;
  let length = 2 + name.length + 1 + 1 + 2;
  let props: PropertiesPlan | undefined;
  if (v5) {
    props = planProperties(properties, Ctx.Connect);
    if (planHas(props, 0x16) && !planHas(props, 0x15)) {
      throw invalidPacket('U5-3.1.2.11-5', 'CONNECT has authenticationData without authenticationMethod', 0x82);
    }
    length += propertiesLength(props);
  } else {
    refuseV5Properties(properties, 'CONNECT', version);
  }
  length += stringSize(clientId, 'CONNECT clientId', version);
  if (!v5 && (clientId as string).length === 0 && (!clean || version === 3)) {
    throw invalidPacket(
      'MQTT-3.1.3-7',
      version === 3 ? 'CONNECT clientId may not be empty in MQTT 3.1 (1 to 23 characters)' : 'CONNECT with an empty clientId must set clean (Clean Session 1)',
      0x85,
    );
  }
  let flags = clean ? CLEAN : 0;
  let willPlan: WillPlan | undefined;
  if (will !== undefined) {
    if (typeof will !== 'object' || will === null) throw invalidPacket(undefined, `CONNECT will must be an object, got ${describe(will)}`);
    const { topic, payload, qos, properties: willProperties } = will;
    if (qos === (3 as number)) throw invalidPacket(ruleAt('willQos3', version), 'CONNECT will.qos is 3', 0x81);
    checkQos(qos, 'CONNECT will.qos');
    const retain = checkBoolean(will.retain, 'CONNECT will.retain', false);
    let willProps: PropertiesPlan | undefined;
    if (v5) {
      willProps = planProperties(willProperties, Ctx.Will);
      length += propertiesLength(willProps);
    } else {
      refuseV5Properties(willProperties, 'CONNECT will', version);
    }
    length += topicNameSize(topic, 'CONNECT will.topic', version, true, false);
    length += binarySize(payload, 'CONNECT will.payload', version);
    flags |= WILL | (qos << 3) | (retain ? WILL_RETAIN : 0);
    willPlan = { props: willProps, topic, payload, payloadLength: binaryLength(payload) };
  }
  if (username !== undefined) {
    length += stringSize(username, 'CONNECT username', version);
    flags |= USERNAME;
  }
  let passwordLength = 0;
  if (password !== undefined) {
    if (!v5 && username === undefined) {
      throw invalidPacket('MQTT-3.1.2-22', 'CONNECT password without username is not allowed before MQTT 5.0', 0x81);
    }
    length += binarySize(password, 'CONNECT password', version);
    passwordLength = binaryLength(password);
    flags |= PASSWORD;
  }
  return { first: 0x10, length, version, flags, keepAlive, props, clientId, will: willPlan, username, password, passwordLength };
}

function write(s: ConnectPlan, w: Writer): void {
  w.utf8(PROTOCOL_NAME[s.version]);
  w.u8(s.version);
  w.u8(s.flags);
  w.u16(s.keepAlive);
  const v5 = s.version === 5;
  if (v5) writeProperties(w, s.props);
  w.utf8(s.clientId);
  const will = s.will;
  if (will !== undefined) {
    if (v5) writeProperties(w, will.props);
    w.utf8(will.topic);
    w.u16(will.payloadLength);
    w.bytes(will.payload, will.payloadLength);
  }
  if (s.username !== undefined) w.utf8(s.username);
  if (s.password !== undefined) {
    w.u16(s.passwordLength);
    w.bytes(s.password, s.passwordLength);
  }
}

/** Exported alone too, so a decode-only bundle leaves the encoder out. */
export { read as readConnect };

export const connect: PacketCodec<ConnectPacket, ConnectPlan> = { read, size, write };
