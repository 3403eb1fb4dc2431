// A deliberately small MQTT client for the interop tests: a node:net socket, mqtt-wire's PacketDecoder for what
// arrives and `encode` for what leaves. No session logic: the tests drive every packet themselves, so each flow is
// visible in the test that checks it.

import { connect as tcpConnect, type Socket } from 'node:net';
import { PacketDecoder, encode, type Packet, type ProtocolVersion } from '../../src/index.js';

/** How long `next()` waits for a packet by default; the broker is local, so anything slower is a failure. */
const DEFAULT_WAIT_MS = 3000;

export interface RawClientOptions {
  version: ProtocolVersion;
  /** Largest packet this client accepts (PacketDecoder maxPacketSize); default the codec's 1 MiB. */
  maxPacketSize?: number;
}

type Waiter = { resolve: (p: Packet) => void; reject: (e: Error) => void; timer: NodeJS.Timeout };

export class RawClient {
  readonly version: ProtocolVersion;
  /** Every packet received, in order (also the ones already taken by `next()`). */
  readonly received: Packet[] = [];
  private readonly socket: Socket;
  private readonly decoder: PacketDecoder;
  private readonly queue: Packet[] = [];
  private readonly waiters: Waiter[] = [];
  private failure: Error | undefined;
  /** Set when bytes from the broker failed to decode (the suites check it after every test). */
  decodeError: Error | undefined;
  private ended = false;
  private readonly closedPromise: Promise<void>;

  private constructor(socket: Socket, options: RawClientOptions) {
    this.socket = socket;
    this.version = options.version;
    this.decoder = new PacketDecoder({
      version: options.version,
      // The receiver is a client: a CONNECT, SUBSCRIBE, … from the broker would be a decode error.
      role: 'client',
      // Packets outlive the socket chunks they arrived in.
      copy: true,
      ...(options.maxPacketSize !== undefined ? { maxPacketSize: options.maxPacketSize } : {}),
    });
    socket.on('data', (chunk: Buffer) => {
      if (this.failure !== undefined) return;
      let packets: Packet[];
      try {
        packets = this.decoder.push(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.length));
      } catch (e) {
        // A packet from the broker that does not decode is exactly what these tests look for.
        this.decodeError = new Error(`broker sent bytes that do not decode: ${(e as Error).message}`, { cause: e });
        this.fail(this.decodeError);
        socket.destroy();
        return;
      }
      for (const p of packets) {
        this.received.push(p);
        const waiter = this.waiters.shift();
        if (waiter !== undefined) {
          clearTimeout(waiter.timer);
          waiter.resolve(p);
        } else this.queue.push(p);
      }
    });
    this.closedPromise = new Promise((resolve) => {
      socket.once('close', () => {
        this.ended = true;
        try {
          this.decoder.end();
        } catch (e) {
          this.decodeError ??= new Error(`broker closed the connection inside a frame: ${(e as Error).message}`, { cause: e });
          this.fail(this.decodeError);
        }
        this.fail(new Error('connection closed'));
        resolve();
      });
    });
    socket.on('error', () => {
      // 'close' follows; a reset by the broker is a normal way for some tests to end.
    });
  }

  /** Opens a TCP connection to 127.0.0.1:port (nothing is sent yet). */
  static open(port: number, options: RawClientOptions): Promise<RawClient> {
    return new Promise((resolve, reject) => {
      const socket = tcpConnect({ host: '127.0.0.1', port });
      socket.setNoDelay(true);
      socket.once('connect', () => {
        socket.off('error', reject);
        resolve(new RawClient(socket, options));
      });
      socket.once('error', reject);
    });
  }

  /** Encodes `packet` at this client's level and writes it. */
  send(packet: Packet): void {
    this.socket.write(encode(packet, { version: this.version }));
  }

  /** Writes bytes as they are (for frames the encoder rightly refuses to build). */
  sendRaw(bytes: Uint8Array): void {
    this.socket.write(bytes);
  }

  /** The next packet from the broker; rejects after `ms` or when the connection closes first. */
  next(ms = DEFAULT_WAIT_MS): Promise<Packet> {
    const queued = this.queue.shift();
    if (queued !== undefined) return Promise.resolve(queued);
    if (this.failure !== undefined) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        resolve,
        reject,
        timer: setTimeout(() => {
          this.waiters.splice(this.waiters.indexOf(waiter), 1);
          reject(new Error(`no packet from the broker within ${ms} ms`));
        }, ms),
      };
      this.waiters.push(waiter);
    });
  }

  /** The next packet, which must be of type `type` (narrowed). */
  async nextOf<T extends Packet['type']>(type: T, ms = DEFAULT_WAIT_MS): Promise<Extract<Packet, { type: T }>> {
    const p = await this.next(ms);
    if (p.type !== type) throw new Error(`expected ${type.toUpperCase()}, got ${p.type.toUpperCase()}: ${JSON.stringify(p)}`);
    return p as Extract<Packet, { type: T }>;
  }

  /** Resolves true when nothing arrives within `ms` (and the connection stays up), false otherwise. */
  async quietFor(ms: number): Promise<boolean> {
    if (this.queue.length > 0) return false;
    try {
      await this.next(ms);
      return false;
    } catch (e) {
      return (e as Error).message.startsWith('no packet') && !this.ended;
    }
  }

  /** Resolves when the broker has closed the connection (bounded by `ms`). */
  async closedByPeer(ms = DEFAULT_WAIT_MS): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      this.closedPromise,
      new Promise((_, reject) => (timer = setTimeout(() => reject(new Error(`connection still open after ${ms} ms`)), ms))),
    ]);
    clearTimeout(timer);
  }

  get isClosed(): boolean {
    return this.ended;
  }

  /** Graceful end of the TCP stream (after a DISCONNECT, say). */
  async end(): Promise<void> {
    this.socket.end();
    await this.closedByPeer();
  }

  /** Abrupt close, as a crashed client would: no DISCONNECT, the socket is destroyed. */
  destroy(): void {
    this.socket.destroy();
  }

  private fail(error: Error): void {
    this.failure ??= error;
    for (const w of this.waiters.splice(0)) {
      clearTimeout(w.timer);
      w.reject(this.failure);
    }
  }
}
