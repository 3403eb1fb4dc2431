// PUBLISH (section 3.3): read, size, write. The hot path: straight-line reads, one object literal per shape.

import { invalidPacket, malformed, protocolError } from '../errors.js';
import { Ctx, describe, propertiesSize, readProperties, writeProperties } from '../properties.js';
import type { ProtocolVersion, PublishPacket, PublishProperties } from '../types.js';
import type { Reader } from '../wire/reader.js';
import { varintSize, type Writer } from '../wire/writer.js';
import { checkBoolean, checkPacketId, readPacketId, refuseV5Properties, topicNameProblem, topicNameSize } from './common.js';

export function readPublish(r: Reader, flags: number): PublishPacket {
  const qos = (flags >> 1) & 3;
  const dup = (flags & 8) !== 0;
  const retain = (flags & 1) !== 0;
  if (qos === 3) throw malformed('MQTT-3.3.1-4', 'PUBLISH QoS bits are 3', 0);
  if (dup && qos === 0) throw malformed('MQTT-3.3.1-2', 'PUBLISH has DUP 1 with QoS 0', 0);
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

export function publishFlags(p: PublishPacket): number {
  return (p.dup ? 8 : 0) | (p.qos << 1) | (p.retain ? 1 : 0);
}

/**
 * Property Length found by the last `publishSize`. The codec always writes a frame right after sizing it (nothing
 * runs in between), so `writePublish` takes it from here instead of sizing and validating the properties twice.
 */
let sizedProperties = 0;

/**
 * True when the last `publishSize` found the Topic Name plain ASCII (its UTF-8 length equals its length), so
 * `writePublish` copies the character codes without `encodeUtf8Hand`'s per-character branch. The two topic loops
 * were over half of a small 3.1.1 PUBLISH encode (line profile, bench w2); this made w2 encode and encodeInto
 * 16% faster in one A/B batch (medians of 6 interleaved processes each), +5-8% encode and -4 to +10% encodeInto
 * in two later runs of paired samples of both builds in one process (the machine is noisy).
 */
let sizedAsciiTopic = false;

/**
 * UTF-8 length of a Topic Name that plainly passes `topicNameSize` (not empty, no U+0000, no lone surrogate, no
 * wildcard, at most 65,535 bytes), else 0 to let `topicNameSize` find and name the fault. One pass over the
 * string instead of a length pass and two wildcard scans (a quarter of encoding a small 3.1.1 PUBLISH, bench w2).
 */
function plainTopicLength(s: string): number {
  const n = s.length;
  let len = n;
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) {
      // U+0000, '#', '+'
      if (c === 0 || c === 0x23 || c === 0x2b) return 0;
    } else if (c < 0x800) {
      len += 1;
    } else if (c >= 0xd800 && c <= 0xdfff) {
      if (c > 0xdbff || i + 1 >= n) return 0;
      const d = s.charCodeAt(i + 1);
      if (d < 0xdc00 || d > 0xdfff) return 0;
      len += 2;
      i++;
    } else {
      len += 2;
    }
  }
  return len <= 0xffff ? len : 0;
}

export function publishSize(p: PublishPacket, version: ProtocolVersion): number {
  const qos = p.qos;
  if (qos !== 0 && qos !== 1 && qos !== 2) throw invalidPacket(`PUBLISH qos must be 0, 1 or 2, got ${describe(qos)}`, 'MQTT-3.3.1-4', 0x81);
  checkBoolean(p.retain, 'PUBLISH retain');
  checkBoolean(p.dup, 'PUBLISH dup');
  if (p.dup && qos === 0) throw invalidPacket('PUBLISH with qos 0 must have dup false', 'MQTT-3.3.1-2', 0x81);
  const payload = p.payload;
  if (!(payload instanceof Uint8Array)) throw invalidPacket(`PUBLISH payload must be a Uint8Array, got ${describe(payload)}`);
  const v5 = version === 5;
  const topic = p.topic;
  const plain = typeof topic === 'string' ? plainTopicLength(topic) : 0;
  sizedAsciiTopic = plain > 0 && plain === (topic as string).length;
  let size = plain > 0 ? 2 + plain : topicNameSize(topic, 'PUBLISH topic', version, false, v5 && p.properties?.topicAlias !== undefined);
  if (qos > 0) {
    checkPacketId(p.packetId, 'PUBLISH', version);
    size += 2;
  } else if (p.packetId !== undefined) {
    throw invalidPacket('PUBLISH with qos 0 has no packetId', version === 5 ? 'MQTT-2.2.1-2' : 'MQTT-2.3.1-5', 0x81);
  }
  if (v5) {
    const ps = propertiesSize(p.properties, Ctx.Publish);
    sizedProperties = ps;
    size += varintSize(ps) + ps;
  } else {
    refuseV5Properties(p.properties, 'PUBLISH', version);
  }
  return size + payload.length;
}

export function writePublish(p: PublishPacket, w: Writer, version: ProtocolVersion): void {
  if (sizedAsciiTopic) w.ascii(p.topic);
  else w.utf8(p.topic);
  if (p.qos > 0) w.u16(p.packetId!);
  if (version === 5) writeProperties(w, p.properties, sizedProperties);
  w.bytes(p.payload);
}
