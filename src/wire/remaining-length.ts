// The fixed header's Remaining Length (a Variable Byte Integer), read where the frame may still be incomplete.

import { malformed } from '../errors.js';
import { ruleAt } from '../rules.js';

/** Result of `readRemainingLength` when the length bytes are not all there yet. */
export const NEED_MORE = -1;

/**
 * Reads the Remaining Length starting at `buf[pos]` (the byte after the packet type byte), looking no further than
 * `end`. Returns the value, or NEED_MORE when the length bytes run past `end`. Only the shortest form is accepted,
 * so the fixed header is `1 + varintSize(value)` bytes. A fifth length byte (U311-2.2.3-1 / U5-1.5.5-1) and a
 * padded form (MQTT-1.5.5-1) are malformed: the stream cannot be resynchronised after either. Error offsets are
 * `streamOffset + position in buf`.
 */
export function readRemainingLength(buf: Uint8Array, pos: number, end: number, version: number, streamOffset = 0): number {
  let value = 0;
  let mul = 1;
  for (let i = 0; i < 4; i++) {
    if (pos + i >= end) return NEED_MORE;
    const b = buf[pos + i]!;
    value += (b & 0x7f) * mul;
    if (b < 0x80) {
      if (b === 0 && i > 0) {
        throw malformed(ruleAt('varintNotMinimal', version), 'Remaining Length is not in its shortest form', streamOffset + pos + i);
      }
      return value;
    }
    mul *= 128;
  }
  throw malformed(
    ruleAt('varintTooLong', version),
    'Remaining Length has a continuation bit on its fourth byte (more than 268,435,455)',
    streamOffset + pos + 3,
  );
}
