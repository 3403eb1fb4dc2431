// Checks shared by the packet modules: packet identifiers, topic names and filters (read and encode side),
// and the encoder's type checks on the objects it is given.

import { invalidPacket, malformed, protocolError } from '../errors.js';
import { describe, hasProperties, stringSize } from '../properties.js';
import { filterFaultKind, topicFilterFault, topicNameFault } from '../topic.js';
import type { ProtocolVersion } from '../types.js';
import type { Reader } from '../wire/reader.js';

/** Rule for a zero or missing Packet Identifier. */
export function packetIdRule(version: ProtocolVersion): string {
  return version === 5 ? 'MQTT-2.2.1-3' : 'MQTT-2.3.1-1';
}

/** Reads a Packet Identifier; 0 is never a valid one (MQTT-2.3.1-1 / MQTT-2.2.1-3). */
export function readPacketId(r: Reader): number {
  const at = r.pos;
  const id = r.u16('Packet Identifier');
  if (id === 0) throw protocolError(packetIdRule(r.version), `${r.packet} Packet Identifier is 0`, at);
  return id;
}

/** Encoder check: a Packet Identifier is an integer 1..65535. */
export function checkPacketId(id: unknown, packet: string, version: ProtocolVersion): void {
  if (typeof id !== 'number' || !Number.isInteger(id) || id < 1 || id > 0xffff) {
    throw invalidPacket(`${packet} packetId must be an integer from 1 to 65535, got ${describe(id)}`, packetIdRule(version), 0x82);
  }
}

/** Rules for a Topic Name with a wildcard, by field. */
function wildcardRule(version: ProtocolVersion, will: boolean): string {
  if (will) return version === 5 ? 'MQTT-4.7.0-1' : 'MQTT-4.7.1-1';
  return 'MQTT-3.3.2-2';
}

/**
 * Fault in a Topic Name as [rule, message, reasonCode], or undefined. `allowEmpty` is for a 5.0 PUBLISH that
 * carries a Topic Alias (U5-3.3.2.1-1).
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
    const rule = version === 5 ? (will ? 'MQTT-4.7.3-1' : 'U5-3.3.2.1-1') : will ? 'MQTT-4.7.3-1' : 'U311-3.3.2-1';
    return [rule, `${what} is empty`, 0x82];
  }
  const fault = topicNameFault(topic);
  if (fault === undefined) return undefined;
  // 0x90 Topic Name invalid is the specific 5.0 code for a bad Topic Name
  return [wildcardRule(version, will), `${what} '${topic}' ${fault}`, version === 5 ? 0x90 : 0x82];
}

/** Fault in a Topic Filter as [rule, message], or undefined. */
export function topicFilterProblem(filter: string, what: string, version: ProtocolVersion): [rule: string, message: string] | undefined {
  const fault = topicFilterFault(filter, version === 5);
  if (fault === undefined) return undefined;
  let rule: string;
  switch (filterFaultKind) {
    case 'empty':
      rule = 'MQTT-4.7.3-1';
      break;
    case 'hash':
      rule = version === 5 ? 'MQTT-4.7.1-1' : 'MQTT-4.7.1-2';
      break;
    case 'plus':
      rule = version === 5 ? 'MQTT-4.7.1-2' : 'MQTT-4.7.1-3';
      break;
    case 'share-empty':
      rule = 'MQTT-4.8.2-1';
      break;
    case 'share':
      rule = 'MQTT-4.8.2-2';
      break;
  }
  return [rule, `${what} '${filter}' ${fault}`];
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
  if (problem !== undefined) throw invalidPacket(problem[1], problem[0], 0x8f);
  return size;
}

/** Encode-side size of a Topic Name field. */
export function topicNameSize(topic: unknown, what: string, version: ProtocolVersion, will: boolean, allowEmpty: boolean): number {
  const size = stringSize(topic, what, version);
  const problem = topicNameProblem(topic as string, what, version, will, allowEmpty);
  if (problem !== undefined) throw invalidPacket(problem[1], problem[0], problem[2]);
  return size;
}

export function checkBoolean(v: unknown, what: string): void {
  if (typeof v !== 'boolean') throw invalidPacket(`${what} must be a boolean, got ${describe(v)}`);
}

export function checkQos(v: unknown, what: string): void {
  if (v !== 0 && v !== 1 && v !== 2) throw invalidPacket(`${what} must be 0, 1 or 2, got ${describe(v)}`);
}

export function checkInt(v: unknown, max: number, what: string): void {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > max) {
    throw invalidPacket(`${what} must be an integer from 0 to ${max}, got ${describe(v)}`);
  }
}

/**
 * Level 3 and 4 cannot carry 5.0 properties: refuse rather than drop them. `rule` is the 3.1.1 layout rule the
 * extra bytes would break, where the packet has a fixed layout (e.g. U311-3.4-1: Remaining Length exactly 2).
 */
export function refuseV5Properties(props: unknown, what: string, version: ProtocolVersion, rule?: string): void {
  if (version !== 5 && props !== undefined && hasProperties(props as object)) {
    throw invalidPacket(`${what} properties exist only in MQTT 5.0 (encoding for protocol level ${version})`, rule, 0x81);
  }
}

/** Level 3 and 4 cannot carry a reason code where 5.0 added one; `rule` as for `refuseV5Properties`. */
export function refuseV5Field(value: unknown, what: string, version: ProtocolVersion, rule?: string): void {
  if (version !== 5 && value !== undefined) {
    throw invalidPacket(`${what} exists only in MQTT 5.0 (encoding for protocol level ${version})`, rule, 0x81);
  }
}

/** Fixed-size 3.x packets: Remaining Length must be exactly `n`. */
export function expectLength(r: Reader, n: number, rule: string): void {
  if (r.end - r.pos !== n) {
    throw malformed(rule, `${r.packet} must have Remaining Length ${n}, got ${r.end - r.pos}`, r.pos);
  }
}
