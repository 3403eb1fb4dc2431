// The decode loop of the CLI as a push API: chunks in, each packet out with where its frame lay in the stream (the
// stream offset and size PacketDecoder hands over with it),
// and at the end or at the first error, that error. Every packet before the error is handed over first, even those
// that share a chunk with it (PacketDecoder's onPacket). Memory held is one partial frame, whatever the stream's
// length.

import { FrameSplitter, MqttError, PacketDecoder, decode, reasonCodeName } from '../index.js';
import type { Packet, ProtocolVersion } from '../index.js';
import { PACKET_TYPE_ID, PACKET_TYPE_INFO } from '../packet-types.js';
import { varintSize } from '../wire/writer.js';
import type { FrameInfo } from './summary.js';

export interface StreamDecoderOptions {
  /** Fixed protocol level; when absent, 4 until the first CONNECT, then its level. */
  version?: ProtocolVersion;
  maxPacketSize: number;
}

export class StreamDecoder {
  /** Decodes the chunks as they come (in place), hands over every packet before an error, keeps stream offsets. */
  #decoder: PacketDecoder;
  readonly #options: StreamDecoderOptions;
  #error: MqttError | undefined;
  /**
   * Without a given level, the chunks up to the end of the first frame, held to choose the level when the stream
   * does not start with a CONNECT (a capture of what a server sends); undefined once chosen.
   */
  #held: Uint8Array[] | undefined;
  /** Finds the first frame among the held chunks, each pushed once. */
  #probe: FrameSplitter;
  /** Said once the level is chosen: a note for stderr, and whether a CONNECT has set it. */
  #note: string | undefined;
  #sawConnect = false;

  constructor(options: StreamDecoderOptions) {
    this.#options = options;
    this.#decoder = this.#make(options.version);
    this.#held = options.version === undefined ? [] : undefined;
    this.#probe = new FrameSplitter({ maxPacketSize: options.maxPacketSize });
  }

  /** The error that ended the stream, if one has. */
  get error(): MqttError | undefined {
    return this.#error;
  }

  /** What the decoder chose about the protocol level, for stderr (once), or undefined. */
  takeNote(): string | undefined {
    const note = this.#note;
    this.#note = undefined;
    return note;
  }

  /** Hands over each packet that `chunk` completes, in order; returns the stream's error once there is one. */
  push(chunk: Uint8Array, onFrame: (info: FrameInfo) => void): MqttError | undefined {
    if (this.#error !== undefined) return this.#error;
    // Node hands over Buffers: a plain Uint8Array view of the same bytes takes the decoder's fast path (payload
    // views made from the ArrayBuffer directly; Buffer's subarray looks up its species on every call).
    if (chunk.constructor !== Uint8Array) chunk = new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.length);
    const held = this.#held;
    if (held !== undefined) {
      held.push(chunk);
      if (!this.#choose()) return undefined;
      // the level is chosen: decode what was held, in order
      this.#held = undefined;
      for (const c of held) {
        const e = this.#feed(c, onFrame);
        if (e !== undefined) return e;
      }
      return undefined;
    }
    return this.#feed(chunk, onFrame);
  }

  /** Call when the input ends: returns the error when it stopped inside a frame. */
  end(onFrame: (info: FrameInfo) => void = () => undefined): MqttError | undefined {
    if (this.#error !== undefined) return this.#error;
    const held = this.#held;
    if (held !== undefined) {
      this.#held = undefined;
      for (const c of held) {
        const e = this.#feed(c, onFrame);
        if (e !== undefined) return e;
      }
    }
    return this.#run(() => this.#decoder.end((packet, offset, size) => this.#hand(packet, offset, size, onFrame)));
  }

  #feed(chunk: Uint8Array, onFrame: (info: FrameInfo) => void): MqttError | undefined {
    return this.#run(() => this.#decoder.push(chunk, (packet, offset, size) => this.#hand(packet, offset, size, onFrame)));
  }

  #make(version: ProtocolVersion | undefined): PacketDecoder {
    return new PacketDecoder({ maxPacketSize: this.#options.maxPacketSize, ...(version !== undefined ? { version } : {}) });
  }

  /**
   * With no level given, chooses one from the first frame once it is whole (or at the end of the input): a CONNECT
   * sets it as usual; a stream that starts with anything else (what a server sends starts with CONNACK) is read at
   * 5.0 when its first packet decodes at 5.0 and not at 3.1.1, else at 3.1.1. Returns false while the first frame
   * is still incomplete (at the end of the input, the held chunks then go to the 3.1.1 decoder, which reports the
   * partial frame).
   */
  #choose(): boolean {
    const held = this.#held!;
    let first: Uint8Array | undefined;
    try {
      // the new chunk only: the probe gathers a first frame spread over chunks once, as any splitter does
      first = this.#probe.push(held[held.length - 1]!)[0];
    } catch {
      return true; // a broken first header: the decoder reports it at 3.1.1, as it would anyway
    }
    if (first === undefined) return false;
    if (first[0]! >> 4 === 1) {
      this.#sawConnect = true;
      return true;
    }
    if (attempt(first, 4) === undefined) return true;
    if (attempt(first, 5) === undefined) {
      this.#decoder = this.#make(5);
      this.#note = 'no CONNECT before the first packet: reading the stream as MQTT 5.0, the level its first packet decodes at (pass --protocol to choose)';
    }
    return true;
  }

  #run(decode: () => void): MqttError | undefined {
    try {
      decode();
    } catch (e) {
      // every packet before the error has been handed over by then
      if (!(e instanceof MqttError)) throw e;
      this.#error = e;
      // a fault in a packet's body may be one of level (a 5.0 field read by 3.1.1): say which flag to pass
      const levelDependent = (e.code === 'malformed-packet' || e.code === 'protocol-error') && e.packetType !== undefined && e.packetType !== 'connect';
      if (levelDependent && this.#options.version === undefined && !this.#sawConnect && this.#decoder.version === 4) {
        this.#note ??= `no CONNECT was seen and no --protocol given, so the stream was read as MQTT 3.1.1; if it is 5.0 (or 3.1), pass --protocol 5 (or 3)`;
      }
    }
    return this.#error;
  }

  #hand(packet: Packet, offset: number, size: number, onFrame: (info: FrameInfo) => void): void {
    if (packet.type === 'connect') this.#sawConnect = true;
    onFrame({
      offset,
      headerSize: headerSize(size),
      size,
      // the decoder has checked the flags: a PUBLISH's say what its fields say, the others' are fixed
      flags: packet.type === 'publish' ? (packet.dup ? 8 : 0) | (packet.qos << 1) | (packet.retain ? 1 : 0) : PACKET_TYPE_INFO[PACKET_TYPE_ID[packet.type]]!.flags,
      packet,
      // the decoder switches to a CONNECT's level as it delivers it: what follows is read at the new level
      version: packet.type === 'connect' ? packet.protocolVersion : this.#decoder.version,
    });
  }
}

/** The fixed header's size in a frame of `size` bytes: 1 + the bytes of the (shortest) Remaining Length. */
function headerSize(size: number): number {
  let hs = 2;
  while (hs < 5 && varintSize(size - hs) !== hs - 1) hs++;
  return hs;
}

/** The error decoding `frame` at `version` gives, or undefined when it decodes. */
function attempt(frame: Uint8Array, version: ProtocolVersion): MqttError | undefined {
  try {
    decode(frame, { version });
    return undefined;
  } catch (e) {
    return e as MqttError;
  }
}


/** The stderr line for a stream error: offset, class, reason code with its name, rule, message. */
export function errorLine(e: MqttError): string {
  const parts = [`code=${e.code}`, `reasonCode=0x${e.reasonCode.toString(16).padStart(2, '0')} (${reasonCodeName(e.reasonCode)})`];
  if (e.rule !== undefined) parts.push(`rule=${e.rule}`);
  // the detail: the message without the rule id, which the line names on its own
  return `error at byte ${e.offset ?? '?'}: ${parts.join(' ')}: ${e.detail}`;
}
