// The four verbs of the codec: decode one frame; encode, size or write one packet. Every packet type goes through
// its record in packets/table.ts; PUBLISH, the packet sent most, is called directly on the encode paths.

import { MqttError, annotate, asInvalidPacket, invalidPacket, malformed, tooLarge } from './errors.js';
import { OptionKeys } from './options.js';
import { PACKET_TYPE_INFO, packetName } from './packet-types.js';
import type { Plan } from './packets/common.js';
import { EncodeMode, encodePublish, publish, readPublish, type PublishPlan } from './packets/publish.js';
import { CODECS, READ_BY_ID } from './packets/table.js';
import { describe } from './properties.js';
import { ruleAt } from './rules.js';
import type { DecodeOptions, EncodeOptions, Packet, PacketInput, PacketType, ProtocolVersion, PublishPacket } from './types.js';
import { plainView, uint8Length } from './wire/bytes.js';
import { Reader } from './wire/reader.js';
import { NEED_MORE, readRemainingLength } from './wire/remaining-length.js';
import { VARINT_MAX, Writer, varintSize } from './wire/writer.js';

export interface DecodeFrameOptions extends DecodeOptions {
  /** Copy binary fields out of the frame instead of returning views into it. */
  copy?: boolean;
}

const DECODE_OPTIONS = new OptionKeys('decode', ['version', 'copy']);
const ENCODE_OPTIONS = /* @__PURE__ */ new OptionKeys('encode', ['version', 'maximumPacketSize']);

/** A protocol level given as an option: 3, 4 or 5. */
export function checkVersion(v: unknown, where: string): ProtocolVersion {
  if (v !== 3 && v !== 4 && v !== 5) throw new MqttError('unsupported-protocol-version', `${where}: version ${describe(v)} is not 3, 4 or 5`);
  return v;
}

/**
 * The Reader `decode` uses, reset per frame: a fresh one per packet was a measurable share of decoding small
 * packets (bench w1). A decode that starts while it is busy (from code a hostile Uint8Array subclass runs) takes a
 * fresh one, so calls never share a half-done Reader.
 */
const shared = new Reader();

/**
 * Decodes exactly one whole frame. Throws `MqttError` for anything else: a truncated frame, bytes left over,
 * or any broken rule. A CONNECT decodes by its own protocol level; other packets by `options.version` (default 4).
 */
export function decode(frame: Uint8Array, options?: DecodeFrameOptions): Packet {
  let version: ProtocolVersion = 4;
  let copy = false;
  if (options !== undefined) {
    DECODE_OPTIONS.check(options);
    const { version: v, copy: c } = options;
    if (v !== undefined) version = checkVersion(v, 'decode');
    copy = c === true;
  }
  const end = uint8Length(frame);
  if (end < 0) throw malformed(undefined, `decode expects a Uint8Array, got ${describe(frame)}`, 0);
  if (end < 2) throw malformed(ruleAt('frameFill', version), `frame of ${end} byte(s) is shorter than a fixed header`, end);
  const remainingLength = readRemainingLength(frame, 1, end, version);
  if (remainingLength === NEED_MORE) throw malformed(ruleAt('frameFill', version), 'frame ends inside the Remaining Length', end);
  const bodyStart = 1 + varintSize(remainingLength);
  if (bodyStart + remainingLength !== end) {
    throw malformed(
      ruleAt('frameFill', version),
      bodyStart + remainingLength > end
        ? `frame is truncated: Remaining Length ${remainingLength} but ${end - bodyStart} byte(s) follow the header`
        : `${end - bodyStart - remainingLength} byte(s) follow the end of the frame (Remaining Length ${remainingLength})`,
      Math.min(end, bodyStart + remainingLength),
    );
  }
  const r = shared.busy ? new Reader() : shared;
  return decodeFrame(r, frame, 0, bodyStart, end, version, copy);
}

/**
 * Decodes the frame at `buf[start, end)` whose body starts at `bodyStart`, with `r` (the caller's Reader, set up
 * for `buf`'s backing store if it likes). Errors carry offsets relative to the frame, the packet type and the
 * protocol level (for a CONNECT, the one it claimed). The Reader lets go of `buf` before returning.
 */
export function decodeFrame(
  r: Reader,
  buf: Uint8Array,
  start: number,
  bodyStart: number,
  end: number,
  version: ProtocolVersion,
  copy: boolean,
): Packet {
  const first = buf[start]!;
  const typeId = first >> 4;
  const info = PACKET_TYPE_INFO[typeId];
  if (info === undefined || (info.since === 5 && version !== 5)) {
    const what = info === undefined ? 'packet type 0 is reserved' : `packet type 15 (AUTH) does not exist before MQTT 5.0 (protocol level ${version})`;
    throw annotate(malformed(ruleAt('reservedType', version), what, 0), 0, undefined, version);
  }
  const flags = first & 0x0f;
  if (info.flags !== -1 && flags !== info.flags) {
    throw annotate(
      malformed(
        info.flagsRule ?? ruleAt('fixedFlags', version),
        `${info.name} fixed-header flags are ${bits4(flags)}, must be ${bits4(info.flags)}`,
        0,
      ),
      0,
      info.type,
      version,
    );
  }
  r.reset(buf, start, bodyStart, end, version, info.name, copy);
  r.busy = true;
  try {
    // PUBLISH called directly: a call site V8 can inline, as the array's shared one is not (w1 decode)
    return typeId === 3 ? readPublish(r, flags) : READ_BY_ID[typeId]!(r, flags);
  } catch (e) {
    throw located(e, r, info.type);
  } finally {
    r.release();
  }
}

function bits4(n: number): string {
  return n.toString(2).padStart(4, '0');
}

/** An error from a packet reader, made relative to the frame and told which packet and level it is about. */
function located(e: unknown, r: Reader, type: PacketType): MqttError {
  const err = e instanceof MqttError ? e : malformed(undefined, `${r.packet}: ${e instanceof Error ? e.message : String(e)}`, r.pos);
  const level = type === 'connect' && r.claimedLevel !== -1 ? r.claimedLevel : r.version;
  return annotate(err, err.offset === undefined ? undefined : err.offset - r.start, type, level);
}

// ---------------------------------------------------------------------------------------------------------------
// Encoding: read the options once, plan the packet (every field read once and checked), then write the plan.

interface Resolved {
  type: PacketType;
  version: ProtocolVersion;
  maximumPacketSize: number | undefined;
}

/** The packet's type, the level to encode at and the receiver's limit, each read once. */
function resolve(packet: PacketInput, options: EncodeOptions | undefined): Resolved {
  if (typeof packet !== 'object' || packet === null) throw invalidPacket(undefined, `packet must be an object, got ${describe(packet)}`);
  let version: unknown;
  let maximumPacketSize: unknown;
  if (options !== undefined) {
    ENCODE_OPTIONS.check(options);
    ({ version, maximumPacketSize } = options);
  }
  const type = packet.type;
  if (typeof type !== 'string' || !Object.hasOwn(CODECS, type)) throw invalidPacket(undefined, `unknown packet type ${describe(type)}`);
  if (type === 'connect') {
    // the CONNECT carries its own level: read once, and it must agree with the one asked for
    const own = (packet as { protocolVersion: unknown }).protocolVersion;
    if (version === undefined) version = own;
    else if (own !== version) throw invalidPacket(undefined, `CONNECT protocolVersion ${describe(own)} differs from the encoding version ${describe(version)}`);
  }
  if (version === undefined) version = 4;
  else if (version !== 3 && version !== 4 && version !== 5) throw invalidPacket(undefined, `protocol version ${describe(version)} is not 3, 4 or 5`);
  if (maximumPacketSize !== undefined && (typeof maximumPacketSize !== 'number' || !Number.isInteger(maximumPacketSize) || maximumPacketSize < 1)) {
    throw invalidPacket(undefined, `maximumPacketSize must be a positive integer, got ${describe(maximumPacketSize)}`);
  }
  return { type: type as PacketType, version: version as ProtocolVersion, maximumPacketSize: maximumPacketSize as number | undefined };
}

/** An encoder's refusal as `invalid-packet` (or `packet-too-large`), labelled with the packet type once known. */
function refused(e: unknown, what: string, type: PacketType | undefined, version: ProtocolVersion | undefined): MqttError {
  const err = asInvalidPacket(e, what);
  return type === undefined ? err : annotate(err, err.offset, type, version);
}

function planPacket(packet: PacketInput, type: PacketType, version: ProtocolVersion): Plan {
  return type === 'publish' ? publish.size(packet as PublishPacket, version) : CODECS[type].size(packet, version);
}

/** Bytes of the whole frame of a plan; refuses one over the protocol's or the receiver's limit. */
function frameSize(plan: Plan, type: PacketType, maximumPacketSize: number | undefined): number {
  const length = plan.length;
  if (length > VARINT_MAX) {
    throw invalidPacket(undefined, `${packetName(type)} needs Remaining Length ${length}, over the maximum of ${VARINT_MAX}`);
  }
  const size = 1 + varintSize(length) + length;
  // MQTT-3.1.2-24 / MQTT-3.2.2-15: nothing larger than the receiver's Maximum Packet Size may be sent. Checked
  // after validation so that an invalid packet is still reported as `invalid-packet`.
  if (maximumPacketSize !== undefined && size > maximumPacketSize) {
    throw tooLarge(
      'MQTT-3.1.2-24',
      `${packetName(type)} frame of ${size} bytes exceeds the receiver's Maximum Packet Size of ${maximumPacketSize} bytes`,
    );
  }
  return size;
}

function writeFrame(plan: Plan, type: PacketType, w: Writer): void {
  w.u8(plan.first);
  w.varint(plan.length);
  if (type === 'publish') publish.write(plan as PublishPlan, w);
  else CODECS[type].write(plan, w);
}

/** Encodes one packet as one frame. Refuses (MqttError `invalid-packet`) any object the decoder would refuse. */
export function encode(packet: PacketInput, options?: EncodeOptions): Uint8Array {
  let r: Resolved | undefined;
  let plan: Plan;
  let size: number;
  try {
    r = resolve(packet, options);
    if (r.type === 'publish') {
      const done = encodePublish(packet as PublishPacket, r.version, r.maximumPacketSize, undefined, 0, EncodeMode.Alloc);
      if (done instanceof Uint8Array) return done;
      plan = done as PublishPlan;
    } else {
      plan = CODECS[r.type].size(packet, r.version);
    }
    size = frameSize(plan, r.type, r.maximumPacketSize);
  } catch (e) {
    throw refused(e, 'encode', r?.type, r?.version);
  }
  const buf = new Uint8Array(size);
  writeFrame(plan, r.type, new Writer(buf, 0));
  return buf;
}

/** The number of bytes `encode(packet, options)` produces (validating the packet as `encode` does). */
export function encodedLength(packet: PacketInput, options?: EncodeOptions): number {
  let r: Resolved | undefined;
  try {
    r = resolve(packet, options);
    return frameSize(planPacket(packet, r.type, r.version), r.type, r.maximumPacketSize);
  } catch (e) {
    throw refused(e, 'encodedLength', r?.type, r?.version);
  }
}

/**
 * Writes one frame into `target` at `offset` and returns the bytes written. When the frame does not fit, or the
 * packet is invalid, it throws before writing anything.
 */
export function encodeInto(packet: PacketInput, target: Uint8Array, offset = 0, options?: EncodeOptions): number {
  return into(packet, target, offset, options, EncodeMode.Into, 'encodeInto');
}

/**
 * `encodeInto` for a caller whose bytes from `offset` on are its own free space (FrameWriter): on a refused packet
 * those bytes may have changed, but nothing before `offset` has.
 */
export function encodeIntoOwn(packet: PacketInput, target: Uint8Array, offset: number, options: EncodeOptions | undefined, what: string): number {
  return into(packet, target, offset, options, EncodeMode.IntoOwn, what);
}

function into(packet: PacketInput, target: Uint8Array, offset: number, options: EncodeOptions | undefined, mode: EncodeMode, what: string): number {
  let r: Resolved | undefined;
  let plan: Plan;
  let size: number;
  try {
    r = resolve(packet, options);
    if (r.type === 'publish') {
      const done = encodePublish(packet as PublishPacket, r.version, r.maximumPacketSize, target, offset, mode);
      if (typeof done === 'number') return done;
      plan = done as PublishPlan;
    } else {
      plan = CODECS[r.type].size(packet, r.version);
    }
    size = frameSize(plan, r.type, r.maximumPacketSize);
  } catch (e) {
    throw refused(e, what, r?.type, r?.version);
  }
  const room = uint8Length(target);
  if (room < 0) throw invalidPacket(undefined, `${what} target must be a Uint8Array, got ${describe(target)}`);
  if (typeof offset !== 'number' || !Number.isInteger(offset) || offset < 0 || offset > room) {
    throw invalidPacket(undefined, `${what} offset ${describe(offset)} is outside the target (length ${room})`);
  }
  if (room - offset < size) {
    throw invalidPacket(undefined, `${what}: the ${packetName(r.type)} frame needs ${size} bytes but only ${room - offset} remain in the target`);
  }
  writeFrame(plan, r.type, new Writer(plainView(target), offset));
  return size;
}
