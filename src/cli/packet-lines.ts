// The encode loop of the CLI as a push API: text chunks of JSON packet lines in (as `decode --json` prints them),
// frames out as each line is read. A line is checked before `packetFromJson` sees it: an object with a known
// `type`, only that type's keys, no `__proto__` anywhere, binary fields as {"utf8": …} or {"hex": …}.

import { MqttError, encode, packetFromJson } from '../index.js';
import type { Packet, PacketType, ProtocolVersion } from '../index.js';
import { concat } from './bytes.js';
import { UsageError } from './command.js';

/** Every key of a type, across the members of a union (a QoS 0 and a QoS 1 PUBLISH have different ones). */
type KeysOf<T> = T extends unknown ? keyof T : never;

/** The top-level keys of each packet type, in the order the packet model lists them. */
const PACKET_KEYS = {
  connect: ['type', 'protocolVersion', 'protocolName', 'clientId', 'clean', 'keepAlive', 'username', 'password', 'will', 'properties'],
  connack: ['type', 'sessionPresent', 'reasonCode', 'properties'],
  publish: ['type', 'topic', 'payload', 'qos', 'retain', 'dup', 'packetId', 'properties'],
  puback: ['type', 'packetId', 'reasonCode', 'properties'],
  pubrec: ['type', 'packetId', 'reasonCode', 'properties'],
  pubrel: ['type', 'packetId', 'reasonCode', 'properties'],
  pubcomp: ['type', 'packetId', 'reasonCode', 'properties'],
  subscribe: ['type', 'packetId', 'subscriptions', 'properties'],
  suback: ['type', 'packetId', 'reasonCodes', 'properties'],
  unsubscribe: ['type', 'packetId', 'topicFilters', 'properties'],
  unsuback: ['type', 'packetId', 'reasonCodes', 'properties'],
  pingreq: ['type'],
  pingresp: ['type'],
  disconnect: ['type', 'reasonCode', 'properties'],
  auth: ['type', 'reasonCode', 'properties'],
} as const satisfies { [T in PacketType]: readonly KeysOf<Extract<Packet, { type: T }>>[] };

// The table names every key of every packet type: a field added to the model and not here fails to compile.
type MissingKeys = { [T in PacketType]: Exclude<KeysOf<Extract<Packet, { type: T }>>, (typeof PACKET_KEYS)[T][number]> }[PacketType];
const everyKeyListed: [MissingKeys] extends [never] ? true : MissingKeys = true;
void everyKeyListed;

/** Fields that hold bytes (Uint8Array) wherever they appear: packet, will and property fields. */
const BINARY_FIELDS = new Set(['payload', 'password', 'correlationData', 'authenticationData']);

function isPacketType(value: unknown): value is PacketType {
  return typeof value === 'string' && Object.hasOwn(PACKET_KEYS, value);
}

/** Refuses what `packetFromJson` would take wrongly or what `encode` would refuse less clearly; the message says how. */
function checkShape(json: unknown): void {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw new Error(`a packet line is a JSON object with a "type", got ${Array.isArray(json) ? 'an array' : json === null ? 'null' : `a ${typeof json}`}`);
  }
  const type = (json as { type?: unknown }).type;
  if (!isPacketType(type)) {
    throw new Error(`"type" must be one of ${Object.keys(PACKET_KEYS).join(', ')}; got ${type === undefined ? 'none' : JSON.stringify(type)}`);
  }
  const known: readonly string[] = PACKET_KEYS[type];
  for (const key of Object.keys(json)) {
    if (!known.includes(key)) throw new Error(`unknown key ${JSON.stringify(key)} in a ${type} packet; its keys are ${known.join(', ')}`);
  }
  checkFields(json, '');
}

/** Walks the value: no `__proto__` key (JSON.parse makes it an own key, which would set a prototype), binary fields well formed. */
function checkFields(value: unknown, path: string): void {
  if (Array.isArray(value)) {
    value.forEach((v, i) => checkFields(v, `${path}[${i}]`));
    return;
  }
  if (typeof value !== 'object' || value === null) return;
  for (const [key, v] of Object.entries(value)) {
    const at = path === '' ? key : `${path}.${key}`;
    if (key === '__proto__') throw new Error(`"${at}": __proto__ is not a field name`);
    if (BINARY_FIELDS.has(key) && !isBinaryJson(v)) {
      throw new Error(
        `"${at}" holds bytes, written as {"utf8": "text"} for UTF-8 text or {"hex": "0a1b"} for any bytes; got ${describe(v)}` +
          (typeof v === 'string' ? ` (for this text: {"utf8": ${JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v)}})` : ''),
      );
    }
    checkFields(v, at);
  }
}

function isBinaryJson(v: unknown): boolean {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
  const keys = Object.keys(v);
  return keys.length === 1 && (keys[0] === 'utf8' || keys[0] === 'hex') && typeof (v as Record<string, unknown>)[keys[0]] === 'string';
}

function describe(v: unknown): string {
  if (typeof v === 'string') return 'a string';
  if (Array.isArray(v)) return 'an array';
  if (v === null) return 'null';
  if (typeof v === 'object') return `an object with keys ${Object.keys(v).map((k) => JSON.stringify(k)).join(', ') || '(none)'}`;
  return `a ${typeof v}`;
}

/**
 * The longest line read: 256 MiB, a PUBLISH of up to 128 MiB written as hex (larger ones as utf8 text). A bound, so
 * that input that never ends a line is refused instead of held.
 */
const MAX_LINE_BYTES = 256 * 1024 * 1024;

/** Space, tab, carriage return, form feed, vertical tab: what may come before a line's '{'. */
function isBlank(b: number): boolean {
  return b === 0x20 || b === 0x09 || b === 0x0d || b === 0x0c || b === 0x0b;
}

export class LineEncoder {
  readonly #version: ProtocolVersion | undefined;
  /** Level of the packets that follow: the forced one, else 4 until a CONNECT, then its level (as decode reads them). */
  #level: ProtocolVersion;
  readonly #utf8 = new TextDecoder('utf-8', { fatal: true });
  /**
   * The current line's bytes so far, as views of the chunks they came in (joined once its newline arrives). Lines are
   * cut on the byte 0x0A, which never occurs inside a multi-byte UTF-8 sequence, so each line is decoded alone.
   */
  #pieces: Uint8Array[] = [];
  #held = 0;
  /** Whether the held part of the current line has its first non-blank byte. */
  #started = false;
  /** 1-based number of the current line. */
  #line = 1;

  constructor(version: ProtocolVersion | undefined) {
    this.#version = version;
    this.#level = version ?? 4;
  }

  /** Encodes every line `chunk` completes; throws a UsageError naming the line on the first bad one. */
  push(chunk: Uint8Array, onFrame: (frame: Uint8Array) => void): void {
    let from = 0;
    for (let nl = chunk.indexOf(0x0a); nl >= 0; nl = chunk.indexOf(0x0a, from)) {
      const part = chunk.subarray(from, nl);
      const line = this.#pieces.length === 0 ? part : concat([...this.#pieces, part]);
      this.#pieces = [];
      this.#held = 0;
      this.#started = false;
      this.#encodeLine(line, onFrame);
      this.#line++;
      from = nl + 1;
    }
    if (from < chunk.length) this.#hold(chunk.subarray(from));
  }

  /** Call when the input ends: encodes a last line without a newline. */
  end(onFrame: (frame: Uint8Array) => void): void {
    const line = concat(this.#pieces);
    this.#pieces = [];
    this.#encodeLine(line, onFrame);
  }

  /** Keeps part of an unfinished line, refusing at once a line that cannot be a packet, however long it would get. */
  #hold(piece: Uint8Array): void {
    if (!this.#started) {
      let i = 0;
      while (i < piece.length && isBlank(piece[i]!)) i++;
      if (i < piece.length) {
        if (piece[i] !== 0x7b) {
          const b = piece[i]!;
          const shown = b >= 0x21 && b <= 0x7e ? `'${String.fromCharCode(b)}'` : `byte 0x${b.toString(16).padStart(2, '0')}`;
          throw new UsageError(`line ${this.#line}: invalid JSON: a packet line starts with '{', found ${shown}`);
        }
        this.#started = true;
      }
    }
    this.#pieces.push(piece);
    this.#held += piece.length;
    if (this.#held > MAX_LINE_BYTES) throw new UsageError(`line ${this.#line} is longer than ${MAX_LINE_BYTES} bytes`);
  }

  #encodeLine(bytes: Uint8Array, onFrame: (frame: Uint8Array) => void): void {
    let text: string;
    try {
      text = this.#utf8.decode(bytes);
    } catch {
      throw new UsageError(`line ${this.#line} is not UTF-8 text`);
    }
    const line = text.trim();
    if (line === '') return;
    let json: unknown;
    try {
      json = JSON.parse(line);
    } catch (e) {
      throw new UsageError(`line ${this.#line}: invalid JSON: ${(e as Error).message}`);
    }
    let packet: Packet;
    try {
      checkShape(json);
      packet = packetFromJson(json);
    } catch (e) {
      throw new UsageError(`line ${this.#line}: ${e instanceof MqttError ? e.detail : (e as Error).message}`);
    }
    // a CONNECT encodes at its own level unless one was forced, and sets the level of what follows
    const own = this.#version === undefined && packet.type === 'connect';
    let frame: Uint8Array;
    try {
      frame = encode(packet, own ? {} : { version: this.#level });
    } catch (e) {
      if (!(e instanceof MqttError)) throw e;
      throw new UsageError(`line ${this.#line}: ${e.code}${e.rule !== undefined ? ` (${e.rule})` : ''}: ${e.detail}`);
    }
    if (own && packet.type === 'connect') this.#level = packet.protocolVersion;
    onFrame(frame);
  }
}
