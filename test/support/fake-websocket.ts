// A stand-in for the browser's WebSocket, for documentation examples that connect to a broker: nothing leaves the
// process. It decodes what the example sends; to a CONNECT it answers with a CONNACK at the CONNECT's level, split
// over two messages (a message may hold part of a packet), then closes.
import { PacketDecoder, encode, type Packet } from '../../src/index.js';

type Listener = (event: { data?: unknown }) => void;

export class FakeWebSocket {
  static readonly OPEN = 1;
  static readonly CLOSED = 3;
  static #created: FakeWebSocket[] = [];
  static #saved: unknown;

  /** Puts the stand-in in place of `globalThis.WebSocket`; returns the (live) list of sockets made from now on. */
  static install(): FakeWebSocket[] {
    FakeWebSocket.#saved = (globalThis as Record<string, unknown>)['WebSocket'];
    FakeWebSocket.#created = [];
    (globalThis as Record<string, unknown>)['WebSocket'] = FakeWebSocket;
    return FakeWebSocket.#created;
  }

  static uninstall(): void {
    (globalThis as Record<string, unknown>)['WebSocket'] = FakeWebSocket.#saved;
  }

  readonly url: string;
  readonly protocol: string;
  binaryType = 'blob';
  readyState = 0;
  onopen: Listener | null = null;
  onmessage: Listener | null = null;
  onclose: Listener | null = null;
  onerror: Listener | null = null;
  /** The packets the example sent, decoded. */
  readonly received: Packet[] = [];
  /** Settles when the socket has closed. */
  readonly closed: Promise<void>;
  readonly #listeners = new Map<string, Listener[]>();
  readonly #decoder = new PacketDecoder({ role: 'server' });
  #close!: () => void;

  constructor(url: string, protocols?: string | string[]) {
    this.url = url;
    this.protocol = Array.isArray(protocols) ? (protocols[0] ?? '') : (protocols ?? '');
    this.closed = new Promise((resolve) => (this.#close = resolve));
    FakeWebSocket.#created.push(this);
    setTimeout(() => {
      this.readyState = FakeWebSocket.OPEN;
      this.#emit('open', {});
    }, 0);
  }

  addEventListener(type: string, listener: Listener): void {
    this.#listeners.set(type, [...(this.#listeners.get(type) ?? []), listener]);
  }

  send(data: Uint8Array | ArrayBuffer): void {
    const bytes = data instanceof ArrayBuffer ? new Uint8Array(data) : data;
    for (const packet of this.#decoder.push(bytes)) {
      this.received.push(packet);
      if (packet.type !== 'connect') continue;
      const connack = encode({ type: 'connack', sessionPresent: false, reasonCode: 0 }, { version: packet.protocolVersion });
      setTimeout(() => this.#message(connack.slice(0, 1)), 0);
      setTimeout(() => this.#message(connack.slice(1)), 1);
      setTimeout(() => this.close(), 2);
    }
  }

  close(): void {
    if (this.readyState === FakeWebSocket.CLOSED) return;
    this.readyState = FakeWebSocket.CLOSED;
    this.#emit('close', {});
    this.#close();
  }

  #message(bytes: Uint8Array): void {
    // what a browser hands over with binaryType 'arraybuffer'
    const copy = bytes.slice();
    this.#emit('message', { data: this.binaryType === 'arraybuffer' ? copy.buffer : copy });
  }

  #emit(type: 'open' | 'message' | 'close' | 'error', event: { data?: unknown }): void {
    const handler = { open: this.onopen, message: this.onmessage, close: this.onclose, error: this.onerror }[type];
    handler?.call(this, event);
    for (const l of this.#listeners.get(type) ?? []) l.call(this, event);
  }
}
