// PINGREQ and PINGRESP (sections 3.12, 3.13): a fixed header and nothing else.

import type { PingreqPacket, PingrespPacket } from '../types.js';
import type { Reader } from '../wire/reader.js';
import type { PacketCodec, Plan } from './common.js';

export function readPingreq(r: Reader): PingreqPacket {
  r.expectEnd();
  return { type: 'pingreq' };
}

export function readPingresp(r: Reader): PingrespPacket {
  r.expectEnd();
  return { type: 'pingresp' };
}

const PINGREQ: Plan = { first: 0xc0, length: 0 };
const PINGRESP: Plan = { first: 0xd0, length: 0 };
const writeNothing = (): void => {};

export const pingreq: PacketCodec<PingreqPacket> = { read: readPingreq, size: () => PINGREQ, write: writeNothing };
export const pingresp: PacketCodec<PingrespPacket> = { read: readPingresp, size: () => PINGRESP, write: writeNothing };
