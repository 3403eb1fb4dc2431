// A capture file as MQTT conversations: records to TCP segments, segments to in-order streams per connection and
// direction, streams (or WebSocket payloads) to frames, each frame dissected. Pure: bytes in, events out.

import { dissect, type DissectResult } from '../../dissect/index.js';
import type { ProtocolVersion } from '../../types.js';
import { sniff, type Sniffed } from '../../sniff.js';
import { readCapture, type CaptureRecord } from './capture.js';
import { tcpSegment, type TcpSegment } from './packet.js';
import { TcpDirection, type Arrival } from './tcp.js';
import { WebSocketDirection, isWebSocketUpgrade } from './websocket.js';

export { CaptureError } from './capture.js';

export interface PcapOptions {
  /** Server ports that carry MQTT over TCP. WebSocket upgrades are recognised on any port. */
  ports: readonly number[];
  /** Protocol level to read every connection at; default: from each connection's CONNECT (4 before one). */
  version?: ProtocolVersion;
}

export type Direction = 'client' | 'server';

/** One MQTT frame (or the bytes of one that could not be completed), dissected. */
export interface PacketEvent {
  kind: 'packet';
  /** Number of the capture record that completed the frame (1-based, as Wireshark counts). */
  frame: number;
  time: number;
  /** `client → server` endpoints. */
  connection: string;
  /** Who sent it. */
  from: Direction;
  transport: 'tcp' | 'websocket';
  /** Offset of the frame in its direction's MQTT byte stream. */
  offset: number;
  version: ProtocolVersion;
  bytes: Uint8Array;
  dissection: DissectResult;
  /** The capture ends inside this frame: `bytes` is the part captured. */
  incomplete?: true;
  /** The stream's first bytes are another protocol's (then nothing after them is read): what they look like. */
  looksLike?: Sniffed;
}

/** Something about a connection that is not a frame: an upgrade, a gap, a stream that cannot be followed. */
export interface NoteEvent {
  kind: 'note';
  frame: number;
  time: number;
  connection: string;
  from?: Direction;
  message: string;
}

export type PcapEvent = PacketEvent | NoteEvent;

const endpoint = (addr: string, port: number): string => (addr.includes(':') ? `[${addr}]:${port}` : `${addr}:${port}`);

/** The MQTT byte stream of one direction, cut into frames. */
class MqttDirection {
  private held: Uint8Array = new Uint8Array(0);
  /** Stream offset of `held[0]`. */
  private offset = 0;
  /** Set when a frame's length could not be read: nothing after it can be placed. */
  stopped = false;

  constructor(
    private readonly conn: Connection,
    private readonly from: Direction,
    private readonly emit: (e: PcapEvent) => void,
  ) {}

  push(bytes: Uint8Array, at: Arrival): void {
    if (this.stopped) return;
    const joined = new Uint8Array(this.held.length + bytes.length);
    joined.set(this.held);
    joined.set(bytes, this.held.length);
    let pos = 0;
    while (pos < joined.length) {
      const size = frameSize(joined, pos);
      if (size === undefined) break;
      if (size === -1) {
        // a Remaining Length with a fifth byte: reported, and the stream cannot be followed past it
        this.frame(joined.subarray(pos), at, this.offset + pos, false, joined.subarray(pos));
        this.stopped = true;
        this.conn.note(this.from, at, 'the stream cannot be followed after a bad Remaining Length');
        pos = joined.length;
        break;
      }
      if (joined.length - pos < size) break;
      this.frame(joined.subarray(pos, pos + size), at, this.offset + pos, false, joined.subarray(pos));
      pos += size;
      if (this.stopped) {
        pos = joined.length;
        break;
      }
    }
    this.offset += pos;
    this.held = joined.slice(pos);
  }

  private frame(bytes: Uint8Array, at: Arrival, offset: number, incomplete: boolean, stream: Uint8Array): void {
    const version = this.conn.versionFor(bytes, this.from);
    const dissection = dissect(bytes, { version });
    const event: PacketEvent = {
      kind: 'packet',
      frame: at.frame,
      time: at.time,
      connection: this.conn.name,
      from: this.from,
      transport: this.conn.transport,
      offset,
      version,
      bytes,
      dissection,
    };
    if (incomplete) event.incomplete = true;
    // a first frame that is not MQTT at all: say what it is, and read no further
    const other = offset === 0 && dissection.packet === undefined ? sniff(stream) : undefined;
    if (other !== undefined) event.looksLike = other;
    this.emit(event);
    if (other !== undefined) {
      this.stopped = true;
      this.conn.note(this.from, at, `not MQTT: this looks like ${other.description}; the rest of this stream is not read`);
    }
  }

  /** At the end of the capture: a frame left incomplete is dissected for what is there. */
  finish(at: Arrival): void {
    if (this.stopped || this.held.length === 0) return;
    this.conn.note(this.from, at, `the ${this.from}'s stream ends inside a frame (${this.held.length} byte(s) of it captured)`);
    const held = this.held;
    this.held = new Uint8Array(0);
    this.frame(held, at, this.offset, true, held);
  }
}

/** Size of the frame starting at `pos`, undefined while its header is incomplete, -1 for an unreadable length. */
function frameSize(b: Uint8Array, pos: number): number | undefined {
  let value = 0;
  let mul = 1;
  for (let i = 0; i < 4; i++) {
    if (pos + 1 + i >= b.length) return undefined;
    const byte = b[pos + 1 + i]!;
    value += (byte & 0x7f) * mul;
    if (byte < 0x80) return 2 + i + value;
    mul *= 128;
  }
  return -1;
}

class Connection {
  readonly name: string;
  transport: 'tcp' | 'websocket' = 'tcp';
  state: 'undecided' | 'mqtt' | 'websocket' | 'ignored' = 'undecided';
  version: ProtocolVersion;
  private readonly fixedVersion: boolean;
  readonly tcp: Record<Direction, TcpDirection>;
  private mqtt: Record<Direction, MqttDirection> | undefined;
  private ws: Record<Direction, WebSocketDirection> | undefined;
  /** Bytes from the client before the kind of connection is known. */
  private early: { from: Direction; bytes: Uint8Array; at: Arrival }[] = [];
  lastArrival: Arrival = { frame: 0, time: 0 };

  constructor(
    readonly client: string,
    readonly server: string,
    private readonly serverIsMqttPort: boolean,
    options: PcapOptions,
    private readonly emit: (e: PcapEvent) => void,
  ) {
    this.name = `${client} → ${server}`;
    this.version = options.version ?? 4;
    this.fixedVersion = options.version !== undefined;
    this.tcp = {
      client: new TcpDirection((bytes, _offset, at) => this.data('client', bytes, at)),
      server: new TcpDirection((bytes, _offset, at) => this.data('server', bytes, at)),
    };
  }

  note(from: Direction | undefined, at: Arrival, message: string): void {
    const e: NoteEvent = { kind: 'note', frame: at.frame, time: at.time, connection: this.name, message };
    if (from !== undefined) e.from = from;
    this.emit(e);
  }

  /** The level to read a frame at: a CONNECT by its own level byte; the rest by the connection's CONNECT. */
  versionFor(bytes: Uint8Array, from: Direction): ProtocolVersion {
    if (from === 'client' && bytes[0]! >> 4 === 1 && !this.fixedVersion) {
      const level = connectLevel(bytes);
      if (level !== undefined) {
        this.version = level;
        return level;
      }
    }
    return this.version;
  }

  private data(from: Direction, bytes: Uint8Array, at: Arrival): void {
    this.lastArrival = at;
    if (this.state === 'undecided') {
      this.early.push({ from, bytes, at });
      const clientBytes = concat(this.early.filter((e) => e.from === 'client').map((e) => e.bytes));
      if (clientBytes.length >= 4 && startsLikeHttp(clientBytes)) {
        // wait for the whole request head (bounded) before deciding
        if (!latin1(clientBytes).includes('\r\n\r\n') && clientBytes.length < HTTP_HEAD_MAX) return;
        this.state = isWebSocketUpgrade(clientBytes) ? 'websocket' : this.serverIsMqttPort ? 'mqtt' : 'ignored';
      } else if (this.serverIsMqttPort) {
        this.state = 'mqtt';
      } else if (clientBytes.length >= 4 || this.early.length > 16) {
        this.state = 'ignored';
      } else {
        return;
      }
      if (this.state === 'ignored') return;
      if (this.state === 'websocket') {
        this.transport = 'websocket';
        this.ws = { client: new WebSocketDirection(true), server: new WebSocketDirection(false) };
      }
      this.mqtt = { client: new MqttDirection(this, 'client', this.emit), server: new MqttDirection(this, 'server', this.emit) };
      const early = this.early;
      this.early = [];
      for (const e of early) this.route(e.from, e.bytes, e.at);
      return;
    }
    if (this.state === 'ignored') return;
    this.route(from, bytes, at);
  }

  private route(from: Direction, bytes: Uint8Array, at: Arrival): void {
    if (this.ws === undefined) {
      this.mqtt![from].push(bytes, at);
      return;
    }
    for (const e of this.ws[from].push(bytes, at)) {
      if (e.kind === 'note') this.note(from, e.at, e.message);
      else this.mqtt![from].push(e.bytes, e.at);
    }
  }

  /** At the end of the capture: gaps never filled, frames left incomplete, connections not closed. */
  finish(): void {
    if (this.state !== 'mqtt' && this.state !== 'websocket') return;
    for (const from of ['client', 'server'] as const) {
      const gap = this.tcp[from].gap();
      if (gap !== undefined) {
        this.note(from, this.lastArrival, `${gap[1]} byte(s) missing from the capture at stream offset ${gap[0]}; ${gap[2]} byte(s) after the gap not read`);
      }
      this.mqtt![from].finish(this.lastArrival);
    }
    if (!this.tcp.client.closed && !this.tcp.server.closed) this.note(undefined, this.lastArrival, 'the capture ends before the connection is closed');
  }
}

/** Longest HTTP request head waited for before a connection is judged (larger ones are not WebSocket upgrades here). */
const HTTP_HEAD_MAX = 8192;

function latin1(b: Uint8Array): string {
  return new TextDecoder('latin1').decode(b);
}

function startsLikeHttp(b: Uint8Array): boolean {
  return b[0] === 0x47 && b[1] === 0x45 && b[2] === 0x54 && b[3] === 0x20;
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** The Protocol Level byte of a CONNECT frame, when it is 3, 4 or 5. */
export function connectLevel(frame: Uint8Array): ProtocolVersion | undefined {
  let p = 1;
  while (p < 5 && p < frame.length && (frame[p]! & 0x80) !== 0) p++;
  p++;
  if (p + 2 > frame.length) return undefined;
  const at = p + 2 + ((frame[p]! << 8) | frame[p + 1]!);
  const level = frame[at];
  return level === 3 || level === 4 || level === 5 ? level : undefined;
}

/** Reads a capture file and returns its MQTT conversations as events in capture order. */
export function analyzeCapture(file: Uint8Array, options: PcapOptions): PcapEvent[] {
  const records = readCapture(file);
  const events: PcapEvent[] = [];
  const emit = (e: PcapEvent): void => {
    events.push(e);
  };
  const connections = new Map<string, Connection>();
  const all: Connection[] = [];
  const ports = new Set(options.ports);
  for (const rec of records) {
    const seg = tcpSegment(rec.linkType, rec.data);
    if (seg === undefined) continue;
    const src = endpoint(seg.src, seg.srcPort);
    const dst = endpoint(seg.dst, seg.dstPort);
    const key = src < dst ? `${src} ${dst}` : `${dst} ${src}`;
    let conn = connections.get(key);
    // a new SYN on a closed connection's addresses is a new connection
    if (conn !== undefined && seg.syn && !seg.ack && (conn.tcp.client.closed || conn.tcp.server.closed)) conn = undefined;
    if (conn === undefined) {
      const [client, server, serverPort] = roles(seg, src, dst, ports);
      conn = new Connection(client, server, ports.has(serverPort), options, emit);
      connections.set(key, conn);
      all.push(conn);
    }
    conn.tcp[src === conn.client ? 'client' : 'server'].segment(seg, rec);
  }
  for (const conn of all) conn.finish();
  return events;
}

/** [client, server, server port] of a new connection: the SYN's sender is the client, else the MQTT port decides. */
function roles(seg: TcpSegment, src: string, dst: string, ports: Set<number>): [string, string, number] {
  if (seg.syn) return seg.ack ? [dst, src, seg.srcPort] : [src, dst, seg.dstPort];
  if (ports.has(seg.srcPort) && !ports.has(seg.dstPort)) return [dst, src, seg.srcPort];
  return [src, dst, seg.dstPort];
}

export type { CaptureRecord };
