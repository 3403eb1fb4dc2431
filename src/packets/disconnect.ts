// DISCONNECT and AUTH (sections 3.14, 3.15): a Reason Code and properties that the short forms may leave out.

import { invalidPacket, malformed, protocolError } from '../errors.js';
import { Ctx, describe, propertiesSize, readProperties, writeProperties } from '../properties.js';
import { REASON_CODES_V5 } from '../reason-codes.js';
import type { AuthPacket, AuthProperties, DisconnectPacket, DisconnectProperties, ProtocolVersion } from '../types.js';
import type { Reader } from '../wire/reader.js';
import { varintSize, type Writer } from '../wire/writer.js';
import { expectLength, refuseV5Field, refuseV5Properties } from './common.js';

export function readDisconnect(r: Reader): DisconnectPacket {
  if (r.version !== 5) {
    expectLength(r, 0, 'U311-3.14-1');
    return { type: 'disconnect' };
  }
  if (r.pos === r.end) return { type: 'disconnect', reasonCode: 0 };
  const at = r.pos;
  const reasonCode = r.u8('Reason Code');
  if (REASON_CODES_V5['disconnect']![reasonCode] !== 1) {
    throw protocolError('MQTT-3.14.2-1', `DISCONNECT Reason Code 0x${reasonCode.toString(16)} is not a Disconnect Reason Code`, at);
  }
  const packet: DisconnectPacket = { type: 'disconnect', reasonCode };
  if (r.pos < r.end) {
    const properties = readProperties(r, Ctx.Disconnect) as DisconnectProperties | undefined;
    if (properties !== undefined) packet.properties = properties;
    r.expectEnd();
  }
  return packet;
}

export function disconnectSize(p: DisconnectPacket, version: ProtocolVersion): number {
  if (version !== 5) {
    refuseV5Field(p.reasonCode, 'DISCONNECT reasonCode', version, 'U311-3.14-1');
    refuseV5Properties(p.properties, 'DISCONNECT', version, 'U311-3.14-1');
    return 0;
  }
  const code = p.reasonCode ?? 0;
  if (typeof code !== 'number' || REASON_CODES_V5['disconnect']![code] !== 1) {
    throw invalidPacket(`DISCONNECT reasonCode ${describe(code)} is not a Disconnect Reason Code`, 'MQTT-3.14.2-1', 0x82);
  }
  const ps = propertiesSize(p.properties, Ctx.Disconnect);
  if (ps > 0) return 1 + varintSize(ps) + ps;
  return code === 0 ? 0 : 1;
}

export function writeDisconnect(p: DisconnectPacket, w: Writer, remainingLength: number): void {
  if (remainingLength === 0) return;
  w.u8(p.reasonCode ?? 0);
  if (remainingLength > 1) writeProperties(w, p.properties, propertiesSize(p.properties, Ctx.Disconnect));
}

export function readAuth(r: Reader): AuthPacket {
  // AUTH is type 15, reserved before 5.0; the dispatcher refuses it at levels 3 and 4
  if (r.pos === r.end) return { type: 'auth', reasonCode: 0 };
  const at = r.pos;
  const reasonCode = r.u8('Reason Code');
  if (REASON_CODES_V5['auth']![reasonCode] !== 1) {
    throw protocolError('MQTT-3.15.2-1', `AUTH Reason Code 0x${reasonCode.toString(16)} is not 0x00, 0x18 or 0x19`, at);
  }
  if (r.pos === r.end) throw malformed('U5-3.15.2-1', 'AUTH with a Reason Code must also have a Property Length', r.pos);
  const propsAt = r.pos;
  const properties = readProperties(r, Ctx.Auth) as AuthProperties | undefined;
  r.expectEnd();
  if (properties?.authenticationMethod === undefined) {
    throw protocolError('U5-3.15.2.2-1', 'AUTH has no Authentication Method', propsAt);
  }
  return { type: 'auth', reasonCode, properties };
}

export function authSize(p: AuthPacket, version: ProtocolVersion): number {
  // packet type 15 is reserved before 5.0
  if (version !== 5) throw invalidPacket(`AUTH exists only in MQTT 5.0 (encoding for protocol level ${version})`, 'U311-2.2.1-1', 0x81);
  const code = p.reasonCode;
  if (typeof code !== 'number' || REASON_CODES_V5['auth']![code] !== 1) {
    throw invalidPacket(`AUTH reasonCode ${describe(code)} is not 0x00, 0x18 or 0x19`, 'MQTT-3.15.2-1', 0x82);
  }
  const ps = propertiesSize(p.properties, Ctx.Auth);
  if (ps === 0 && code === 0) return 0;
  if (p.properties?.authenticationMethod === undefined) {
    throw invalidPacket('AUTH needs properties.authenticationMethod unless it is a bare Success (reasonCode 0, no properties)', 'U5-3.15.2.2-1', 0x82);
  }
  return 1 + varintSize(ps) + ps;
}

export function writeAuth(p: AuthPacket, w: Writer, remainingLength: number): void {
  if (remainingLength === 0) return;
  w.u8(p.reasonCode);
  writeProperties(w, p.properties, propertiesSize(p.properties, Ctx.Auth));
}
