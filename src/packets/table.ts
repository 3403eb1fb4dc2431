// Every packet type's record, by type and by packet type number: the codec dispatches through this table alone.

import type { Packet, PacketType } from '../types.js';
import type { Reader } from '../wire/reader.js';
import { puback, pubcomp, pubrec, pubrel, readPuback, readPubcomp, readPubrec, readPubrel } from './ack.js';
import { auth, readAuth } from './auth.js';
import type { PacketCodec } from './common.js';
import { connack, readConnack } from './connack.js';
import { connect, readConnect } from './connect.js';
import { disconnect, readDisconnect } from './disconnect.js';
import { pingreq, pingresp, readPingreq, readPingresp } from './ping.js';
import { publish, readPublish } from './publish.js';
import { readSuback, readUnsuback, suback, unsuback } from './suback.js';
import { readSubscribe, subscribe } from './subscribe.js';
import { readUnsubscribe, unsubscribe } from './unsubscribe.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- each record takes its own packet and plan types
type AnyCodec = PacketCodec<any, any>;

/** The record of each packet type. */
export const CODECS: Readonly<Record<PacketType, AnyCodec>> = {
  connect,
  connack,
  publish,
  puback,
  pubrec,
  pubrel,
  pubcomp,
  subscribe,
  suback,
  unsubscribe,
  unsuback,
  pingreq,
  pingresp,
  disconnect,
  auth,
};

/**
 * The read verb of each record by packet type number (index 0 is reserved). Named imports rather than `record.read`,
 * so a bundle that only decodes leaves every size and write function out.
 */
export const READ_BY_ID: readonly (((r: Reader, flags: number) => Packet) | undefined)[] = [
  undefined,
  readConnect,
  readConnack,
  readPublish,
  readPuback,
  readPubrec,
  readPubrel,
  readPubcomp,
  readSubscribe,
  readSuback,
  readUnsubscribe,
  readUnsuback,
  readPingreq,
  readPingresp,
  readDisconnect,
  readAuth,
];
