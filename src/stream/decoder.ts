// PacketDecoder: the frame splitter plus decode, with the connection's protocol level and the receiver's role.
// Each frame is decoded and handed over before the next is cut, so nothing completed is lost to a later error.

import { checkVersion, decodeFrame } from '../codec.js';
import { MqttError, annotate, invalidPacket, malformed, protocolError } from '../errors.js';
import { OptionKeys } from '../options.js';
import { packetName, senderOf } from '../packet-types.js';
import { ruleAt } from '../rules.js';
import { strictFault, type StrictOptions } from '../strict.js';
import type { Packet, ProtocolVersion } from '../types.js';
import { uint8Length } from '../wire/bytes.js';
import { readPublishPlain } from '../packets/publish.js';
import { Reader } from '../wire/reader.js';
import { StreamHead, withSniffNote } from '../sniff.js';
import { FrameCursor, checkMaxPacketSize } from './splitter.js';

/** Receives each packet as it is decoded, with its frame's stream offset and size (fixed header included). */
export type OnPacket = (packet: Packet, offset: number, size: number) => void;

export interface PacketDecoderOptions {
  /** Protocol level of the connection. When omitted: 4 until the first CONNECT, then that CONNECT's level. */
  version?: ProtocolVersion;
  /** Largest whole packet accepted (header included); default 1 MiB (DEFAULT_MAX_PACKET_SIZE). */
  maxPacketSize?: number;
  /** Copy payloads and other binary fields out of the chunks, for packets that outlive them. */
  copy?: boolean;
  /**
   * Who is receiving: `'server'` refuses packets only a server sends (CONNACK, SUBACK, UNSUBACK, PINGRESP) and
   * a PUBLISH with a Subscription Identifier; `'client'` refuses packets only a client sends and a DISCONNECT with a
   * Session Expiry Interval (MQTT-3.14.2-2). Default: accept both directions, for inspection tools.
   */
  role?: 'server' | 'client';
  /**
   * The Topic Alias Maximum this side announced (5.0 CONNECT for a client, CONNACK for a server): a PUBLISH with a
   * larger Topic Alias — any alias when it is 0 — is refused with `protocol-error` and reason code 0x94 Topic Alias
   * invalid (MQTT-3.2.2-17 / MQTT-3.1.2-26). Default: not checked.
   */
  topicAliasMaximum?: number;
  /**
   * Also refuse Disallowed Unicode code points (control characters, noncharacters) in strings: malformed, 0x81
   * (U311-1.5.3-1 / U5-1.5.4-1, a MAY of the spec). Default false: a TAB in a User Property is legal.
   */
  strictStrings?: boolean;
  /**
   * Also refuse (5.0) a PUBLISH or Will whose Payload Format Indicator is 1 but whose payload is not well-formed
   * UTF-8: protocol error with 0x99 Payload format invalid (U5-3.3.2.3-3 / U5-3.1.3.2-3, a MAY). Default false.
   */
  checkPayloadFormat?: boolean;
}

const DECODER_OPTIONS = new OptionKeys('PacketDecoder', [
  'version',
  'maxPacketSize',
  'copy',
  'role',
  'topicAliasMaximum',
  'strictStrings',
  'checkPayloadFormat',
]);

export class PacketDecoder {
  readonly #cursor: FrameCursor;
  readonly #reader = new Reader();
  readonly #fixedVersion: boolean;
  readonly #copy: boolean;
  readonly #role: 'server' | 'client' | undefined;
  /** -1: not checked. */
  readonly #topicAliasMaximum: number;
  readonly #strict: StrictOptions | undefined;
  #version: ProtocolVersion;
  #seenConnect = false;
  /** No option needs a look at decoded packets (role, Topic Alias Maximum, optional checks): `#accept` is skipped. */
  readonly #plain: boolean;
  /** The stream's first bytes until the first packet is delivered: an error before that says what they look like. */
  #head: StreamHead | undefined = new StreamHead();
  /** True during `push`/`end`: a call from inside `onPacket` is refused rather than corrupting the state. */
  #busy = false;

  constructor(options: PacketDecoderOptions = {}) {
    DECODER_OPTIONS.check(options);
    const { version, maxPacketSize, copy, role, topicAliasMaximum, strictStrings, checkPayloadFormat } = options;
    if (version !== undefined) checkVersion(version, 'PacketDecoder');
    this.#version = version ?? 4;
    this.#fixedVersion = version !== undefined;
    this.#copy = copy === true;
    if (role !== undefined && role !== 'server' && role !== 'client') {
      throw invalidPacket(undefined, `PacketDecoder role must be 'server' or 'client', got ${String(role)}`);
    }
    this.#role = role;
    if (topicAliasMaximum !== undefined && (!Number.isInteger(topicAliasMaximum) || topicAliasMaximum < 0 || topicAliasMaximum > 0xffff)) {
      throw invalidPacket(undefined, `PacketDecoder topicAliasMaximum must be an integer from 0 to 65535, got ${String(topicAliasMaximum)}`);
    }
    this.#topicAliasMaximum = topicAliasMaximum ?? -1;
    this.#strict =
      strictStrings === true || checkPayloadFormat === true
        ? { strictStrings: strictStrings === true, checkPayloadFormat: checkPayloadFormat === true }
        : undefined;
    this.#cursor = new FrameCursor(checkMaxPacketSize(maxPacketSize, 'PacketDecoder'), this.#version);
    this.#plain = role === undefined && this.#topicAliasMaximum < 0 && this.#strict === undefined;
  }

  /** The protocol level packets are decoded at now: the given one, or the first delivered CONNECT's. */
  get version(): ProtocolVersion {
    return this.#version;
  }

  /** Bytes held for a partial frame. */
  get buffered(): number {
    return this.#cursor.held;
  }

  /** Stream offset of the next byte `push` will receive. */
  get offset(): number {
    return this.#cursor.fed;
  }

  /**
   * Decodes every packet completed by `chunk`, in stream order. With `onPacket`, each packet is handed over as soon
   * as it is decoded, with the stream offset of its frame's first byte and the frame's size (header included). An error is thrown only after every packet before it was handed over (returned packets are
   * then on the error's `packets`); after an error, every call throws that same error. Chunks must not be modified
   * after being pushed unless `copy` is set: binary fields may be views of them. If `onPacket` throws, its exception
   * propagates and the frames after that packet wait for the next `push` (an empty chunk will do) or `end`.
   */
  push(chunk: Uint8Array, onPacket?: OnPacket): Packet[] {
    const cursor = this.#cursor;
    if (cursor.failure !== undefined) throw cursor.failure;
    const length = uint8Length(chunk);
    if (length < 0) throw invalidPacket(undefined, `PacketDecoder.push expects a Uint8Array, got ${chunk === null ? 'null' : typeof chunk}`);
    this.#enter('push');
    this.#head?.add(chunk);
    try {
      cursor.feed(chunk, length);
      return this.#drain(onPacket);
    } finally {
      this.#busy = false;
    }
  }

  /**
   * Call at the end of the stream: returns (and hands to `onPacket`) any packets still waiting after a callback
   * threw, then throws when a partial frame remains.
   */
  end(onPacket?: OnPacket): Packet[] {
    this.#enter('end');
    try {
      const packets = this.#drain(onPacket);
      try {
        this.#cursor.finish();
      } catch (e) {
        const err = (e as MqttError).offset === 0 ? withSniffNote(e as MqttError, this.#head?.bytes()) : (e as MqttError);
        err.packets ??= packets;
        throw err;
      }
      return packets;
    } finally {
      this.#busy = false;
    }
  }

  #enter(what: string): void {
    if (this.#busy) {
      throw invalidPacket(undefined, `PacketDecoder.${what} was called from inside its own onPacket callback; call it after push returns`);
    }
    this.#busy = true;
  }

  #drain(onPacket: OnPacket | undefined): Packet[] {
    const cursor = this.#cursor;
    const reader = this.#reader;
    const packets: Packet[] = [];
    // PUBLISH frames take the fast path (readPublishPlain) when nothing else is asked of them
    const fast = this.#plain && !this.#copy;
    let lastBuf: Uint8Array | undefined;
    let backing: ArrayBufferLike | undefined;
    let base = 0;
    for (;;) {
      let packet: Packet | undefined;
      try {
        if (!cursor.next()) return packets;
        const buf = cursor.buf;
        if (buf !== lastBuf) {
          lastBuf = buf;
          // a plain Uint8Array: payload views made from its buffer directly (see Reader.backing)
          backing = Object.getPrototypeOf(buf) === Uint8Array.prototype ? buf.buffer : undefined;
          base = buf.byteOffset;
        }
        const first = buf[cursor.start]!;
        if (fast && first >> 4 === 3) {
          if (this.#version === 5) {
            reader.reset(buf, cursor.start, cursor.bodyStart, cursor.end, 5, 'PUBLISH', false);
            try {
              packet = readPublishPlain(reader, true, buf, first, cursor.bodyStart, cursor.end, backing, base);
            } catch {
              // a fault in the properties: decoded again below, which locates and names it
              packet = undefined;
            }
            reader.release();
          } else {
            packet = readPublishPlain(reader, false, buf, first, cursor.bodyStart, cursor.end, backing, base);
          }
        }
        if (packet === undefined) {
          reader.backing = backing;
          reader.base = base;
          packet = this.#decode(cursor, reader);
        }
      } catch (e) {
        const err = e as MqttError;
        err.packets ??= packets;
        throw err;
      }
      packets.push(packet);
      this.#head = undefined;
      if (onPacket !== undefined) onPacket(packet, cursor.at, cursor.end - cursor.start);
    }
  }

  /** Decodes and checks the frame the cursor found; any error fails the stream at its stream offset. */
  #decode(cursor: FrameCursor, reader: Reader): Packet {
    let packet: Packet;
    const version = this.#version;
    try {
      // a frame gathered from pieces is already the decoder's own fresh array: its fields stay views of it, so
      // `copy` costs no second copy of a payload spread over chunks (test/copies.test.ts counts them)
      packet = decodeFrame(reader, cursor.buf, cursor.start, cursor.bodyStart, cursor.end, version, this.#copy && !cursor.gathered);
    } catch (e) {
      const err = e instanceof MqttError ? e : malformed(undefined, String(e), 0);
      const located = annotate(err, cursor.at + (err.offset ?? 0), undefined, version);
      throw cursor.fail(cursor.at === 0 ? withSniffNote(located, this.#head?.bytes()) : located);
    }
    try {
      if (!this.#plain) this.#accept(packet);
    } catch (e) {
      const err = e as MqttError;
      const level = packet.type === 'connect' ? packet.protocolVersion : version;
      throw cursor.fail(annotate(err, cursor.at + (err.offset ?? 0), packet.type, level));
    }
    // the level switch happens when the CONNECT is delivered, never for one that failed
    if (packet.type === 'connect' && !this.#seenConnect) {
      this.#seenConnect = true;
      if (!this.#fixedVersion) {
        this.#version = packet.protocolVersion;
        cursor.version = packet.protocolVersion;
      }
    }
    return packet;
  }

  /** The checks that need options or the role, on a decoded packet (errors at the frame's start). */
  #accept(packet: Packet): void {
    const version = packet.type === 'connect' ? packet.protocolVersion : this.#version;
    if (this.#strict !== undefined) {
      const fault = strictFault(packet, version, this.#strict);
      if (fault !== undefined) throw fault;
    }
    if (this.#topicAliasMaximum >= 0 && packet.type === 'publish') {
      const alias = packet.properties?.topicAlias;
      if (alias !== undefined && alias > this.#topicAliasMaximum) {
        const rule = this.#role === 'client' ? 'MQTT-3.1.2-26' : 'MQTT-3.2.2-17';
        throw protocolError(rule, `PUBLISH Topic Alias ${alias} is above the Topic Alias Maximum of ${this.#topicAliasMaximum}`, 0, 0x94);
      }
    }
    const role = this.#role;
    if (role !== undefined) {
      const sender = senderOf(packet.type, version);
      if (sender !== 'both' && sender === role) {
        throw protocolError(ruleAt('wrongSender', version), `${packetName(packet.type)} is sent only by a ${sender}, never to one`, 0);
      }
      if (role === 'server' && packet.type === 'publish' && packet.properties?.subscriptionIdentifiers !== undefined) {
        throw protocolError('MQTT-3.3.4-6', 'PUBLISH from a client must not carry a Subscription Identifier', 0);
      }
      if (role === 'client' && packet.type === 'disconnect' && packet.properties?.sessionExpiryInterval !== undefined) {
        throw protocolError('MQTT-3.14.2-2', 'DISCONNECT from a server must not carry a Session Expiry Interval', 0);
      }
    }
  }
}
