// PacketDecoder: FrameSplitter plus decode, with the connection's protocol level and the receiver's role.

import { MqttError, protocolError } from '../errors.js';
import { decodeBody } from '../codec.js';
import type { Packet, ProtocolVersion } from '../types.js';
import { headerSize, readRemainingLength } from '../wire/remaining-length.js';
import { FrameSplitter } from './splitter.js';
import { strictFault, type StrictOptions } from '../strict.js';
import { SNIFF_BYTES, keepHead, sniffNote } from '../sniff.js';

/** Packets only a client sends (Table 2-1 / 2.1.2): a client-role decoder refuses them. */
const CLIENT_ONLY = new Set(['connect', 'subscribe', 'unsubscribe', 'pingreq']);
/** Packets only a server sends. */
const SERVER_ONLY = new Set(['connack', 'suback', 'unsuback', 'pingresp']);

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
   * Session Expiry Interval (MQTT-3.14.2-2). Default: accept both
   * directions, for inspection tools.
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

export class PacketDecoder {
  private readonly splitter: FrameSplitter;
  private readonly fixedVersion: boolean;
  private readonly copy: boolean;
  private readonly role: 'server' | 'client' | undefined;
  private readonly topicAliasMaximum: number;
  private readonly strict: StrictOptions | undefined;
  /** The protocol level packets are decoded at now. */
  version: ProtocolVersion;
  private seenConnect = false;
  /** The stream's first bytes (until SNIFF_BYTES are seen): an error in the first frame says what they look like. */
  private head: Uint8Array | undefined = new Uint8Array(0);
  /** (start, header size, size) of the frames inside the current chunk, reused across pushes. */
  private readonly bounds: number[] = [];

  constructor(options: PacketDecoderOptions = {}) {
    const v = options.version;
    if (v !== undefined && v !== 3 && v !== 4 && v !== 5) {
      throw new MqttError('unsupported-protocol-version', `PacketDecoder version ${String(v)} is not 3, 4 or 5`);
    }
    this.version = v ?? 4;
    this.fixedVersion = v !== undefined;
    this.copy = options.copy === true;
    this.role = options.role;
    const tam = options.topicAliasMaximum;
    if (tam !== undefined && (!Number.isInteger(tam) || tam < 0 || tam > 0xffff)) {
      throw new MqttError('invalid-packet', `PacketDecoder topicAliasMaximum must be an integer from 0 to 65535, got ${String(tam)}`);
    }
    // -1: not checked
    this.topicAliasMaximum = tam ?? -1;
    this.strict =
      options.strictStrings === true || options.checkPayloadFormat === true
        ? { strictStrings: options.strictStrings === true, checkPayloadFormat: options.checkPayloadFormat === true }
        : undefined;
    this.splitter = new FrameSplitter({
      version: this.version,
      ...(options.maxPacketSize !== undefined ? { maxPacketSize: options.maxPacketSize } : {}),
    });
  }

  /** Bytes held for a partial frame. */
  get buffered(): number {
    return this.splitter.buffered;
  }

  /** Decodes every packet completed by `chunk`. After an error, every later call throws that error. */
  push(chunk: Uint8Array): Packet[] {
    if (this.head !== undefined && this.head.length < SNIFF_BYTES && chunk instanceof Uint8Array) this.head = keepHead(this.head, chunk);
    const bounds = this.bounds;
    const joined = this.splitter.scan(chunk, bounds, true);
    const packets: Packet[] = [];
    // stream offset of the first returned frame
    let at = this.splitter.firstFrameOffset;
    if (joined !== undefined) {
      packets.push(this.decodeFrame(joined, at));
      at += joined.length;
    }
    // a plain Uint8Array chunk: payload views made from its buffer directly (see Reader.backing)
    const backing = bounds.length > 0 && chunk.constructor === Uint8Array ? chunk.buffer : undefined;
    const base = chunk.byteOffset;
    for (let i = 0; i < bounds.length; i += 3) {
      const start = bounds[i]!;
      const size = bounds[i + 2]!;
      let packet: Packet;
      try {
        // straight from the chunk: no frame view is made for a frame that decodes
        packet = decodeBody(chunk, chunk[start]!, start + bounds[i + 1]!, start + size, this.version, this.copy, backing, base);
      } catch (e) {
        // Error offsets are relative to the frame: decode its view again for the identical, frame-relative error.
        // (Decoding is deterministic, so that throws; the last line only keeps the MqttError-only promise.)
        this.decodeFrame(chunk.subarray(start, start + size), at);
        throw this.fail(e, at);
      }
      this.accept(packet, at);
      packets.push(packet);
      at += size;
    }
    // a bad header after these frames: reported only now, so the first error in the stream wins
    this.splitter.raiseDeferred();
    return packets;
  }

  /** Call at the end of the stream: throws when a partial frame remains. */
  end(): void {
    try {
      this.splitter.end();
    } catch (e) {
      const err = e as MqttError;
      const note = err.offset === 0 ? sniffNote(this.head) : '';
      throw note === '' ? err : new MqttError(err.code, err.message + note, { reasonCode: err.reasonCode, ...(err.rule !== undefined ? { rule: err.rule } : {}), offset: 0 });
    }
  }

  /** Decodes one whole frame starting at stream offset `at`, poisoning the stream on any error. */
  private decodeFrame(frame: Uint8Array, at: number): Packet {
    let packet: Packet;
    try {
      const rl = readRemainingLength(frame, 1, frame.length, this.version === 5);
      packet = decodeBody(frame, frame[0]!, headerSize, headerSize + rl, this.version, this.copy);
    } catch (e) {
      throw this.fail(e, at);
    }
    this.accept(packet, at);
    return packet;
  }

  /** The stream error for `e`, found in the frame at stream offset `at`: every later push throws it too. */
  private fail(e: unknown, at: number): MqttError {
    const err = e as MqttError;
    return this.splitter.poison(
      new MqttError(err.code, at === 0 ? `${err.message}${sniffNote(this.head)}` : err.message, {
        reasonCode: err.reasonCode,
        ...(err.rule !== undefined ? { rule: err.rule } : {}),
        offset: at + (err.offset ?? 0),
      }),
    );
  }

  /** Applies a decoded packet to the connection: the first CONNECT sets the level; the role refuses wrong senders. */
  private accept(packet: Packet, at: number): void {
    if (packet.type === 'connect' && !this.seenConnect) {
      this.seenConnect = true;
      if (!this.fixedVersion) {
        this.version = packet.protocolVersion;
        this.splitter.version = packet.protocolVersion;
      }
    }
    if (this.strict !== undefined) {
      const fault = strictFault(packet, packet.type === 'connect' ? packet.protocolVersion : this.version, this.strict);
      if (fault !== undefined) throw this.fail(fault, at);
    }
    if (this.topicAliasMaximum >= 0 && packet.type === 'publish') {
      const alias = packet.properties?.topicAlias;
      if (alias !== undefined && alias > this.topicAliasMaximum) {
        const rule = this.role === 'client' ? 'MQTT-3.1.2-26' : 'MQTT-3.2.2-17';
        throw this.fail(protocolError(rule, `PUBLISH Topic Alias ${alias} is above the Topic Alias Maximum of ${this.topicAliasMaximum}`, 0, 0x94), at);
      }
    }
    const role = this.role;
    if (role !== undefined) {
      const rule = this.version === 5 ? 'U5-2.1.2-2' : 'U311-2.2.1-2';
      const wrong = role === 'server' ? SERVER_ONLY : CLIENT_ONLY;
      if (wrong.has(packet.type) || (role === 'client' && packet.type === 'disconnect' && this.version !== 5)) {
        const sender = role === 'server' ? 'server' : 'client';
        throw this.fail(protocolError(rule, `${packet.type.toUpperCase()} is sent only by a ${sender}, never to one`, 0), at);
      }
      if (role === 'server' && packet.type === 'publish' && packet.properties?.subscriptionIdentifiers !== undefined) {
        throw this.fail(protocolError('MQTT-3.3.4-6', 'PUBLISH from a client must not carry a Subscription Identifier', 0), at);
      }
      if (role === 'client' && packet.type === 'disconnect' && packet.properties?.sessionExpiryInterval !== undefined) {
        throw this.fail(protocolError('MQTT-3.14.2-2', 'DISCONNECT from a server must not carry a Session Expiry Interval', 0), at);
      }
    }
  }
}
