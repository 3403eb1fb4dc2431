// Rule ids that MQTT 3.1.1 and 5.0 number differently, in one place. Rules with one id at every level are written
// where they are checked, so a throw still reads like the spec.

/** [3.1.1 id (also used at level 3), 5.0 id] for each rule whose id depends on the level. */
const BY_LEVEL = {
  /** Fields must exactly fill the Remaining Length; a frame must be whole. */
  frameFill: ['U311-2-1', 'U5-2-1'],
  /** Packet type 0 is reserved (and 15 before 5.0). */
  reservedType: ['U311-2.2.1-1', 'U5-2.1.2-1'],
  /** Fixed-header flags of packets other than PUBLISH. */
  fixedFlags: ['MQTT-2.2.2-1', 'MQTT-2.1.3-1'],
  /** A packet sent in the wrong direction (client-only to a client, server-only to a server). */
  wrongSender: ['U311-2.2.1-2', 'U5-2.1.2-2'],
  /** A Remaining Length (or other Variable Byte Integer) of more than four bytes. */
  varintTooLong: ['U311-2.2.3-1', 'U5-1.5.5-1'],
  /** A Remaining Length not in its shortest form. */
  varintNotMinimal: ['U311-2.2.3-3', 'MQTT-1.5.5-1'],
  /** A string that is not well-formed UTF-8 (or holds a surrogate). */
  utf8IllFormed: ['MQTT-1.5.3-1', 'MQTT-1.5.4-1'],
  /** A string holding U+0000. */
  utf8Null: ['MQTT-1.5.3-2', 'MQTT-1.5.4-2'],
  /** A string of more than 65,535 bytes (encode side). */
  stringTooLong: ['U311-1.5.3-2', 'U5-1.5.4-2'],
  /** Binary Data of more than 65,535 bytes (encode side). */
  binaryTooLong: ['U311-3.1.3-1', 'U5-1.5.6-1'],
  /** A Disallowed Unicode code point (an optional check). */
  disallowedCodePoint: ['U311-1.5.3-1', 'U5-1.5.4-1'],
  /** A Packet Identifier of 0, or missing where one is needed. */
  packetIdZero: ['MQTT-2.3.1-1', 'MQTT-2.2.1-3'],
  /** A QoS 0 PUBLISH with a Packet Identifier. */
  packetIdOnQos0: ['MQTT-2.3.1-5', 'MQTT-2.2.1-2'],
  /** Connect Will QoS not 0 while the Will Flag is 0. */
  willQosWithoutWill: ['MQTT-3.1.2-13', 'MQTT-3.1.2-11'],
  /** Connect Will QoS 3. */
  willQos3: ['MQTT-3.1.2-14', 'MQTT-3.1.2-12'],
  /** Connect Will Retain 1 while the Will Flag is 0. */
  willRetainWithoutWill: ['MQTT-3.1.2-15', 'MQTT-3.1.2-13'],
  /** CONNACK Acknowledge Flags bits 7-1 set. */
  connackFlags: ['U311-3.2.2-1', 'MQTT-3.2.2-1'],
  /** CONNACK refusing the connection with Session Present 1. */
  connackSessionPresent: ['MQTT-3.2.2-4', 'MQTT-3.2.2-6'],
  /** CONNACK with a code the level does not define. */
  connackCode: ['U311-3.2.2-2', 'MQTT-3.2.2-8'],
  /** An empty Topic Name in PUBLISH. */
  topicNameEmpty: ['U311-3.3.2-1', 'U5-3.3.2.1-1'],
  /** A wildcard in a Will Topic. */
  willTopicWildcard: ['MQTT-4.7.1-1', 'MQTT-4.7.0-1'],
  /** '#' not alone in the last level of a Topic Filter. */
  filterHash: ['MQTT-4.7.1-2', 'MQTT-4.7.1-1'],
  /** '+' not filling a whole level of a Topic Filter. */
  filterPlus: ['MQTT-4.7.1-3', 'MQTT-4.7.1-2'],
  /** SUBSCRIBE without any Topic Filter. */
  subscribeEmpty: ['MQTT-3.8.3-3', 'MQTT-3.8.3-2'],
  /** A Retain Handling value other than 0, 1, 2 (3.x: bits the Requested QoS byte reserves). */
  retainHandling: ['MQTT-3.8.3-4', 'U5-3.8.3.1-2'],
  /** SUBACK without any return code. */
  subackEmpty: ['U311-3.9-1', 'U5-3.9-1'],
} as const satisfies Record<string, readonly [string, string]>;

export type LevelRule = keyof typeof BY_LEVEL;

/** The id of `rule` at protocol level `version` (3 and 4 share the 3.1.1 numbering). */
export function ruleAt(rule: LevelRule, version: number): string {
  return BY_LEVEL[rule][version === 5 ? 1 : 0];
}
