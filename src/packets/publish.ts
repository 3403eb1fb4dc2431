// PUBLISH (section 3.3): read, size, write. The hot path: straight-line reads, one object literal per shape.

import { invalidPacket, malformed, protocolError } from '../errors.js';
import { Ctx, describe, planProperties, propertiesLength, readProperties, writeProperties, type PropertiesPlan } from '../properties.js';
import { ruleAt } from '../rules.js';
import type { ProtocolVersion, PublishPacket, PublishProperties } from '../types.js';
import { uint8Length } from '../wire/bytes.js';
import type { Reader } from '../wire/reader.js';
import { utf8Length } from '../wire/utf8.js';
import type { Writer } from '../wire/writer.js';
import { checkBoolean, checkPacketId, readPacketId, refuseV5Properties, topicNameProblem, topicNameSize, type PacketCodec, type Plan } from './common.js';

export interface PublishPlan extends Plan {
  topic: string;
  /** The topic is plain ASCII: its codes are copied without the per-character UTF-8 branch. */
  ascii: boolean;
  /** 0 for QoS 0. */
  packetId: number;
  props: PropertiesPlan | undefined;
  v5: boolean;
  payload: Uint8Array;
  payloadLength: number;
}

function read(r: Reader, flags: number): PublishPacket {
  const qos = (flags >> 1) & 3;
  const dup = (flags & 8) !== 0;
  const retain = (flags & 1) !== 0;
  if (qos === 3) throw malformed('MQTT-3.3.1-4', 'PUBLISH QoS bits are 3', r.start);
  if (dup && qos === 0) throw malformed('MQTT-3.3.1-2', 'PUBLISH has DUP 1 with QoS 0', r.start);
  const topicAt = r.pos;
  const topic = r.utf8('Topic Name');
  const packetId = qos > 0 ? readPacketId(r) : 0;
  let properties: PublishProperties | undefined;
  const v5 = r.version === 5;
  if (v5) properties = readProperties(r, Ctx.Publish) as PublishProperties | undefined;
  if (topic.length === 0 || topic.indexOf('#') !== -1 || topic.indexOf('+') !== -1) {
    const problem = topicNameProblem(topic, 'PUBLISH Topic Name', r.version, false, v5 && properties?.topicAlias !== undefined);
    if (problem !== undefined) throw protocolError(problem[0], problem[1], topicAt, problem[2]);
  }
  const payload = r.rest();
  let packet: PublishPacket;
  if (qos === 0) packet = { type: 'publish', topic, payload, qos, retain, dup };
  else packet = { type: 'publish', topic, payload, qos: qos as 1 | 2, retain, dup, packetId };
  if (properties !== undefined) packet.properties = properties;
  return packet;
}

function size(p: PublishPacket, version: ProtocolVersion): PublishPlan {
  const { topic, payload, qos, packetId, properties } = p;
  const retain = checkBoolean(p.retain, 'PUBLISH retain', false);
  const dup = checkBoolean(p.dup, 'PUBLISH dup', false);
  if (qos !== 0 && qos !== 1 && qos !== 2) throw invalidPacket('MQTT-3.3.1-4', `PUBLISH qos must be 0, 1 or 2, got ${describe(qos)}`, 0x81);
  if (dup && qos === 0) throw invalidPacket('MQTT-3.3.1-2', 'PUBLISH with qos 0 must have dup false', 0x81);
  const payloadLength = uint8Length(payload);
  if (payloadLength < 0) throw invalidPacket(undefined, `PUBLISH payload must be a Uint8Array, got ${describe(payload)}`);
  const v5 = version === 5;
  let props: PropertiesPlan | undefined;
  if (v5) props = planProperties(properties, Ctx.Publish);
  else refuseV5Properties(properties, 'PUBLISH', version);
  // The common topic (short, no wildcard) is sized by one UTF-8 pass and two native scans; anything else goes
  // through topicNameSize, which names the fault.
  const len = typeof topic === 'string' ? utf8Length(topic) : -1;
  let length: number;
  if (len > 0 && len <= 0xffff && topic.indexOf('#') === -1 && topic.indexOf('+') === -1) length = 2 + len;
  else length = topicNameSize(topic, 'PUBLISH topic', version, false, v5 && hasTopicAlias(props));
  if (qos > 0) {
    checkPacketId(packetId, 'PUBLISH', version);
    length += 2;
  } else if (packetId !== undefined) {
    throw invalidPacket(ruleAt('packetIdOnQos0', version), 'PUBLISH with qos 0 has no packetId', 0x81);
  }
  if (v5) length += propertiesLength(props);
  return {
    first: 0x30 | (dup ? 8 : 0) | (qos << 1) | (retain ? 1 : 0),
    length: length + payloadLength,
    topic,
    ascii: len === topic.length,
    packetId: qos > 0 ? (packetId as number) : 0,
    props,
    v5,
    payload,
    payloadLength,
  };
}

function hasTopicAlias(props: PropertiesPlan | undefined): boolean {
  if (props === undefined) return false;
  for (let i = 0; i < props.items.length; i += 2) if ((props.items[i] as { id: number }).id === 0x23) return true;
  return false;
}

function write(s: PublishPlan, w: Writer): void {
  if (s.ascii) w.ascii(s.topic);
  else w.utf8(s.topic);
  if (s.packetId !== 0) w.u16(s.packetId);
  if (s.v5) writeProperties(w, s.props);
  w.bytes(s.payload, s.payloadLength);
}

/** Exported alone too, so a decode-only bundle leaves the encoder out. */
export { read as readPublish };

export const publish: PacketCodec<PublishPacket, PublishPlan> = { read, size, write };
