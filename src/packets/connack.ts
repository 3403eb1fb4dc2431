// CONNACK (section 3.2): read, size, write.

import { invalidPacket, malformed, protocolError, type MqttError } from '../errors.js';
import { Ctx, describe, planProperties, propertiesLength, readProperties, writeProperties, type PropertiesPlan } from '../properties.js';
import { hexByte, reasonCodeTable } from '../reason-codes.js';
import { ruleAt } from '../rules.js';
import type { ConnackPacket, ConnackProperties, ProtocolVersion } from '../types.js';
import type { Reader } from '../wire/reader.js';
import type { Writer } from '../wire/writer.js';
import { checkBoolean, refuseV5Properties, type PacketCodec, type Plan } from './common.js';

export interface ConnackPlan extends Plan {
  sessionPresent: boolean;
  reasonCode: number;
  v5: boolean;
  props: PropertiesPlan | undefined;
}

function read(r: Reader): ConnackPacket {
  const v5 = r.version === 5;
  if (!v5) r.expectLength(2, 'U311-3.2.1-1');
  const flagsAt = r.pos;
  const flags = r.u8('Connect Acknowledge Flags');
  if ((flags & 0xfe) !== 0) {
    throw malformed(ruleAt('connackFlags', r.version), `CONNACK Connect Acknowledge Flags bits 7-1 are not 0 (${hexByte(flags)})`, flagsAt);
  }
  const sessionPresent = flags === 1;
  const codeAt = r.pos;
  const reasonCode = r.u8(v5 ? 'Reason Code' : 'Connect Return code');
  const fault = codeFault(reasonCode, sessionPresent, r.version);
  if (fault !== undefined) throw protocolError(fault[0], fault[1], codeAt);
  const packet: ConnackPacket = { type: 'connack', sessionPresent, reasonCode };
  if (v5) {
    const properties = readProperties(r, Ctx.Connack) as ConnackProperties | undefined;
    if (properties !== undefined) packet.properties = properties;
  }
  r.expectEnd();
  return packet;
}

/** What is wrong with a CONNACK code (and Session Present) at `version`, as [rule, message], or undefined. */
function codeFault(code: number, sessionPresent: boolean, version: ProtocolVersion): [string, string] | undefined {
  if (reasonCodeTable('connack', version)![code] !== 1) {
    return [
      ruleAt('connackCode', version),
      version === 5 ? `CONNACK Reason Code ${hexByte(code)} is not a Connect Reason Code` : `CONNACK Connect Return code ${code} is reserved (0-5 are defined)`,
    ];
  }
  if (code !== 0 && sessionPresent) {
    return [ruleAt('connackSessionPresent', version), `CONNACK with non-zero code ${hexByte(code)} must have Session Present 0`];
  }
  return undefined;
}

function size(p: ConnackPacket, version: ProtocolVersion): ConnackPlan {
  const { reasonCode, properties } = p;
  const sessionPresent = checkBoolean(p.sessionPresent, 'CONNACK sessionPresent');
  if (typeof reasonCode !== 'number' || !Number.isInteger(reasonCode) || reasonCode < 0 || reasonCode > 255) {
    throw invalidPacket(undefined, `CONNACK reasonCode must be an integer from 0 to 255, got ${describe(reasonCode)}`);
  }
  const fault = codeFault(reasonCode, sessionPresent, version);
  if (fault !== undefined) throw invalidPacket(fault[0], fault[1], 0x82) as MqttError;
  const v5 = version === 5;
  let props: PropertiesPlan | undefined;
  if (v5) props = planProperties(properties, Ctx.Connack);
  else refuseV5Properties(properties, 'CONNACK', version, 'U311-3.2.1-1');
  return { first: 0x20, length: v5 ? 2 + propertiesLength(props) : 2, sessionPresent, reasonCode, v5, props };
}

function write(s: ConnackPlan, w: Writer): void {
  w.u8(s.sessionPresent ? 1 : 0);
  w.u8(s.reasonCode);
  if (s.v5) writeProperties(w, s.props);
}

/** Exported alone too, so a decode-only bundle leaves the encoder out. */
export { read as readConnack };

export const connack: PacketCodec<ConnackPacket, ConnackPlan> = { read, size, write };
