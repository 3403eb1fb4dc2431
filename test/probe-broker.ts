// A small broker for the probe tests, built on PacketDecoder: it accepts a CONNECT, answers the packets that need an
// answer, and on any MqttError sends what `replyFor` gives (the CONNACK or DISCONNECT the spec asks for), then closes. It
// routes nothing: the probe only looks at how a server reacts to what it receives. Listens on 127.0.0.1 only.

import { createServer, type Server, type Socket } from 'node:net';
import { claimedLevel } from '../src/cli/probe-case.js';
import { MqttError, PacketDecoder, encode, replyFor, type Packet, type ProtocolVersion } from '../src/index.js';

/** What this broker announces in a 5.0 CONNACK, and enforces through its decoder. */
export const WIRE_BROKER_LIMITS = { topicAliasMaximum: 10, maximumPacketSize: 4096 };

function serve(socket: Socket): void {
  const decoder = new PacketDecoder({ role: 'server', topicAliasMaximum: WIRE_BROKER_LIMITS.topicAliasMaximum, maxPacketSize: WIRE_BROKER_LIMITS.maximumPacketSize });
  let version: ProtocolVersion = 4;
  let connackSent = false;
  const send = (p: Packet, v: ProtocolVersion = version): void => {
    socket.write(encode(p, { version: v }));
  };
  const answer = (p: Packet): void => {
    if (!connackSent) {
      if (p.type !== 'connect') throw new MqttError('protocol-error', `${p.type.toUpperCase()} before CONNECT`, { rule: 'MQTT-3.1.0-1' });
      version = p.protocolVersion;
      connackSent = true;
      send({ type: 'connack', sessionPresent: false, reasonCode: 0, ...(version === 5 ? { properties: { ...WIRE_BROKER_LIMITS } } : {}) });
      return;
    }
    const v5 = version === 5;
    switch (p.type) {
      case 'connect':
        throw new MqttError('protocol-error', 'a second CONNECT', { rule: 'MQTT-3.1.0-2' });
      case 'publish':
        if (p.qos === 1) send(v5 ? { type: 'puback', packetId: p.packetId, reasonCode: 0 } : { type: 'puback', packetId: p.packetId });
        if (p.qos === 2) send(v5 ? { type: 'pubrec', packetId: p.packetId, reasonCode: 0 } : { type: 'pubrec', packetId: p.packetId });
        return;
      case 'pubrel':
        send(v5 ? { type: 'pubcomp', packetId: p.packetId, reasonCode: 0 } : { type: 'pubcomp', packetId: p.packetId });
        return;
      case 'subscribe':
        send({ type: 'suback', packetId: p.packetId, reasonCodes: p.subscriptions.map((s) => s.qos) });
        return;
      case 'unsubscribe':
        send(v5 ? { type: 'unsuback', packetId: p.packetId, reasonCodes: p.topicFilters.map(() => 0) } : { type: 'unsuback', packetId: p.packetId });
        return;
      case 'pingreq':
        send({ type: 'pingresp' });
        return;
      case 'disconnect':
        socket.end();
        return;
      default:
        return;
    }
  };
  socket.on('data', (chunk: Buffer) => {
    if (socket.writableEnded) return;
    try {
      decoder.push(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.length), answer);
    } catch (e) {
      if (!(e instanceof MqttError)) throw e;
      // a refused CONNECT is answered at the level it claims, in 3.1.1 terms for any level but 5; where the error came
      // before the codec read the level byte, the server reads it from the bytes itself; unreadable, it just closes
      const claimed = connackSent ? version : claimedLevel(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.length));
      const at: ProtocolVersion = claimed === 5 ? 5 : 4;
      // (a Remaining Length the codec refuses carries no packetType: the broker knows the first packet is a CONNECT)
      const error = !connackSent && e.packetType === undefined && claimed !== undefined ? e.with({ packetType: 'connect' }) : e;
      const reply = claimed === undefined ? undefined : replyFor(error, { version: connackSent ? version : at, connackSent });
      if (reply !== undefined) send(reply, connackSent ? version : at);
      socket.end();
    }
  });
  socket.on('error', () => undefined);
}

export interface WireBroker {
  port: number;
  stop(): Promise<void>;
}

export function startWireBroker(): Promise<WireBroker> {
  return new Promise((resolve, reject) => {
    const sockets = new Set<Socket>();
    const server: Server = createServer((socket) => {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      serve(socket);
    });
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      if (address === null || typeof address !== 'object') return reject(new Error('no port'));
      resolve({
        port: address.port,
        stop: () =>
          new Promise<void>((done) => {
            for (const s of sockets) s.destroy();
            server.close(() => done());
          }),
      });
    });
  });
}
