// dissect: a lenient pass over one frame that names every byte and reports every broken rule, for inspection
// tools. It never throws; on a valid frame its packet is decode's, on an invalid one its first violation is
// decode's error.

import { MqttError, malformed } from '../errors.js';
import { describe } from '../properties.js';
import { PACKET_TYPE_INFO } from '../packet-types.js';
import { ruleAt } from '../rules.js';
import { NEED_MORE, readRemainingLength } from '../wire/remaining-length.js';
import { walkBody } from './packets.js';
import type { DissectField, DissectOptions, DissectResult, DissectViolation } from './types.js';
import { Walk, asViolation, splitBits, type BitDef } from './walk.js';

export type { DissectField, DissectOptions, DissectResult, DissectViolation } from './types.js';

const typeNote = (t: number): string => PACKET_TYPE_INFO[t]?.name ?? 'reserved';
const PUBLISH_BITS: readonly BitDef[] = [['Packet type', 0xf0, typeNote], ['DUP', 0x08], ['QoS', 0x06], ['RETAIN', 0x01]];
const OTHER_BITS: readonly BitDef[] = [['Packet type', 0xf0, typeNote], ['Flags', 0x0f]];

/**
 * Dissects one frame: `fields` names every byte (fixed header bits, each Variable Byte Integer, each property's
 * identifier and value, each subscription option bit, the payload), `violations` lists every broken rule, going on
 * past each one that leaves the frame's layout readable. Never throws, whatever `bytes` hold.
 */
export function dissect(bytes: Uint8Array, options?: DissectOptions): DissectResult {
  const fields: DissectField[] = [];
  const violations: DissectViolation[] = [];
  if (!(bytes instanceof Uint8Array)) {
    violations.push(asViolation(malformed(undefined, `dissect expects a Uint8Array, got ${describe(bytes)}`, 0)));
    return { fields, violations, length: 0 };
  }
  const raw = (name: string, from: number, note?: string): void => {
    if (from >= bytes.length) return;
    const f: DissectField = { name, offset: from, length: bytes.length - from, value: bytes.subarray(from) };
    if (note !== undefined) f.note = note;
    fields.push(f);
  };
  const version = options?.version ?? 4;
  if (version !== 3 && version !== 4 && version !== 5) {
    violations.push(asViolation(new MqttError('unsupported-protocol-version', `dissect: version ${describe(version)} is not 3, 4 or 5`), 0));
    raw('Bytes', 0, 'not read: unknown protocol level');
    return { fields, violations, length: bytes.length };
  }
  const v5 = version === 5;
  const fillRule = ruleAt('frameFill', version);
  const end = bytes.length;
  if (end < 2) {
    violations.push(asViolation(malformed(fillRule, `frame of ${end} byte(s) is shorter than a fixed header`, end)));
    if (end === 1) fields.push(typeByte(bytes[0]!));
    return { fields, violations, length: end };
  }
  const first = bytes[0]!;
  const typeId = first >> 4;
  const flags = first & 0x0f;
  const header: DissectField = { name: 'Fixed header', offset: 0, length: 1, children: [typeByte(first)] };
  fields.push(header);

  // Remaining Length: a padded one is reported and its value used; a fifth byte or a cut-off one ends the frame
  let remainingLength: number;
  let lengthSize: number;
  try {
    remainingLength = readRemainingLength(bytes, 1, end, version);
    lengthSize = 1;
    while (lengthSize < 4 && (bytes[lengthSize]! & 0x80) !== 0) lengthSize++;
  } catch (e) {
    violations.push(asViolation(e));
    const padded = paddedLength(bytes, end);
    if (padded === undefined) {
      const rl: DissectField = { name: 'Remaining Length', offset: 1, length: 4, value: bytes.subarray(1, 5), note: 'longer than 4 bytes' };
      header.children!.push(rl);
      header.length = 5;
      raw('Unreadable bytes', 5, 'not read: the frame has no length');
      return { fields, violations, length: end };
    }
    [remainingLength, lengthSize] = padded;
  }
  if (remainingLength === NEED_MORE) {
    violations.push(asViolation(malformed(fillRule, 'frame ends inside the Remaining Length', end)));
    header.children!.push({ name: 'Remaining Length', offset: 1, length: end - 1, value: bytes.subarray(1), note: 'truncated' });
    header.length = end;
    return { fields, violations, length: end };
  }
  const rlField: DissectField = { name: 'Remaining Length', offset: 1, length: lengthSize, value: remainingLength };
  if (lengthSize > 1 && bytes[lengthSize] === 0) rlField.note = 'not in its shortest form';
  header.children!.push(rlField);
  const start = 1 + lengthSize;
  header.length = start;
  const frameEnd = start + remainingLength;
  if (frameEnd !== end) {
    violations.push(
      asViolation(
        malformed(
          fillRule,
          frameEnd > end
            ? `frame is truncated: Remaining Length ${remainingLength} but ${end - start} byte(s) follow the header`
            : `${end - start - remainingLength} byte(s) follow the end of the frame (Remaining Length ${remainingLength})`,
          Math.min(end, frameEnd),
        ),
      ),
    );
  }
  const bodyEnd = Math.min(end, frameEnd);
  const trailing = (): void => raw('Trailing bytes', frameEnd, 'after the end of the frame');

  const info = PACKET_TYPE_INFO[typeId];
  if (info === undefined || (info.since === 5 && !v5)) {
    violations.push(
      asViolation(
        malformed(
          ruleAt('reservedType', version),
          typeId === 0 ? 'packet type 0 is reserved' : `packet type 15 (AUTH) does not exist before MQTT 5.0 (protocol level ${version})`,
          0,
        ),
      ),
    );
    if (bodyEnd > start) fields.push({ name: 'Body', offset: start, length: bodyEnd - start, value: bytes.subarray(start, bodyEnd), note: 'not read: unknown packet type' });
    trailing();
    return { fields, violations, length: frameEnd };
  }
  const name = info.name;
  if (info.flags === -1) {
    const qos = (flags >> 1) & 3;
    if (qos === 3) violations.push(asViolation(malformed('MQTT-3.3.1-4', 'PUBLISH QoS bits are 3', 0)));
    if ((flags & 8) !== 0 && qos === 0) violations.push(asViolation(malformed('MQTT-3.3.1-2', 'PUBLISH has DUP 1 with QoS 0', 0)));
  } else if (flags !== info.flags) {
    violations.push(
      asViolation(
        malformed(
          info.flagsRule ?? ruleAt('fixedFlags', version),
          `${name} fixed-header flags are ${flags.toString(2).padStart(4, '0')}, must be ${info.flags.toString(2).padStart(4, '0')}`,
          0,
        ),
      ),
    );
  }
  const w = new Walk(bytes, start, bodyEnd, version, name, fields, violations, frameEnd > end);
  const packet = walkBody(w, typeId, flags);
  // whatever the body's walk could not place is still shown
  if (w.pos < bodyEnd) {
    w.end = bodyEnd;
    w.rest('Unread bytes');
  }
  trailing();
  const result: DissectResult = { fields, violations, length: frameEnd };
  if (violations.length === 0 && packet !== undefined) result.packet = packet;
  return result;
}

function typeByte(first: number): DissectField {
  const f: DissectField = { name: 'Packet type and flags', offset: 0, length: 1, value: first };
  splitBits(f, first, first >> 4 === 3 ? PUBLISH_BITS : OTHER_BITS);
  return f;
}

/** [value, byte count] of a complete Remaining Length that is only padded (not in shortest form), else undefined. */
function paddedLength(bytes: Uint8Array, end: number): [number, number] | undefined {
  let value = 0;
  let mul = 1;
  for (let i = 0; i < 4 && 1 + i < end; i++) {
    const b = bytes[1 + i]!;
    value += (b & 0x7f) * mul;
    mul *= 128;
    if ((b & 0x80) === 0) return [value, i + 1];
  }
  return undefined;
}
