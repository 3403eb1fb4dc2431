// One readable line per decoded packet, for `mqtt-wire decode`: where it starts in the stream, what it is, its
// sizes, and the fields a person looks for (packet id, topic, QoS, flags, payload preview, reason codes by name).

import { reasonCodeName } from '../reason-codes.js';
import type { Packet, ProtocolVersion } from '../types.js';

/** A decoded packet and where its frame lay in the stream. */
export interface FrameInfo {
  /** Stream offset of the frame's first byte. */
  offset: number;
  /** Fixed header size: 1 type byte + 1 to 4 Remaining Length bytes. */
  headerSize: number;
  /** Whole frame size, header included. */
  size: number;
  /** The first byte's low four bits. */
  flags: number;
  packet: Packet;
  /** Protocol level the packet was decoded at (a CONNECT's own level for a CONNECT). */
  version: ProtocolVersion;
}

/** Characters of payload text shown before eliding; payloads are previewed, never dumped. */
const PREVIEW_CHARS = 32;
/** Bytes of a binary payload shown as hex. */
const PREVIEW_BYTES = 16;

const LEVEL_NAME: Record<ProtocolVersion, string> = { 3: '3.1', 4: '3.1.1', 5: '5.0' };
const strict = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** Whether the first `n` bytes are printable ASCII (space to tilde, tab, newline): shown as text, read without a decoder. */
function printableAscii(bytes: Uint8Array, n: number): boolean {
  for (let i = 0; i < n; i++) {
    const b = bytes[i]!;
    if ((b < 0x20 || b > 0x7e) && b !== 0x09 && b !== 0x0a) return false;
  }
  return true;
}

/** `"text"` (JSON-quoted, elided after PREVIEW_CHARS) when `bytes` are printable UTF-8, else `hex 00ff…`. */
export function preview(bytes: Uint8Array): string {
  if (bytes.length === 0) return '""';
  // the common case, ASCII text, without a TextDecoder call per payload (the larger part of a line's cost)
  if (printableAscii(bytes, bytes.length)) {
    const n = Math.min(bytes.length, PREVIEW_CHARS);
    let text = '';
    for (let i = 0; i < n; i++) text += String.fromCharCode(bytes[i]!);
    return JSON.stringify(bytes.length > PREVIEW_CHARS ? `${text}…` : text);
  }
  let text: string | undefined;
  // A C0 control other than tab and newline, or DEL, means hex whatever the rest is: no decoder is needed (and no
  // thrown decode error, the costly part of a binary payload's line). Text is looked for only among the others.
  let control = false;
  for (let i = 0; i < bytes.length && !control; i++) {
    const b = bytes[i]!;
    control = (b < 0x20 && b !== 0x09 && b !== 0x0a) || b === 0x7f;
  }
  try {
    text = control ? undefined : strict.decode(bytes);
  } catch {
    text = undefined;
  }
  // C0 controls other than tab/newline, DEL and C1 controls read better as hex
  if (text !== undefined && !/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/.test(text)) {
    const chars = Array.from(text);
    return JSON.stringify(chars.length > PREVIEW_CHARS ? `${chars.slice(0, PREVIEW_CHARS).join('')}…` : text);
  }
  let hex = '';
  for (let i = 0; i < Math.min(bytes.length, PREVIEW_BYTES); i++) hex += bytes[i]!.toString(16).padStart(2, '0');
  return `hex ${hex}${bytes.length > PREVIEW_BYTES ? '…' : ''}`;
}

function code(c: number, packetType: string, version: ProtocolVersion): string {
  return `0x${c.toString(16).padStart(2, '0')} (${reasonCodeName(c, packetType, version)})`;
}

function quote(s: string): string {
  return JSON.stringify(s);
}

function bytesField(name: string, bytes: Uint8Array): string {
  return `${name}=${bytes.length}B ${preview(bytes)}`;
}

/** 5.0 properties as `name=value`; binary values previewed, user properties as `name:value` pairs. */
function properties(props: object | undefined): string[] {
  if (props === undefined) return [];
  const out: string[] = [];
  for (const [name, value] of Object.entries(props)) {
    if (value instanceof Uint8Array) out.push(bytesField(name, value));
    else if (name === 'userProperties') {
      out.push(`userProperties=[${(value as [string, string][]).map(([k, v]) => `${quote(k)}:${quote(v)}`).join(', ')}]`);
    } else if (Array.isArray(value)) out.push(`${name}=[${value.join(',')}]`);
    else out.push(`${name}=${typeof value === 'string' ? quote(value) : String(value)}`);
  }
  return out.length === 0 ? [] : [`props{${out.join(' ')}}`];
}

function fields(p: Packet, v: ProtocolVersion): string[] {
  switch (p.type) {
    case 'connect': {
      const f = [`level=${p.protocolVersion} (${LEVEL_NAME[p.protocolVersion]})`, `clientId=${quote(p.clientId)}`];
      f.push(p.protocolVersion === 5 ? `cleanStart=${p.clean}` : `cleanSession=${p.clean}`, `keepAlive=${p.keepAlive}`);
      if (p.username !== undefined) f.push(`username=${quote(p.username)}`);
      if (p.password !== undefined) f.push(`password=${p.password.length}B`);
      if (p.will !== undefined) {
        const w = p.will;
        const inner = [`topic=${quote(w.topic)}`, `qos=${w.qos}`, `retain=${w.retain}`, bytesField('payload', w.payload), ...properties(w.properties)];
        f.push(`will{${inner.join(' ')}}`);
      }
      return [...f, ...properties(p.properties)];
    }
    case 'connack':
      return [`sessionPresent=${p.sessionPresent}`, `reasonCode=${code(p.reasonCode, 'connack', v)}`, ...properties(p.properties)];
    case 'publish': {
      const f = p.qos > 0 ? [`id=${p.packetId}`] : [];
      f.push(`topic=${quote(p.topic)}`, `qos=${p.qos}`, `retain=${p.retain}`, `dup=${p.dup}`, bytesField('payload', p.payload));
      return [...f, ...properties(p.properties)];
    }
    case 'puback':
    case 'pubrec':
    case 'pubrel':
    case 'pubcomp': {
      const f = [`id=${p.packetId}`];
      if (p.reasonCode !== undefined) f.push(`reasonCode=${code(p.reasonCode, p.type, v)}`);
      return [...f, ...properties(p.properties)];
    }
    case 'subscribe': {
      const subs = p.subscriptions.map((s) => {
        let t = `${quote(s.topicFilter)} qos=${s.qos}`;
        if (s.noLocal === true) t += ' noLocal';
        if (s.retainAsPublished === true) t += ' retainAsPublished';
        if (s.retainHandling !== undefined && s.retainHandling !== 0) t += ` retainHandling=${s.retainHandling}`;
        return t;
      });
      return [`id=${p.packetId}`, `filters=[${subs.join(', ')}]`, ...properties(p.properties)];
    }
    case 'suback':
      return [`id=${p.packetId}`, `reasonCodes=[${p.reasonCodes.map((c) => code(c, 'suback', v)).join(', ')}]`, ...properties(p.properties)];
    case 'unsubscribe':
      return [`id=${p.packetId}`, `filters=[${p.topicFilters.map(quote).join(', ')}]`, ...properties(p.properties)];
    case 'unsuback': {
      const f = [`id=${p.packetId}`];
      if (p.reasonCodes !== undefined) f.push(`reasonCodes=[${p.reasonCodes.map((c) => code(c, 'unsuback', v)).join(', ')}]`);
      return [...f, ...properties(p.properties)];
    }
    case 'pingreq':
    case 'pingresp':
      return [];
    case 'disconnect':
    case 'auth':
      return [...(p.reasonCode !== undefined ? [`reasonCode=${code(p.reasonCode, p.type, v)}`] : []), ...properties(p.properties)];
  }
}

/**
 * The summary line of one frame, e.g.
 * `     118  PUBLISH      flags=0010 size=2+27  id=2 topic="sensors/17/humidity" qos=1 retain=false dup=false payload=2B "48"`.
 */
export function summaryLine(info: FrameInfo): string {
  const head = `${String(info.offset).padStart(8)}  ${(TYPE_COLUMN[info.packet.type] ??= info.packet.type.toUpperCase().padEnd(11))}  flags=${FLAG_BITS[info.flags]}`;
  const size = `size=${info.headerSize}+${info.size - info.headerSize}`;
  const f = fields(info.packet, info.version);
  return f.length === 0 ? `${head} ${size}` : `${head} ${size.padEnd(11)} ${f.join(' ')}`;
}

/** The type column by packet type: the name in capitals, padded to the longest (UNSUBSCRIBE); filled as types are met. */
const TYPE_COLUMN: Partial<Record<Packet['type'], string>> = {};
/** The fixed header's low four bits as binary digits, by value. */
const FLAG_BITS = Array.from({ length: 16 }, (_, f) => f.toString(2).padStart(4, '0'));
