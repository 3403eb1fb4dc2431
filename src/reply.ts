// What a server sends before it closes a connection over a decode error: MQTT 5.0 section 4.13 and 3.1.1
// sections 3.1.4, 3.2.2.3 and 4.8. The codec classifies errors; this turns the class into the packet.

import { MqttError, invalidPacket } from './errors.js';
import { OptionKeys } from './options.js';
import { reasonCodeTable } from './reason-codes.js';
import type { ConnackPacket, DisconnectPacket, ProtocolVersion } from './types.js';

export interface ReplyOptions {
  /**
   * The protocol level the reply will be encoded at: the decoder's `version` (which stays at its default until a
   * CONNECT is delivered, so a refused CONNECT is answered in 3.1.1 terms, as mosquitto does). To answer a refused
   * CONNECT that claimed 5.0 with a 5.0 CONNACK carrying the reason code, pass 5 (`error.protocolVersion`).
   */
  version: ProtocolVersion;
  /** Whether this side has already sent CONNACK (a server) or received it (a client). */
  connackSent: boolean;
}

const REPLY_OPTIONS = /* @__PURE__ */ new OptionKeys('replyFor', ['version', 'connackSent']);

/** 3.x Connect Return codes. */
const V3_UNACCEPTABLE_PROTOCOL_VERSION = 0x01;
const V3_IDENTIFIER_REJECTED = 0x02;

/**
 * The packet to send before closing the connection over `error`, encodable at `options.version`, or undefined
 * where the spec says to close without one:
 * - an error in a CONNECT, at 3.1 and 3.1.1: CONNACK 0x01 for a protocol level the server does not take
 *   (MQTT-3.1.2-2: a level no version defines, or an MQTT name with another level's number), CONNACK 0x02 for a
 *   Client Identifier it rejects (MQTT-3.1.3-8), otherwise nothing (MQTT-3.1.4-1: close without CONNACK);
 * - an error in a CONNECT, at 5.0: CONNACK with the error's reason code (0x81, 0x82, 0x84, 0x85, 0x90, 0x95, …; the
 *   spec allows it, MQTT-3.1.4-1 and 4.13.1);
 * - a Protocol Name that is not MQTT's (MQTT-3.1.2-1): nothing at any level, it is not an MQTT client;
 * - any other error before CONNACK: nothing (the first packet must be a CONNECT, MQTT-3.1.0-1);
 * - after CONNACK: 5.0 sends DISCONNECT with the error's reason code, or 0x81/0x82 by class where DISCONNECT may
 *   not carry that code (MQTT-4.13.1-1); 3.x just closes (MQTT-4.8.0-1).
 * An `invalid-packet` error is about an object this side tried to encode, not about the peer: no reply.
 */
export function replyFor(error: MqttError, options: ReplyOptions): ConnackPacket | DisconnectPacket | undefined {
  if (!(error instanceof MqttError)) throw invalidPacket(undefined, 'replyFor expects an MqttError');
  REPLY_OPTIONS.check(options);
  const { version, connackSent } = options;
  if (version !== 3 && version !== 4 && version !== 5) throw invalidPacket(undefined, `replyFor: version ${String(version)} is not 3, 4 or 5`);
  if (typeof connackSent !== 'boolean') throw invalidPacket(undefined, `replyFor: connackSent must be a boolean, got ${String(connackSent)}`);
  if (error.code === 'invalid-packet') return undefined;
  if (!connackSent) {
    if (error.packetType !== 'connect' || error.rule === 'MQTT-3.1.2-1') return undefined;
    if (version === 5) return connack(allowed('connack', error.reasonCode) ? error.reasonCode : byClass(error));
    if (error.code === 'unsupported-protocol-version') return connack(V3_UNACCEPTABLE_PROTOCOL_VERSION);
    if (error.rule === 'MQTT-3.1.3-8') return connack(V3_IDENTIFIER_REJECTED);
    return undefined;
  }
  if (version !== 5) return undefined;
  // a second CONNECT is a Protocol Error whatever level it claims
  const code = error.code === 'unsupported-protocol-version' ? 0x82 : allowed('disconnect', error.reasonCode) ? error.reasonCode : byClass(error);
  return { type: 'disconnect', reasonCode: code };
}

function connack(reasonCode: number): ConnackPacket {
  return { type: 'connack', sessionPresent: false, reasonCode };
}

function allowed(packet: string, code: number): boolean {
  return code >= 0x80 && reasonCodeTable(packet, 5)![code] === 1;
}

function byClass(error: MqttError): number {
  return error.code === 'malformed-packet' ? 0x81 : error.code === 'packet-too-large' ? 0x95 : 0x82;
}
