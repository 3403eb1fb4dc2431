// SUBSCRIBE (section 3.8): read, size, write.

import { invalidPacket, malformed, protocolError } from '../errors.js';
import { Ctx, describe, planProperties, propertiesLength, readProperties, writeProperties, type PropertiesPlan } from '../properties.js';
import { hexByte } from '../reason-codes.js';
import { ruleAt } from '../rules.js';
import { isSharedFilter } from '../topic.js';
import type { ProtocolVersion, SubscribePacket, SubscribeProperties, Subscription } from '../types.js';
import type { Reader } from '../wire/reader.js';
import type { Writer } from '../wire/writer.js';
import {
  checkBoolean,
  checkPacketId,
  checkQos,
  readPacketId,
  readTopicFilter,
  refuseV5Properties,
  topicFilterSize,
  type PacketCodec,
  type Plan,
} from './common.js';

export interface SubscribePlan extends Plan {
  packetId: number;
  v5: boolean;
  props: PropertiesPlan | undefined;
  /** Topic Filter, Subscription Options byte, Topic Filter, … */
  entries: (string | number)[];
}

function read(r: Reader): SubscribePacket {
  const v5 = r.version === 5;
  const packetId = readPacketId(r);
  const properties = v5 ? (readProperties(r, Ctx.Subscribe) as SubscribeProperties | undefined) : undefined;
  if (r.pos === r.end) throw protocolError(ruleAt('subscribeEmpty', r.version), 'SUBSCRIBE has no Topic Filter (empty payload)', r.pos);
  const subscriptions: Subscription[] = [];
  while (r.pos < r.end) {
    const topicFilter = readTopicFilter(r);
    const optAt = r.pos;
    const options = r.u8('Subscription Options');
    const qos = options & 3;
    if (!v5) {
      if (options > 2) {
        throw malformed('MQTT-3.8.3-4', `SUBSCRIBE Requested QoS byte ${hexByte(options)} for '${topicFilter}' is not 0, 1 or 2`, optAt);
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

function size(p: SubscribePacket, version: ProtocolVersion): SubscribePlan {
  const { subscriptions, properties } = p;
  const packetId = checkPacketId(p.packetId, 'SUBSCRIBE', version);
  const v5 = version === 5;
  let length = 2;
  let props: PropertiesPlan | undefined;
  if (v5) {
    props = planProperties(properties, Ctx.Subscribe);
    length += propertiesLength(props);
  } else {
    refuseV5Properties(properties, 'SUBSCRIBE', version);
  }
  if (!Array.isArray(subscriptions)) throw invalidPacket(undefined, `SUBSCRIBE subscriptions must be an array, got ${describe(subscriptions)}`);
  const n = subscriptions.length;
  if (n === 0) throw invalidPacket(ruleAt('subscribeEmpty', version), 'SUBSCRIBE needs at least one subscription', 0x82);
  const entries: (string | number)[] = [];
  for (let i = 0; i < n; i++) {
    const s: unknown = subscriptions[i];
    if (typeof s !== 'object' || s === null) throw invalidPacket(undefined, `SUBSCRIBE subscriptions[${i}] must be an object, got ${describe(s)}`);
    const { topicFilter, qos, noLocal, retainAsPublished, retainHandling } = s as Subscription;
    length += topicFilterSize(topicFilter, 'SUBSCRIBE', version) + 1;
    const what = `SUBSCRIBE subscriptions[${i}] ('${topicFilter}')`;
    if (qos === (3 as number)) {
      throw v5 ? invalidPacket('U5-3.8.3.1-1', `${what} qos is 3`, 0x82) : invalidPacket('MQTT-3.8.3-4', `${what} qos is 3`, 0x81);
    }
    let options: number = checkQos(qos, `${what} qos`);
    const nl = checkBoolean(noLocal, `${what} noLocal`, false);
    const rap = checkBoolean(retainAsPublished, `${what} retainAsPublished`, false);
    if (retainHandling !== undefined && retainHandling !== 0 && retainHandling !== 1 && retainHandling !== 2) {
      throw invalidPacket(ruleAt('retainHandling', version), `${what} retainHandling must be 0, 1 or 2, got ${describe(retainHandling)}`, v5 ? 0x82 : 0x81);
    }
    const rh = retainHandling ?? 0;
    if (v5) {
      if (nl && isSharedFilter(topicFilter)) {
        throw invalidPacket('MQTT-3.8.3-4', `${what} noLocal may not be set on a Shared Subscription`, 0x82);
      }
      options |= (nl ? 4 : 0) | (rap ? 8 : 0) | (rh << 4);
    } else if (nl || rap || rh !== 0) {
      // they would set bits of the Requested QoS byte that 3.1.1 reserves (MQTT-3.8.3-4)
      throw invalidPacket(
        'MQTT-3.8.3-4',
        `${what} noLocal, retainAsPublished and retainHandling exist only in MQTT 5.0 (encoding for protocol level ${version})`,
        0x81,
      );
    }
    entries.push(topicFilter, options);
  }
  return { first: 0x82, length, packetId, v5, props, entries };
}

function write(s: SubscribePlan, w: Writer): void {
  w.u16(s.packetId);
  if (s.v5) writeProperties(w, s.props);
  const e = s.entries;
  for (let i = 0; i < e.length; i += 2) {
    w.utf8(e[i] as string);
    w.u8(e[i + 1] as number);
  }
}

/** Exported alone too, so a decode-only bundle leaves the encoder out. */
export { read as readSubscribe };

export const subscribe: PacketCodec<SubscribePacket, SubscribePlan> = { read, size, write };
