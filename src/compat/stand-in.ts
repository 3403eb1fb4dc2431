// Fields mqtt-packet lets through and the codec refuses, where mqtt-packet's users depend on them: the codec is
// given a stand-in (an allowed value of the same size) so that it still checks everything else, and the given value
// is put back on the result. Used only after the codec has refused a frame or a packet.
//
// Parse: a Topic Name with a wildcard (aedes answers such a PUBLISH itself: '# is not allowed in PUBLISH') and
// Packet Identifier 0 (aedes answers a SUBSCRIBE with messageId 0 with its SUBACK). Generate: also the empty Topic
// Name and invalid Topic Filters, as mqtt-packet writes them (test tools, aedes's own suite among them, craft such
// packets to see how a server answers).

import {
  decode,
  encode,
  isValidTopicFilter,
  isValidTopicName,
  type DecodeFrameOptions,
  type EncodeOptions,
  type Packet as WirePacket,
} from '../index.js';
import { allocBytes, utf8Bytes, utf8String } from './bytes.js';

const X = 0x78;

/** Header size of a frame: the type byte and the Remaining Length's bytes. */
export function bodyStart(frame: Uint8Array): number {
  let at = 2;
  while (frame[at - 1]! >= 0x80) at++;
  return at;
}

/** A frame of type byte `first` around `body` (the Remaining Length written for it). */
function frameOf(first: number, body: Uint8Array): Uint8Array {
  const rl = body.length;
  let lengthBytes = 1;
  while (rl >= 128 ** lengthBytes) lengthBytes++;
  const out = allocBytes(1 + lengthBytes + rl);
  out[0] = first;
  let o = 1;
  let v = rl;
  do {
    let byte = v % 128;
    v = Math.floor(v / 128);
    if (v > 0) byte |= 0x80;
    out[o++] = byte;
  } while (v > 0);
  out.set(body, o);
  return out;
}

/** `frame` with `count` bytes at `at` replaced by `bytes`, its Remaining Length adjusted. */
export function splice(frame: Uint8Array, at: number, count: number, bytes: Uint8Array | readonly number[]): Uint8Array {
  const bodyAt = bodyStart(frame);
  const body = allocBytes(frame.length - bodyAt - count + bytes.length);
  body.set(frame.subarray(bodyAt, at), 0);
  body.set(bytes, at - bodyAt);
  body.set(frame.subarray(at + count), at - bodyAt + bytes.length);
  return frameOf(frame[0]!, body);
}

/** Types whose variable header starts with a Packet Identifier. */
const ID_FIRST = new Set([4, 5, 6, 7, 8, 9, 10, 11]);

/**
 * Decodes a frame the codec refused, with stand-ins for a wildcard Topic Name and Packet Identifier 0. Returns
 * undefined when the frame has neither (the codec's error stands); throws the codec's error for the stand-in frame
 * when something else is wrong with it.
 */
export function decodeWithStandIns(frame: Uint8Array, options: DecodeFrameOptions): WirePacket | undefined {
  const typeId = frame[0]! >> 4;
  const bodyAt = bodyStart(frame);
  const end = frame.length;
  let topic: string | undefined;
  let idAt = -1;
  if (typeId === 3) {
    if (end - bodyAt < 2) return undefined;
    const len = (frame[bodyAt]! << 8) | frame[bodyAt + 1]!;
    const topicEnd = bodyAt + 2 + len;
    if (topicEnd > end) return undefined;
    const s = utf8String(frame.subarray(bodyAt + 2, topicEnd));
    // only a wildcard: any other fault of the Topic Name (not UTF-8, U+0000, empty) stays the codec's
    if (s !== undefined && s.length > 0 && !s.includes('\0') && (s.includes('#') || s.includes('+'))) topic = s;
    if (((frame[0]! >> 1) & 3) > 0) idAt = topicEnd;
  } else if (ID_FIRST.has(typeId)) {
    idAt = bodyAt;
  }
  const zeroId = idAt !== -1 && idAt + 2 <= end && frame[idAt] === 0 && frame[idAt + 1] === 0;
  if (topic === undefined && !zeroId) return undefined;
  const standIn = allocBytes(end);
  standIn.set(frame);
  if (topic !== undefined) standIn.fill(X, bodyAt + 2, bodyAt + 2 + ((frame[bodyAt]! << 8) | frame[bodyAt + 1]!));
  if (zeroId) standIn[idAt + 1] = 1;
  const packet = decode(standIn, options) as WirePacket & { topic?: string; packetId?: number };
  if (topic !== undefined) packet.topic = topic;
  if (zeroId) packet.packetId = 0;
  return packet;
}

/** A string the codec can write (well-formed, no U+0000), so that a stand-in of its UTF-8 length can replace it. */
function writable(s: unknown): s is string {
  return typeof s === 'string' && !s.includes('\0') && (s as unknown as { isWellFormed(): boolean }).isWellFormed();
}

interface Edit {
  /** Index of the field in the list of string fields of the frame (PUBLISH: 0 is the Topic Name). */
  field: number;
  value: Uint8Array;
}

/**
 * Encodes a packet the codec refused, writing as given what mqtt-packet writes: Topic Names and Topic Filters that
 * break the topic rules (an empty Topic Name included) and Packet Identifier 0. Returns undefined when the packet
 * has none of them; throws the codec's error for the stand-in packet when something else is wrong with it.
 */
export function encodeWithStandIns(packet: WirePacket, options: EncodeOptions): Uint8Array | undefined {
  const p = { ...packet } as Record<string, unknown>;
  const edits: Edit[] = [];
  const standIn = (value: unknown, valid: boolean, field: number): unknown => {
    if (valid || !writable(value)) return value;
    const bytes = utf8Bytes(value);
    edits.push({ field, value: bytes });
    return 'x'.repeat(Math.max(1, bytes.length));
  };
  switch (packet.type) {
    case 'publish':
      // an empty Topic Name with a Topic Alias is valid at 5.0: the codec has not refused it
      p['topic'] = standIn(packet.topic, isValidTopicName(packet.topic) || (packet.topic === '' && packet.properties?.topicAlias !== undefined), 0);
      break;
    case 'subscribe':
      p['subscriptions'] = packet.subscriptions.map((s, i) => ({ ...s, topicFilter: standIn(s.topicFilter, isValidTopicFilter(s.topicFilter), i) }));
      break;
    case 'unsubscribe':
      p['topicFilters'] = packet.topicFilters.map((f, i) => standIn(f, isValidTopicFilter(f), i));
      break;
    default:
      break;
  }
  const zeroId = p['packetId'] === 0;
  if (zeroId) p['packetId'] = 1;
  if (edits.length === 0 && !zeroId) return undefined;
  let frame = encode(p as unknown as WirePacket, options);
  if (zeroId) frame[idIndex(frame, packet)] = 0;
  // the given strings back, last first so that earlier positions stay where they are
  const positions = stringFields(frame, packet.type, options.version === 5);
  for (let i = edits.length - 1; i >= 0; i--) {
    const { field, value } = edits[i]!;
    const at = positions[field]!;
    const old = (frame[at]! << 8) | frame[at + 1]!;
    if (old === value.length) frame.set(value, at + 2);
    else frame = splice(frame, at, 2 + old, [value.length >> 8, value.length & 0xff, ...value]);
  }
  return frame;
}

/** The index of the low byte of the Packet Identifier in a frame the codec wrote. */
function idIndex(frame: Uint8Array, packet: WirePacket): number {
  const bodyAt = bodyStart(frame);
  if (packet.type !== 'publish') return bodyAt + 1;
  return bodyAt + 2 + ((frame[bodyAt]! << 8) | frame[bodyAt + 1]!) + 1;
}

/** The indexes of the length prefixes of the Topic Name (PUBLISH) or the Topic Filters, in a frame the codec wrote. */
function stringFields(frame: Uint8Array, type: string, v5: boolean): number[] {
  const bodyAt = bodyStart(frame);
  if (type === 'publish') return [bodyAt];
  let pos = bodyAt + 2;
  if (v5) {
    // skip the properties: their length, then that many bytes
    let len = 0;
    let mul = 1;
    let byte: number;
    do {
      byte = frame[pos++]!;
      len += (byte & 0x7f) * mul;
      mul *= 128;
    } while (byte >= 0x80);
    pos += len;
  }
  const out: number[] = [];
  while (pos < frame.length) {
    out.push(pos);
    pos += 2 + ((frame[pos]! << 8) | frame[pos + 1]!) + (type === 'subscribe' ? 1 : 0);
  }
  return out;
}
