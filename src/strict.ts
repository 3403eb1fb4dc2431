// Checks the spec allows but does not require (MAY), off by default: Disallowed Unicode code points in strings
// (U311-1.5.3-1, U5-1.5.4-1) and a payload that is not UTF-8 although its Payload Format Indicator says it is
// (U5-3.3.2.3-3, U5-3.1.3.2-3: 0x99 Payload format invalid).

import { malformed, protocolError, type MqttError } from './errors.js';
import { packetName } from './packet-types.js';
import { ruleAt } from './rules.js';
import type { Packet, ProtocolVersion } from './types.js';
import { isWellFormedUtf8 } from './wire/utf8.js';

/**
 * Index of the first Disallowed Unicode code point in `s` — a control character (U+0001..U+001F,
 * U+007F..U+009F) or a noncharacter (U+FDD0..U+FDEF, and U+nFFFE / U+nFFFF in every plane) — or -1.
 */
export function disallowedCodePointIndex(s: string): number {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c <= 0x1f || (c >= 0x7f && c <= 0x9f) || (c >= 0xfdd0 && c <= 0xfdef) || c === 0xfffe || c === 0xffff) return i;
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const cp = ((c - 0xd800) << 10) + (s.charCodeAt(i + 1) - 0xdc00) + 0x10000;
      if ((cp & 0xfffe) === 0xfffe) return i;
      i++;
    }
  }
  return -1;
}

/** The strings a packet carries, with the field each stands for (for messages). */
function* strings(packet: Packet): Generator<[field: string, value: string]> {
  switch (packet.type) {
    case 'connect':
      yield ['Client Identifier', packet.clientId];
      if (packet.username !== undefined) yield ['User Name', packet.username];
      if (packet.will !== undefined) {
        yield ['Will Topic', packet.will.topic];
        yield* propertyStrings(packet.will.properties, 'Will ');
      }
      break;
    case 'publish':
      yield ['Topic Name', packet.topic];
      break;
    case 'subscribe':
      for (const s of packet.subscriptions) yield ['Topic Filter', s.topicFilter];
      break;
    case 'unsubscribe':
      for (const f of packet.topicFilters) yield ['Topic Filter', f];
      break;
    default:
      break;
  }
  yield* propertyStrings((packet as { properties?: object }).properties, '');
}

function* propertyStrings(props: object | undefined, prefix: string): Generator<[string, string]> {
  if (props === undefined) return;
  for (const [key, value] of Object.entries(props)) {
    if (typeof value === 'string') yield [`${prefix}${key}`, value];
    else if (key === 'userProperties') {
      for (const [name, v] of value as [string, string][]) {
        yield [`${prefix}User Property name`, name];
        yield [`${prefix}User Property value`, v];
      }
    }
  }
}

export interface StrictOptions {
  /** Refuse Disallowed Unicode code points in every string (malformed, 0x81). */
  strictStrings?: boolean;
  /** Refuse a payload (PUBLISH, or a Will) that is not well-formed UTF-8 while its Payload Format Indicator is 1 (0x99). */
  checkPayloadFormat?: boolean;
}

/**
 * The error the optional checks find in a decoded packet, or undefined. `PacketDecoder` applies it when given
 * these options; brokers that decode with `decode` can call it themselves.
 */
export function strictFault(packet: Packet, version: ProtocolVersion, options: StrictOptions): MqttError | undefined {
  const name = packetName(packet.type);
  if (options.strictStrings === true) {
    for (const [field, value] of strings(packet)) {
      const i = disallowedCodePointIndex(value);
      if (i !== -1) {
        const cp = value.codePointAt(i)!.toString(16).toUpperCase().padStart(4, '0');
        return malformed(ruleAt('disallowedCodePoint', version), `${name} ${field} contains the disallowed code point U+${cp}`, 0);
      }
    }
  }
  if (options.checkPayloadFormat === true && version === 5) {
    if (packet.type === 'publish' && packet.properties?.payloadFormatIndicator === 1 && !isWellFormedUtf8(packet.payload, 0, packet.payload.length)) {
      return protocolError('U5-3.3.2.3-3', 'PUBLISH payload is not well-formed UTF-8 but its Payload Format Indicator is 1', 0, 0x99);
    }
    const will = packet.type === 'connect' ? packet.will : undefined;
    if (will?.properties?.payloadFormatIndicator === 1 && !isWellFormedUtf8(will.payload, 0, will.payload.length)) {
      return protocolError('U5-3.1.3.2-3', 'CONNECT Will Payload is not well-formed UTF-8 but its Payload Format Indicator is 1', 0, 0x99);
    }
  }
  return undefined;
}
