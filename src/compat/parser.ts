// mqtt-packet's `parser()`: an event emitter whose `parse(buf)` cuts a byte stream into frames, decodes each with
// the codec, and emits it as an mqtt-packet object. Every packet completed before a fault is emitted first; the
// fault is then emitted as 'error' and the rest of the chunk is dropped, as mqtt-packet does.

import {
  MqttError,
  decode,
  type ConnackPacket,
  type ConnectPacket,
  type DecodeFrameOptions,
  type Packet as WirePacket,
  type ProtocolVersion,
  type PublishPacket,
  type SubscribePacket,
} from '../index.js';
import { allocBytes, asBytes } from './bytes.js';
import { Emitter } from './emitter.js';
import { mqttPacketFault } from './faults.js';
import { MAXIMUM_QOS_ID, findPropertyValue, toCompatProperties } from './properties.js';
import { bodyStart, decodeWithStandIns } from './stand-in.js';
import type { Packet as CompatPacket, ParserSettings } from './types.js';

const CMD = ['reserved', 'connect', 'connack', 'publish', 'puback', 'pubrec', 'pubrel', 'pubcomp', 'subscribe', 'suback', 'unsubscribe', 'unsuback', 'pingreq', 'pingresp', 'disconnect', 'auth'] as const;

/**
 * The fixed-header flags mqtt-packet requires per packet type, checked as soon as the first byte arrives (-1: none,
 * for PUBLISH and the reserved type 0). The codec checks the same flags; this table only lets a fault be reported
 * at the moment mqtt-packet reports it, before the rest of the frame has arrived.
 */
const REQUIRED_FLAGS = [-1, 0, 0, -1, 0, 0, 2, 0, 2, 0, 2, 0, 0, 0, 0, 0];

/** One options object per level, reused: decode reads nothing else from it. */
const DECODE: Record<ProtocolVersion, DecodeFrameOptions> = { 3: { version: 3 }, 4: { version: 4 }, 5: { version: 5 } };

/** The protocol names, as bytes, and the one each level uses. */
const MQTT = [0x4d, 0x51, 0x54, 0x54];
const MQISDP = [0x4d, 0x51, 0x49, 0x73, 0x64, 0x70];
const NAME_OF_LEVEL: Record<number, number[]> = { 3: MQISDP, 4: MQTT, 5: MQTT };

/** The level mqtt-packet decodes at: 5 and 3 when `settings.protocolVersion` says so, else 4. */
function levelOf(settings: ParserSettings): ProtocolVersion {
  const v = settings.protocolVersion;
  return v === 5 ? 5 : v === 3 ? 3 : 4;
}

export class Parser extends Emitter {
  /**
   * The options given to `parser()`, and after each CONNECT that CONNECT (mqtt-packet's way of switching to the
   * client's protocol level). `protocolVersion` is read for every frame, so a caller may change it between calls.
   */
  settings: ParserSettings;
  /** The last error emitted, until the next `parse` call clears it. */
  error: Error | null = null;
  /** Views of the bytes of a partial frame, in order. */
  #pieces: Uint8Array[] = [];
  #held = 0;
  /** Size of the partial frame once its header is complete, else -1. */
  #need = -1;
  /** Size of the partial frame's fixed header, once complete. */
  #headerSize = 0;
  /** Stream offset of the next byte, for error offsets. */
  #offset = 0;
  /** Chunks given to `parse` by a listener while a chunk was being parsed, or left when a listener threw. */
  #queue: Uint8Array[] = [];
  #parsing = false;

  constructor(opts?: ParserSettings | null) {
    super();
    this.settings = opts ?? {};
  }

  /**
   * Parses `buf`, emitting 'packet' for each packet it completes (synchronously, with `this` the parser) and
   * 'error' for the first fault, after which nothing more of `buf` is read. The next call after an error starts
   * afresh, as a new parser would. Returns the number of bytes held for a packet not yet complete.
   */
  parse(buf: Uint8Array): number {
    if (this.#parsing) {
      // a listener fed more bytes: they follow the rest of the chunk being parsed
      this.#queue.push(buf);
      return this.#left();
    }
    if (this.error !== null) this.#reset();
    if (!(buf instanceof Uint8Array)) {
      this.#fail(new MqttError('invalid-packet', `parse expects a Buffer or Uint8Array, got ${buf === null ? 'null' : typeof buf}`));
      return 0;
    }
    this.#parsing = true;
    try {
      if (this.#queue.length > 0) this.#queue.push(buf);
      else this.#chunk(buf);
      while (this.#queue.length > 0 && this.error === null) this.#chunk(this.#queue.shift()!);
    } finally {
      this.#parsing = false;
    }
    return this.#left();
  }

  /**
   * The bytes held, counted as mqtt-packet counts them: it consumes the fixed header as soon as it has read it, so
   * only the bytes after it are left (after the first byte alone while the Remaining Length is incomplete).
   */
  #left(): number {
    if (this.#held === 0) return 0;
    return this.#held - (this.#need === -1 ? 1 : this.#headerSize);
  }

  #reset(): void {
    this.error = null;
    this.#offset = 0;
    this.#pieces = [];
    this.#held = 0;
    this.#need = -1;
    this.#queue = [];
  }

  #fail(err: Error): void {
    this.error = err;
    this.#pieces = [];
    this.#held = 0;
    this.#need = -1;
    this.#queue = [];
    this.emit('error', err);
  }

  #hold(piece: Uint8Array): void {
    if (piece.length === 0) return;
    this.#pieces.push(piece);
    this.#held += piece.length;
  }

  /** Parses one chunk: first the frame held pieces were waiting for, then every whole frame inside the chunk. */
  #chunk(chunk: Uint8Array): void {
    const len = chunk.length;
    const base = this.#offset;
    this.#offset += len;
    let pos = 0;
    if (this.#held > 0) {
      pos = this.#complete(chunk);
      if (pos < 0) return;
    }
    while (pos < len) {
      const first = chunk[pos]!;
      const required = REQUIRED_FLAGS[first >> 4]!;
      if (required >= 0 ? (first & 0x0f) !== required : (first & 0x06) === 0x06) {
        this.#headerFault(chunk.subarray(pos, pos + 1), base + pos, required >= 0 ? 'flags' : 'qos');
        return;
      }
      // the Remaining Length
      let i = pos + 1;
      let rl = 0;
      let mul = 1;
      let complete = false;
      while (i < len) {
        const byte = chunk[i++]!;
        rl += (byte & 0x7f) * mul;
        if (byte < 0x80) {
          // a padded length (a last byte of 0 after the first) is read as mqtt-packet reads it; the codec refuses
          // it when the frame is complete, so that the frame's other faults can be told in mqtt-packet's words
          complete = true;
          break;
        }
        if (i - pos === 5) {
          this.#headerFault(chunk.subarray(pos, i), base + pos, 'length');
          return;
        }
        mul *= 128;
      }
      if (!complete) {
        this.#hold(chunk.subarray(pos));
        return;
      }
      const size = i - pos + rl;
      if (len - pos < size) {
        this.#need = size;
        this.#headerSize = i - pos;
        this.#hold(chunk.subarray(pos));
        return;
      }
      const end = pos + size;
      const at = pos;
      pos = end;
      try {
        if (!this.#frame(chunk.subarray(at, end), i - at, base + at)) return;
      } catch (e) {
        // a listener threw: the bytes after its packet are parsed by the next call
        if (pos < len) this.#queue.unshift(chunk.subarray(pos));
        throw e;
      }
    }
  }

  /**
   * Completes the held partial frame with the start of `chunk` and handles it. Returns where the rest of the chunk
   * starts, or -1 when the chunk was used up (held, or dropped after a fault).
   */
  #complete(chunk: Uint8Array): number {
    if (this.#need === -1) {
      // the header was cut: at most 4 bytes are held; read the Remaining Length over them and the new bytes
      const head = new Uint8Array(Math.min(this.#held + chunk.length, 5));
      let o = 0;
      for (const p of this.#pieces) {
        head.set(p, o);
        o += p.length;
      }
      head.set(chunk.subarray(0, head.length - o), o);
      let rl = 0;
      let mul = 1;
      let i = 1;
      for (; i < head.length; i++) {
        const byte = head[i]!;
        rl += (byte & 0x7f) * mul;
        if (byte < 0x80) break;
        mul *= 128;
      }
      const at = this.#offset - chunk.length - this.#held;
      if (i === head.length) {
        if (i === 5) {
          this.#headerFault(head, at, 'length');
        } else {
          this.#hold(chunk);
        }
        return -1;
      }
      this.#need = i + 1 + rl;
      this.#headerSize = i + 1;
    }
    const missing = this.#need - this.#held;
    if (chunk.length < missing) {
      this.#hold(chunk);
      return -1;
    }
    // the one copy of a frame spread over chunks, into a Buffer where Buffer exists (its fields are then views)
    const frame = allocBytes(this.#need);
    let o = 0;
    for (const p of this.#pieces) {
      frame.set(p, o);
      o += p.length;
    }
    frame.set(chunk.subarray(0, missing), o);
    const at = this.#offset - chunk.length - this.#held;
    this.#pieces = [];
    this.#held = 0;
    this.#need = -1;
    try {
      if (!this.#frame(frame, bodyStart(frame), at)) return -1;
    } catch (e) {
      if (missing < chunk.length) this.#queue.unshift(chunk.subarray(missing));
      throw e;
    }
    return missing;
  }

  /**
   * A fixed-header fault, found before the frame is complete, as mqtt-packet finds it: flags a packet type may not
   * carry, QoS 3, a Remaining Length longer than four bytes. The error is the codec's own for those bytes, with
   * mqtt-packet's message.
   */
  #headerFault(header: Uint8Array, at: number, kind: 'flags' | 'qos' | 'length'): void {
    const first = header[0]!;
    // the codec checks the fixed header before anything else: a header followed by an empty body reproduces it
    const err = codecError(kind === 'length' ? header : Uint8Array.of(first, 0), levelOf(this.settings));
    const typeId = first >> 4;
    if (kind === 'flags') {
      setMessage(err, `Invalid header flag bits, must be 0x${REQUIRED_FLAGS[typeId]!.toString(16)} for ${CMD[typeId]} packet`);
    } else if (kind === 'qos') {
      setMessage(err, 'Packet must not have both QoS bits set to 1');
    } else {
      setMessage(err, 'Invalid variable byte integer');
    }
    setOffset(err, at + (err.offset ?? 0));
    this.#fail(err);
  }

  /**
   * Decodes one whole frame (`bodyAt`: its header size) and emits it. Returns false after a fault (emitted as
   * 'error'), true otherwise.
   */
  #frame(frame: Uint8Array, bodyAt: number, at: number): boolean {
    const first = frame[0]!;
    const level = levelOf(this.settings);
    let packet: CompatPacket;
    try {
      // a padded Remaining Length (MQTT-1.5.5-1), which the stand-in frames below would not carry over
      if (bodyAt > 2 && frame[bodyAt - 1] === 0) throw codecError(frame.subarray(0, bodyAt), level);
      switch (first >> 4) {
        case 3:
          packet = publishObject(decodeAsGiven(frame, level) as PublishPacket, frame.length - bodyAt);
          break;
        case 1:
          packet = this.#connect(frame, bodyAt);
          break;
        case 2:
          packet = connackObject(frame, bodyAt, level);
          break;
        default:
          packet = compatObject(decodeAsGiven(frame, level), first, frame.length - bodyAt, level, this.settings.bridgeMode === true);
      }
    } catch (e) {
      const err = e instanceof MqttError ? e : new MqttError('malformed-packet', String(e));
      const message = mqttPacketFault(frame, bodyAt, this.settings.protocolVersion);
      if (message !== undefined) setMessage(err, message);
      setOffset(err, at + (err.offset ?? 0));
      this.#fail(err);
      return false;
    }
    this.emit('packet', packet);
    return true;
  }

  /**
   * A CONNECT. mqtt-packet accepts a bridge's protocol level (0x80 added: 131, 132, 133) and either protocol name at
   * any of the three levels; the codec accepts neither, so such a frame is decoded in the normal form of its level
   * and the name, level and bridge flag it carried are put back on the result.
   */
  #connect(frame: Uint8Array, bodyAt: number): CompatPacket {
    const end = frame.length;
    const nameLength = end - bodyAt >= 2 ? (frame[bodyAt]! << 8) | frame[bodyAt + 1]! : -1;
    const levelAt = bodyAt + 2 + nameLength;
    let name: number[] | undefined;
    if (nameLength === 4 && startsWith(frame, bodyAt + 2, MQTT)) name = MQTT;
    else if (nameLength === 6 && startsWith(frame, bodyAt + 2, MQISDP)) name = MQISDP;
    const byte = name !== undefined && levelAt < end ? frame[levelAt]! : -1;
    const level = byte & 0x7f;
    const bridge = byte >= 0x80;
    let wire: ConnectPacket;
    if (name !== undefined && (level === 3 || level === 4 || level === 5) && (bridge || name !== NAME_OF_LEVEL[level])) {
      const normal = normalConnect(frame, levelAt, level);
      try {
        wire = decode(normal, DECODE[level]) as ConnectPacket;
      } catch (e) {
        // the frames agree from the Connect Flags on: move an offset there back to the frame that was received
        const shift = normal.length - frame.length;
        if (e instanceof MqttError && e.offset !== undefined && e.offset > levelAt + shift) setOffset(e, e.offset - shift);
        throw e;
      }
    } else {
      wire = decode(frame, DECODE[4]) as ConnectPacket;
    }
    const packet = connectObject(wire, frame.length - bodyAt, name === MQISDP ? 'MQIsdp' : name === MQTT ? 'MQTT' : undefined, bridge);
    // mqtt-packet's settings become the CONNECT: later frames are read at its level, in its bridge mode
    this.settings = packet as unknown as ParserSettings;
    return packet;
  }
}

export function parser(opts?: ParserSettings | null): Parser {
  return new Parser(opts);
}

// ---------------------------------------------------------------------------------------------------------------

function startsWith(b: Uint8Array, at: number, bytes: number[]): boolean {
  for (let i = 0; i < bytes.length; i++) if (b[at + i] !== bytes[i]) return false;
  return true;
}

/** The codec's packet for `frame`, or, where it refuses a field mqtt-packet passes through, that packet (stand-in.ts). */
function decodeAsGiven(frame: Uint8Array, level: ProtocolVersion): WirePacket {
  try {
    return decode(frame, DECODE[level]);
  } catch (e) {
    const packet = decodeWithStandIns(frame, DECODE[level]);
    if (packet === undefined) throw e;
    return packet;
  }
}

/** The codec's error for `bytes` (which the caller knows it refuses). */
function codecError(bytes: Uint8Array, level: ProtocolVersion): MqttError {
  try {
    decode(bytes, DECODE[level]);
  } catch (e) {
    if (e instanceof MqttError) return e;
  }
  return new MqttError('malformed-packet', 'invalid fixed header');
}

/** mqtt-packet's message on the codec's error (code, reason code and rule stay the codec's). */
function setMessage(err: MqttError, message: string): void {
  (err as { message: string }).message = message;
}

/** Error offsets are stream offsets: bytes since the parser was made or last reset. */
function setOffset(err: MqttError, offset: number): void {
  (err as { offset: number | undefined }).offset = offset;
}

/**
 * The CONNECT frame the codec accepts for a bridge's or a mismatched name's CONNECT: the level's own protocol name,
 * the level byte without the bridge bit, everything after it unchanged.
 */
function normalConnect(frame: Uint8Array, levelAt: number, level: number): Uint8Array {
  const name = NAME_OF_LEVEL[level]!;
  const rest = frame.subarray(levelAt + 1);
  const rl = 2 + name.length + 1 + rest.length;
  const lengthBytes: number[] = [];
  let v = rl;
  do {
    let byte = v % 128;
    v = Math.floor(v / 128);
    if (v > 0) byte |= 0x80;
    lengthBytes.push(byte);
  } while (v > 0);
  const out = allocBytes(1 + lengthBytes.length + rl);
  let o = 0;
  out[o++] = 0x10;
  for (const b of lengthBytes) out[o++] = b;
  out[o++] = 0;
  out[o++] = name.length;
  for (const b of name) out[o++] = b;
  out[o++] = level;
  out.set(rest, o);
  return out;
}

// ---------------------------------------------------------------------------------------------------------------
// mqtt-wire packets as mqtt-packet objects. Every packet has cmd, retain, qos, dup (the fixed header's bits),
// length (the Remaining Length), and topic and payload (null except in PUBLISH), then its own fields in the order
// mqtt-packet adds them.

type Fields = Record<string, unknown>;

/**
 * The class of every parsed packet, as in mqtt-packet (its instances print as `Packet { … }`): the fixed header's
 * fields, set by the constructor in this order; each packet's own fields are added after them.
 */
class Packet {
  cmd: string;
  retain: boolean;
  qos: number;
  dup: boolean;
  length: number;
  topic: string | null;
  payload: Uint8Array | null;

  constructor(cmd: string, retain: boolean, qos: number, dup: boolean, length: number, topic: string | null, payload: Uint8Array | null) {
    this.cmd = cmd;
    this.retain = retain;
    this.qos = qos;
    this.dup = dup;
    this.length = length;
    this.topic = topic;
    this.payload = payload;
  }
}

function headerFields(cmd: string, first: number, length: number): Fields {
  return new Packet(cmd, (first & 1) !== 0, (first >> 1) & 3, (first & 8) !== 0, length, null, null) as unknown as Fields;
}

/** The hot path. */
function publishObject(p: PublishPacket, length: number): CompatPacket {
  const out = new Packet('publish', p.retain, p.qos, p.dup, length, p.topic, asBytes(p.payload)) as unknown as Fields;
  if (p.qos !== 0) out['messageId'] = p.packetId;
  if (p.properties !== undefined) out['properties'] = toCompatProperties(p.properties);
  return out as unknown as CompatPacket;
}

function connectObject(p: ConnectPacket, length: number, protocolId: string | undefined, bridge: boolean): CompatPacket {
  const out = headerFields('connect', 0x10, length);
  out['protocolId'] = protocolId ?? (p.protocolVersion === 3 ? 'MQIsdp' : 'MQTT');
  out['protocolVersion'] = p.protocolVersion;
  if (bridge) out['bridgeMode'] = true;
  if (p.will !== undefined) {
    const will: Fields = { retain: p.will.retain, qos: p.will.qos };
    if (p.will.properties !== undefined) will['properties'] = toCompatProperties(p.will.properties);
    will['topic'] = p.will.topic;
    will['payload'] = asBytes(p.will.payload);
    out['will'] = will;
  }
  out['clean'] = p.clean;
  out['keepalive'] = p.keepAlive;
  if (p.properties !== undefined) out['properties'] = toCompatProperties(p.properties);
  out['clientId'] = p.clientId;
  if (p.username !== undefined) out['username'] = p.username;
  if (p.password !== undefined) out['password'] = asBytes(p.password);
  return out as unknown as CompatPacket;
}

/**
 * A CONNACK. Two forms the codec refuses are mqtt-packet's, and its users meet them: at level 5 a CONNACK of
 * Remaining Length 1 or 2 (a 3.1.1 server's answer to a 5.0 client, `20 02 00 01` from mosquitto among them), read
 * as flags and an optional return code kept in `reasonCode`; and at 3.x a return code above 5 (reserved by the
 * spec, sent by aedes as 6 for a refused keep-alive). Their flags, and a Session Present with a refusal, are still
 * checked by the codec, on the same bytes with an allowed code.
 */
function connackObject(frame: Uint8Array, bodyAt: number, level: ProtocolVersion): CompatPacket {
  const length = frame.length - bodyAt;
  const flags = frame[bodyAt]!;
  const code = frame[bodyAt + 1]!;
  if (level === 5 && (length === 1 || length === 2)) {
    decode(Uint8Array.of(0x20, 3, flags, length === 1 || code === 0 ? 0 : 0x80, 0), DECODE[5]);
    const out = headerFields('connack', 0x20, length);
    out['sessionPresent'] = flags === 1;
    out['reasonCode'] = length === 1 ? 0 : code;
    return out as unknown as CompatPacket;
  }
  if (level !== 5 && length === 2 && code > 5) {
    decode(Uint8Array.of(0x20, 2, flags, 1), DECODE[level]);
    const out = headerFields('connack', 0x20, length);
    out['sessionPresent'] = flags === 1;
    out['returnCode'] = code;
    return out as unknown as CompatPacket;
  }
  if (level === 5) {
    // Maximum QoS 2: the spec allows 0 or 1 (U5-3.2.2.3-2), but servers have sent 2 (meaning what the property's
    // absence means, QoS 2 allowed) and mqtt-packet reads it; the codec checks the rest with a 1 in its place
    const at = findPropertyValue(frame, bodyAt + 2, MAXIMUM_QOS_ID);
    if (at !== -1 && frame[at] === 2) {
      // a copy (Buffer's slice would be a view of the caller's bytes)
      const copy = allocBytes(frame.length);
      copy.set(frame);
      copy[at] = 1;
      const out = compatObject(decode(copy, DECODE[5]), 0x20, length, 5, false) as { properties: Record<string, unknown> };
      out.properties['maximumQoS'] = 2;
      return out as unknown as CompatPacket;
    }
  }
  return compatObject(decode(frame, DECODE[level]), 0x20, length, level, false);
}

function compatObject(p: WirePacket, first: number, length: number, level: ProtocolVersion, bridge: boolean): CompatPacket {
  const out = headerFields(p.type, first, length);
  switch (p.type) {
    case 'connack': {
      const c = p as ConnackPacket;
      out['sessionPresent'] = c.sessionPresent;
      out[level === 5 ? 'reasonCode' : 'returnCode'] = c.reasonCode;
      if (c.properties !== undefined) out['properties'] = toCompatProperties(c.properties);
      break;
    }
    case 'puback':
    case 'pubrec':
    case 'pubrel':
    case 'pubcomp':
      out['messageId'] = p.packetId;
      if (p.reasonCode !== undefined) out['reasonCode'] = p.reasonCode;
      if (p.properties !== undefined) out['properties'] = toCompatProperties(p.properties);
      break;
    case 'subscribe':
      out['subscriptions'] = subscriptions(p, level, bridge);
      out['messageId'] = p.packetId;
      if (p.properties !== undefined) out['properties'] = toCompatProperties(p.properties);
      break;
    case 'suback':
      out['granted'] = p.reasonCodes;
      out['messageId'] = p.packetId;
      if (p.properties !== undefined) out['properties'] = toCompatProperties(p.properties);
      break;
    case 'unsubscribe':
      out['unsubscriptions'] = p.topicFilters;
      out['messageId'] = p.packetId;
      if (p.properties !== undefined) out['properties'] = toCompatProperties(p.properties);
      break;
    case 'unsuback':
      out['messageId'] = p.packetId;
      if (p.properties !== undefined) out['properties'] = toCompatProperties(p.properties);
      if (p.reasonCodes !== undefined) out['granted'] = p.reasonCodes;
      break;
    case 'disconnect':
    case 'auth':
      if (p.reasonCode !== undefined) out['reasonCode'] = p.reasonCode;
      if (p.properties !== undefined) out['properties'] = toCompatProperties(p.properties);
      break;
    default:
      // PINGREQ, PINGRESP
      break;
  }
  return out as unknown as CompatPacket;
}

/**
 * Subscriptions as `{ topic, qos }`, with `nl`, `rap`, `rh` at level 5. A 3.1.1 SUBSCRIBE from a bridge
 * (settings.bridgeMode) gets the options a bridge means, as mqtt-packet gives them: No Local and Retain As
 * Published on, Retain Handling 0.
 */
function subscriptions(p: SubscribePacket, level: ProtocolVersion, bridge: boolean): Fields[] {
  return p.subscriptions.map((s) => {
    if (level === 5) return { topic: s.topicFilter, qos: s.qos, nl: s.noLocal, rap: s.retainAsPublished, rh: s.retainHandling };
    if (bridge) return { topic: s.topicFilter, qos: s.qos, rh: 0, rap: true, nl: true };
    return { topic: s.topicFilter, qos: s.qos };
  });
}
