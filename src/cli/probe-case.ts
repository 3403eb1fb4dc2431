// One probe case against a broker: a fresh connection, a valid CONNECT where the case needs one, the case's frame and
// a PINGREQ; then what came back, classified against what the spec asks of a server. Node only.

import { connect as tcpConnect, type Socket } from 'node:net';
import { decode, encode } from '../codec.js';
import { MqttError } from '../errors.js';
import { replyFor } from '../reply.js';
import type { FrameCase } from '../fuzz/cases.js';
import { PacketDecoder } from '../stream/decoder.js';
import type { ConnackPacket, Packet, ProtocolVersion } from '../types.js';

/**
 * How a broker reacted to a case:
 * - `as-asked`: what the spec asks — the CONNACK or DISCONNECT with the case's reason code, or (where the spec
 *   defines no answer, as for most 3.1.1 faults) closing the connection; for a bad Topic Filter, a SUBACK or UNSUBACK
 *   refusing that filter is allowed too;
 * - `closed`: closed without the answer the spec gives (5.0: a CONNACK MAY, a DISCONNECT SHOULD come first; 3.1.1:
 *   CONNACK 0x01 / 0x02 MUST);
 * - `other-answer`: answered with another reason code or packet before closing;
 * - `let-through`: carried on as if the input were valid (it answered the PINGREQ sent after the case, or stayed
 *   silent and open) — a finding;
 * - `optional`: an optional (MAY) check the broker does not make;
 * - `not-applicable`: the case needs something the broker did not announce (a Topic Alias Maximum or Maximum
 *   Packet Size below the case's value) or concerns a client;
 * - `error`: the probe could not run the case (no connection, CONNECT refused);
 * - `not-run`: the total time ran out first.
 */
export type Verdict = 'as-asked' | 'closed' | 'other-answer' | 'let-through' | 'optional' | 'not-applicable' | 'error' | 'not-run';

export interface CaseResult {
  name: string;
  rule: string | undefined;
  rows: string[];
  /** The answer the spec gives: `CONNACK 0x84`, `DISCONNECT 0x81`, or `close`. */
  expected: string;
  verdict: Verdict;
  /** What came back: packets after the case and whether the connection closed. */
  observed: string;
  ms: number;
}

export interface ProbeTarget {
  host: string;
  port: number;
}

/** The Protocol Level a CONNECT frame claims, read from its bytes as far as they go (undefined where they do not). */
export function claimedLevel(bytes: Uint8Array): number | undefined {
  if (bytes[0] === undefined || bytes[0] >> 4 !== 1) return undefined;
  let i = 1;
  while (i < 5 && ((bytes[i] ?? 0) & 0x80) !== 0) i++;
  if (i === 5) return undefined;
  const nameLength = ((bytes[i + 1] ?? 0) << 8) | (bytes[i + 2] ?? 0);
  return bytes[i + 3 + nameLength];
}

/**
 * The answer a server sends before closing, as the spec asks (the codec's `replyFor`; undefined: just close). A
 * refused CONNECT is answered at the level it claims — in 3.1.1 terms for any level but 5, and not at all when its
 * level cannot be read; anything later at the case's level, after the probe's own CONNECT was accepted.
 */
export function expectedAnswer(c: FrameCase): { type: 'connack' | 'disconnect'; reasonCode: number } | undefined {
  const error = new MqttError(c.code, c.name, {
    reasonCode: c.reasonCode,
    ...(c.rule !== undefined ? { rule: c.rule } : {}),
    ...(c.packetType !== 'reserved' ? { packetType: c.packetType } : {}),
  });
  let version: ProtocolVersion = c.version;
  if (c.packetType === 'connect') {
    const claimed = claimedLevel(c.bytes);
    if (claimed === undefined) return undefined;
    version = claimed === 5 ? 5 : 4;
  }
  const reply = replyFor(error, { version, connackSent: c.packetType !== 'connect' });
  return reply === undefined ? undefined : { type: reply.type, reasonCode: reply.reasonCode ?? 0 };
}

/** Packets only a server sends: a server may refuse them for that alone, before any other fault they carry. */
const SERVER_ONLY = new Set(['connack', 'suback', 'unsuback', 'pingresp']);

/** Other answers that are as the spec asks for this case. */
function alsoAsked(c: FrameCase, answer: { type: string; reasonCode: number; oldForm: boolean }): boolean {
  // a packet only a server sends, refused for its direction (5.0 DISCONNECT 0x82)
  if (c.version === 5 && SERVER_ONLY.has(c.packetType) && answer.type === 'disconnect' && answer.reasonCode === 0x82) return true;
  // a CONNECT at a level the server does not take: 5.0 lets it answer CONNACK 0x84 (section 3.1.2.2), and the
  // 3.1.1-form CONNACK 0x01 is what a client of any level can read
  if (c.version === 5 && c.rule === 'MQTT-3.1.2-2' && answer.type === 'connack') {
    if ((!answer.oldForm && answer.reasonCode === 0x84) || (answer.oldForm && answer.reasonCode === 0x01)) return true;
  }
  return false;
}

const hexByte = (n: number): string => `0x${n.toString(16).padStart(2, '0').toUpperCase()}`;

function describePacket(p: Packet): string {
  switch (p.type) {
    case 'connack':
    case 'auth':
      return `${p.type.toUpperCase()} ${hexByte(p.reasonCode)}`;
    case 'disconnect':
      return `DISCONNECT${p.reasonCode !== undefined ? ` ${hexByte(p.reasonCode)}` : ''}`;
    case 'suback':
      return `SUBACK ${p.reasonCodes.map(hexByte).join(' ')}`;
    case 'unsuback':
      return `UNSUBACK${p.reasonCodes !== undefined ? ` ${p.reasonCodes.map(hexByte).join(' ')}` : ''}`;
    case 'puback':
    case 'pubrec':
    case 'pubrel':
    case 'pubcomp':
      return `${p.type.toUpperCase()}${p.reasonCode !== undefined ? ` ${hexByte(p.reasonCode)}` : ''}`;
    default:
      return p.type.toUpperCase();
  }
}

/** A connection and what arrives on it, decoded; `until` waits for a condition, the close, or a deadline. */
class Connection {
  readonly packets: Packet[] = [];
  closed = false;
  undecodable: string | undefined;
  /** A CONNACK came in the 3.1.1 form on a 5.0 connection. */
  oldForm = false;
  private readonly decoder: PacketDecoder;
  private wake: (() => void) | undefined;

  constructor(
    private readonly socket: Socket,
    version: 4 | 5,
  ) {
    this.decoder = new PacketDecoder({ version });
    socket.on('data', (chunk: Buffer) => {
      const bytes = new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.length);
      if (this.undecodable === undefined) {
        try {
          // deliveries (of other cases' publications, of retained messages) answer nothing the probe sent
          for (const p of this.decoder.push(bytes)) if (p.type !== 'publish' && p.type !== 'pubrel') this.packets.push(p);
        } catch (e) {
          // A server that cannot tell the level of a refused CONNECT may answer in the 3.1.1 form (20 02 00 rc)
          if (this.packets.length === 0 && bytes.length === 4 && bytes[0] === 0x20 && bytes[1] === 2) {
            this.packets.push({ type: 'connack', sessionPresent: (bytes[2]! & 1) === 1, reasonCode: bytes[3]! });
            this.oldForm = true;
          } else this.undecodable = (e as Error).message;
        }
      }
      this.wake?.();
    });
    socket.on('close', () => {
      this.closed = true;
      this.wake?.();
    });
    // a reset is one way a broker closes; 'close' follows
    socket.on('error', () => undefined);
  }

  static open(target: ProbeTarget, version: 4 | 5, ms: number): Promise<Connection> {
    return new Promise((resolve, reject) => {
      const socket = tcpConnect({ host: target.host, port: target.port });
      socket.setNoDelay(true);
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new Error(`no connection to ${target.host}:${target.port} within ${ms} ms`));
      }, ms);
      socket.once('connect', () => {
        clearTimeout(timer);
        resolve(new Connection(socket, version));
      });
      socket.once('error', (e) => {
        clearTimeout(timer);
        reject(new Error(`cannot connect to ${target.host}:${target.port}: ${e.message}`));
      });
    });
  }

  write(bytes: Uint8Array): void {
    if (!this.closed) this.socket.write(bytes);
  }

  /** Resolves when `done()` holds, the connection closes, or `deadline` (epoch ms) passes. */
  async until(done: () => boolean, deadline: number): Promise<void> {
    while (!done() && !this.closed && Date.now() < deadline) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.max(0, deadline - Date.now()));
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.wake = undefined;
    }
  }

  destroy(): void {
    this.socket.destroy();
  }
}

const PINGREQ = Uint8Array.of(0xc0, 0x00);

/** Resolves undefined when something accepts a TCP connection at `target`, else the reason it did not. */
export async function unreachable(target: ProbeTarget, ms: number): Promise<string | undefined> {
  try {
    (await Connection.open(target, 4, ms)).destroy();
    return undefined;
  } catch (e) {
    return (e as Error).message;
  }
}

/**
 * `p` grown to a frame of at least `size` bytes: a longer PUBLISH payload, or a longer Reason String (the part a
 * sender must drop to stay under the limit, section 3.4.2.2.2 and alike). Undefined for a packet with neither.
 */
function grown(p: Packet, version: 4 | 5, size: number): Uint8Array | undefined {
  for (let extra = size - encode(p, { version }).length; ; extra++) {
    let q: Packet;
    if (p.type === 'publish') q = { ...p, payload: new Uint8Array(p.payload.length + extra) };
    else if ('properties' in p && p.properties !== undefined && 'reasonString' in p.properties) {
      q = { ...p, properties: { ...p.properties, reasonString: `${p.properties.reasonString ?? ''}${'x'.repeat(extra)}` } } as Packet;
    } else return undefined;
    const bytes = encode(q, { version });
    // one more byte of Remaining Length may have been needed
    if (bytes.length >= size) return bytes;
  }
}

/**
 * The frame to send for `c` to this broker, or undefined when the broker cannot see the fault: cases about a client,
 * and limits the broker did not announce. A Topic Alias or packet size fault is fitted to the limits in the
 * broker's CONNACK: the alias one above its Topic Alias Maximum, the packet one byte over its Maximum Packet Size.
 */
function frameFor(c: FrameCase, connack: ConnackPacket | undefined): Uint8Array | undefined {
  const d = c.decoder;
  if (d === undefined) return c.bytes;
  if (d.role === 'client') return undefined;
  if (d.topicAliasMaximum !== undefined) {
    // absent means 0: no Topic Aliases at all (MQTT-3.2.2-18)
    const maximum = connack?.properties?.topicAliasMaximum ?? 0;
    if ((d.topicAliasMaximum === 0) !== (maximum === 0) || maximum >= 0xffff) return undefined;
    const p = decode(c.bytes, { version: c.version });
    if (p.type !== 'publish') return undefined;
    return encode({ ...p, properties: { ...p.properties, topicAlias: maximum + 1 } }, { version: c.version });
  }
  if (d.maxPacketSize !== undefined) {
    const maximum = connack?.properties?.maximumPacketSize;
    // bigger limits than 1 MiB are not worth the traffic
    if (maximum === undefined || maximum > 1 << 20) return undefined;
    return c.bytes.length > maximum ? c.bytes : grown(decode(c.bytes, { version: c.version }), c.version, maximum + 1);
  }
  return c.bytes;
}

export interface CaseLimits {
  /** Time allowed for the whole case, connection included. */
  caseMs: number;
  /** Client Identifier of the CONNECT sent before cases that need one. */
  clientId: string;
}

/** Runs one case on a fresh connection and classifies the broker's reaction. */
export async function probeCase(target: ProbeTarget, c: FrameCase, limits: CaseLimits): Promise<CaseResult> {
  const started = Date.now();
  const deadline = started + limits.caseMs;
  const answer = expectedAnswer(c);
  const expected = answer === undefined ? 'close' : `${answer.type.toUpperCase()} ${hexByte(answer.reasonCode)}`;
  const result = (verdict: Verdict, observed: string): CaseResult => ({
    name: c.name,
    rule: c.rule,
    rows: c.rows,
    expected,
    verdict,
    observed,
    ms: Date.now() - started,
  });
  if (c.decoder?.role === 'client') return result('not-applicable', 'a fault only a client receives');
  let conn: Connection;
  try {
    conn = await Connection.open(target, c.version, limits.caseMs);
  } catch (e) {
    return result('error', (e as Error).message);
  }
  try {
    let connack: ConnackPacket | undefined;
    if (c.packetType !== 'connect') {
      conn.write(encode({ type: 'connect', protocolVersion: c.version, clientId: limits.clientId, clean: true, keepAlive: 30 }, { version: c.version }));
      await conn.until(() => conn.packets.length > 0, deadline);
      const first = conn.packets.shift();
      if (first?.type !== 'connack' || first.reasonCode !== 0) {
        return result('error', `the broker did not accept the probe's CONNECT: ${first === undefined ? (conn.closed ? 'closed' : 'no answer') : describePacket(first)}`);
      }
      connack = first;
      // anything that came with the CONNACK is not an answer to the case
      conn.packets.length = 0;
    }
    const frame = frameFor(c, connack);
    if (frame === undefined) return result('not-applicable', 'the broker announced no limit this case can go beyond');
    conn.write(frame);
    conn.write(PINGREQ);
    // a PINGRESP means the case was taken as valid; an answer or the close ends the wait too
    const answered = (): boolean => conn.packets.some((p) => p.type === 'pingresp' || p.type === 'disconnect' || (p.type === 'connack' && p.reasonCode !== 0));
    await conn.until(answered, deadline);
    // after a refusal, give the close a moment to arrive
    if (!conn.closed && conn.packets.some((p) => p.type === 'disconnect' || p.type === 'connack')) await conn.until(() => false, Math.min(deadline, Date.now() + 200));
    return result(classify(c, answer, conn), observation(conn));
  } finally {
    conn.destroy();
  }
}

/**
 * What came back, in order, up to the first PINGRESP: that answers the probe's PINGREQ or the case's, and whatever
 * follows it (a second PINGRESP, a late close) depends on timing, not on the broker's verdict.
 */
function observation(conn: Connection): string {
  const pong = conn.packets.findIndex((p) => p.type === 'pingresp');
  const packets = pong === -1 ? conn.packets : conn.packets.slice(0, pong + 1);
  const parts = packets.map((p, i) => `${describePacket(p)}${i === 0 && conn.oldForm ? ' (3.1.1 form)' : ''}`);
  if (conn.undecodable !== undefined) parts.push(`undecodable bytes (${conn.undecodable})`);
  if (pong === -1) parts.push(conn.closed ? 'closed' : 'open');
  return parts.join(', ');
}

function classify(c: FrameCase, answer: ReturnType<typeof expectedAnswer>, conn: Connection): Verdict {
  const optional = c.optional === true;
  const refusal = conn.packets.find((p): p is Extract<Packet, { type: 'disconnect' | 'connack' }> => p.type === 'disconnect' || (p.type === 'connack' && p.reasonCode !== 0));
  const ponged = conn.packets.some((p) => p.type === 'pingresp');
  if (refusal === undefined && (ponged || !conn.closed)) {
    // a bad Topic Filter may be refused for that filter alone (SUBACK / UNSUBACK failure code) while the rest carries on
    const perFilter = conn.packets.find((p) => p.type === 'suback' || p.type === 'unsuback');
    if (c.reasonCode === 0x8f && perFilter !== undefined) {
      const codes = perFilter.type === 'suback' ? perFilter.reasonCodes : (perFilter.reasonCodes ?? []);
      if (codes.some((x) => x === (c.version === 5 ? 0x8f : 0x80))) return 'as-asked';
      if (codes.some((x) => x >= 0x80)) return 'other-answer';
    }
    return optional ? 'optional' : 'let-through';
  }
  if (refusal === undefined) {
    if (conn.undecodable !== undefined) return 'other-answer';
    // a DISCONNECT closes the connection whether it was refused or not: an optional check cannot be told apart
    if (c.packetType === 'disconnect' && optional) return 'optional';
    return answer === undefined ? 'as-asked' : 'closed';
  }
  const code = refusal.type === 'disconnect' ? (refusal.reasonCode ?? 0) : refusal.reasonCode;
  if (answer !== undefined && refusal.type === answer.type && code === answer.reasonCode) return 'as-asked';
  if (alsoAsked(c, { type: refusal.type, reasonCode: code, oldForm: conn.oldForm })) return 'as-asked';
  return 'other-answer';
}
