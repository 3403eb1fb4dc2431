// mqtt-packet's `generate()` and `writeToStream()`: an mqtt-packet object is checked as mqtt-packet checks it (same
// order, same messages), turned into mqtt-wire's packet and encoded by the codec, which then applies the spec's own
// rules. The bytes are mqtt-packet's: where the spec allows several forms, the one mqtt-packet writes.

import {
  MqttError,
  encode,
  encodeInto,
  encodedLength,
  fitToMaximumPacketSize,
  type EncodeOptions,
  type Packet as WirePacket,
  type ProtocolVersion,
  type PublishPacket,
  type Subscription,
} from '../index.js';
import { NodeBuffer, asBytes, isBuffer, isBytes, sameBytes, utf8Bytes, utf8String } from './bytes.js';
import { MAXIMUM_QOS_ID, findPropertyValue, toWireProperties } from './properties.js';
import { bodyStart, encodeWithStandIns, splice } from './stand-in.js';
import type { Bytes, GenerateOptions, Packet, WritableLike } from './types.js';

const ENCODE: Record<ProtocolVersion, EncodeOptions> = { 3: { version: 3 }, 4: { version: 4 }, 5: { version: 5 } };
const EMPTY = new Uint8Array(0);
/** Largest Remaining Length (a four-byte Variable Byte Integer). */
const VARINT_MAX = 268_435_455;

function invalid(message: string): MqttError {
  return new MqttError('invalid-packet', message);
}

/**
 * Frames written by `generate` where Buffer exists: slices of one ArrayBuffer at a time, as Node's own
 * Buffer.allocUnsafe pool slices its 8 KiB blocks (mqtt-packet's frames come from that pool too). A Buffer made over
 * a fresh small Uint8Array costs 3-4 times the encoding (V8 keeps arrays of up to 64 bytes on its heap and must
 * move one off it to hand out its ArrayBuffer): 830 ns a packet against 260-340 ns for the pooled slice, on bench
 * w2's 3.1.1 PUBLISH frames. A new block is started when less than POOL_ROOM is left, so that a frame almost
 * always fits; a larger frame is written alone.
 */
const POOL_SIZE = 64 * 1024;
const POOL_ROOM = 4 * 1024;

class FramePool {
  #buffer = new ArrayBuffer(POOL_SIZE);
  #bytes = new Uint8Array(this.#buffer);
  #used = 0;

  /**
   * The codec's frame for `packet` written into the pool, as a Buffer; undefined when there is no Buffer here or
   * when encodeInto throws (the packet is refused, or larger than the room left): the caller then encodes alone.
   */
  encode(packet: WirePacket, options: EncodeOptions): Uint8Array | undefined {
    if (NodeBuffer === undefined) return undefined;
    this.#room();
    let n: number;
    try {
      n = encodeInto(packet, this.#bytes, this.#used, options);
    } catch {
      return undefined;
    }
    return this.#take(n);
  }

  /** A frame of the given bytes, in the pool where Buffer exists. */
  bytes(bytes: number[]): Uint8Array {
    if (NodeBuffer === undefined) return Uint8Array.from(bytes);
    this.#room();
    this.#bytes.set(bytes, this.#used);
    return this.#take(bytes.length);
  }

  #room(): void {
    if (POOL_SIZE - this.#used < POOL_ROOM) {
      this.#buffer = new ArrayBuffer(POOL_SIZE);
      this.#bytes = new Uint8Array(this.#buffer);
      this.#used = 0;
    }
  }

  #take(n: number): Uint8Array {
    const frame = NodeBuffer!.from(this.#buffer, this.#used, n);
    // the next frame starts on an 8-byte boundary, as in Node's pool
    this.#used = (this.#used + n + 7) & ~7;
    return frame;
  }
}

const pool = new FramePool();

/**
 * The codec's frame for `wire`, in the frame pool where Buffer exists; or, when the codec refuses a field
 * mqtt-packet writes as given, that frame (stand-in.ts).
 */
function encodeAsGiven(wire: WirePacket, options: EncodeOptions): Uint8Array {
  const pooled = pool.encode(wire, options);
  if (pooled !== undefined) return pooled;
  // not pooled: no Buffer here, a frame larger than the room left, or a packet the codec refuses (encode says why)
  try {
    return encode(wire, options);
  } catch (e) {
    const frame = encodeWithStandIns(wire, options);
    if (frame === undefined) throw e;
    return frame;
  }
}

/** A frame of a few given bytes, pooled like the others. */
function frameOfBytes(...bytes: number[]): Uint8Array {
  return pool.bytes(bytes);
}

type Fields = Record<string, any>;

/**
 * The frame of one mqtt-packet object, as a Buffer where Buffer exists. Throws MqttError (`invalid-packet`, or
 * `packet-too-large` against `opts.properties.maximumPacketSize`) for anything it cannot write.
 */
export function generate(packet: Packet, opts?: GenerateOptions | null): Bytes {
  return asBytes(frameOf(packet as unknown as Fields, opts));
}

/**
 * Writes the frame of `packet` to `stream` in one `write` and returns what `write` returned (false: wait for
 * 'drain'). A packet that cannot be written is not written: `stream.destroy(error)` is called and false returned.
 * The stream is corked until the current job ends, so the packets written in one go leave together.
 */
function writeToStreamImpl(packet: Packet, stream: WritableLike, opts?: GenerateOptions | null): boolean {
  let frame: Uint8Array;
  try {
    frame = frameOf(packet as unknown as Fields, opts);
  } catch (e) {
    stream.destroy(e as Error);
    return false;
  }
  if (typeof stream.cork === 'function') {
    stream.cork();
    defer(uncork, stream);
  }
  return stream.write(asBytes(frame)) as boolean;
}

function uncork(stream: WritableLike): void {
  stream.uncork!();
}

/**
 * Node's process.nextTick where it exists, as mqtt-packet uncorks: a stream is uncorked before promise callbacks
 * run, and aedes's tests depend on that order (a CONNACK must not leave before the close of a session taken over).
 * queueMicrotask elsewhere.
 */
const nextTick = (globalThis as { process?: { nextTick?: (fn: (s: WritableLike) => void, s: WritableLike) => void } }).process?.nextTick;
const defer: (fn: (s: WritableLike) => void, s: WritableLike) => void =
  typeof nextTick === 'function' ? nextTick : (fn, s) => queueMicrotask(() => fn(s));

let cacheNumbers = true;

export const writeToStream: typeof writeToStreamImpl & { cacheNumbers: boolean } = Object.defineProperty(
  writeToStreamImpl,
  'cacheNumbers',
  {
    /**
     * mqtt-packet's switch for its cache of two-byte numbers. Kept as a plain setting for the callers that set it
     * (MQTT.js does): frames are written whole here, with no such cache.
     */
    get: (): boolean => cacheNumbers,
    set: (value: unknown): void => {
      cacheNumbers = Boolean(value);
    },
  },
) as typeof writeToStreamImpl & { cacheNumbers: boolean };

// ---------------------------------------------------------------------------------------------------------------

function frameOf(packet: Fields, opts: GenerateOptions | null | undefined): Uint8Array {
  if (typeof packet !== 'object' || packet === null) throw invalid('Unknown command');
  // mqtt-packet: no options is level 4, options without a protocolVersion are not level 5 either
  const version = opts ? opts.protocolVersion : 4;
  const level: ProtocolVersion = version === 5 ? 5 : version === 3 ? 3 : 4;
  switch (packet['cmd']) {
    case 'publish':
      return publishFrame(packet, level);
    case 'connect':
      return connectFrame(packet);
    case 'connack':
      return connackFrame(packet, level);
    case 'puback':
    case 'pubrec':
    case 'pubrel':
    case 'pubcomp':
      return ackFrame(packet, level, opts);
    case 'subscribe':
      return subscribeFrame(packet, level);
    case 'suback':
      return subackFrame(packet, level, opts);
    case 'unsubscribe':
      return unsubscribeFrame(packet, level);
    case 'unsuback':
      return unsubackFrame(packet, level, opts);
    case 'pingreq':
    case 'pingresp':
      return frameOfBytes(packet['cmd'] === 'pingreq' ? 0xc0 : 0xd0, 0);
    case 'disconnect':
      return disconnectFrame(packet, level, opts);
    case 'auth':
      return authFrame(packet, level, opts);
    default:
      throw invalid('Unknown command');
  }
}

function checkMessageId(packet: Fields): number {
  const id: unknown = packet['messageId'];
  if (typeof id !== 'number') throw invalid('Invalid messageId');
  return id;
}

/** A string field given as a string or (mqtt-packet allows it) a Buffer of UTF-8. */
function text(value: unknown, message: string): string {
  if (typeof value === 'string') return value;
  if (isBytes(value)) {
    const s = utf8String(value);
    if (s !== undefined) return s;
  }
  throw invalid(message);
}

/** A binary field given as a Buffer or (mqtt-packet allows it) a string, written as UTF-8. */
function bytes(value: unknown, message: string): Uint8Array {
  if (isBytes(value)) return value;
  if (typeof value === 'string') return utf8Bytes(value);
  throw invalid(message);
}

function publishFrame(packet: Fields, level: ProtocolVersion): Uint8Array {
  const qos = packet['qos'] || 0;
  const topicField: unknown = packet['topic'];
  if (typeof topicField !== 'string' && !isBuffer(topicField)) throw invalid('Invalid topic');
  const topic = text(topicField, 'Invalid topic');
  const payloadField: unknown = packet['payload'] || EMPTY;
  const payload = bytes(payloadField, 'Invalid payload');
  if (qos && typeof packet['messageId'] !== 'number') throw invalid('Invalid messageId');
  const properties = level === 5 ? toWireProperties(packet['properties'], true) : undefined;
  // MQTT-3.3.1-2: DUP only with QoS 1 or 2 (mqtt-packet would write it on a QoS 0 PUBLISH too)
  const wire: Fields =
    qos === 0
      ? { type: 'publish', topic, payload, qos, retain: Boolean(packet['retain']), dup: false }
      : { type: 'publish', topic, payload, qos, retain: Boolean(packet['retain']), dup: Boolean(packet['dup']), packetId: packet['messageId'] };
  if (properties !== undefined) wire['properties'] = properties;
  try {
    return encodeAsGiven(wire as PublishPacket, ENCODE[level]);
  } catch (e) {
    throw publishTooLong(e, wire, level);
  }
}

/** mqtt-packet's message for a PUBLISH whose Remaining Length is over the maximum; any other error as it is. */
function publishTooLong(e: unknown, wire: Fields, level: ProtocolVersion): unknown {
  const payload = wire['payload'] as Uint8Array;
  if (payload.length < VARINT_MAX - 0xffff) return e;
  let withoutPayload: number;
  try {
    withoutPayload = encodedLength({ ...wire, payload: EMPTY } as PublishPacket, ENCODE[level]);
  } catch {
    return e;
  }
  // the Remaining Length of the frame without its payload (frame = 1 + length bytes + Remaining Length)
  let rl = withoutPayload - 2;
  for (let lengthBytes = 1; lengthBytes <= 4; lengthBytes++) {
    rl = withoutPayload - 1 - lengthBytes;
    if (rl < 128 ** lengthBytes) break;
  }
  const total = rl + payload.length;
  return total > VARINT_MAX ? invalid(`Invalid variable byte integer: ${total}`) : e;
}

const PROTOCOL_NAME: Record<number, Uint8Array> = { 3: utf8Bytes('MQIsdp'), 4: utf8Bytes('MQTT'), 5: utf8Bytes('MQTT') };

function connectFrame(packet: Fields): Uint8Array {
  const protocolId: unknown = packet['protocolId'] || 'MQTT';
  const protocolVersion: unknown = packet['protocolVersion'] || 4;
  const will: unknown = packet['will'];
  const clean: unknown = packet['clean'] === undefined ? true : packet['clean'];
  const keepalive: unknown = packet['keepalive'] || 0;
  const clientId: unknown = packet['clientId'] || '';
  const username: unknown = packet['username'];
  const password: unknown = packet['password'];

  // any name, as mqtt-packet writes it: a server's test crafts a wrong one to see it refused
  if (typeof protocolId !== 'string' && !isBuffer(protocolId)) throw invalid('Invalid protocolId');
  const name = typeof protocolId === 'string' ? utf8Bytes(protocolId) : protocolId;
  if (protocolVersion !== 3 && protocolVersion !== 4 && protocolVersion !== 5) throw invalid('Invalid protocol version');
  // mqtt-packet's rule: a client id unless 3.1.1 or later with a clean session
  if (!((typeof clientId === 'string' || isBuffer(clientId)) && (clientId || protocolVersion >= 4) && (clientId || clean))) {
    if (protocolVersion < 4) throw invalid('clientId must be supplied before 3.1.1');
    if (Number(clean) === 0) throw invalid('clientId must be given if cleanSession set to 0');
    throw invalid('Invalid clientId');
  }
  if (typeof keepalive !== 'number' || keepalive < 0 || keepalive > 65535 || keepalive % 1 !== 0) throw invalid('Invalid keepalive');
  const v5 = protocolVersion === 5;
  const properties = v5 ? toWireProperties(packet['properties'], false) : undefined;
  let wireWill: Fields | undefined;
  if (will) {
    if (typeof will !== 'object') throw invalid('Invalid will');
    const w = will as Fields;
    if (!w['topic'] || typeof w['topic'] !== 'string') throw invalid('Invalid will topic');
    let payload: Uint8Array = EMPTY;
    if (w['payload']) {
      if (!(w['payload'].length >= 0)) throw invalid('Invalid will payload');
      payload = bytes(w['payload'], 'Invalid will payload');
    }
    const willProperties = v5 ? toWireProperties(w['properties'], false) : undefined;
    wireWill = { topic: w['topic'], payload, qos: w['qos'] || 0, retain: Boolean(w['retain']) };
    if (willProperties !== undefined) wireWill['properties'] = willProperties;
  }
  if (username != null && typeof username !== 'string' && !isBuffer(username)) throw invalid('Invalid username');
  if (password != null) {
    if (username == null) throw invalid('Username is required to use password');
    if (typeof password !== 'string' && !isBuffer(password)) throw invalid('Invalid password');
  }

  const wire: Fields = {
    type: 'connect',
    protocolVersion,
    clientId: text(clientId, 'Invalid clientId'),
    clean: Boolean(clean),
    keepAlive: keepalive,
  };
  if (wireWill !== undefined) wire['will'] = wireWill;
  if (username != null) wire['username'] = text(username, 'Invalid username');
  if (password != null) wire['password'] = bytes(password, 'Invalid password');
  if (properties !== undefined) wire['properties'] = properties;
  const frame = encodeAsGiven(wire as WirePacket, ENCODE[protocolVersion]);
  if (!sameBytes(name, PROTOCOL_NAME[protocolVersion]!) || packet['bridgeMode']) {
    // the codec wrote the level's own name and level byte: put the given name and the bridge bit in their place
    const bodyAt = bodyStart(frame);
    const written = 2 + ((frame[bodyAt]! << 8) | frame[bodyAt + 1]!) + 1;
    const levelByte = protocolVersion + (packet['bridgeMode'] ? 0x80 : 0);
    return splice(frame, bodyAt, written, [name.length >> 8, name.length & 0xff, ...name, levelByte]);
  }
  return frame;
}

function connackFrame(packet: Fields, level: ProtocolVersion): Uint8Array {
  const code: unknown = level === 5 ? packet['reasonCode'] : packet['returnCode'];
  if (typeof code !== 'number') throw invalid('Invalid return code');
  const properties = level === 5 ? toWireProperties(packet['properties'], false) : undefined;
  const sessionPresent = Boolean(packet['sessionPresent']);
  if (level !== 5 && Number.isInteger(code) && code > 5 && code <= 255) {
    // a return code the spec reserves (aedes sends 6): the rest is checked as for any refusal, then written as given
    encode({ type: 'connack', sessionPresent, reasonCode: 1 }, ENCODE[level]);
    return frameOfBytes(0x20, 2, sessionPresent ? 1 : 0, code);
  }
  const wire: Fields = { type: 'connack', sessionPresent, reasonCode: code };
  if (properties !== undefined) wire['properties'] = properties;
  if (properties?.maximumQos === 2) {
    // written as given, as mqtt-packet does (see connackObject in parser.ts); checked by the codec with a 1
    wire['properties'] = { ...properties, maximumQos: 1 };
    const frame = encodeAsGiven(wire as WirePacket, ENCODE[5]);
    frame[findPropertyValue(frame, bodyStart(frame) + 2, MAXIMUM_QOS_ID)] = 2;
    return frame;
  }
  return encodeAsGiven(wire as WirePacket, ENCODE[level]);
}

/** The Maximum Packet Size mqtt-packet fits acknowledgements to: `opts.properties.maximumPacketSize`, if set. */
function maximumOf(opts: GenerateOptions | null | undefined): number | undefined {
  const max = opts?.properties?.maximumPacketSize;
  return max ? max : undefined;
}

/**
 * Encodes a 5.0 packet whose Reason String and User Properties may be dropped to fit the Maximum Packet Size (the
 * spec's rule, which mqtt-packet follows for the acknowledgements, SUBACK, UNSUBACK, DISCONNECT and AUTH). Unlike
 * mqtt-packet, the size compared is the whole frame (fixed header included), and a packet that cannot fit even
 * without them is refused (packet-too-large) instead of being skipped without a word.
 */
function encodeFitted(wire: Fields, max: number | undefined): Uint8Array {
  let packet = wire as WirePacket;
  if (max !== undefined) {
    // a size does not depend on the Packet Identifier's value: Packet Identifier 0 is fitted as 1
    const zeroId = wire['packetId'] === 0;
    packet = fitToMaximumPacketSize((zeroId ? { ...wire, packetId: 1 } : wire) as WirePacket, max, ENCODE[5]).packet;
    if (zeroId) packet = { ...packet, packetId: 0 } as WirePacket;
  }
  return encodeAsGiven(packet, ENCODE[5]);
}

/** Refuses a frame mqtt-packet's longer form made larger than the Maximum Packet Size. */
function checkFits(frame: Uint8Array, max: number | undefined, name: string): Uint8Array {
  if (max !== undefined && frame.length > max) {
    throw new MqttError('packet-too-large', `${name} is ${frame.length} bytes, over the receiver's Maximum Packet Size of ${max} bytes`, {
      reasonCode: 0x95,
    });
  }
  return frame;
}

/** Whether mqtt-packet writes a property block for this packet: for any properties object (even empty). */
function hasPropertiesObject(packet: Fields): boolean {
  const p: unknown = packet['properties'];
  return typeof p === 'object' && p !== null;
}

function ackFrame(packet: Fields, level: ProtocolVersion, opts: GenerateOptions | null | undefined): Uint8Array {
  const type = packet['cmd'] as 'puback' | 'pubrec' | 'pubrel' | 'pubcomp';
  const packetId = checkMessageId(packet);
  // MQTT-3.6.1-1: PUBREL's flags are 0010 (mqtt-packet would add DUP when the object has dup set)
  if (level !== 5) return encodeAsGiven({ type, packetId }, ENCODE[level]);
  const withProperties = hasPropertiesObject(packet);
  const properties = withProperties ? toWireProperties(packet['properties'], false) : undefined;
  const code: unknown = packet['reasonCode'];
  const wire: Fields = { type, packetId, reasonCode: code === undefined ? 0 : code };
  if (properties !== undefined) wire['properties'] = properties;
  const max = maximumOf(opts);
  const frame = encodeFitted(wire, max);
  // without properties mqtt-packet leaves out the Reason Code only when it is 0 (undefined counts as not 0), and
  // when it writes one it writes an empty property block after it
  if (frame.length < 6 && (withProperties || code !== 0)) {
    return checkFits(frameOfBytes(frame[0]!, 4, frame[2]!, frame[3]!, wire['reasonCode'] as number, 0), max, type.toUpperCase());
  }
  return frame;
}

function subscribeFrame(packet: Fields, level: ProtocolVersion): Uint8Array {
  const packetId = checkMessageId(packet);
  const v5 = level === 5;
  const properties = v5 ? toWireProperties(packet['properties'], false) : undefined;
  const subs: unknown = packet['subscriptions'];
  if (typeof subs !== 'object' || subs === null || !(subs as unknown[]).length) throw invalid('Invalid subscriptions');
  const list = subs as Fields[];
  const subscriptions: Subscription[] = [];
  for (let i = 0; i < list.length; i++) {
    const s = list[i];
    if (typeof s !== 'object' || s === null) throw invalid('Invalid subscriptions');
    if (typeof s['topic'] !== 'string') throw invalid('Invalid subscriptions - invalid topic');
    if (typeof s['qos'] !== 'number') throw invalid('Invalid subscriptions - invalid qos');
    // a QoS other than 0, 1, 2 is written as 0, as mqtt-packet writes it (aedes's tests subscribe with 128)
    const qos = s['qos'] === 1 || s['qos'] === 2 ? s['qos'] : 0;
    if (v5) {
      const nl: unknown = s['nl'] || false;
      if (typeof nl !== 'boolean') throw invalid('Invalid subscriptions - invalid No Local');
      const rap: unknown = s['rap'] || false;
      if (typeof rap !== 'boolean') throw invalid('Invalid subscriptions - invalid Retain as Published');
      const rh: unknown = s['rh'] || 0;
      if (typeof rh !== 'number' || rh > 2) throw invalid('Invalid subscriptions - invalid Retain Handling');
      subscriptions.push({ topicFilter: s['topic'], qos, noLocal: nl, retainAsPublished: rap, retainHandling: rh as 0 });
    } else {
      // 3.x: the 5.0 options are not written, as mqtt-packet does not write them
      subscriptions.push({ topicFilter: s['topic'], qos });
    }
  }
  const wire: Fields = { type: 'subscribe', packetId, subscriptions };
  if (properties !== undefined) wire['properties'] = properties;
  // MQTT-3.8.1-1: SUBSCRIBE's flags are 0010 (mqtt-packet would add DUP when the object has dup set)
  return encodeAsGiven(wire as WirePacket, ENCODE[level]);
}

/** mqtt-packet's check of a granted / reason code list: a non-empty array-like of numbers. */
function codeList(value: unknown): number[] {
  if (typeof value !== 'object' || value === null || !(value as unknown[]).length) throw invalid('Invalid qos vector');
  const list = Array.from(value as ArrayLike<unknown>);
  for (const c of list) if (typeof c !== 'number') throw invalid('Invalid qos vector');
  return list as number[];
}

function subackFrame(packet: Fields, level: ProtocolVersion, opts: GenerateOptions | null | undefined): Uint8Array {
  const packetId = checkMessageId(packet);
  const reasonCodes = codeList(packet['granted']);
  if (level !== 5) return encodeAsGiven({ type: 'suback', packetId, reasonCodes }, ENCODE[level]);
  const properties = toWireProperties(packet['properties'], false);
  const wire: Fields = { type: 'suback', packetId, reasonCodes };
  if (properties !== undefined) wire['properties'] = properties;
  return encodeFitted(wire, maximumOf(opts));
}

function unsubscribeFrame(packet: Fields, level: ProtocolVersion): Uint8Array {
  const packetId = checkMessageId(packet);
  const unsubs: unknown = packet['unsubscriptions'];
  if (typeof unsubs !== 'object' || unsubs === null || !(unsubs as unknown[]).length) throw invalid('Invalid unsubscriptions');
  const topicFilters = Array.from(unsubs as ArrayLike<unknown>);
  for (const f of topicFilters) if (typeof f !== 'string') throw invalid('Invalid unsubscriptions');
  const properties = level === 5 ? toWireProperties(packet['properties'], false) : undefined;
  const wire: Fields = { type: 'unsubscribe', packetId, topicFilters };
  if (properties !== undefined) wire['properties'] = properties;
  return encodeAsGiven(wire as WirePacket, ENCODE[level]);
}

function unsubackFrame(packet: Fields, level: ProtocolVersion, opts: GenerateOptions | null | undefined): Uint8Array {
  const packetId = checkMessageId(packet);
  if (level !== 5) return encodeAsGiven({ type: 'unsuback', packetId }, ENCODE[level]);
  const reasonCodes = codeList(packet['granted']);
  const properties = toWireProperties(packet['properties'], false);
  const wire: Fields = { type: 'unsuback', packetId, reasonCodes };
  if (properties !== undefined) wire['properties'] = properties;
  return encodeFitted(wire, maximumOf(opts));
}

function disconnectFrame(packet: Fields, level: ProtocolVersion, opts: GenerateOptions | null | undefined): Uint8Array {
  if (level !== 5) return frameOfBytes(0xe0, 0);
  const properties = toWireProperties(packet['properties'], false);
  const code: unknown = packet['reasonCode'];
  const wire: Fields = { type: 'disconnect', reasonCode: code === undefined ? 0 : code };
  if (properties !== undefined) wire['properties'] = properties;
  const max = maximumOf(opts);
  const frame = encodeFitted(wire, max);
  // mqtt-packet always writes the Reason Code and a property block
  if (frame.length < 4) return checkFits(frameOfBytes(0xe0, 2, wire['reasonCode'] as number, 0), max, 'DISCONNECT');
  return frame;
}

function authFrame(packet: Fields, level: ProtocolVersion, opts: GenerateOptions | null | undefined): Uint8Array {
  if (level !== 5) throw invalid('Invalid mqtt version for auth packet');
  const properties = toWireProperties(packet['properties'], false);
  const code: unknown = packet['reasonCode'];
  const wire: Fields = { type: 'auth', reasonCode: code };
  if (properties !== undefined) wire['properties'] = properties;
  const max = maximumOf(opts);
  const frame = encodeFitted(wire, max);
  // mqtt-packet always writes the Reason Code and a property block
  if (frame.length < 4) return checkFits(frameOfBytes(0xf0, 2, code as number, 0), max, 'AUTH');
  return frame;
}
