// Fitting a packet to the receiver's Maximum Packet Size by leaving out the optional diagnostics MQTT 5.0 allows a
// sender to drop (Reason String, then User Properties), as sections 3.2.2.3.9-10, 3.4.2.2.2-3 ... 3.15.2.2.4-5 ask.

import { encodedLength } from './codec.js';
import { MqttError } from './errors.js';
import { packetName } from './packet-types.js';
import { describe } from './properties.js';
import type { EncodeOptions, Packet, Properties } from './types.js';

/**
 * Packets whose User Properties the spec says to leave out rather than exceed the receiver's Maximum Packet Size
 * (MQTT-3.2.2-20, MQTT-3.4.2-3, MQTT-3.5.2-3, MQTT-3.6.2-3, MQTT-3.7.2-3, MQTT-3.9.2-2, MQTT-3.11.2-2,
 * MQTT-3.14.2-4, MQTT-3.15.2-3). In PUBLISH, CONNECT and SUBSCRIBE they carry application meaning and stay.
 */
const USER_PROPERTIES_DROPPABLE: ReadonlySet<string> = new Set([
  'connack',
  'puback',
  'pubrec',
  'pubrel',
  'pubcomp',
  'suback',
  'unsuback',
  'disconnect',
  'auth',
]);

/** A packet and the exact size of its encoded frame. */
export interface FittedPacket<P extends Packet = Packet> {
  packet: P;
  /** Bytes `encode(packet, options)` produces, fixed header included. */
  size: number;
}

/**
 * Makes `packet` fit the receiver's Maximum Packet Size (the whole frame, fixed header included, as in the
 * `maximumPacketSize` property of the receiver's CONNECT or CONNACK).
 *
 * When the encoded packet fits, it is returned unchanged (the same object). Otherwise a copy is returned without
 * `properties.reasonString`, and if that is still too large, also without `properties.userProperties` — the two
 * properties MQTT 5.0 tells a sender to omit rather than exceed the limit (e.g. MQTT-3.2.2-19/-20 for CONNACK,
 * MQTT-3.4.2-2/-3 for PUBACK). User Properties are dropped only from CONNACK, PUBACK, PUBREC, PUBREL, PUBCOMP,
 * SUBACK, UNSUBACK, DISCONNECT and AUTH, never from PUBLISH, CONNECT or SUBSCRIBE, where they belong to the
 * application. The input packet is never modified.
 *
 * @param packet - the packet to send.
 * @param maximumPacketSize - the receiver's limit in bytes, an integer from 1 to 4,294,967,295.
 * @param options - as for `encode` (the protocol level; only level 5 packets carry properties).
 * @returns `{ packet, size }`: the packet to send and its encoded size (at most `maximumPacketSize`).
 * @throws MqttError `packet-too-large` (reason code 0x95) when the packet cannot be made to fit; its message gives
 *   the smallest size reached and the limit. MqttError `invalid-packet` for a packet `encode` refuses or a limit
 *   that is not an integer from 1 to 4,294,967,295.
 *
 * @example
 * ```ts
 * const { packet: ack } = fitToMaximumPacketSize(
 *   { type: 'puback', packetId: 1, reasonCode: 0x80, properties: { reasonString: 'quota exhausted' } },
 *   5,
 *   { version: 5 },
 * );
 * // ack is { type: 'puback', packetId: 1, reasonCode: 0x80 }: 5 bytes on the wire (40 03 00 01 80)
 * ```
 */
export function fitToMaximumPacketSize<P extends Packet>(
  packet: P,
  maximumPacketSize: number,
  options?: EncodeOptions,
): FittedPacket<P> {
  if (!Number.isInteger(maximumPacketSize) || maximumPacketSize < 1 || maximumPacketSize > 0xffffffff) {
    throw new MqttError(
      'invalid-packet',
      `fitToMaximumPacketSize: maximumPacketSize must be an integer from 1 to 4294967295, got ${describe(maximumPacketSize)}`,
    );
  }
  const size = encodedLength(packet, options);
  if (size <= maximumPacketSize) return { packet, size };

  let current: P = packet;
  let currentSize = size;
  const dropped: string[] = [];
  const props = (packet as { properties?: Properties }).properties;
  if (props !== undefined && props !== null && props.reasonString !== undefined) {
    current = without(current, 'reasonString');
    currentSize = encodedLength(current, options);
    dropped.push('Reason String');
    if (currentSize <= maximumPacketSize) return { packet: current, size: currentSize };
  }
  if (props !== undefined && props !== null && props.userProperties !== undefined && USER_PROPERTIES_DROPPABLE.has(packet.type)) {
    current = without(current, 'userProperties');
    currentSize = encodedLength(current, options);
    dropped.push('User Properties');
    if (currentSize <= maximumPacketSize) return { packet: current, size: currentSize };
  }
  const name = packetName(packet.type);
  const how = dropped.length === 0 ? '' : ` even without its ${dropped.join(' and ')}`;
  throw new MqttError(
    'packet-too-large',
    `${name} is ${currentSize} bytes${how}, over the receiver's Maximum Packet Size of ${maximumPacketSize} bytes`,
    { reasonCode: 0x95 },
  );
}

/** A shallow copy of `packet` whose properties lack `key`; `properties` itself goes when nothing is left. */
function without<P extends Packet>(packet: P, key: 'reasonString' | 'userProperties'): P {
  const { properties, ...rest } = packet as P & { properties?: Properties };
  const kept: Record<string, unknown> = { ...properties };
  delete kept[key];
  const copy = rest as Record<string, unknown>;
  for (const k in kept) {
    if (kept[k] !== undefined) {
      copy['properties'] = kept;
      break;
    }
  }
  return copy as P;
}
