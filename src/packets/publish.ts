// PUBLISH (section 3.3): read, size, write. The hot path: straight-line reads, one object literal per shape.

import { invalidPacket, malformed, protocolError } from '../errors.js';
import {
  Ctx,
  describe,
  notBinary,
  planHas,
  readProperties,
  releaseEncoder,
  takeEncoder,
  writeProperties,
  type PropertiesPlan,
  type PropertyEncoder,
} from '../properties.js';
import { ruleAt } from '../rules.js';
import type { ProtocolVersion, PublishPacket, PublishProperties } from '../types.js';
import { binaryLength, copyBytes, uint8Length } from '../wire/bytes.js';
import type { Reader } from '../wire/reader.js';
import { plainTopic } from '../wire/utf8.js';
import { VARINT_MAX, varintSize, type Writer } from '../wire/writer.js';
import { checkBoolean, checkPacketId, readPacketId, refuseV5Properties, topicNameProblem, topicNameSize, type PacketCodec, type Plan } from './common.js';

export interface PublishPlan extends Plan {
  topic: string;
  /** The topic is plain ASCII: its codes are copied without the per-character UTF-8 branch. */
  ascii: boolean;
  /** 0 for QoS 0. */
  packetId: number;
  props: PropertiesPlan | undefined;
  v5: boolean;
  payload: Uint8Array;
  payloadLength: number;
}

function read(r: Reader, flags: number): PublishPacket {
  const qos = (flags >> 1) & 3;
  const dup = (flags & 8) !== 0;
  const retain = (flags & 1) !== 0;
  if (qos === 3) throw malformed('MQTT-3.3.1-4', 'PUBLISH QoS bits are 3', r.start);
  if (dup && qos === 0) throw malformed('MQTT-3.3.1-2', 'PUBLISH has DUP 1 with QoS 0', r.start);
  const topicAt = r.pos;
  const topic = r.utf8('Topic Name');
  const packetId = qos > 0 ? readPacketId(r) : 0;
  let properties: PublishProperties | undefined;
  const v5 = r.version === 5;
  if (v5) properties = readProperties(r, Ctx.Publish) as PublishProperties | undefined;
  if (topic.length === 0 || topic.indexOf('#') !== -1 || topic.indexOf('+') !== -1) {
    const problem = topicNameProblem(topic, 'PUBLISH Topic Name', r.version, false, v5 && properties?.topicAlias !== undefined);
    if (problem !== undefined) throw protocolError(problem[0], problem[1], topicAt, problem[2]);
  }
  const payload = r.rest();
  let packet: PublishPacket;
  if (qos === 0) packet = { type: 'publish', topic, payload, qos, retain, dup };
  else packet = { type: 'publish', topic, payload, qos: qos as 1 | 2, retain, dup, packetId };
  if (properties !== undefined) packet.properties = properties;
  return packet;
}

/**
 * The decoder's hot path for a PUBLISH inside a chunk: the plain shape (a short ASCII topic, see `plainTopic`)
 * read with no per-field names and no Reader for the fixed fields; undefined for anything else, and the caller
 * decodes the frame again with `read`, which accepts every valid PUBLISH and names the fault of an invalid one.
 * At 5.0 the properties are read by `readProperties` through `r` (set to the frame), which may throw: the caller
 * then decodes again with `read` too. Payloads are views made as `Reader.bytes` makes them.
 */
export function readPublishPlain(
  r: Reader,
  v5: boolean,
  buf: Uint8Array,
  first: number,
  bodyStart: number,
  end: number,
  backing: ArrayBufferLike | undefined,
  base: number,
): PublishPacket | undefined {
  const qos = (first >> 1) & 3;
  const dup = (first & 8) !== 0;
  if (qos === 3 || (dup && qos === 0)) return undefined;
  let p = bodyStart + 2;
  if (p > end) return undefined;
  const n = (buf[p - 2]! << 8) | buf[p - 1]!;
  if (p + n > end) return undefined;
  const topic = plainTopic(buf, p, n);
  if (topic === undefined) return undefined;
  p += n;
  let packetId = 0;
  if (qos !== 0) {
    if (p + 2 > end) return undefined;
    packetId = (buf[p]! << 8) | buf[p + 1]!;
    if (packetId === 0) return undefined;
    p += 2;
  }
  let properties: PublishProperties | undefined;
  if (v5) {
    r.pos = p;
    properties = readProperties(r, Ctx.Publish) as PublishProperties | undefined;
    p = r.pos;
  }
  const payload = backing !== undefined ? new Uint8Array(backing, base + p, end - p) : buf.subarray(p, end);
  const retain = (first & 1) !== 0;
  let packet: PublishPacket;
  if (qos === 0) packet = { type: 'publish', topic, payload, qos, retain, dup };
  else packet = { type: 'publish', topic, payload, qos: qos as 1 | 2, retain, dup, packetId };
  if (properties !== undefined) packet.properties = properties;
  return packet;
}

function size(p: PublishPacket, version: ProtocolVersion): PublishPlan {
  return encodePublish(p, version, undefined, undefined, 0, EncodeMode.Plan) as PublishPlan;
}

/**
 * The fast path's topic, checked and copied here before any byte goes into a caller's target. Nothing between
 * filling and emptying it runs code of the caller's (the topic is a string primitive), so calls cannot share it
 * half-used.
 */
const TOPIC_SCRATCH = /* @__PURE__ */ new Uint8Array(0x80);

/** `TOPIC_VIEWS[n]` is the first `n` bytes of TOPIC_SCRATCH. */
const TOPIC_VIEWS: readonly Uint8Array[] = /* @__PURE__ */ Array.from({ length: 0x80 }, (_, n) => new Uint8Array(TOPIC_SCRATCH.buffer, 0, n));

/** What `encodePublish` is asked for. */
export const enum EncodeMode {
  /** Only the plan (the record's `size`, and `encodedLength`). */
  Plan,
  /** A fresh frame (`encode`). */
  Alloc,
  /** Into the caller's target, which must stay as it was unless the whole frame is good (`encodeInto`). */
  Into,
  /** Into a buffer whose free space is the encoder's own (FrameWriter). */
  IntoOwn,
}

/**
 * Encodes a PUBLISH: the frame (no `target`), the bytes written into `target` at `offset`, or with `planOnly` the
 * plan for the general path. Each field of the caller's object is read once, into locals; 5.0 properties are
 * encoded in one pass by a PropertyEncoder. The common shape (an ASCII topic of under 128 bytes without wildcards)
 * is written straight into the frame with no plan object and no Writer: the hot path of `encode`, `encodeInto`
 * and FrameWriter. Anything else comes back as a plan of the values already read, so no field is read twice.
 */
export function encodePublish(
  p: PublishPacket,
  version: ProtocolVersion,
  maximumPacketSize: number | undefined,
  target: Uint8Array | undefined,
  offset: number,
  mode: EncodeMode,
): Uint8Array | number | PublishPlan {
  const planOnly = mode === EncodeMode.Plan;
  const { topic, payload, qos, packetId, properties, retain: retainIn, dup: dupIn } = p;
  const retain = retainIn === true || (retainIn !== false && checkBoolean(retainIn, 'PUBLISH retain', false));
  const dup = dupIn === true || (dupIn !== false && checkBoolean(dupIn, 'PUBLISH dup', false));
  if (qos !== 0 && qos !== 1 && qos !== 2) throw invalidPacket('MQTT-3.3.1-4', `PUBLISH qos must be 0, 1 or 2, got ${describe(qos)}`, 0x81);
  if (dup && qos === 0) throw invalidPacket('MQTT-3.3.1-2', 'PUBLISH with qos 0 must have dup false', 0x81);
  if (qos === 0) {
    if (packetId !== undefined) throw invalidPacket(ruleAt('packetIdOnQos0', version), 'PUBLISH with qos 0 has no packetId', 0x81);
  } else if (!(typeof packetId === 'number' && packetId >= 1 && packetId <= 0xffff && (packetId | 0) === packetId)) {
    checkPacketId(packetId, 'PUBLISH', version);
  }
  const payloadLength = binaryLength(payload);
  if (payloadLength < 0) throw notBinary(payload, payloadLength, 'PUBLISH payload');
  const v5 = version === 5;
  const first = 0x30 | (dup ? 8 : 0) | (qos << 1) | (retain ? 1 : 0);
  let enc: PropertyEncoder | undefined;
  try {
    let propsLength = 0;
    if (v5) {
      enc = takeEncoder();
      enc.encode(properties, Ctx.Publish);
      propsLength = varintSize(enc.pos) + enc.pos;
    } else {
      refuseV5Properties(properties, 'PUBLISH', version);
    }
    const n = typeof topic === 'string' ? topic.length : 0;
    plain: if (!planOnly && n > 0 && n < 0x80) {
      const t = topic as string;
      const length = 2 + n + (qos === 0 ? 0 : 2) + propsLength + payloadLength;
      const size = 1 + varintSize(length) + length;
      if (length > VARINT_MAX || (maximumPacketSize !== undefined && size > maximumPacketSize)) break plain;
      let buf: Uint8Array;
      let pos: number;
      if (target === undefined) {
        buf = new Uint8Array(size);
        pos = writeHead(buf, 0, first, length, n);
        for (let i = 0; i < n; i++) {
          const c = t.charCodeAt(i);
          // ASCII only, no U+0000, no wildcard (MQTT-1.5.4-2, MQTT-3.3.2-2), checked as written into this fresh
          // buffer: anything else goes to the general path, which sizes it as UTF-8 or names the fault
          if (c >= 0x80 || c === 0 || c === 0x23 || c === 0x2b) break plain;
          buf[pos++] = c;
        }
      } else {
        const room = uint8Length(target);
        // a bad target or offset goes to the general path, which names the fault
        if (room < 0 || typeof offset !== 'number' || (offset | 0) !== offset || offset < 0 || room - offset < size) break plain;
        // Indexed stores into a Uint8Array (a subclass such as Buffer included) run no code of the caller's, and
        // the payload goes in by the intrinsic set: no plain view of the target is made (getPrototypeOf and a view
        // per call cost ~12 ns of a small PUBLISH, more for a Buffer target).
        buf = target;
        if (mode === EncodeMode.IntoOwn) {
          // the writer's own free space: checked as written, a fault leaves only bytes the writer does not count
          pos = writeHead(buf, offset, first, length, n);
          for (let i = 0; i < n; i++) {
            const c = t.charCodeAt(i);
            if (c >= 0x80 || c === 0 || c === 0x23 || c === 0x2b) break plain;
            buf[pos++] = c;
          }
        } else {
          // The caller's bytes may not change unless the whole frame is good (nothing half-written): the topic is
          // checked as it is copied into a scratch buffer of the codec's own, then copied from there. A check pass
          // and a write pass over the string each took ~30 ns of a small PUBLISH (charCodeAt on the cons strings a
          // template literal makes is ~1.5 ns a character); the copy from scratch takes a fraction of that.
          const scratch = TOPIC_SCRATCH;
          for (let i = 0; i < n; i++) {
            const c = t.charCodeAt(i);
            if (c >= 0x80 || c === 0 || c === 0x23 || c === 0x2b) break plain;
            scratch[i] = c;
          }
          pos = writeHead(buf, offset, first, length, n);
          // by the intrinsic set from a view made once per length: -7% against a byte loop (interleaved A/B)
          copyBytes(buf, TOPIC_VIEWS[n]!, pos);
          pos += n;
        }
      }
      if (qos !== 0) {
        buf[pos++] = (packetId as number) >>> 8;
        buf[pos++] = (packetId as number) & 0xff;
      }
      if (enc !== undefined) pos = copyProperties(enc, buf, pos);
      if (payloadLength > 0) copyBytes(buf, payload as Uint8Array, pos);
      return target === undefined ? buf : size;
    }
    // the general path: any topic (UTF-8 sized, faults named), and the plan the record's write takes
    const props = enc?.plan();
    const topicSize = topicNameSize(topic, 'PUBLISH topic', version, false, v5 && planHas(props, 0x23));
    return {
      first,
      length: topicSize + (qos === 0 ? 0 : 2) + propsLength + payloadLength,
      topic: topic as string,
      ascii: topicSize - 2 === n,
      packetId: qos === 0 ? 0 : (packetId as number),
      props,
      v5,
      payload: payload as Uint8Array,
      payloadLength,
    };
  } finally {
    if (enc !== undefined) releaseEncoder(enc);
  }
}

/** Copies the encoder's block, with its Property Length, into `buf` at `pos`; returns the position after it. */
function copyProperties(enc: PropertyEncoder, buf: Uint8Array, pos: number): number {
  let len = enc.pos;
  while (len >= 0x80) {
    buf[pos++] = (len & 0x7f) | 0x80;
    len >>>= 7;
  }
  buf[pos++] = len;
  copyBytes(buf, enc.block(), pos);
  return pos + enc.pos;
}

/** Writes the fixed header and the topic's length prefix (a topic of under 128 bytes); returns the position after. */
function writeHead(buf: Uint8Array, pos: number, first: number, length: number, topicLength: number): number {
  buf[pos++] = first;
  let rl = length;
  while (rl >= 0x80) {
    buf[pos++] = (rl & 0x7f) | 0x80;
    rl >>>= 7;
  }
  buf[pos++] = rl;
  buf[pos++] = 0;
  buf[pos++] = topicLength;
  return pos;
}

function write(s: PublishPlan, w: Writer): void {
  if (s.ascii) w.ascii(s.topic);
  else w.utf8(s.topic);
  if (s.packetId !== 0) w.u16(s.packetId);
  if (s.v5) writeProperties(w, s.props);
  w.bytes(s.payload, s.payloadLength);
}

/** Exported alone too, so a decode-only bundle leaves the encoder out. */
export { read as readPublish };

export const publish: PacketCodec<PublishPacket, PublishPlan> = { read, size, write };
