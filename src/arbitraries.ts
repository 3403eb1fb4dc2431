// fast-check arbitraries for every MQTT packet at protocol levels 3, 4 and 5 (the `mqtt-wire/arbitraries` entry).
// Every generated packet is in the decoder's normal form, so `decode(encode(p, { version }), { version })`
// deep-equals `p`. fast-check is an optional peer dependency imported by this module alone.

import * as fc from 'fast-check';
import { encode } from './codec.js';
import { buildCase, selectGenerators, type CaseOptions, type CaseVersion, type EncoderCase, type FrameCase, type MalformedCase } from './fuzz/cases.js';
import type { Choices } from './fuzz/choices.js';
import { buildSession, type SessionOptions, type SessionRole, type SessionScript } from './fuzz/session.js';
import { Ctx, PROPERTY_TABLE, ctxOf, type PropertyDef } from './properties.js';
import { senderOf } from './packet-types.js';
import { allowedReasonCodes } from './reason-codes.js';
import { isSharedFilter } from './topic.js';
import { utf8Length } from './wire/utf8.js';
import {
  PACKET_TYPE_NAME,
  PACKET_TYPE_ID,
  type AckProperties,
  type AuthPacket,
  type AuthProperties,
  type ConnackPacket,
  type ConnackProperties,
  type ConnectPacket,
  type ConnectProperties,
  type DisconnectPacket,
  type DisconnectProperties,
  type Packet,
  type PacketType,
  type PingreqPacket,
  type PingrespPacket,
  type ProtocolVersion,
  type PubackPacket,
  type PubcompPacket,
  type PublishPacket,
  type PublishProperties,
  type PubrecPacket,
  type PubrelPacket,
  type QoS,
  type SubackPacket,
  type SubscribePacket,
  type SubscribeProperties,
  type Subscription,
  type UnsubackPacket,
  type UnsubscribePacket,
  type UnsubscribeProperties,
  type Will,
  type WillProperties,
} from './types.js';

// ---------------------------------------------------------------------------------------------------------------
// Strings, binary data and topics

/** Code points where UTF-8 changes length or that decoders are known to mishandle (BOM, noncharacters). */
const EDGE_CODE_POINTS = [0x01, 0x7f, 0x80, 0x7ff, 0x800, 0xd7ff, 0xe000, 0xfeff, 0xfffe, 0xffff, 0x10000, 0x10ffff];

/**
 * One code point of an MQTT string: never U+0000 (MQTT-1.5.4-2) nor a surrogate (MQTT-1.5.4-1), and never one of
 * `exclude`. Mostly ASCII letters and digits, so topics have recognisable levels; sometimes anything else.
 */
function codePointArbitrary(exclude = ''): fc.Arbitrary<string> {
  return fc
    .oneof(
      { weight: 6, arbitrary: fc.constantFrom(...'abcdefghijklmnopqrstuvwxyz0123456789') },
      { weight: 2, arbitrary: fc.integer({ min: 0x01, max: 0x7f }).map((c) => String.fromCharCode(c)) },
      { weight: 1, arbitrary: fc.constantFrom(...EDGE_CODE_POINTS).map((c) => String.fromCodePoint(c)) },
      {
        weight: 2,
        arbitrary: fc
          .integer({ min: 0x80, max: 0x10ffff })
          .filter((c) => c < 0xd800 || c > 0xdfff)
          .map((c) => String.fromCodePoint(c)),
      },
    )
    .filter((ch) => !exclude.includes(ch));
}

/** UTF-8 byte length of a string made of whole code points (never U+0000, so never utf8Length's -2). */
const utf8ByteLength = utf8Length;

/** Constraints on the length of a generated string or array. */
export interface LengthConstraints {
  minLength?: number;
  maxLength?: number;
}

/**
 * A UTF-8 Encoded String as MQTT allows it (5.0 section 1.5.4, 3.1.1 section 1.5.3): well-formed, no U+0000, at most 65,535 bytes once
 * encoded. Lengths count code points. Without constraints, one string in five has 20 to 100 code points, long
 * enough to reach the native TextEncoder/TextDecoder paths the codec switches to above a few dozen bytes.
 */
export function mqttStringArbitrary(constraints: LengthConstraints = {}): fc.Arbitrary<string> {
  const unit = codePointArbitrary();
  const strings =
    constraints.minLength === undefined && constraints.maxLength === undefined
      ? fc.oneof(
          { weight: 4, arbitrary: fc.string({ unit }) },
          { weight: 1, arbitrary: fc.string({ unit, minLength: 20, maxLength: 100, size: 'max' }) },
        )
      : fc.string({ unit, ...constraints });
  return strings.filter((s) => utf8ByteLength(s) <= 0xffff);
}

/** Binary Data (section 1.5.6): up to 65,535 bytes. */
export function binaryArbitrary(constraints: LengthConstraints = {}): fc.Arbitrary<Uint8Array> {
  return fc.uint8Array({ maxLength: 0xffff, ...constraints });
}

/**
 * A PUBLISH or Will payload: usually a few bytes; one time in five between 100 and 17,000 bytes, so frames need
 * two- and three-byte Remaining Lengths. Long payloads are filled from a seed rather than byte by byte: drawing
 * thousands of bytes one at a time costs far more than the codec under test.
 */
function payloadArbitrary(): fc.Arbitrary<Uint8Array> {
  return fc.oneof(
    { weight: 4, arbitrary: fc.uint8Array() },
    {
      weight: 1,
      arbitrary: fc
        .record({ length: fc.integer({ min: 100, max: 17_000 }), seed: fc.integer() })
        .map(({ length, seed }) => pseudoRandomBytes(length, seed)),
    },
  );
}

/** `length` bytes of xorshift32 output from `seed`. */
function pseudoRandomBytes(length: number, seed: number): Uint8Array {
  const out = new Uint8Array(length);
  let x = seed | 1;
  for (let i = 0; i < length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}

/** A topic level without the separator or wildcards. */
function topicLevelArbitrary(): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 1, arbitrary: fc.constantFrom('', '$SYS', '$share', 'a', ' ') },
    { weight: 4, arbitrary: fc.string({ unit: codePointArbitrary('/+#'), maxLength: 8 }) },
  );
}

function underStringLimit(s: string): boolean {
  return s.length > 0 && utf8ByteLength(s) <= 0xffff;
}

/**
 * A Topic Name (section 4.7): non-empty, no '+' or '#' (MQTT-3.3.2-2, MQTT-4.7.3-1), levels separated by '/'
 * (empty levels included), sometimes starting with '$'.
 */
export function topicNameArbitrary(): fc.Arbitrary<string> {
  return fc
    .array(topicLevelArbitrary(), { minLength: 1, maxLength: 6 })
    .map((levels) => levels.join('/'))
    .filter(underStringLimit);
}

/** A Topic Filter without a `$share/` prefix. `avoidShare` keeps a 5.0 filter from starting with `$share/`. */
function plainFilterArbitrary(avoidShare: boolean): fc.Arbitrary<string> {
  return fc
    .tuple(
      fc.array(fc.oneof({ weight: 1, arbitrary: fc.constant('+') }, { weight: 3, arbitrary: topicLevelArbitrary() }), {
        maxLength: 6,
      }),
      fc.boolean(),
    )
    .map(([levels, hash]) => {
      if (levels.length === 0) return '#';
      const joined = levels.join('/');
      return hash ? `${joined}/#` : joined;
    })
    .filter((f) => underStringLimit(f) && !(avoidShare && isSharedFilter(f)));
}

/**
 * A Topic Filter (section 4.7): '+' fills a whole level, '#' is last and fills a whole level (MQTT-4.7.1-1/-2/-3).
 * At level 5 one in five is a Shared Subscription `$share/{ShareName}/{filter}` (MQTT-4.8.2-1/-2); at levels 3 and 4
 * `$share` is an ordinary level.
 */
export function topicFilterArbitrary(version: ProtocolVersion = 4): fc.Arbitrary<string> {
  if (version !== 5) return plainFilterArbitrary(false);
  return fc.oneof(
    { weight: 4, arbitrary: plainFilterArbitrary(true) },
    {
      weight: 1,
      arbitrary: fc
        .tuple(fc.string({ unit: codePointArbitrary('/+#'), minLength: 1, maxLength: 8 }), plainFilterArbitrary(false))
        .map(([shareName, filter]) => `$share/${shareName}/${filter}`)
        .filter(underStringLimit),
    },
  );
}

// ---------------------------------------------------------------------------------------------------------------
// 5.0 properties

/** The property block of each packet type (`will` is the Will Properties of CONNECT) and its TypeScript type. */
export interface PropertiesByPacket {
  will: WillProperties;
  connect: ConnectProperties;
  connack: ConnackProperties;
  publish: PublishProperties;
  puback: AckProperties;
  pubrec: AckProperties;
  pubrel: AckProperties;
  pubcomp: AckProperties;
  subscribe: SubscribeProperties;
  suback: AckProperties;
  unsubscribe: UnsubscribeProperties;
  unsuback: AckProperties;
  disconnect: DisconnectProperties;
  auth: AuthProperties;
}

/** True when the table's value check refuses `value` for this property in this block. */
function refuses(def: PropertyDef, value: number, ctx: number): boolean {
  return def.check !== undefined && def.check(value, ctx, undefined) !== undefined;
}

/** Arbitrary for one property's value, from its data type in PROPERTY_TABLE and the table's own value check. */
function propertyValueArbitrary(def: PropertyDef, ctx: number): fc.Arbitrary<unknown> {
  const numeric = def.type === 'byte' || def.type === 'u16' || def.type === 'u32' || def.type === 'varint';
  const min = numeric && refuses(def, 0, ctx) ? 1 : 0;
  switch (def.type) {
    case 'byte':
      // every 5.0 byte property is 0 or 1; the table's check says so
      return fc.integer({ min, max: refuses(def, 2, ctx) ? 1 : 0xff });
    case 'u16':
      return fc.integer({ min, max: 0xffff });
    case 'u32':
      return fc.integer({ min, max: 0xffffffff });
    case 'varint': {
      const id = fc.integer({ min, max: 268_435_455 });
      // PUBLISH may repeat the Subscription Identifier (one per matching subscription), kept in order
      return ctx === Ctx.Publish ? fc.array(id, { minLength: 1, maxLength: 4 }) : id;
    }
    case 'string':
      // Response Topic is a Topic Name (MQTT-3.3.2-14)
      return def.key === 'responseTopic' ? topicNameArbitrary() : mqttStringArbitrary();
    case 'binary':
      return binaryArbitrary();
    case 'pair':
      return fc.array(fc.tuple(mqttStringArbitrary(), mqttStringArbitrary()), { minLength: 1, maxLength: 4 });
  }
}

function ctxFor(packetType: keyof PropertiesByPacket): number {
  return packetType === 'will' ? Ctx.Will : ctxOf(PACKET_TYPE_ID[packetType]);
}

/**
 * A non-empty 5.0 property block for `packetType` (`'will'` for the Will Properties): any subset of the properties
 * the packet may carry (PROPERTY_TABLE), each with a valid value. Authentication Data only comes with an
 * Authentication Method (U5-3.1.2.11-5). PUBLISH gets `subscriptionIdentifiers`, SUBSCRIBE `subscriptionIdentifier`.
 */
export function propertiesArbitrary<T extends keyof PropertiesByPacket>(packetType: T): fc.Arbitrary<PropertiesByPacket[T]> {
  const ctx = ctxFor(packetType);
  const model: Record<string, fc.Arbitrary<unknown>> = {};
  for (const def of PROPERTY_TABLE) {
    if ((def.allowed & ctx) === 0) continue;
    const key = def.id === 0x0b && ctx === Ctx.Publish ? 'subscriptionIdentifiers' : def.key;
    model[key] = propertyValueArbitrary(def, ctx);
  }
  return fc
    .record(model, { requiredKeys: [] })
    .map((generated) => {
      const props: Record<string, unknown> = {};
      for (const key of Object.keys(generated)) {
        const value = generated[key];
        if (value !== undefined) props[key] = value;
      }
      if (props['authenticationData'] !== undefined && props['authenticationMethod'] === undefined) {
        delete props['authenticationData'];
      }
      return props as PropertiesByPacket[T];
    })
    .filter((props) => Object.keys(props).length > 0);
}

/** Either no property block or a non-empty one: decoded packets never carry `properties: {}`. */
function optionalProperties<T extends keyof PropertiesByPacket>(packetType: T): fc.Arbitrary<PropertiesByPacket[T] | undefined> {
  return fc.option(propertiesArbitrary(packetType), { nil: undefined, freq: 3 });
}

function reasonCodeArbitrary(packetType: string, version: ProtocolVersion): fc.Arbitrary<number> {
  return fc.constantFrom(...allowedReasonCodes(packetType, version));
}

const packetIdArbitrary = (): fc.Arbitrary<number> => fc.integer({ min: 1, max: 0xffff });
const qosArbitrary = (): fc.Arbitrary<QoS> => fc.constantFrom<QoS>(0, 1, 2);

/** A payload that is UTF-8 when the Payload Format Indicator says so (section 3.3.2.3.2). */
function payloadFor(props: { payloadFormatIndicator?: number } | undefined): fc.Arbitrary<Uint8Array> {
  if (props?.payloadFormatIndicator !== 1) return payloadArbitrary();
  return mqttStringArbitrary().map((s) => new TextEncoder().encode(s));
}

// ---------------------------------------------------------------------------------------------------------------
// Packets

/** Who sends the generated packets; omitted, both directions are generated. */
export interface SenderOptions {
  /**
   * `'client'`: only packets a client sends (Table 2-1 / section 2.2.1), and PUBLISH without Subscription
   * Identifiers (MQTT-3.3.4-6); `'server'`: only packets a server sends, and DISCONNECT without Session Expiry
   * Interval (MQTT-3.14.2-2). Matches PacketDecoder's `role` option from the receiving side.
   */
  sender?: 'client' | 'server';
}

/**
 * CONNECT at `version`. Level 3 (MQTT 3.1) Client Identifiers have 1 to 23 characters; at level 4 an empty one comes
 * with Clean Session 1 (MQTT-3.1.3-7); before 5.0 a password comes only with a user name (MQTT-3.1.2-22).
 * No `protocolName`: it always equals the level's default.
 */
export function connectArbitrary(version: ProtocolVersion = 4): fc.Arbitrary<ConnectPacket> {
  const v5 = version === 5;
  const willProperties: fc.Arbitrary<WillProperties | undefined> = v5 ? optionalProperties('will') : fc.constant(undefined);
  const will: fc.Arbitrary<Will> = willProperties.chain((properties) =>
    fc.record({ topic: topicNameArbitrary(), payload: payloadFor(properties), qos: qosArbitrary(), retain: fc.boolean() }).map((w) => {
      const out: Will = { topic: w.topic, payload: w.payload, qos: w.qos, retain: w.retain };
      if (properties !== undefined) out.properties = properties;
      return out;
    }),
  );
  return fc
    .record({
      clientId: version === 3 ? mqttStringArbitrary({ minLength: 1, maxLength: 23 }) : mqttStringArbitrary(),
      clean: fc.boolean(),
      keepAlive: fc.integer({ min: 0, max: 0xffff }),
      username: fc.option(mqttStringArbitrary(), { nil: undefined }),
      password: fc.option(binaryArbitrary(), { nil: undefined }),
      will: fc.option(will, { nil: undefined }),
      properties: v5 ? optionalProperties('connect') : fc.constant(undefined),
    })
    .map((c) => {
      const p: ConnectPacket = {
        type: 'connect',
        protocolVersion: version,
        clientId: c.clientId,
        // MQTT-3.1.3-7: a zero-length Client Identifier needs Clean Session 1 before 5.0
        clean: c.clean || (!v5 && c.clientId.length === 0),
        keepAlive: c.keepAlive,
      };
      if (c.username !== undefined) p.username = c.username;
      if (c.password !== undefined && (v5 || c.username !== undefined)) p.password = c.password;
      if (c.will !== undefined) p.will = c.will;
      if (c.properties !== undefined) p.properties = c.properties;
      return p;
    });
}

/** CONNACK at `version`: any allowed return / reason code; Session Present only with 0 (MQTT-3.2.2-4, -6). */
export function connackArbitrary(version: ProtocolVersion = 4): fc.Arbitrary<ConnackPacket> {
  return fc
    .record({
      sessionPresent: fc.boolean(),
      reasonCode: reasonCodeArbitrary('connack', version),
      properties: version === 5 ? optionalProperties('connack') : fc.constant(undefined),
    })
    .map((c) => {
      const p: ConnackPacket = { type: 'connack', sessionPresent: c.sessionPresent && c.reasonCode === 0, reasonCode: c.reasonCode };
      if (c.properties !== undefined) p.properties = c.properties;
      return p;
    });
}

/**
 * PUBLISH at `version`: Packet Identifier exactly when QoS > 0, DUP only with QoS > 0 (MQTT-3.3.1-2). At level 5
 * any PUBLISH property, including Subscription Identifiers unless the sender is a client (MQTT-3.3.4-6); with a
 * Topic Alias the Topic Name is sometimes empty (section 3.3.2.3.4).
 */
export function publishArbitrary(version: ProtocolVersion = 4, options: SenderOptions = {}): fc.Arbitrary<PublishPacket> {
  let props: fc.Arbitrary<PublishProperties | undefined> = version === 5 ? optionalProperties('publish') : fc.constant(undefined);
  if (options.sender === 'client') {
    props = props.map((p) => {
      if (p?.subscriptionIdentifiers === undefined) return p;
      const { subscriptionIdentifiers: _dropped, ...rest } = p;
      return Object.keys(rest).length > 0 ? rest : undefined;
    });
  }
  return props.chain((properties) =>
    fc
      .record({
        topic:
          properties?.topicAlias !== undefined
            ? fc.oneof(fc.constant(''), topicNameArbitrary())
            : topicNameArbitrary(),
        payload: payloadFor(properties),
        qos: qosArbitrary(),
        retain: fc.boolean(),
        dup: fc.boolean(),
        packetId: packetIdArbitrary(),
      })
      .map((g) => {
        const base = { type: 'publish' as const, topic: g.topic, payload: g.payload, retain: g.retain };
        const p: PublishPacket =
          g.qos === 0 ? { ...base, qos: 0, dup: false } : { ...base, qos: g.qos, dup: g.dup, packetId: g.packetId };
        if (properties !== undefined) p.properties = properties;
        return p;
      }),
  );
}

type AckType = 'puback' | 'pubrec' | 'pubrel' | 'pubcomp';
type AckOf<T extends AckType> = { puback: PubackPacket; pubrec: PubrecPacket; pubrel: PubrelPacket; pubcomp: PubcompPacket }[T];

function ackArbitrary<T extends AckType>(type: T, version: ProtocolVersion): fc.Arbitrary<AckOf<T>> {
  if (version !== 5) return packetIdArbitrary().map((packetId) => ({ type, packetId }) as AckOf<T>);
  return fc
    .record({ packetId: packetIdArbitrary(), reasonCode: reasonCodeArbitrary(type, 5), properties: optionalProperties(type) })
    .map((g) => {
      const p = { type, packetId: g.packetId, reasonCode: g.reasonCode } as AckOf<T>;
      if (g.properties !== undefined) p.properties = g.properties;
      return p;
    });
}

/** PUBACK at `version`; at level 5 always with a `reasonCode` (0x00 included) and any PUBACK property. */
export function pubackArbitrary(version: ProtocolVersion = 4): fc.Arbitrary<PubackPacket> {
  return ackArbitrary('puback', version);
}
/** PUBREC at `version`; at level 5 always with a `reasonCode`. */
export function pubrecArbitrary(version: ProtocolVersion = 4): fc.Arbitrary<PubrecPacket> {
  return ackArbitrary('pubrec', version);
}
/** PUBREL at `version`; at level 5 always with a `reasonCode` (0x00 or 0x92). */
export function pubrelArbitrary(version: ProtocolVersion = 4): fc.Arbitrary<PubrelPacket> {
  return ackArbitrary('pubrel', version);
}
/** PUBCOMP at `version`; at level 5 always with a `reasonCode` (0x00 or 0x92). */
export function pubcompArbitrary(version: ProtocolVersion = 4): fc.Arbitrary<PubcompPacket> {
  return ackArbitrary('pubcomp', version);
}

/**
 * SUBSCRIBE at `version` with 1 to 5 subscriptions. At level 5 each has all of `noLocal`, `retainAsPublished` and
 * `retainHandling` (No Local never on a Shared Subscription, MQTT-3.8.3-4); before 5.0 only `topicFilter` and `qos`.
 */
export function subscribeArbitrary(version: ProtocolVersion = 4): fc.Arbitrary<SubscribePacket> {
  const subscription: fc.Arbitrary<Subscription> =
    version === 5
      ? fc
          .record({
            topicFilter: topicFilterArbitrary(5),
            qos: qosArbitrary(),
            noLocal: fc.boolean(),
            retainAsPublished: fc.boolean(),
            retainHandling: fc.constantFrom<0 | 1 | 2>(0, 1, 2),
          })
          .map((s) => ({
            topicFilter: s.topicFilter,
            qos: s.qos,
            noLocal: s.noLocal && !isSharedFilter(s.topicFilter),
            retainAsPublished: s.retainAsPublished,
            retainHandling: s.retainHandling,
          }))
      : fc.record({ topicFilter: topicFilterArbitrary(version), qos: qosArbitrary() }).map((s) => ({ topicFilter: s.topicFilter, qos: s.qos }));
  return fc
    .record({
      packetId: packetIdArbitrary(),
      subscriptions: fc.array(subscription, { minLength: 1, maxLength: 5 }),
      properties: version === 5 ? optionalProperties('subscribe') : fc.constant(undefined),
    })
    .map((g) => {
      const p: SubscribePacket = { type: 'subscribe', packetId: g.packetId, subscriptions: g.subscriptions };
      if (g.properties !== undefined) p.properties = g.properties;
      return p;
    });
}

/** SUBACK at `version`: 1 to 5 return codes (3.x: 0, 1, 2, 0x80) or Subscribe Reason Codes (5.0). */
export function subackArbitrary(version: ProtocolVersion = 4): fc.Arbitrary<SubackPacket> {
  return fc
    .record({
      packetId: packetIdArbitrary(),
      reasonCodes: fc.array(reasonCodeArbitrary('suback', version), { minLength: 1, maxLength: 5 }),
      properties: version === 5 ? optionalProperties('suback') : fc.constant(undefined),
    })
    .map((g) => {
      const p: SubackPacket = { type: 'suback', packetId: g.packetId, reasonCodes: g.reasonCodes };
      if (g.properties !== undefined) p.properties = g.properties;
      return p;
    });
}

/** UNSUBSCRIBE at `version` with 1 to 5 Topic Filters (MQTT-3.10.3-2). */
export function unsubscribeArbitrary(version: ProtocolVersion = 4): fc.Arbitrary<UnsubscribePacket> {
  return fc
    .record({
      packetId: packetIdArbitrary(),
      topicFilters: fc.array(topicFilterArbitrary(version), { minLength: 1, maxLength: 5 }),
      properties: version === 5 ? optionalProperties('unsubscribe') : fc.constant(undefined),
    })
    .map((g) => {
      const p: UnsubscribePacket = { type: 'unsubscribe', packetId: g.packetId, topicFilters: g.topicFilters };
      if (g.properties !== undefined) p.properties = g.properties;
      return p;
    });
}

/** UNSUBACK at `version`: before 5.0 a Packet Identifier alone; at 5.0 also 1 to 5 Unsubscribe Reason Codes. */
export function unsubackArbitrary(version: ProtocolVersion = 4): fc.Arbitrary<UnsubackPacket> {
  if (version !== 5) return packetIdArbitrary().map((packetId): UnsubackPacket => ({ type: 'unsuback', packetId }));
  return fc
    .record({
      packetId: packetIdArbitrary(),
      reasonCodes: fc.array(reasonCodeArbitrary('unsuback', 5), { minLength: 1, maxLength: 5 }),
      properties: optionalProperties('unsuback'),
    })
    .map((g) => {
      const p: UnsubackPacket = { type: 'unsuback', packetId: g.packetId, reasonCodes: g.reasonCodes };
      if (g.properties !== undefined) p.properties = g.properties;
      return p;
    });
}

/** PINGREQ (the same at every level). */
export function pingreqArbitrary(): fc.Arbitrary<PingreqPacket> {
  return fc.constant({ type: 'pingreq' });
}

/** PINGRESP (the same at every level). */
export function pingrespArbitrary(): fc.Arbitrary<PingrespPacket> {
  return fc.constant({ type: 'pingresp' });
}

/**
 * DISCONNECT at `version`: empty before 5.0; at 5.0 always with a Disconnect Reason Code and maybe properties,
 * without Session Expiry Interval when the sender is a server (MQTT-3.14.2-2).
 */
export function disconnectArbitrary(version: ProtocolVersion = 4, options: SenderOptions = {}): fc.Arbitrary<DisconnectPacket> {
  if (version !== 5) return fc.constant({ type: 'disconnect' });
  return fc
    .record({ reasonCode: reasonCodeArbitrary('disconnect', 5), properties: optionalProperties('disconnect') })
    .map((g) => {
      const p: DisconnectPacket = { type: 'disconnect', reasonCode: g.reasonCode };
      let properties = g.properties;
      if (options.sender === 'server' && properties?.sessionExpiryInterval !== undefined) {
        const { sessionExpiryInterval: _dropped, ...rest } = properties;
        properties = Object.keys(rest).length > 0 ? rest : undefined;
      }
      if (properties !== undefined) p.properties = properties;
      return p;
    });
}

/**
 * AUTH (5.0 only): either the bare Success form (no properties) or any AUTH Reason Code with an Authentication
 * Method (U5-3.15.2.2-1) and any other AUTH property.
 */
export function authArbitrary(): fc.Arbitrary<AuthPacket> {
  return fc.oneof(
    { weight: 1, arbitrary: fc.constant<AuthPacket>({ type: 'auth', reasonCode: 0 }) },
    {
      weight: 4,
      arbitrary: fc
        .record({ reasonCode: reasonCodeArbitrary('auth', 5), properties: propertiesArbitrary('auth'), method: mqttStringArbitrary() })
        .map((g): AuthPacket => ({
          type: 'auth',
          reasonCode: g.reasonCode,
          properties: { authenticationMethod: g.method, ...g.properties },
        })),
    },
  );
}

/** The packet types that exist at `version` (AUTH only at 5), optionally only those `options.sender` sends. */
export function packetTypes(version: ProtocolVersion = 4, options: SenderOptions = {}): PacketType[] {
  // every packet type by its number, AUTH (15) only at 5
  const types = PACKET_TYPE_NAME.filter((t): t is PacketType => t !== undefined && (t !== 'auth' || version === 5));
  const sender = options.sender;
  if (sender === undefined) return types;
  // what the other side alone sends is left out (DISCONNECT comes only from clients before 5.0)
  return types.filter((t) => senderOf(t, version) !== (sender === 'client' ? 'server' : 'client'));
}

/**
 * The arbitrary for one packet type at `version`; AUTH before 5.0 is refused with a RangeError. `options.sender`
 * shapes PUBLISH and DISCONNECT (see `publishArbitrary`, `disconnectArbitrary`).
 */
export function packetArbitraryOf<T extends PacketType>(
  type: T,
  version: ProtocolVersion = 4,
  options: SenderOptions = {},
): fc.Arbitrary<Extract<Packet, { type: T }>> {
  let arb: fc.Arbitrary<Packet>;
  switch (type as PacketType) {
    case 'connect':
      arb = connectArbitrary(version);
      break;
    case 'connack':
      arb = connackArbitrary(version);
      break;
    case 'publish':
      arb = publishArbitrary(version, options);
      break;
    case 'puback':
      arb = pubackArbitrary(version);
      break;
    case 'pubrec':
      arb = pubrecArbitrary(version);
      break;
    case 'pubrel':
      arb = pubrelArbitrary(version);
      break;
    case 'pubcomp':
      arb = pubcompArbitrary(version);
      break;
    case 'subscribe':
      arb = subscribeArbitrary(version);
      break;
    case 'suback':
      arb = subackArbitrary(version);
      break;
    case 'unsubscribe':
      arb = unsubscribeArbitrary(version);
      break;
    case 'unsuback':
      arb = unsubackArbitrary(version);
      break;
    case 'pingreq':
      arb = pingreqArbitrary();
      break;
    case 'pingresp':
      arb = pingrespArbitrary();
      break;
    case 'disconnect':
      arb = disconnectArbitrary(version, options);
      break;
    case 'auth':
      if (version !== 5) throw new RangeError(`AUTH exists only in MQTT 5.0, not at protocol level ${version}`);
      arb = authArbitrary();
      break;
    default:
      throw new RangeError(`unknown packet type ${String(type)}`);
  }
  return arb as fc.Arbitrary<Extract<Packet, { type: T }>>;
}

/**
 * Any packet that exists at `version` (AUTH only at 5), each type equally likely; with `options.sender`, only what
 * that side sends. A CONNECT carries `protocolVersion: version`, so `encode(p, { version })` and
 * `decode(frame, { version })` apply to all of them.
 */
export function packetArbitrary(version: ProtocolVersion = 4, options: SenderOptions = {}): fc.Arbitrary<Packet> {
  return fc.oneof(...packetTypes(version, options).map((t) => packetArbitraryOf(t, version, options) as fc.Arbitrary<Packet>));
}

// ---------------------------------------------------------------------------------------------------------------
// Frames, for fuzzing decoders

/** A valid encoded frame at `version`: `encode(p, { version })` of a `packetArbitrary(version, options)` packet. */
export function frameArbitrary(version: ProtocolVersion = 4, options: SenderOptions = {}): fc.Arbitrary<Uint8Array> {
  return packetArbitrary(version, options).map((p) => encode(p, { version }));
}

/** One change to a valid frame (see `mutatedFrameArbitrary`). */
type FrameMutation =
  | { kind: 'replace'; index: number; value: number }
  | { kind: 'truncate'; length: number }
  | { kind: 'extend'; bytes: Uint8Array };

/**
 * A valid frame at `version` with one change: one byte replaced by a different value, the frame cut short, or
 * 1 to 8 bytes appended. A decoder given it must either refuse it with its own error type or return a packet
 * (a change inside a payload or string often leaves a valid frame); it must never crash or hang. Truncated and
 * extended frames are never valid whole frames.
 */
export function mutatedFrameArbitrary(version: ProtocolVersion = 4, options: SenderOptions = {}): fc.Arbitrary<Uint8Array> {
  return frameArbitrary(version, options).chain((original) =>
    fc
      .oneof(
        {
          weight: 3,
          arbitrary: fc
            .record({ index: fc.integer({ min: 0, max: original.length - 1 }), delta: fc.integer({ min: 1, max: 255 }) })
            .map(({ index, delta }): FrameMutation => ({ kind: 'replace', index, value: (original[index]! + delta) & 0xff })),
        },
        {
          weight: 1,
          arbitrary: fc.integer({ min: 0, max: original.length - 1 }).map((length): FrameMutation => ({ kind: 'truncate', length })),
        },
        {
          weight: 1,
          arbitrary: fc.uint8Array({ minLength: 1, maxLength: 8 }).map((bytes): FrameMutation => ({ kind: 'extend', bytes })),
        },
      )
      .map((mutation) => applyMutation(original, mutation)),
  );
}

function applyMutation(original: Uint8Array, m: FrameMutation): Uint8Array {
  switch (m.kind) {
    case 'replace': {
      const out = original.slice();
      out[m.index] = m.value;
      return out;
    }
    case 'truncate':
      return original.slice(0, m.length);
    case 'extend': {
      const out = new Uint8Array(original.length + m.bytes.length);
      out.set(original);
      out.set(m.bytes, original.length);
      return out;
    }
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Labelled malformed cases and connection scripts, for fuzzing receivers (src/fuzz builds them from `Choices`;
// here fast-check makes the choices, so a failing case or script shrinks)

export {
  conformanceCases,
  type CaseOptions,
  type CaseTarget,
  type CaseVersion,
  type DecoderNeeds,
  type EncoderCase,
  type FrameCase,
  type MalformedCase,
} from './fuzz/cases.js';
export type {
  ExpectedReply,
  SessionOptions,
  SessionRole,
  SessionScript,
  SessionStep,
  SessionViolation,
  ViolationKind,
} from './fuzz/session.js';

/** `Choices.text`: code points valid in any MQTT string and topic level (not U+0000, surrogates, '/', '+', '#'). */
function textArbitrary(min: number, max: number): fc.Arbitrary<string> {
  return fc.string({ unit: codePointArbitrary('/+#'), minLength: min, maxLength: max });
}

function streamsArbitrary(min: number, max: number): fc.Arbitrary<fc.GeneratorValue[]> {
  return fc.array(fc.gen(), { minLength: min, maxLength: max });
}

/** `Choices` answered by fast-check through `fc.gen()`, so shrinking replays the generator with smaller answers. */
function fastCheckChoices(g: fc.GeneratorValue): Choices {
  return {
    int: (min, max) => g(fc.integer, { min, max }),
    pick: <T>(items: readonly T[]) => g(fc.constantFrom<T[]>, ...items),
    bool: () => g(fc.boolean),
    text: (min, max) => g(textArbitrary, min, max),
    bytes: (min, max) => g(fc.uint8Array, { minLength: min, maxLength: max }),
    streams: (min, max) => g(streamsArbitrary, min, max).map(fastCheckChoices),
  };
}

/**
 * Malformed cases at level `version` (4 or 5), each labelled with the refusal it must get: frames by default
 * (`{ bytes, rule, code, reasonCode, rows, decoder? }`), packet objects for `encode` with `{ side: 'encode' }`.
 * `rules` and `packetTypes` narrow the choice. Every generator is equally likely; its choices shrink towards the
 * case `conformanceCases` lists for it.
 */
export function malformedFrameArbitrary(version: ProtocolVersion, options?: CaseOptions & { side?: 'decode' }): fc.Arbitrary<FrameCase>;
export function malformedFrameArbitrary(version: ProtocolVersion, options: CaseOptions & { side: 'encode' }): fc.Arbitrary<EncoderCase>;
export function malformedFrameArbitrary(version: ProtocolVersion, options: CaseOptions): fc.Arbitrary<MalformedCase>;
export function malformedFrameArbitrary(version: ProtocolVersion, options: CaseOptions = {}): fc.Arbitrary<MalformedCase> {
  const generators = selectGenerators(version, options);
  const v = version as CaseVersion;
  return fc.oneof(...generators.map((gen) => fc.gen().map((g) => buildCase(gen, fastCheckChoices(g), v))));
}

/**
 * Connection scripts of the side `role` (`'client'` scripts test a server, `'server'` scripts test a client) at
 * level `version`: valid for the role and level, or (`options.violations`) with one labelled state violation.
 */
export function sessionArbitrary(version: ProtocolVersion, role: SessionRole, options: SessionOptions = {}): fc.Arbitrary<SessionScript> {
  if (version !== 3 && version !== 4 && version !== 5) throw new RangeError(`protocol level must be 3, 4 or 5, got ${String(version)}`);
  if (role !== 'client' && role !== 'server') throw new RangeError(`role must be 'client' or 'server', got ${String(role)}`);
  const mode = options.violations ?? 'sometimes';
  if (mode !== 'never' && mode !== 'sometimes' && mode !== 'always') throw new RangeError(`violations must be 'never', 'sometimes' or 'always', got ${String(mode)}`);
  return fc.gen().map((g) => buildSession(fastCheckChoices(g), version, role, options));
}
