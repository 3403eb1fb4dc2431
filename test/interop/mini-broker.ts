// A minimal in-memory MQTT broker built on mqtt-wire, as a user of the codec would write one. The interop tests
// connect MQTT.js clients to it; it also shows the API end to end: PacketDecoder turns socket chunks into packets,
// `encode` turns packets into frames, MqttError says how to answer a bad peer, topicMatches routes messages.
//
// What it does: CONNECT/CONNACK at levels 3, 4 and 5, SUBSCRIBE with wildcards, PUBLISH at QoS 0/1/2 with their
// acknowledgements in both directions, retained messages, wills, PINGREQ, UNSUBSCRIBE, DISCONNECT, and 5.0
// properties passed through (plus Topic Alias and Subscription Identifier handling). What it leaves out, being a
// test fixture: persistent sessions, retransmission, authentication, shared subscriptions, will delay, flow control.

import { createServer, type Server, type Socket } from 'node:net';
import {
  MqttError,
  PacketDecoder,
  ReasonCode,
  encode,
  encodedLength,
  topicMatches,
  type ConnectPacket,
  type Packet,
  type ProtocolVersion,
  type PublishPacket,
  type PublishProperties,
  type QoS,
  type Subscription,
  type Will,
} from '../../src/index.js';

/** Largest Topic Alias a client may use towards us, announced in CONNACK. */
const TOPIC_ALIAS_MAXIMUM = 10;

/** A message as the broker routes it: the publisher's PUBLISH minus what belongs to one connection. */
interface Message {
  topic: string;
  payload: Uint8Array;
  qos: QoS;
  retain: boolean;
  /** 5.0 properties that travel with the message (not Topic Alias or Subscription Identifiers). */
  properties: PublishProperties | undefined;
}

interface SubscriptionEntry extends Subscription {
  /** 5.0 Subscription Identifier given with the SUBSCRIBE, if any. */
  subscriptionIdentifier: number | undefined;
}

/** A packet the broker received, with who sent it: tests use this to check what the codec decoded. */
export interface ReceivedPacket {
  clientId: string;
  packet: Packet;
}

export class MiniBroker {
  /** Every packet decoded from every client, in arrival order. */
  readonly received: ReceivedPacket[] = [];
  readonly retained = new Map<string, Message>();
  private readonly sessions = new Map<string, Session>();
  private readonly sockets = new Set<Socket>();
  private assigned = 0;

  private constructor(private readonly server: Server) {}

  /** Starts listening on 127.0.0.1 on a port the OS picks. */
  static async start(): Promise<MiniBroker> {
    const server = createServer();
    const broker = new MiniBroker(server);
    server.on('connection', (socket) => broker.accept(socket));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    return broker;
  }

  get port(): number {
    const address = this.server.address();
    if (address === null || typeof address === 'string') throw new Error('broker is not listening');
    return address.port;
  }

  /** Packets received from `clientId`, in order. */
  packetsFrom(clientId: string): Packet[] {
    return this.received.filter((r) => r.clientId === clientId).map((r) => r.packet);
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private accept(socket: Socket): void {
    this.sockets.add(socket);
    socket.once('close', () => this.sockets.delete(socket));
    socket.setNoDelay(true);
    new Session(this, socket);
  }

  // --- used by sessions

  nextClientId(): string {
    return `mini-${++this.assigned}`;
  }

  /** Registers a session; an older one with the same Client Identifier is closed (MQTT-3.1.4-2 / MQTT-3.1.4-3). */
  register(session: Session): void {
    const old = this.sessions.get(session.clientId);
    if (old !== undefined && old !== session) old.takenOver();
    this.sessions.set(session.clientId, session);
  }

  unregister(session: Session): void {
    if (this.sessions.get(session.clientId) === session) this.sessions.delete(session.clientId);
  }

  /** Stores or clears the retained message, then delivers `message` to every matching subscription. */
  publish(message: Message, from: Session | undefined): void {
    if (message.retain) {
      // MQTT-3.3.1-10/-11: an empty retained payload clears the topic and is not stored.
      if (message.payload.length === 0) this.retained.delete(message.topic);
      else this.retained.set(message.topic, message);
    }
    for (const session of this.sessions.values()) session.deliverMatching(message, from);
  }
}

class Session {
  clientId = '';
  private version: ProtocolVersion = 4;
  private connected = false;
  private will: Will | undefined;
  /** 5.0: the client's Maximum Packet Size; we never send it a larger packet (MQTT-3.1.2-24). */
  private maximumPacketSize = Infinity;
  private readonly decoder = new PacketDecoder({ role: 'server' });
  private readonly subscriptions = new Map<string, SubscriptionEntry>();
  /** 5.0: Topic Alias → Topic Name, set by the client's PUBLISH packets on this connection. */
  private readonly topicAliases = new Map<number, string>();
  /** QoS 2 messages received and routed, waiting for the client's PUBREL (so a resend is not routed twice). */
  private readonly awaitingRelease = new Set<number>();
  /** Our outgoing QoS 1/2 messages not yet completed, by Packet Identifier. */
  private readonly inFlight = new Set<number>();
  private lastPacketId = 0;

  constructor(
    private readonly broker: MiniBroker,
    private readonly socket: Socket,
  ) {
    socket.on('data', (chunk: Buffer) => this.onData(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.length)));
    socket.on('error', () => socket.destroy());
    socket.once('close', () => this.onClose());
  }

  private onData(chunk: Uint8Array): void {
    let packets: Packet[];
    try {
      packets = this.decoder.push(chunk);
    } catch (e) {
      this.refuse(e);
      return;
    }
    for (const packet of packets) {
      this.handle(packet);
      // recorded after handling, so that a CONNECT is filed under the (possibly assigned) Client Identifier
      this.broker.received.push({ clientId: this.clientId, packet });
      if (this.socket.destroyed) return;
    }
  }

  /**
   * A decode error ends the connection (MQTT-4.8.0-1). Before CONNACK, an unknown protocol level is answered first
   * with the 3.1.1 CONNACK return code 0x01 (MQTT-3.1.2-2), the form every level's client can read; after CONNACK,
   * a 5.0 client gets a DISCONNECT carrying the error's reason code (0x81 malformed, 0x82 protocol error, …).
   */
  private refuse(error: unknown): void {
    if (error instanceof MqttError) {
      if (!this.connected && error.code === 'unsupported-protocol-version') {
        this.write({ type: 'connack', sessionPresent: false, reasonCode: 0x01 }, 4);
      } else if (this.connected && this.version === 5) {
        this.write({ type: 'disconnect', reasonCode: error.reasonCode });
      }
    }
    this.socket.end();
    this.socket.destroySoon();
  }

  private handle(packet: Packet): void {
    if (!this.connected) {
      // MQTT-3.1.0-1: the first packet must be CONNECT.
      if (packet.type !== 'connect') return this.refuse(undefined);
      return this.onConnect(packet);
    }
    switch (packet.type) {
      case 'connect':
        // MQTT-3.1.0-2: a second CONNECT is a protocol violation.
        return this.refuse(new MqttError('protocol-error', 'second CONNECT'));
      case 'publish':
        return this.onPublish(packet);
      case 'pubrel':
        this.awaitingRelease.delete(packet.packetId);
        return this.write({ type: 'pubcomp', packetId: packet.packetId });
      case 'puback':
      case 'pubcomp':
        this.inFlight.delete(packet.packetId);
        return;
      case 'pubrec':
        return this.write({ type: 'pubrel', packetId: packet.packetId });
      case 'subscribe':
        return this.onSubscribe(packet.packetId, packet.subscriptions, packet.properties?.subscriptionIdentifier);
      case 'unsubscribe': {
        const reasonCodes = packet.topicFilters.map((f) =>
          this.subscriptions.delete(f) ? ReasonCode.Success : ReasonCode.NoSubscriptionExisted,
        );
        // 3.x UNSUBACK has no reason codes; encode refuses them at levels 3 and 4.
        return this.write(this.version === 5 ? { type: 'unsuback', packetId: packet.packetId, reasonCodes } : { type: 'unsuback', packetId: packet.packetId });
      }
      case 'pingreq':
        return this.write({ type: 'pingresp' });
      case 'disconnect':
        // 5.0 "Disconnect with Will Message" (0x04) keeps the will; any other DISCONNECT discards it (MQTT-3.14.4-3).
        if (packet.reasonCode !== ReasonCode.DisconnectWithWillMessage) this.will = undefined;
        this.socket.end();
        return;
      case 'auth':
        // No enhanced authentication here: an AUTH when CONNECT named no Authentication Method is a protocol error.
        return this.refuse(new MqttError('protocol-error', 'AUTH without Authentication Method'));
      default:
        // Role 'server' already refuses packets only a server sends; nothing else is left.
        return;
    }
  }

  private onConnect(connect: ConnectPacket): void {
    this.version = connect.protocolVersion;
    this.connected = true;
    let assigned: string | undefined;
    if (connect.clientId === '') {
      // 3.1.1 accepts an empty id only with Clean Session (the decoder enforces MQTT-3.1.3-8); 5.0 reports it.
      assigned = this.broker.nextClientId();
      this.clientId = assigned;
    } else this.clientId = connect.clientId;
    this.will = connect.will;
    this.maximumPacketSize = connect.properties?.maximumPacketSize ?? Infinity;
    this.broker.register(this);
    // Keep Alive: close after one and a half periods of silence (MQTT-3.1.2-24 in 3.1.1, MQTT-3.1.2-22 in 5.0).
    if (connect.keepAlive > 0) {
      this.socket.setTimeout(connect.keepAlive * 1500, () => this.socket.destroy());
    }
    this.write(
      this.version === 5
        ? {
            type: 'connack',
            sessionPresent: false,
            reasonCode: ReasonCode.Success,
            properties: {
              topicAliasMaximum: TOPIC_ALIAS_MAXIMUM,
              ...(assigned !== undefined ? { assignedClientIdentifier: assigned } : {}),
            },
          }
        : { type: 'connack', sessionPresent: false, reasonCode: 0 },
    );
  }

  private onPublish(packet: PublishPacket): void {
    let topic = packet.topic;
    let properties = packet.properties;
    if (properties?.topicAlias !== undefined) {
      const alias = properties.topicAlias;
      if (alias > TOPIC_ALIAS_MAXIMUM) {
        // MQTT-3.3.2-9: over the maximum we announced.
        return this.refuse(new MqttError('protocol-error', `Topic Alias ${alias}`, { reasonCode: ReasonCode.TopicAliasInvalid }));
      }
      if (topic === '') {
        const known = this.topicAliases.get(alias);
        if (known === undefined) {
          return this.refuse(new MqttError('protocol-error', `unknown Topic Alias ${alias}`, { reasonCode: ReasonCode.ProtocolError }));
        }
        topic = known;
      } else this.topicAliases.set(alias, topic);
      // The alias belongs to this connection; subscribers get the full name.
      const { topicAlias: _alias, ...rest } = properties;
      properties = Object.keys(rest).length > 0 ? rest : undefined;
    }
    const message: Message = { topic, payload: packet.payload, qos: packet.qos, retain: packet.retain, properties };
    if (packet.qos === 0) {
      this.broker.publish(message, this);
    } else if (packet.qos === 1) {
      this.broker.publish(message, this);
      this.write({ type: 'puback', packetId: packet.packetId });
    } else {
      // QoS 2, "method B" of the spec's figure 4.3: route on PUBLISH, remember the id until PUBREL.
      if (!this.awaitingRelease.has(packet.packetId)) {
        this.awaitingRelease.add(packet.packetId);
        this.broker.publish(message, this);
      }
      this.write({ type: 'pubrec', packetId: packet.packetId });
    }
  }

  private onSubscribe(packetId: number, subscriptions: Subscription[], subscriptionIdentifier: number | undefined): void {
    const granted: number[] = [];
    const fresh: boolean[] = [];
    for (const sub of subscriptions) {
      // A repeated filter replaces the existing subscription (MQTT-3.8.4-3).
      fresh.push(!this.subscriptions.has(sub.topicFilter));
      this.subscriptions.set(sub.topicFilter, { ...sub, subscriptionIdentifier });
      granted.push(sub.qos);
    }
    this.write({ type: 'suback', packetId, reasonCodes: granted });
    // Retained messages for the new subscriptions, after the SUBACK, by Retain Handling (MQTT-3.3.1-9/-10/-11).
    subscriptions.forEach((sub, i) => {
      const handling = sub.retainHandling ?? 0;
      if (handling === 2 || (handling === 1 && !fresh[i])) return;
      for (const message of this.broker.retained.values()) {
        if (topicMatches(sub.topicFilter, message.topic)) {
          this.send(message, Math.min(message.qos, sub.qos) as QoS, true, subscriptionIdentifier === undefined ? [] : [subscriptionIdentifier]);
        }
      }
    });
  }

  /**
   * Sends `message` once if any subscription matches: at the highest QoS granted among them, with every matching
   * Subscription Identifier (MQTT-3.3.4-3/-4 allow one copy carrying them all).
   */
  deliverMatching(message: Message, from: Session | undefined): void {
    let qos = -1;
    let retain = false;
    const identifiers: number[] = [];
    for (const sub of this.subscriptions.values()) {
      if (!topicMatches(sub.topicFilter, message.topic)) continue;
      // No Local: not back to the publisher (MQTT-3.8.3-3).
      if (sub.noLocal === true && from === this) continue;
      qos = Math.max(qos, Math.min(sub.qos, message.qos));
      // Retain As Published keeps the flag; otherwise a live message goes out with retain 0 (MQTT-3.3.1-12/-13).
      if (sub.retainAsPublished === true && message.retain) retain = true;
      if (sub.subscriptionIdentifier !== undefined) identifiers.push(sub.subscriptionIdentifier);
    }
    if (qos >= 0) this.send(message, qos as QoS, retain, identifiers);
  }

  private send(message: Message, qos: QoS, retain: boolean, subscriptionIdentifiers: number[]): void {
    let properties: PublishProperties | undefined;
    if (this.version === 5) {
      properties = { ...message.properties };
      if (subscriptionIdentifiers.length > 0) properties.subscriptionIdentifiers = subscriptionIdentifiers;
      if (Object.keys(properties).length === 0) properties = undefined;
    }
    // 3.x receivers get no properties: `encode` refuses them below level 5.
    const base = { type: 'publish' as const, topic: message.topic, payload: message.payload, retain, dup: false };
    const extra = properties !== undefined ? { properties } : {};
    const packet: PublishPacket = qos === 0 ? { ...base, qos, ...extra } : { ...base, qos, packetId: this.allocatePacketId(), ...extra };
    // encodedLength sizes the frame without building it: skip what the client said it cannot take.
    if (encodedLength(packet, { version: this.version }) > this.maximumPacketSize) {
      if (packet.qos !== 0) this.inFlight.delete(packet.packetId);
      return;
    }
    this.write(packet);
  }

  /** The next free Packet Identifier, 1..65535 (MQTT-2.3.1-1/-2). */
  private allocatePacketId(): number {
    for (let i = 0; i < 65535; i++) {
      this.lastPacketId = (this.lastPacketId % 65535) + 1;
      if (!this.inFlight.has(this.lastPacketId)) {
        this.inFlight.add(this.lastPacketId);
        return this.lastPacketId;
      }
    }
    throw new Error('no free Packet Identifier');
  }

  /** Encodes at the connection's level (or `version`) and writes one frame. */
  private write(packet: Packet, version: ProtocolVersion = this.version): void {
    if (!this.socket.destroyed && this.socket.writable) this.socket.write(encode(packet, { version }));
  }

  takenOver(): void {
    // MQTT 5.0 tells the old connection why (0x8E Session taken over); 3.x just closes it.
    if (this.version === 5) this.write({ type: 'disconnect', reasonCode: ReasonCode.SessionTakenOver });
    this.will = undefined;
    this.socket.destroy();
  }

  private onClose(): void {
    this.broker.unregister(this);
    // A connection that ends without a DISCONNECT (or with 0x04) publishes its will (MQTT-3.1.2-8).
    const will = this.will;
    this.will = undefined;
    if (will !== undefined) {
      this.broker.publish({ topic: will.topic, payload: will.payload, qos: will.qos, retain: will.retain, properties: willToPublishProperties(will) }, undefined);
    }
  }
}

/** Will properties become the message's properties, except Will Delay Interval, which only concerns the broker. */
function willToPublishProperties(will: Will): PublishProperties | undefined {
  if (will.properties === undefined) return undefined;
  const { willDelayInterval: _delay, ...rest } = will.properties;
  return Object.keys(rest).length > 0 ? rest : undefined;
}
