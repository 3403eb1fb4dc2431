// AUTH (section 3.15, 5.0 only): a Reason Code and properties, or nothing at all for a bare Success.

import { invalidPacket, malformed, protocolError } from '../errors.js';
import { Ctx, describe, planHas, planProperties, readProperties, type PropertiesPlan } from '../properties.js';
import { hexByte, reasonCodeTable } from '../reason-codes.js';
import type { AuthPacket, AuthProperties, ProtocolVersion } from '../types.js';
import type { Reader } from '../wire/reader.js';
import { varintSize } from '../wire/writer.js';
import type { PacketCodec } from './common.js';
import { writeReasonAndProperties, type ReasonPlan } from './disconnect.js';

const CODES = reasonCodeTable('auth', 5)!;

function read(r: Reader): AuthPacket {
  // AUTH is type 15, reserved before 5.0; the decoder refuses it at levels 3 and 4 before getting here
  if (r.pos === r.end) return { type: 'auth', reasonCode: 0 };
  const at = r.pos;
  const reasonCode = r.u8('Reason Code');
  if (CODES[reasonCode] !== 1) throw protocolError('MQTT-3.15.2-1', `AUTH Reason Code ${hexByte(reasonCode)} is not 0x00, 0x18 or 0x19`, at);
  if (r.pos === r.end) throw malformed('U5-3.15.2-1', 'AUTH with a Reason Code must also have a Property Length', r.pos);
  const propsAt = r.pos;
  const properties = readProperties(r, Ctx.Auth) as AuthProperties | undefined;
  r.expectEnd();
  if (properties?.authenticationMethod === undefined) throw protocolError('U5-3.15.2.2-1', 'AUTH has no Authentication Method', propsAt);
  return { type: 'auth', reasonCode, properties };
}

function size(p: AuthPacket, version: ProtocolVersion): ReasonPlan {
  // packet type 15 is reserved before 5.0
  if (version !== 5) throw invalidPacket('U311-2.2.1-1', `AUTH exists only in MQTT 5.0 (encoding for protocol level ${version})`, 0x81);
  const { reasonCode, properties } = p;
  if (typeof reasonCode !== 'number' || CODES[reasonCode] !== 1) {
    throw invalidPacket('MQTT-3.15.2-1', `AUTH reasonCode ${describe(reasonCode)} is not 0x00, 0x18 or 0x19`, 0x82);
  }
  const props: PropertiesPlan | undefined = planProperties(properties, Ctx.Auth);
  if (props === undefined && reasonCode === 0) return { first: 0xf0, length: 0, reasonCode, props };
  if (!planHas(props, 0x15)) {
    throw invalidPacket('U5-3.15.2.2-1', 'AUTH needs properties.authenticationMethod unless it is a bare Success (reasonCode 0, no properties)', 0x82);
  }
  return { first: 0xf0, length: 1 + varintSize(props!.size) + props!.size, reasonCode, props };
}

export { read as readAuth };

export const auth: PacketCodec<AuthPacket, ReasonPlan> = { read, size, write: writeReasonAndProperties };
