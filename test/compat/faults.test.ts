// mqtt-packet's messages for refused frames come from a walk of the frame in its order (src/compat/faults.ts),
// which reads mqtt-packet's reason code tables as the codec's. Held equal here to mqtt-packet's own constants.

import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { isAllowedReasonCode } from '../../src/index.js';

const require = createRequire(import.meta.url);
const constants = require('mqtt-packet/constants.js') as Record<string, Record<number, string>>;

const TABLES: [string, string[]][] = [
  ['MQTT5_PUBACK_PUBREC_CODES', ['puback', 'pubrec']],
  ['MQTT5_PUBREL_PUBCOMP_CODES', ['pubrel', 'pubcomp']],
  ['MQTT5_SUBACK_CODES', ['suback']],
  ['MQTT5_UNSUBACK_CODES', ['unsuback']],
  ['MQTT5_DISCONNECT_CODES', ['disconnect']],
  ['MQTT5_AUTH_CODES', ['auth']],
];

describe("mqtt-packet's reason code tables", () => {
  for (const [table, types] of TABLES) {
    it(`${table} is the codec's table for ${types.join(', ')}${table === 'MQTT5_DISCONNECT_CODES' ? ', but for 0x8C' : ''}`, () => {
      for (const type of types) {
        const theirs: number[] = [];
        const ours: number[] = [];
        for (let code = 0; code < 256; code++) {
          if (constants[table]![code] !== undefined) theirs.push(code);
          if (isAllowedReasonCode(type, code, 5)) ours.push(code);
        }
        // DISCONNECT 0x8C Bad authentication method: Table 2-6 lists it, Table 3-10 (and mqtt-packet) does not
        expect(ours.filter((c) => !(type === 'disconnect' && c === 0x8c))).toStrictEqual(theirs);
      }
    });
  }
});
