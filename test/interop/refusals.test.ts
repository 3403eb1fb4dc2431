// A refused CONNECT at 3.1, 3.1.1 and 5.0: what a broker built on PacketDecoder + replyFor sends before it closes
// is byte for byte what mosquitto sends in the same case (a 3.x CONNACK 0x01 or 0x02, or nothing).

import { createConnection, createServer, type Server } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MqttError, PacketDecoder, encode, replyFor } from '../../src/index.js';
import { INSTALL_HINT, findExecutable, startMosquitto, type MosquittoBroker } from './mosquitto-process.js';

const haveMosquitto = findExecutable('mosquitto') !== undefined && findExecutable('mosquitto_passwd') !== undefined;
const onCi = (process.env.CI ?? '') !== '' && process.env.CI !== 'false';
const skip = !haveMosquitto && !onCi;
if (skip) console.warn(`\n*** refused-CONNECT comparison with mosquitto SKIPPED: ${INSTALL_HINT} ***\n`);

const te = new TextEncoder();
const str = (s: string): number[] => {
  const b = te.encode(s);
  return [b.length >> 8, b.length & 0xff, ...b];
};
const frame = (first: number, body: number[]): Uint8Array => new Uint8Array([first, body.length, ...body]);
const connect = (name: string, level: number, flags: number, rest: number[]): Uint8Array =>
  frame(0x10, [...str(name), level, flags, 0, 0, ...rest]);

/** Refused CONNECTs (and one stream that does not start with CONNECT), with what mosquitto 2.0 sends for each. */
const CASES: [name: string, bytes: Uint8Array, reply: string][] = [
  ['MQTT-3.1.2-2 level 6: CONNACK 0x01 in the 3.1.1 form', connect('MQTT', 6, 2, str('c')), '20020001'],
  ['MQTT-3.1.2-2 level 0', connect('MQTT', 0, 2, str('c')), '20020001'],
  ['MQTT-3.1.2-2 level 255', connect('MQTT', 255, 2, str('c')), '20020001'],
  ["MQTT-3.1.2-2 'MQTT' at level 3", connect('MQTT', 3, 2, str('c')), '20020001'],
  ["MQTT-3.1.2-2 'MQIsdp' at level 4", connect('MQIsdp', 4, 2, str('c')), '20020001'],
  ["MQTT-3.1.2-2 'MQIsdp' at level 5", connect('MQIsdp', 5, 2, [0, ...str('c')]), '20020001'],
  ["MQTT-3.1.2-1 'HTTP' is not MQTT: closed without a word", connect('HTTP', 9, 2, str('c')), ''],
  ['MQTT-3.1.3-8 3.1.1 empty Client Identifier with Clean Session 0: CONNACK 0x02', connect('MQTT', 4, 0, str('')), '20020002'],
  ['MQTT-3.1.3-8 3.1 empty Client Identifier, Clean Session 0', connect('MQIsdp', 3, 0, str('')), '20020002'],
  ['MQTT-3.1.3-8 3.1 empty Client Identifier, Clean Session 1', connect('MQIsdp', 3, 2, str('')), '20020002'],
  ['MQTT-3.1.2-3 3.1.1 reserved Connect Flag: closed without CONNACK', connect('MQTT', 4, 3, str('c')), ''],
  ['MQTT-3.1.2-3 5.0 reserved Connect Flag', connect('MQTT', 5, 3, [0, ...str('c')]), ''],
  ['U5-3.1.2.11-1 5.0 duplicate Session Expiry Interval', connect('MQTT', 5, 2, [10, 0x11, 0, 0, 0, 1, 0x11, 0, 0, 0, 1, ...str('c')]), ''],
  ['U5-2.2.2-2 5.0 property not allowed in CONNECT', connect('MQTT', 5, 2, [2, 0x01, 0, ...str('c')]), ''],
  ['MQTT-4.7.0-1 5.0 Will Topic with a wildcard', connect('MQTT', 5, 6, [0, ...str('c'), 0, ...str('a/#'), 0, 1, 0x41]), ''],
  ['MQTT-4.7.1-1 3.1.1 Will Topic with a wildcard', connect('MQTT', 4, 6, [...str('c'), ...str('a/#'), 0, 1, 0x41]), ''],
  ['MQTT-1.5.4-1 5.0 ill-formed UTF-8 Client Identifier', connect('MQTT', 5, 2, [0, 0, 2, 0xc0, 0x80]), ''],
  ['MQTT-1.5.3-1 3.1.1 ill-formed UTF-8 Client Identifier', connect('MQTT', 4, 2, [0, 2, 0xc0, 0x80]), ''],
  ['U5-3.1.2.11-2 5.0 Receive Maximum 0', connect('MQTT', 5, 2, [3, 0x21, 0, 0, ...str('c')]), ''],
  ['U5-2-1 5.0 a byte left over', connect('MQTT', 5, 2, [0, ...str('c'), 0x55]), ''],
  ['U311-2-1 3.1.1 a byte left over', connect('MQTT', 4, 2, [...str('c'), 0x55]), ''],
  ['MQTT-3.1.2-22 3.1.1 Password without User Name', connect('MQTT', 4, 0x42, [...str('c'), 0, 1, 0x41]), ''],
  ['MQTT-3.1.2-12 5.0 Will QoS 3', connect('MQTT', 5, 0x1e, [0, ...str('c'), 0, ...str('a'), 0, 1, 0x41]), ''],
  ['MQTT-3.1.0-1 a PUBLISH before any CONNECT', frame(0x30, [...str('a'), 0x41]), ''],
];

/** A broker on PacketDecoder: CONNACK 0 for a good CONNECT, and for an error the reply replyFor gives, then close. */
function startCodecBroker(): Promise<{ server: Server; port: number }> {
  const server = createServer((socket) => {
    const decoder = new PacketDecoder({ role: 'server' });
    let connackSent = false;
    socket.on('error', () => {});
    socket.on('data', (chunk) => {
      try {
        decoder.push(chunk, (packet) => {
          if (packet.type !== 'connect' && !connackSent) {
            socket.destroy(); // MQTT-3.1.0-1: the first packet must be a CONNECT
            return;
          }
          if (packet.type === 'connect' && !connackSent) {
            socket.write(encode({ type: 'connack', sessionPresent: false, reasonCode: 0 }, { version: decoder.version }));
            connackSent = true;
          }
        });
      } catch (e) {
        if (!(e instanceof MqttError)) throw e;
        const reply = replyFor(e, { version: decoder.version, connackSent });
        if (reply === undefined) socket.destroy();
        else socket.end(encode(reply, { version: decoder.version }));
      }
    });
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ server, port: (server.address() as { port: number }).port })));
}

/** Sends `bytes` and collects what comes back until the peer closes (or 3 s pass: still open). */
function exchange(port: number, bytes: Uint8Array): Promise<string> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    const got: Buffer[] = [];
    const timer = setTimeout(() => {
      socket.destroy();
      resolve(`${Buffer.concat(got).toString('hex')} (still open)`);
    }, 3000);
    socket.on('data', (d: Buffer) => got.push(d));
    socket.on('error', () => {});
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(Buffer.concat(got).toString('hex'));
    });
    socket.write(bytes);
  });
}

describe.skipIf(skip)('refused CONNECT: a codec broker with replyFor answers as mosquitto does', () => {
  let mosquitto: MosquittoBroker;
  let codec: { server: Server; port: number };
  beforeAll(async () => {
    [mosquitto, codec] = await Promise.all([startMosquitto(), startCodecBroker()]);
  });
  afterAll(async () => {
    codec?.server.close();
    await mosquitto?.stop();
  });

  for (const [name, bytes, reply] of CASES) {
    it(name, async () => {
      const [fromMosquitto, fromCodec] = await Promise.all([exchange(mosquitto.port, bytes), exchange(codec.port, bytes)]);
      expect(fromMosquitto).toBe(reply);
      expect(fromCodec).toBe(reply);
    });
  }
});
