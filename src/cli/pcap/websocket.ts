// MQTT over WebSocket (MQTT 5.0 section 6): an HTTP Upgrade, then binary frames whose payloads, unmasked and
// joined across fragments, are the MQTT byte stream. One parser per direction.

import type { Arrival } from './tcp.js';

export type WsEvent = { kind: 'data'; bytes: Uint8Array; at: Arrival } | { kind: 'note'; message: string; at: Arrival };

const CRLFCRLF = [13, 10, 13, 10];

export class WebSocketDirection {
  private buf = new Uint8Array(0);
  private state: 'http' | 'frames' | 'done' = 'http';
  /** Opcode of the message being continued (a fragmented one), or -1. */
  private messageOpcode = -1;

  /** `client`: this direction carries the HTTP request and masked frames; else the response and unmasked ones. */
  constructor(private readonly client: boolean) {}

  /** Feeds stream bytes; returns MQTT bytes and notes in order. */
  push(bytes: Uint8Array, at: Arrival): WsEvent[] {
    if (this.state === 'done') return [];
    const joined = new Uint8Array(this.buf.length + bytes.length);
    joined.set(this.buf);
    joined.set(bytes, this.buf.length);
    this.buf = joined;
    const out: WsEvent[] = [];
    if (this.state === 'http') {
      const end = indexOf(this.buf, CRLFCRLF);
      if (end === -1) return out;
      const head = new TextDecoder().decode(this.buf.subarray(0, end));
      const firstLine = head.split('\r\n')[0]!;
      this.buf = this.buf.subarray(end + 4);
      if (this.client) {
        out.push({ kind: 'note', message: `WebSocket upgrade request: ${firstLine}${protocolOf(head)}`, at });
      } else if (/^HTTP\/1\.[01] 101\b/.test(firstLine)) {
        out.push({ kind: 'note', message: `WebSocket upgrade accepted: ${firstLine}${protocolOf(head)}`, at });
      } else {
        out.push({ kind: 'note', message: `WebSocket upgrade refused: ${firstLine}`, at });
        this.state = 'done';
        return out;
      }
      this.state = 'frames';
    }
    this.frames(out, at);
    return out;
  }

  private frames(out: WsEvent[], at: Arrival): void {
    let pos = 0;
    const b = this.buf;
    while (pos + 2 <= b.length) {
      const fin = (b[pos]! & 0x80) !== 0;
      const opcode = b[pos]! & 0x0f;
      const masked = (b[pos + 1]! & 0x80) !== 0;
      let len = b[pos + 1]! & 0x7f;
      let p = pos + 2;
      if (len === 126) {
        if (p + 2 > b.length) break;
        len = (b[p]! << 8) | b[p + 1]!;
        p += 2;
      } else if (len === 127) {
        if (p + 8 > b.length) break;
        // 64-bit length: its top two bytes are 0 for any frame a capture can hold
        len = b[p + 2]! * 2 ** 40 + b[p + 3]! * 2 ** 32 + b[p + 4]! * 2 ** 24 + ((b[p + 5]! << 16) | (b[p + 6]! << 8) | b[p + 7]!);
        p += 8;
      }
      const maskAt = p;
      if (masked) p += 4;
      if (p + len > b.length) break;
      const payload = b.slice(p, p + len);
      if (masked) for (let i = 0; i < len; i++) payload[i]! ^= b[maskAt + (i & 3)]!;
      pos = p + len;
      if (masked !== this.client) {
        out.push({ kind: 'note', message: `WebSocket frame from the ${this.client ? 'client is not' : 'server is'} masked (RFC 6455 section 5.1)`, at });
      }
      if (opcode === 0 || opcode === 1 || opcode === 2) {
        if (opcode !== 0) this.messageOpcode = opcode;
        if (this.messageOpcode === 1) {
          out.push({ kind: 'note', message: 'WebSocket text frame: MQTT is carried in binary frames only (MQTT-6.0.0-1)', at });
        } else if (len > 0) {
          out.push({ kind: 'data', bytes: payload, at });
        }
        if (fin) this.messageOpcode = -1;
      } else if (opcode === 8) {
        const code = len >= 2 ? (payload[0]! << 8) | payload[1]! : undefined;
        out.push({ kind: 'note', message: `WebSocket close${code !== undefined ? ` (status ${code})` : ''}`, at });
      }
      // ping (9) and pong (10) carry nothing for MQTT
    }
    this.buf = b.subarray(pos);
  }

  /** Bytes held for an incomplete frame (or the upgrade), at the end of the capture. */
  get buffered(): number {
    return this.state === 'done' ? 0 : this.buf.length;
  }
}

function indexOf(b: Uint8Array, needle: number[]): number {
  outer: for (let i = 0; i + needle.length <= b.length; i++) {
    for (let j = 0; j < needle.length; j++) if (b[i + j] !== needle[j]) continue outer;
    return i;
  }
  return -1;
}

function protocolOf(head: string): string {
  const m = /\r\nsec-websocket-protocol:\s*([^\r\n]*)/i.exec(head);
  return m === null ? '' : ` (subprotocol ${m[1]!.trim()})`;
}

/** True when a stream's first bytes are an HTTP request asking for a WebSocket. */
export function isWebSocketUpgrade(first: Uint8Array): boolean {
  const text = new TextDecoder('latin1').decode(first.subarray(0, 2048));
  return /^GET [^\r\n]* HTTP\/1\.1\r\n/.test(text) && /\r\nupgrade:\s*websocket/i.test(text);
}
