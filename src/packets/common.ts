// What every packet module shares: the record shape ({ read, size, write }), packet identifiers, topic names and
// filters (read and encode side), and the encoder's checks on the objects it is given.
//
// Encoding is two steps with nothing in between: `size` reads each field of the caller's object exactly once,
// checks it and returns a plan (the values and the Remaining Length); `write` writes the plan and never looks at
// the caller's object again. So getters, Proxies or a re-entrant call cannot make the bytes differ from the size.

import { invalidPacket, protocolError } from '../errors.js';
import { describe, hasProperties, stringSize } from '../properties.js';
import { ruleAt } from '../rules.js';
import { topicFilterFault, topicNameFault } from '../topic.js';
import type { Packet, ProtocolVersion } from '../types.js';
import type { Reader } from '../wire/reader.js';
import type { Writer } from '../wire/writer.js';

/** What `size` found: the frame's first byte and Remaining Length; each packet adds the values it will write. */
export interface Plan {
  /** Packet type and flags: the first byte of the frame. */
  first: number;
  /** Remaining Length. */
  length: number;
}

/** One packet type's three verbs. `read` decodes a body; `size` checks an object and plans it; `write` writes the plan's body. */
export interface PacketCodec<P extends Packet = Packet, S extends Plan = Plan> {
  read(r: Reader, flags: number): P;
  size(p: P, version: ProtocolVersion): S;
  write(plan: S, w: Writer): void;
}

/** Reads a Packet Identifier; 0 is never a valid one (MQTT-2.3.1-1 / MQTT-2.2.1-3). */
export function readPacketId(r: Reader): number {
  const at = r.pos;
  const id = r.u16('Packet Identifier');
  if (id === 0) throw protocolError(ruleAt('packetIdZero', r.version), `${r.packet} Packet Identifier is 0`, at);
  return id;
}

/** Encoder check: a Packet Identifier is an integer 1..65535. */
export function checkPacketId(id: unknown, packet: string, version: ProtocolVersion): number {
  if (typeof id !== 'number' || !Number.isInteger(id) || id < 1 || id > 0xffff) {
    throw invalidPacket(ruleAt('packetIdZero', version), `${packet} packetId must be an integer from 1 to 65535, got ${describe(id)}`, 0x82);
  }
  return id;
}

/**
 * Fault in a Topic Name as [rule, message, reasonCode], or undefined. `will` selects the Will Topic rules;
 * `allowEmpty` is for a 5.0 PUBLISH that carries a Topic Alias (U5-3.3.2.1-1).
 */
export function topicNameProblem(
  topic: string,
  what: string,
  version: ProtocolVersion,
  will: boolean,
  allowEmpty: boolean,
): [rule: string, message: string, reasonCode: number] | undefined {
  if (topic.length === 0) {
    if (allowEmpty) return undefined;
    return [will ? 'MQTT-4.7.3-1' : ruleAt('topicNameEmpty', version), `${what} is empty`, 0x82];
  }
  const fault = topicNameFault(topic);
  if (fault === undefined) return undefined;
  // 0x90 Topic Name invalid is the specific 5.0 code for a bad Topic Name
  return [will ? ruleAt('willTopicWildcard', version) : 'MQTT-3.3.2-2', `${what} '${topic}' ${fault}`, version === 5 ? 0x90 : 0x82];
}

/** Fault in a Topic Filter as [rule, message], or undefined. */
export function topicFilterProblem(filter: string, what: string, version: ProtocolVersion): [rule: string, message: string] | undefined {
  const fault = topicFilterFault(filter, version === 5);
  if (fault === undefined) return undefined;
  const rule =
    fault.kind === 'empty'
      ? 'MQTT-4.7.3-1'
      : fault.kind === 'hash'
        ? ruleAt('filterHash', version)
        : fault.kind === 'plus'
          ? ruleAt('filterPlus', version)
          : fault.kind === 'share-empty'
            ? 'MQTT-4.8.2-1'
            : 'MQTT-4.8.2-2';
  return [rule, `${what} '${filter}' ${fault.message}`];
}

/** Reads and checks a Topic Filter (decode side): protocol error, 5.0 reason code 0x8F Topic Filter invalid. */
export function readTopicFilter(r: Reader): string {
  const at = r.pos;
  const filter = r.utf8('Topic Filter');
  const problem = topicFilterProblem(filter, `${r.packet} Topic Filter`, r.version);
  if (problem !== undefined) throw protocolError(problem[0], problem[1], at, 0x8f);
  return filter;
}

/** Encode-side size of a Topic Filter field, refusing a filter the decoder would refuse. */
export function topicFilterSize(filter: unknown, packet: string, version: ProtocolVersion): number {
  const size = stringSize(filter, `${packet} Topic Filter`, version);
  const problem = topicFilterProblem(filter as string, `${packet} Topic Filter`, version);
  if (problem !== undefined) throw invalidPacket(problem[0], problem[1], 0x8f);
  return size;
}

/** Encode-side size of a Topic Name field. */
export function topicNameSize(topic: unknown, what: string, version: ProtocolVersion, will: boolean, allowEmpty: boolean): number {
  const size = stringSize(topic, what, version);
  const problem = topicNameProblem(topic as string, what, version, will, allowEmpty);
  if (problem !== undefined) throw invalidPacket(problem[0], problem[1], problem[2]);
  return size;
}

/** A boolean field; `undefined` reads as `absent` when the field may be left out (retain, dup). */
export function checkBoolean(v: unknown, what: string, absent?: boolean): boolean {
  if (typeof v === 'boolean') return v;
  if (v === undefined && absent !== undefined) return absent;
  throw invalidPacket(undefined, `${what} must be a boolean, got ${describe(v)}`);
}

export function checkQos(v: unknown, what: string): 0 | 1 | 2 {
  if (v !== 0 && v !== 1 && v !== 2) throw invalidPacket(undefined, `${what} must be 0, 1 or 2, got ${describe(v)}`);
  return v;
}

export function checkInt(v: unknown, max: number, what: string): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > max) {
    throw invalidPacket(undefined, `${what} must be an integer from 0 to ${max}, got ${describe(v)}`);
  }
  return v;
}

/**
 * Level 3 and 4 cannot carry 5.0 properties: refuse rather than drop them. `rule` is the 3.1.1 layout rule the
 * extra bytes would break, where the packet has a fixed layout (e.g. U311-3.4-1: Remaining Length exactly 2).
 */
export function refuseV5Properties(props: unknown, what: string, version: ProtocolVersion, rule?: string): void {
  if (hasProperties(props)) {
    throw invalidPacket(rule, `${what} properties exist only in MQTT 5.0 (encoding for protocol level ${version})`, 0x81);
  }
}

/** Level 3 and 4 cannot carry a reason code where 5.0 added one; `rule` as for `refuseV5Properties`. */
export function refuseV5Field(value: unknown, what: string, version: ProtocolVersion, rule?: string): void {
  if (value !== undefined) {
    throw invalidPacket(rule, `${what} exists only in MQTT 5.0 (encoding for protocol level ${version})`, 0x81);
  }
}
