// CONNACK (section 3.2): read, size, write.

import { invalidPacket, malformed, protocolError } from '../errors.js';
import { Ctx, describe, propertiesSize, readProperties, writeProperties } from '../properties.js';
import { REASON_CODES_V3, REASON_CODES_V5 } from '../reason-codes.js';
import type { ConnackPacket, ConnackProperties, ProtocolVersion } from '../types.js';
import type { Reader } from '../wire/reader.js';
import { varintSize, type Writer } from '../wire/writer.js';
import { checkBoolean, expectLength, refuseV5Properties } from './common.js';

export function readConnack(r: Reader): ConnackPacket {
  const v5 = r.version === 5;
  if (!v5) expectLength(r, 2, 'U311-3.2.1-1');
  const flagsAt = r.pos;
  const flags = r.u8('Connect Acknowledge Flags');
  if ((flags & 0xfe) !== 0) {
    throw malformed(v5 ? 'MQTT-3.2.2-1' : 'U311-3.2.2-1', `CONNACK Connect Acknowledge Flags bits 7-1 are not 0 (0x${flags.toString(16)})`, flagsAt);
  }
  const sessionPresent = flags === 1;
  const codeAt = r.pos;
  const reasonCode = r.u8(v5 ? 'Reason Code' : 'Connect Return code');
  checkCode(reasonCode, sessionPresent, v5, codeAt, protocolError);
  const packet: ConnackPacket = { type: 'connack', sessionPresent, reasonCode };
  if (v5) {
    const properties = readProperties(r, Ctx.Connack) as ConnackProperties | undefined;
    if (properties !== undefined) packet.properties = properties;
  }
  r.expectEnd();
  return packet;
}

function checkCode(
  code: number,
  sessionPresent: boolean,
  v5: boolean,
  at: number | undefined,
  fail: (rule: string, message: string, offset?: number) => Error,
): void {
  if ((v5 ? REASON_CODES_V5 : REASON_CODES_V3)['connack']![code] !== 1) {
    throw v5
      ? fail('MQTT-3.2.2-8', `CONNACK Reason Code 0x${code.toString(16)} is not a Connect Reason Code`, at)
      : fail('U311-3.2.2-2', `CONNACK Connect Return code ${code} is reserved (0-5 are defined)`, at);
  }
  if (code !== 0 && sessionPresent) {
    throw fail(v5 ? 'MQTT-3.2.2-6' : 'MQTT-3.2.2-4', `CONNACK with non-zero code 0x${code.toString(16)} must have Session Present 0`, at);
  }
}

export function connackSize(p: ConnackPacket, version: ProtocolVersion): number {
  checkBoolean(p.sessionPresent, 'CONNACK sessionPresent');
  const code = p.reasonCode;
  if (typeof code !== 'number' || !Number.isInteger(code) || code < 0 || code > 255) {
    throw invalidPacket(`CONNACK reasonCode must be an integer from 0 to 255, got ${describe(code)}`);
  }
  checkCode(code, p.sessionPresent, version === 5, undefined, (rule, message) => invalidPacket(message, rule, 0x82));
  refuseV5Properties(p.properties, 'CONNACK', version, 'U311-3.2.1-1');
  if (version !== 5) return 2;
  const ps = propertiesSize(p.properties, Ctx.Connack);
  return 2 + varintSize(ps) + ps;
}

export function writeConnack(p: ConnackPacket, w: Writer, version: ProtocolVersion): void {
  w.u8(p.sessionPresent ? 1 : 0);
  w.u8(p.reasonCode);
  if (version === 5) writeProperties(w, p.properties, propertiesSize(p.properties, Ctx.Connack));
}
