// Connection scripts: what one side of an MQTT connection sends, in order, valid for its role and level — CONNECT
// (or CONNACK) first and once, Packet Identifiers never reused while in flight, QoS 2 handshakes completed,
// subscriptions before the publications that use them — or with exactly one labelled state violation. Each step
// says what the other side must answer; the violation says how the other side must react.

import { topicMatches } from '../topic.js';
import type { Packet, ProtocolVersion, PublishPacket, QoS, Subscription } from '../types.js';
import type { Choices } from './choices.js';

/** The side that sends the script: `client` scripts test a server, `server` scripts test a client. */
export type SessionRole = 'client' | 'server';

export type ViolationKind =
  /** client: a packet before CONNECT (MQTT-3.1.0-1) */
  | 'before-connect'
  /** client: a second CONNECT (MQTT-3.1.0-2) */
  | 'second-connect'
  /** server: a packet before CONNACK (MQTT-3.2.0-1) */
  | 'before-connack'
  /** server, 5.0: a second CONNACK (MQTT-3.2.0-2) */
  | 'second-connack'
  /** a PUBREL for a Packet Identifier with no QoS 2 exchange in flight (MQTT-2.3.1-6 / MQTT-2.2.1-5) */
  | 'unknown-pubrel'
  /** a new QoS 2 PUBLISH with the Packet Identifier of one still in flight (MQTT-2.3.1-2/-4 / MQTT-2.2.1-3/-4) */
  | 'packet-id-in-use';

/** A packet the other side must send in answer: its type, and the Packet Identifier or reason code it must carry. */
export interface ExpectedReply {
  type: 'connack' | 'puback' | 'pubrec' | 'pubcomp' | 'suback' | 'unsuback' | 'pingresp';
  packetId?: number;
  /** The reason code it must carry: CONNACK 0 (accepted); at 5.0, PUBCOMP 0x92 for a PUBREL no exchange uses. */
  reasonCode?: number;
  /** SUBACK: one code per Topic Filter. */
  codes?: number;
}

export interface SessionStep {
  packet: Packet;
  /** What the other side answers, in this order (deliveries of the script's own publications may come between). */
  replies: ExpectedReply[];
  /** A client's PUBLISH that matches one of its own subscriptions: the server sends it back. */
  routed?: boolean;
}

export interface SessionViolation {
  kind: ViolationKind;
  /** Index of the step that breaks the rule. */
  step: number;
  rule: string;
  description: string;
  /**
   * How the other side reacts when it follows the spec: closes the connection (at 5.0 after an optional DISCONNECT
   * or CONNACK with `reasonCode`), or answers with `reply` and carries on (the PUBCOMP or PUBREC the QoS 2 flow
   * asks for, section 4.3.3).
   */
  reaction: { close: true; reasonCode?: number } | { close: false; reply: ExpectedReply };
}

export interface SessionScript {
  version: ProtocolVersion;
  role: SessionRole;
  steps: SessionStep[];
  violation?: SessionViolation;
}

export interface SessionOptions {
  /** `'sometimes'` (default): half the scripts break one rule; `'never'`: all valid; `'always'`: all break one. */
  violations?: 'never' | 'sometimes' | 'always';
  /** Most actions after the opening packet (default 8). */
  maxActions?: number;
}

/** Which id of the sending side is in which state. */
class Ids {
  /** QoS 2 PUBLISH sent, PUBREC received, PUBREL not yet sent. */
  readonly awaitingRelease = new Set<number>();
  /** A free id: the one `c` picks, or the next free one after it. */
  free(c: Choices): number {
    let id = c.int(1, 0xffff);
    while (this.awaitingRelease.has(id)) id = (id % 0xffff) + 1;
    return id;
  }
}

const te = new TextEncoder();

/**
 * Text for topics and payloads that every server must accept: Disallowed Unicode code points (controls and
 * noncharacters, section 1.5.4) are a MAY refusal, so a valid script carries none.
 */
function text(c: Choices, min: number, max: number): string {
  let out = '';
  for (const ch of c.text(min, max)) {
    const cp = ch.codePointAt(0)!;
    const disallowed = cp <= 0x1f || (cp >= 0x7f && cp <= 0x9f) || (cp >= 0xfdd0 && cp <= 0xfdef) || (cp & 0xfffe) === 0xfffe;
    out += disallowed ? 'x' : ch;
  }
  return out;
}

/** A Topic Filter under `fz/`, sometimes with wildcards. */
function filterOf(c: Choices): string {
  const levels = ['fz'];
  const n = c.int(1, 3);
  for (let i = 0; i < n; i++) levels.push(c.pick(['text', '+'] as const) === '+' ? '+' : text(c, 1, 6));
  if (c.bool()) levels.push('#');
  return levels.join('/');
}

/** A Topic Name that `filter` matches: each '+' a level of text, '#' zero or more levels. */
function topicFor(c: Choices, filter: string): string {
  const out: string[] = [];
  for (const level of filter.split('/')) {
    if (level === '+') out.push(text(c, 1, 6));
    else if (level === '#') for (let i = c.int(0, 2); i > 0; i--) out.push(text(c, 1, 6));
    else out.push(level);
  }
  return out.join('/');
}

const ack = (type: ExpectedReply['type'], packetId?: number): ExpectedReply => (packetId === undefined ? { type } : { type, packetId });

function publishStep(c: Choices, ids: Ids, topic: string, qos: QoS, routed: boolean | undefined): SessionStep {
  const payload = te.encode(text(c, 0, 12));
  const base = { type: 'publish' as const, topic, payload, retain: false };
  let packet: PublishPacket;
  const replies: ExpectedReply[] = [];
  if (qos === 0) packet = { ...base, qos: 0, dup: false };
  else {
    const packetId = ids.free(c);
    packet = { ...base, qos, dup: false, packetId };
    if (qos === 1) replies.push(ack('puback', packetId));
    else {
      replies.push(ack('pubrec', packetId));
      ids.awaitingRelease.add(packetId);
    }
  }
  return routed === undefined ? { packet, replies } : { packet, replies, routed };
}

function releaseStep(ids: Ids, packetId: number): SessionStep {
  ids.awaitingRelease.delete(packetId);
  return { packet: { type: 'pubrel', packetId }, replies: [ack('pubcomp', packetId)] };
}

function connectPacket(c: Choices, version: ProtocolVersion): Packet {
  // letters and digits, at most 23: every level accepts it (3.1 limits the length)
  const clientId = `fz${c.int(0, 0x7fffffff).toString(36)}`;
  return { type: 'connect', protocolVersion: version, clientId, clean: true, keepAlive: c.pick([0, 60]) };
}

/**
 * The valid script of the side `role`, before any violation: the opening packet, one action per stream of choices
 * (so a shrinking list of actions keeps the choices of the actions that stay), the QoS 2 exchanges completed.
 */
function validSteps(c: Choices, version: ProtocolVersion, role: SessionRole, maxActions: number): SessionStep[] {
  const ids = new Ids();
  const steps: SessionStep[] = [];
  const filters: string[] = [];
  if (role === 'client') steps.push({ packet: connectPacket(c, version), replies: [{ type: 'connack', reasonCode: 0 }] });
  else steps.push({ packet: { type: 'connack', sessionPresent: false, reasonCode: 0 }, replies: [] });
  for (const a of c.streams(0, maxActions)) {
    const kinds: string[] = ['publish'];
    if (ids.awaitingRelease.size > 0) kinds.push('pubrel');
    if (role === 'client') kinds.push('subscribe', 'pingreq', ...(filters.length > 0 ? ['unsubscribe'] : []));
    const kind = a.pick(kinds);
    if (kind === 'publish') {
      const own = role === 'client' && filters.length > 0 && a.bool() ? a.pick(filters) : undefined;
      const topic = own !== undefined ? topicFor(a, own) : `fz/${text(a, 1, 8)}`;
      const routed = role === 'client' ? filters.some((f) => topicMatches(f, topic)) : undefined;
      steps.push(publishStep(a, ids, topic, a.pick([0, 1, 2] as const), routed));
    } else if (kind === 'pubrel') {
      steps.push(releaseStep(ids, a.pick([...ids.awaitingRelease])));
    } else if (kind === 'subscribe') {
      const packetId = ids.free(a);
      const n = a.int(1, 2);
      const subscriptions: Subscription[] = [];
      for (let j = 0; j < n; j++) {
        const topicFilter = filterOf(a);
        const qos = a.pick([0, 1, 2] as const);
        // No Local stays off, so the client's own publications come back (`routed`)
        subscriptions.push(version === 5 ? { topicFilter, qos, noLocal: false, retainAsPublished: a.bool(), retainHandling: a.pick([0, 1, 2] as const) } : { topicFilter, qos });
        if (!filters.includes(topicFilter)) filters.push(topicFilter);
      }
      steps.push({ packet: { type: 'subscribe', packetId, subscriptions }, replies: [{ type: 'suback', packetId, codes: n }] });
    } else if (kind === 'unsubscribe') {
      const packetId = ids.free(a);
      const topicFilter = a.pick(filters);
      filters.splice(filters.indexOf(topicFilter), 1);
      steps.push({ packet: { type: 'unsubscribe', packetId, topicFilters: [topicFilter] }, replies: [ack('unsuback', packetId)] });
    } else {
      steps.push({ packet: { type: 'pingreq' }, replies: [ack('pingresp')] });
    }
  }
  // every QoS 2 handshake completes, in the order the script chooses
  while (ids.awaitingRelease.size > 0) steps.push(releaseStep(ids, c.pick([...ids.awaitingRelease])));
  // a client may end with DISCONNECT; a server only at 5.0
  if ((role === 'client' || version === 5) && c.bool()) {
    steps.push({ packet: version === 5 ? { type: 'disconnect', reasonCode: 0 } : { type: 'disconnect' }, replies: [] });
  }
  return steps;
}

/** The ids awaiting PUBREL just before step `at`. */
function awaitingBefore(steps: readonly SessionStep[], at: number): Set<number> {
  const open = new Set<number>();
  for (const s of steps.slice(0, at)) {
    const p = s.packet;
    if (p.type === 'publish' && p.qos === 2) open.add(p.packetId);
    if (p.type === 'pubrel') open.delete(p.packetId);
  }
  return open;
}

/** The client's subscriptions in force just before step `at`. */
function filtersBefore(steps: readonly SessionStep[], at: number): string[] {
  const filters: string[] = [];
  for (const s of steps.slice(0, at)) {
    const p = s.packet;
    if (p.type === 'subscribe') for (const sub of p.subscriptions) if (!filters.includes(sub.topicFilter)) filters.push(sub.topicFilter);
    if (p.type === 'unsubscribe') for (const f of p.topicFilters) if (filters.includes(f)) filters.splice(filters.indexOf(f), 1);
  }
  return filters;
}

/** Violations each side can commit at each level. */
function kindsFor(role: SessionRole, version: ProtocolVersion): ViolationKind[] {
  return role === 'client'
    ? ['before-connect', 'second-connect', 'unknown-pubrel', 'packet-id-in-use']
    : ['before-connack', ...(version === 5 ? (['second-connack'] as const) : []), 'unknown-pubrel', 'packet-id-in-use'];
}

/** Inserts one violation of `kind` into a valid script. */
function violate(c: Choices, version: ProtocolVersion, role: SessionRole, steps: SessionStep[], kind: ViolationKind): SessionViolation {
  const v5 = version === 5;
  // the last step may be DISCONNECT: violations go before it
  const end = steps[steps.length - 1]!.packet.type === 'disconnect' ? steps.length - 1 : steps.length;
  const at = c.int(1, end);
  switch (kind) {
    case 'before-connect':
    case 'before-connack': {
      const packet: Packet = c.pick<Packet>([
        { type: 'publish', topic: `fz/${text(c, 1, 8)}`, payload: new Uint8Array(0), qos: 0, retain: false, dup: false },
        ...(role === 'client' ? [{ type: 'pingreq' } as Packet] : []),
      ]);
      steps.unshift({ packet, replies: [] });
      return {
        kind,
        step: 0,
        rule: role === 'client' ? 'MQTT-3.1.0-1' : 'MQTT-3.2.0-1',
        description: `${packet.type.toUpperCase()} before ${role === 'client' ? 'CONNECT' : 'CONNACK'}`,
        reaction: { close: true },
      };
    }
    case 'second-connect':
    case 'second-connack': {
      const packet = role === 'client' ? connectPacket(c, version) : ({ type: 'connack', sessionPresent: false, reasonCode: 0 } as Packet);
      steps.splice(at, 0, { packet, replies: [] });
      return {
        kind,
        step: at,
        rule: role === 'client' ? 'MQTT-3.1.0-2' : 'MQTT-3.2.0-2',
        description: `a second ${packet.type.toUpperCase()}`,
        reaction: v5 ? { close: true, reasonCode: 0x82 } : { close: true },
      };
    }
    case 'unknown-pubrel': {
      const open = awaitingBefore(steps, at);
      let packetId = c.int(1, 0xffff);
      while (open.has(packetId)) packetId = (packetId % 0xffff) + 1;
      // 5.0 has a reason code for it: 0x92 Packet Identifier not found (section 3.7.2.1)
      const reply: ExpectedReply = v5 ? { type: 'pubcomp', packetId, reasonCode: 0x92 } : { type: 'pubcomp', packetId };
      steps.splice(at, 0, { packet: { type: 'pubrel', packetId }, replies: [reply] });
      return {
        kind,
        step: at,
        rule: v5 ? 'MQTT-2.2.1-5' : 'MQTT-2.3.1-6',
        description: `PUBREL for Packet Identifier ${packetId}, which no QoS 2 exchange uses`,
        // the receiver answers every PUBREL with a PUBCOMP of the same id (MQTT-4.3.3-11)
        reaction: { close: false, reply },
      };
    }
    case 'packet-id-in-use': {
      let open = awaitingBefore(steps, at);
      let where = at;
      if (open.size === 0) {
        // start a QoS 2 exchange just before, and complete it just after
        const ids = new Ids();
        for (const id of awaitingBefore(steps, at)) ids.awaitingRelease.add(id);
        const topic = `fz/${text(c, 1, 8)}`;
        const routed = role === 'client' ? filtersBefore(steps, at).some((f) => topicMatches(f, topic)) : undefined;
        const first = publishStep(c, ids, topic, 2, routed);
        steps.splice(at, 0, first);
        const id = (first.packet as { packetId: number }).packetId;
        steps.splice(at + 1, 0, { packet: { type: 'pubrel', packetId: id }, replies: [ack('pubcomp', id)] });
        where = at + 1;
        open = new Set([id]);
      }
      const packetId = c.pick([...open]);
      const packet: PublishPacket = { type: 'publish', topic: `fz/${text(c, 1, 8)}`, payload: te.encode(text(c, 0, 8)), qos: 2, retain: false, dup: false, packetId };
      const reply: ExpectedReply = { type: 'pubrec', packetId };
      // taken for a copy of the exchange in flight, it is not delivered again: never `routed`
      steps.splice(where, 0, role === 'client' ? { packet, replies: [reply], routed: false } : { packet, replies: [reply] });
      return {
        kind,
        step: where,
        rule: v5 ? (role === 'client' ? 'MQTT-2.2.1-3' : 'MQTT-2.2.1-4') : role === 'client' ? 'MQTT-2.3.1-2' : 'MQTT-2.3.1-4',
        description: `a new QoS 2 PUBLISH with Packet Identifier ${packetId}, still in flight`,
        // until the PUBREL, the receiver acknowledges it with PUBREC and delivers nothing more (MQTT-4.3.3-9/-10)
        reaction: { close: false, reply },
      };
    }
  }
}

/** A connection script of the side `role` at level `version`, with the answers `c` gives to its choices. */
export function buildSession(c: Choices, version: ProtocolVersion, role: SessionRole, options: SessionOptions = {}): SessionScript {
  // whether and how the script breaks a rule is chosen first, so shrinking the actions leaves it alone
  const mode = options.violations ?? 'sometimes';
  const broken = mode === 'always' || (mode === 'sometimes' && c.bool());
  const kind = broken ? c.pick(kindsFor(role, version)) : undefined;
  const steps = validSteps(c, version, role, options.maxActions ?? 8);
  if (kind === undefined) return { version, role, steps };
  return { version, role, steps, violation: violate(c, version, role, steps, kind) };
}
