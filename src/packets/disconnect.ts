// DISCONNECT (section 3.14): a Reason Code and properties that the short forms may leave out (5.0); nothing at 3.x.

import { invalidPacket, protocolError } from '../errors.js';
import { Ctx, describe, planProperties, readProperties, writeProperties, type PropertiesPlan } from '../properties.js';
import { hexByte, reasonCodeTable } from '../reason-codes.js';
import type { DisconnectPacket, DisconnectProperties, ProtocolVersion } from '../types.js';
import type { Reader } from '../wire/reader.js';
import { varintSize, type Writer } from '../wire/writer.js';
import { refuseV5Field, refuseV5Properties, type PacketCodec, type Plan } from './common.js';

export interface ReasonPlan extends Plan {
  reasonCode: number;
  props: PropertiesPlan | undefined;
}

const CODES = reasonCodeTable('disconnect', 5)!;

function read(r: Reader): DisconnectPacket {
  if (r.version !== 5) {
    r.expectLength(0, 'U311-3.14-1');
    return { type: 'disconnect' };
  }
  if (r.pos === r.end) return { type: 'disconnect', reasonCode: 0 };
  const at = r.pos;
  const reasonCode = r.u8('Reason Code');
  if (CODES[reasonCode] !== 1) throw protocolError('MQTT-3.14.2-1', `DISCONNECT Reason Code ${hexByte(reasonCode)} is not a Disconnect Reason Code`, at);
  const packet: DisconnectPacket = { type: 'disconnect', reasonCode };
  if (r.pos < r.end) {
    const properties = readProperties(r, Ctx.Disconnect) as DisconnectProperties | undefined;
    if (properties !== undefined) packet.properties = properties;
    r.expectEnd();
  }
  return packet;
}

function size(p: DisconnectPacket, version: ProtocolVersion): ReasonPlan {
  const { reasonCode, properties } = p;
  if (version !== 5) {
    refuseV5Field(reasonCode, 'DISCONNECT reasonCode', version, 'U311-3.14-1');
    refuseV5Properties(properties, 'DISCONNECT', version, 'U311-3.14-1');
    return { first: 0xe0, length: 0, reasonCode: 0, props: undefined };
  }
  const code = reasonCode ?? 0;
  if (typeof code !== 'number' || CODES[code] !== 1) {
    throw invalidPacket('MQTT-3.14.2-1', `DISCONNECT reasonCode ${describe(code)} is not a Disconnect Reason Code`, 0x82);
  }
  const props = planProperties(properties, Ctx.Disconnect);
  const length = props !== undefined ? 1 + varintSize(props.size) + props.size : code === 0 ? 0 : 1;
  return { first: 0xe0, length, reasonCode: code, props };
}

/** Writes the Reason Code and properties that the planned length holds (DISCONNECT and AUTH alike). */
export function writeReasonAndProperties(s: ReasonPlan, w: Writer): void {
  if (s.length === 0) return;
  w.u8(s.reasonCode);
  if (s.length > 1) writeProperties(w, s.props);
}

export { read as readDisconnect };

export const disconnect: PacketCodec<DisconnectPacket, ReasonPlan> = { read, size, write: writeReasonAndProperties };
