// Wrong-protocol sniffing: what the first bytes of a stream are when they are not MQTT (a TLS ClientHello, an
// HTTP request or response, a WebSocket frame, a PROXY protocol header), so an error can say so.

import { MqttError } from './errors.js';

export type SniffedProtocol = 'tls' | 'http-request' | 'http-response' | 'websocket' | 'proxy-v1' | 'proxy-v2';

export interface Sniffed {
  protocol: SniffedProtocol;
  /** What the bytes look like and what to do instead, e.g. "a TLS ClientHello: the peer speaks MQTT over TLS …". */
  description: string;
}

const PROXY_V2 = [0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d, 0x0a, 0x51, 0x55, 0x49, 0x54, 0x0a];
const METHODS = ['GET', 'POST', 'PUT', 'HEAD', 'DELETE', 'OPTIONS', 'PATCH', 'CONNECT', 'TRACE', 'PRI'];

function ascii(b: Uint8Array, n: number): string {
  let s = '';
  for (let i = 0; i < Math.min(n, b.length); i++) s += String.fromCharCode(b[i]!);
  return s;
}

/**
 * Recognises another protocol from the first bytes of a stream, or returns undefined. Pure and cheap: meant for
 * the moment a stream's first frame fails to decode, to tell "not MQTT at all" from "broken MQTT".
 */
export function sniff(bytes: Uint8Array): Sniffed | undefined {
  if (!(bytes instanceof Uint8Array) || bytes.length < 3) return undefined;
  const b0 = bytes[0]!;
  const b1 = bytes[1]!;
  // TLS record: content type 0x14-0x17, version 3.x (SSL 3.0 to TLS 1.3 all say 3.0-3.4)
  if (b0 >= 0x14 && b0 <= 0x17 && b1 === 3 && bytes[2]! <= 4) {
    if (b0 === 0x16 && (bytes.length < 6 || bytes[5] === 1)) {
      return { protocol: 'tls', description: 'a TLS ClientHello: the peer speaks MQTT over TLS (port 8883); decrypt it first, or connect without TLS' };
    }
    if (b0 === 0x16 && bytes[5] === 2) return { protocol: 'tls', description: 'a TLS ServerHello: the server answered with TLS' };
    return { protocol: 'tls', description: 'a TLS record: the stream is encrypted' };
  }
  const head = ascii(bytes, 64);
  if (head.startsWith('PROXY ')) {
    return { protocol: 'proxy-v1', description: `a PROXY protocol v1 header ('${head.split('\r\n')[0]!}'): strip it before the MQTT stream` };
  }
  if (bytes.length >= 12 && PROXY_V2.every((v, i) => bytes[i] === v)) {
    return { protocol: 'proxy-v2', description: 'a PROXY protocol v2 header: strip it before the MQTT stream' };
  }
  if (/^HTTP\/\d(\.\d)? \d{3}/.test(head)) {
    return { protocol: 'http-response', description: `an HTTP response ('${head.split('\r\n')[0]!}')` };
  }
  const method = METHODS.find((m) => head.startsWith(`${m} `));
  if (method !== undefined) {
    const line = head.split('\r\n')[0]!;
    const all = ascii(bytes, 2048);
    if (/\r\nupgrade:\s*websocket/i.test(all)) {
      return {
        protocol: 'http-request',
        description: `an HTTP request to upgrade to WebSocket ('${line}'): MQTT over WebSocket is carried in the binary frames' payloads, not the raw stream`,
      };
    }
    return { protocol: 'http-request', description: `an HTTP ${method} request ('${line}')` };
  }
  // A WebSocket frame with FIN, a data or close opcode, carrying MQTT: a masked client frame unmasks to a
  // CONNECT, an unmasked server frame starts with a CONNACK. (0x82 alone is also a SUBSCRIBE, hence the payload test.)
  if ((b0 === 0x82 || b0 === 0x02) && bytes.length >= 3) {
    const masked = (b1 & 0x80) !== 0;
    const len = b1 & 0x7f;
    const at = 2 + (len === 126 ? 2 : len === 127 ? 8 : 0);
    const first = masked ? (bytes.length > at + 4 ? bytes[at + 4]! ^ bytes[at]! : -1) : bytes[at];
    if ((masked && first === 0x10) || (!masked && first === 0x20)) {
      return {
        protocol: 'websocket',
        description: `a WebSocket binary frame (${masked ? 'masked, carrying an MQTT CONNECT' : 'carrying an MQTT CONNACK'}): read the frames' payloads, not the raw stream`,
      };
    }
  }
  return undefined;
}

/** What a stream-start error adds when the first bytes are another protocol's: `; the stream's first bytes look like …`. */
export function sniffNote(head: Uint8Array | undefined): string {
  const found = head === undefined ? undefined : sniff(head);
  return found === undefined ? '' : `; the stream's first bytes look like ${found.description}`;
}

/** `e` with the sniff note of `head` added to its detail (the same error when the bytes are not recognised). */
export function withSniffNote(e: MqttError, head: Uint8Array | undefined): MqttError {
  const note = sniffNote(head);
  if (note === '') return e;
  const o: { reasonCode: number; rule?: string; offset?: number; packetType?: MqttError['packetType'] & string; protocolVersion?: number } = { reasonCode: e.reasonCode };
  if (e.rule !== undefined) o.rule = e.rule;
  if (e.offset !== undefined) o.offset = e.offset;
  if (e.packetType !== undefined) o.packetType = e.packetType;
  if (e.protocolVersion !== undefined) o.protocolVersion = e.protocolVersion;
  return new MqttError(e.code, e.detail + note, o);
}

/** First bytes of a stream kept for `sniff`: enough for an HTTP request line or a PROXY header. */
export const SNIFF_BYTES = 64;

/**
 * The first SNIFF_BYTES of a stream, kept as views of the chunks they came in: nothing is copied unless an error
 * in the first frame asks for them. PacketDecoder drops it once the first packet is delivered, so no chunk is kept
 * alive for longer than that.
 */
export class StreamHead {
  #views: Uint8Array[] = [];
  #length = 0;

  add(chunk: Uint8Array): void {
    if (this.#length < SNIFF_BYTES && chunk.length > 0) {
      const view = chunk.subarray(0, SNIFF_BYTES - this.#length);
      this.#views.push(view);
      this.#length += view.length;
    }
  }

  /** The bytes kept, in one fresh array. */
  bytes(): Uint8Array {
    const out = new Uint8Array(this.#length);
    let o = 0;
    for (const v of this.#views) {
      out.set(v, o);
      o += v.length;
    }
    return out;
  }
}
