// UNSUBSCRIBE (section 3.10): read, size, write.

import { invalidPacket, protocolError } from '../errors.js';
import { Ctx, describe, planProperties, propertiesLength, readProperties, writeProperties, type PropertiesPlan } from '../properties.js';
import type { ProtocolVersion, UnsubscribePacket, UnsubscribeProperties } from '../types.js';
import type { Reader } from '../wire/reader.js';
import type { Writer } from '../wire/writer.js';
import { checkPacketId, readPacketId, readTopicFilter, refuseV5Properties, topicFilterSize, type PacketCodec, type Plan } from './common.js';

export interface UnsubscribePlan extends Plan {
  packetId: number;
  v5: boolean;
  props: PropertiesPlan | undefined;
  filters: string[];
}

function read(r: Reader): UnsubscribePacket {
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

function size(p: UnsubscribePacket, version: ProtocolVersion): UnsubscribePlan {
  const { topicFilters, properties } = p;
  const packetId = checkPacketId(p.packetId, 'UNSUBSCRIBE', version);
  const v5 = version === 5;
  let length = 2;
  let props: PropertiesPlan | undefined;
  if (v5) {
    props = planProperties(properties, Ctx.Unsubscribe);
    length += propertiesLength(props);
  } else {
    refuseV5Properties(properties, 'UNSUBSCRIBE', version);
  }
  if (!Array.isArray(topicFilters)) throw invalidPacket(undefined, `UNSUBSCRIBE topicFilters must be an array, got ${describe(topicFilters)}`);
  const n = topicFilters.length;
  if (n === 0) throw invalidPacket('MQTT-3.10.3-2', 'UNSUBSCRIBE needs at least one topic filter', 0x82);
  const filters: string[] = [];
  for (let i = 0; i < n; i++) {
    const f: unknown = topicFilters[i];
    length += topicFilterSize(f, 'UNSUBSCRIBE', version);
    filters.push(f as string);
  }
  return { first: 0xa2, length, packetId, v5, props, filters };
}

function write(s: UnsubscribePlan, w: Writer): void {
  w.u16(s.packetId);
  if (s.v5) writeProperties(w, s.props);
  for (const f of s.filters) w.utf8(f);
}

/** Exported alone too, so a decode-only bundle leaves the encoder out. */
export { read as readUnsubscribe };

export const unsubscribe: PacketCodec<UnsubscribePacket, UnsubscribePlan> = { read, size, write };
