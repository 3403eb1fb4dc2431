// MQTT.js clients (3.1.1 and 5.0) against MiniBroker, the small broker built on mqtt-wire: what MQTT.js encodes,
// mqtt-wire decodes to the exact fields (checked on the broker side), and what mqtt-wire encodes, MQTT.js decodes
// to exactly what the other client sent (topic, payload bytes, qos, retain, 5.0 properties).

import mqtt, { type IClientOptions, type IConnackPacket, type IPublishPacket, type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { encode, type Packet } from '../../src/index.js';
import { MiniBroker } from './mini-broker.js';
import { RawClient } from './raw-client.js';

let broker: MiniBroker;
const clients: MqttClient[] = [];

beforeAll(async () => {
  broker = await MiniBroker.start();
});
afterAll(async () => {
  for (const c of clients) c.end(true);
  await broker.close();
});

interface Received {
  topic: string;
  payload: Uint8Array;
  packet: IPublishPacket;
}

/** An MQTT.js client plus a queue of the messages it receives. */
interface TestClient {
  client: MqttClient;
  connack: IConnackPacket;
  next(ms?: number): Promise<Received>;
  quietFor(ms: number): Promise<boolean>;
}

async function connect(clientId: string, protocolVersion: 4 | 5, options: IClientOptions = {}): Promise<TestClient> {
  const client = mqtt.connect(`mqtt://127.0.0.1:${broker.port}`, {
    clientId,
    protocolVersion,
    // Every test ends its own clients; no reconnection loops.
    reconnectPeriod: 0,
    connectTimeout: 3000,
    keepalive: 30,
    ...options,
  });
  clients.push(client);
  const queue: Received[] = [];
  const waiters: ((r: Received) => void)[] = [];
  client.on('message', (topic, payload, packet) => {
    const r = { topic, payload: new Uint8Array(payload), packet };
    const w = waiters.shift();
    if (w !== undefined) w(r);
    else queue.push(r);
  });
  const connack = await new Promise<IConnackPacket>((resolve, reject) => {
    client.once('connect', resolve);
    client.once('error', reject);
  });
  const next = (ms = 3000): Promise<Received> => {
    const queued = queue.shift();
    if (queued !== undefined) return Promise.resolve(queued);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        waiters.splice(waiters.indexOf(waiter), 1);
        reject(new Error(`${clientId}: no message within ${ms} ms`));
      }, ms);
      const waiter = (r: Received): void => {
        clearTimeout(timer);
        resolve(r);
      };
      waiters.push(waiter);
    });
  };
  const quietFor = async (ms: number): Promise<boolean> => {
    try {
      await next(ms);
      return false;
    } catch {
      return true;
    }
  };
  return { client, connack, next, quietFor };
}

const te = new TextEncoder();
/** Payloads with bytes that are not text, so nothing can pass by accident through a string conversion. */
const binary = (tag: number): Uint8Array => new Uint8Array([tag, 0x00, 0xff, 0x80, 0x7f, 0xc3, 0x28, tag]);

/** The packets MiniBroker decoded from `clientId` of the given type. */
function decodedFrom<T extends Packet['type']>(clientId: string, type: T): Extract<Packet, { type: T }>[] {
  return broker.packetsFrom(clientId).filter((p): p is Extract<Packet, { type: T }> => p.type === type);
}

const settle = (ms = 50): Promise<void> => new Promise((r) => setTimeout(r, ms));

for (const v of [4, 5] as const) {
  describe(`MQTT.js at protocol level ${v}`, () => {
    const p = `mj/v${v}`;

    test('CONNECT decodes to exactly what MQTT.js sent; CONNACK decodes in MQTT.js', async () => {
      const c = await connect(`conn-${v}`, v, { keepalive: 17, clean: true, username: 'user', password: 'päss' });
      expect(decodedFrom(`conn-${v}`, 'connect')).toStrictEqual([
        { type: 'connect', protocolVersion: v, clientId: `conn-${v}`, clean: true, keepAlive: 17, username: 'user', password: te.encode('päss') },
      ]);
      expect(c.connack.returnCode ?? c.connack.reasonCode).toBe(0);
      expect(c.connack.sessionPresent).toBe(false);
      if (v === 5) expect(c.connack.properties).toStrictEqual({ topicAliasMaximum: 10 });
      await c.client.endAsync();
      await settle();
      // 5.0 DISCONNECT decodes with its reason code (0 when MQTT.js leaves it out)
      expect(decodedFrom(`conn-${v}`, 'disconnect')).toStrictEqual([v === 5 ? { type: 'disconnect', reasonCode: 0 } : { type: 'disconnect' }]);
    });

    test('QoS 0, 1 and 2 both ways: the subscriber receives exactly what was published', async () => {
      const sub = await connect(`qos-sub-${v}`, v);
      const granted = await sub.client.subscribeAsync(`${p}/qos/#`, { qos: 2 });
      expect(granted.map((g) => [g.topic, g.qos])).toStrictEqual([[`${p}/qos/#`, 2]]);
      const pub = await connect(`qos-pub-${v}`, v);
      for (const qos of [0, 1, 2] as const) {
        await pub.client.publishAsync(`${p}/qos/${qos}`, Buffer.from(binary(qos)), { qos, retain: false });
      }
      for (const qos of [0, 1, 2] as const) {
        const m = await sub.next();
        expect(m.topic).toBe(`${p}/qos/${qos}`);
        expect(m.payload).toStrictEqual(binary(qos));
        expect(m.packet.qos).toBe(qos);
        expect(m.packet.retain).toBe(false);
        expect(m.packet.dup).toBe(false);
      }
      await settle();
      // What the broker decoded from MQTT.js: three PUBLISH packets, the exact fields, its own Packet Identifiers.
      const published = decodedFrom(`qos-pub-${v}`, 'publish');
      expect(published.map((m) => ({ ...m, packetId: undefined }))).toStrictEqual(
        [0, 1, 2].map((qos) => ({ type: 'publish', topic: `${p}/qos/${qos}`, payload: binary(qos), qos, retain: false, dup: false, packetId: undefined })),
      );
      const qos2Id = published[2]?.packetId ?? 0;
      expect(decodedFrom(`qos-pub-${v}`, 'pubrel')).toStrictEqual([v === 5 ? { type: 'pubrel', packetId: qos2Id, reasonCode: 0 } : { type: 'pubrel', packetId: qos2Id }]);
      // The subscriber's acknowledgements of the broker's QoS 1 and QoS 2 messages.
      expect(decodedFrom(`qos-sub-${v}`, 'puback').length).toBe(1);
      expect(decodedFrom(`qos-sub-${v}`, 'pubrec').length).toBe(1);
      expect(decodedFrom(`qos-sub-${v}`, 'pubcomp').length).toBe(1);
      expect(decodedFrom(`qos-sub-${v}`, 'pubrec')[0]?.packetId).toBe(decodedFrom(`qos-sub-${v}`, 'pubcomp')[0]?.packetId);
    });

    test('several filters with wildcards in one SUBSCRIBE route exactly the matching topics', async () => {
      const sub = await connect(`wild-sub-${v}`, v);
      const granted = await sub.client.subscribeAsync({ [`${p}/w/+/temp`]: { qos: 1 }, [`${p}/w/alarm/#`]: { qos: 0 } });
      expect(granted.map((g) => [g.topic, g.qos])).toStrictEqual([
        [`${p}/w/+/temp`, 1],
        [`${p}/w/alarm/#`, 0],
      ]);
      expect(decodedFrom(`wild-sub-${v}`, 'subscribe')[0]?.subscriptions).toStrictEqual(
        v === 5
          ? [
              { topicFilter: `${p}/w/+/temp`, qos: 1, noLocal: false, retainAsPublished: false, retainHandling: 0 },
              { topicFilter: `${p}/w/alarm/#`, qos: 0, noLocal: false, retainAsPublished: false, retainHandling: 0 },
            ]
          : [
              { topicFilter: `${p}/w/+/temp`, qos: 1 },
              { topicFilter: `${p}/w/alarm/#`, qos: 0 },
            ],
      );
      const pub = await connect(`wild-pub-${v}`, v);
      const topics = [`${p}/w/kitchen/temp`, `${p}/w/kitchen/humidity`, `${p}/w/alarm`, `${p}/w/alarm/fire/floor1`, `${p}/w/a/b/temp`];
      for (const t of topics) await pub.client.publishAsync(t, t, { qos: 1 });
      for (const t of [topics[0], topics[2], topics[3]]) {
        const m = await sub.next();
        expect([m.topic, new TextDecoder().decode(m.payload)]).toStrictEqual([t, t]);
      }
      expect(await sub.quietFor(100)).toBe(true);
    });

    test('retained messages: delivered with retain to a new subscriber, cleared by an empty payload', async () => {
      const pub = await connect(`ret-pub-${v}`, v);
      await pub.client.publishAsync(`${p}/ret`, Buffer.from(binary(9)), { qos: 1, retain: true });
      const sub = await connect(`ret-sub-${v}`, v);
      await sub.client.subscribeAsync(`${p}/ret`, { qos: 1 });
      const m = await sub.next();
      expect([m.topic, m.payload, m.packet.qos, m.packet.retain]).toStrictEqual([`${p}/ret`, binary(9), 1, true]);
      await pub.client.publishAsync(`${p}/ret`, '', { qos: 0, retain: true });
      const cleared = await sub.next();
      expect([cleared.topic, cleared.payload, cleared.packet.qos, cleared.packet.retain]).toStrictEqual([`${p}/ret`, new Uint8Array(0), 0, false]);
      const late = await connect(`ret-late-${v}`, v);
      await late.client.subscribeAsync(`${p}/ret`, { qos: 1 });
      expect(await late.quietFor(100)).toBe(true);
    });

    test('a will is published when the client socket is destroyed', async () => {
      const watcher = await connect(`will-watch-${v}`, v);
      await watcher.client.subscribeAsync(`${p}/will`, { qos: 2 });
      const will = {
        topic: `${p}/will`,
        payload: Buffer.from(binary(0x57)),
        qos: 2 as const,
        retain: false,
        ...(v === 5 ? { properties: { contentType: 'application/x-test', userProperties: { reason: 'crash' } } } : {}),
      };
      const doomed = await connect(`will-${v}`, v, { will });
      expect(decodedFrom(`will-${v}`, 'connect')[0]?.will).toStrictEqual({
        topic: `${p}/will`,
        payload: binary(0x57),
        qos: 2,
        retain: false,
        ...(v === 5 ? { properties: { contentType: 'application/x-test', userProperties: [['reason', 'crash']] } } : {}),
      });
      doomed.client.stream.destroy();
      const m = await watcher.next();
      expect([m.topic, m.payload, m.packet.qos, m.packet.retain]).toStrictEqual([`${p}/will`, binary(0x57), 2, false]);
      // toEqual, not toStrictEqual: MQTT.js builds its property objects with their own prototypes
      if (v === 5) expect(m.packet.properties).toEqual({ contentType: 'application/x-test', userProperties: { reason: 'crash' } });
    });

    test('keep-alive: MQTT.js sends PINGREQ and decodes the PINGRESP', async () => {
      const c = await connect(`ping-${v}`, v, { keepalive: 1 });
      const pingresp = new Promise<string>((resolve) =>
        c.client.on('packetreceive', (packet) => {
          if (packet.cmd === 'pingresp') resolve(packet.cmd);
        }),
      );
      // MQTT.js pings after one keep-alive period (1 s) without traffic; allow for three.
      await expect(Promise.race([pingresp, settle(3000).then(() => 'timeout')])).resolves.toBe('pingresp');
      expect(decodedFrom(`ping-${v}`, 'pingreq')[0]).toStrictEqual({ type: 'pingreq' });
      expect(c.client.connected).toBe(true);
      await c.client.endAsync();
    });

    test('UNSUBSCRIBE stops delivery', async () => {
      const sub = await connect(`unsub-${v}`, v);
      await sub.client.subscribeAsync([`${p}/u/a`, `${p}/u/b`], { qos: 0 });
      await sub.client.unsubscribeAsync(`${p}/u/a`);
      expect(decodedFrom(`unsub-${v}`, 'unsubscribe').map((u) => u.topicFilters)).toStrictEqual([[`${p}/u/a`]]);
      const pub = await connect(`unsub-pub-${v}`, v);
      await pub.client.publishAsync(`${p}/u/a`, 'a');
      await pub.client.publishAsync(`${p}/u/b`, 'b');
      expect((await sub.next()).topic).toBe(`${p}/u/b`);
      expect(await sub.quietFor(100)).toBe(true);
    });
  });
}

describe('MQTT.js across levels', () => {
  test('3.1.1 publisher to 5.0 subscriber and back', async () => {
    const v4 = await connect('cross-4', 4);
    const v5 = await connect('cross-5', 5);
    await v4.client.subscribeAsync('mj/cross/to4', { qos: 1 });
    await v5.client.subscribeAsync('mj/cross/to5', { qos: 1 });
    await v4.client.publishAsync('mj/cross/to5', Buffer.from(binary(4)), { qos: 1 });
    // 5.0 properties cannot be carried at level 4: the broker drops them for the 3.1.1 receiver
    await v5.client.publishAsync('mj/cross/to4', Buffer.from(binary(5)), { qos: 1, properties: { contentType: 'x/y' } });
    const at5 = await v5.next();
    const at4 = await v4.next();
    expect([at5.topic, at5.payload, at5.packet.qos]).toStrictEqual(['mj/cross/to5', binary(4), 1]);
    expect([at4.topic, at4.payload, at4.packet.qos]).toStrictEqual(['mj/cross/to4', binary(5), 1]);
    expect(at4.packet.properties).toBeUndefined();
  });
});

describe('MQTT.js 5.0 features', () => {
  const p = 'mj/v5x';

  test('PUBLISH properties pass through: payload format, expiry, content type, response topic, correlation data, user properties', async () => {
    const sub = await connect('props-sub', 5);
    await sub.client.subscribeAsync(`${p}/props`, { qos: 1 });
    const pub = await connect('props-pub', 5);
    const properties = {
      payloadFormatIndicator: true,
      messageExpiryInterval: 120,
      contentType: 'application/cbor',
      responseTopic: `${p}/reply`,
      correlationData: Buffer.from([0xde, 0xad, 0x00, 0xbe, 0xef]),
      userProperties: { region: 'eu', tag: ['a', 'b', 'a'] },
    };
    await pub.client.publishAsync(`${p}/props`, Buffer.from(binary(1)), { qos: 1, properties });
    const m = await sub.next();
    expect([m.topic, m.payload, m.packet.qos]).toStrictEqual([`${p}/props`, binary(1), 1]);
    // toEqual, not toStrictEqual: MQTT.js builds its property objects with their own prototypes
    expect(m.packet.properties).toEqual(properties);
    // mqtt-wire's view of the same PUBLISH: byte-valued properties stay numbers, user properties a list in order
    expect(decodedFrom('props-pub', 'publish')[0]?.properties).toStrictEqual({
      payloadFormatIndicator: 1,
      messageExpiryInterval: 120,
      contentType: 'application/cbor',
      responseTopic: `${p}/reply`,
      correlationData: new Uint8Array([0xde, 0xad, 0x00, 0xbe, 0xef]),
      userProperties: [
        ['region', 'eu'],
        ['tag', 'a'],
        ['tag', 'b'],
        ['tag', 'a'],
      ],
    });
  });

  test('Subscription Identifiers: one copy carrying every matching identifier', async () => {
    const sub = await connect('sid-sub', 5);
    await sub.client.subscribeAsync(`${p}/sid/#`, { qos: 1, properties: { subscriptionIdentifier: 5 } });
    await sub.client.subscribeAsync(`${p}/sid/+`, { qos: 0, properties: { subscriptionIdentifier: 268_435_455 } });
    const pub = await connect('sid-pub', 5);
    await pub.client.publishAsync(`${p}/sid/x`, 'x', { qos: 1 });
    const m = await sub.next();
    expect([m.topic, m.packet.qos]).toStrictEqual([`${p}/sid/x`, 1]);
    expect(m.packet.properties).toStrictEqual({ subscriptionIdentifier: [5, 268_435_455] });
    expect(await sub.quietFor(100)).toBe(true);
  });

  test('Topic Alias from MQTT.js: set with the name, then used alone', async () => {
    const sub = await connect('alias-sub', 5);
    await sub.client.subscribeAsync(`${p}/alias/#`, { qos: 0 });
    const pub = await connect('alias-pub', 5);
    await pub.client.publishAsync(`${p}/alias/a/long/name`, 'first', { qos: 1, properties: { topicAlias: 2 } });
    await pub.client.publishAsync('', 'second', { qos: 1, properties: { topicAlias: 2 } });
    expect(decodedFrom('alias-pub', 'publish').map((m) => [m.topic, m.properties])).toStrictEqual([
      [`${p}/alias/a/long/name`, { topicAlias: 2 }],
      ['', { topicAlias: 2 }],
    ]);
    for (const payload of ['first', 'second']) {
      const m = await sub.next();
      expect([m.topic, new TextDecoder().decode(m.payload), m.packet.properties]).toStrictEqual([`${p}/alias/a/long/name`, payload, undefined]);
    }
  });

  test('subscription options: No Local, Retain As Published, Retain Handling', async () => {
    const pub = await connect('opts-pub', 5);
    await pub.client.publishAsync(`${p}/opts/r`, 'stored', { qos: 1, retain: true });
    const c = await connect('opts', 5);
    await c.client.subscribeAsync({
      [`${p}/opts/r`]: { qos: 1, rap: true, rh: 2 },
      [`${p}/opts/self`]: { qos: 1, nl: true },
    });
    expect(decodedFrom('opts', 'subscribe')[0]?.subscriptions).toStrictEqual([
      { topicFilter: `${p}/opts/r`, qos: 1, noLocal: false, retainAsPublished: true, retainHandling: 2 },
      { topicFilter: `${p}/opts/self`, qos: 1, noLocal: true, retainAsPublished: false, retainHandling: 0 },
    ]);
    await c.client.publishAsync(`${p}/opts/self`, 'echo?', { qos: 1 });
    await pub.client.publishAsync(`${p}/opts/r`, 'live', { qos: 1, retain: true });
    const m = await c.next();
    expect([m.topic, new TextDecoder().decode(m.payload), m.packet.retain]).toStrictEqual([`${p}/opts/r`, 'live', true]);
    expect(await c.quietFor(100)).toBe(true);
  });

  test('DISCONNECT with reason code 0x04 sends the will; the CONNECT properties decode exactly', async () => {
    const watcher = await connect('dw-watch', 5);
    await watcher.client.subscribeAsync(`${p}/dw`, { qos: 0 });
    const c = await connect('dw', 5, {
      will: { topic: `${p}/dw`, payload: Buffer.from('bye'), qos: 0, retain: false },
      properties: { sessionExpiryInterval: 0, receiveMaximum: 50, maximumPacketSize: 65536, userProperties: { app: 'test' } },
    });
    expect(decodedFrom('dw', 'connect')[0]?.properties).toStrictEqual({
      sessionExpiryInterval: 0,
      receiveMaximum: 50,
      maximumPacketSize: 65536,
      userProperties: [['app', 'test']],
    });
    await c.client.endAsync(false, { reasonCode: 0x04, properties: { reasonString: 'planned' } });
    await settle();
    expect(decodedFrom('dw', 'disconnect')).toStrictEqual([{ type: 'disconnect', reasonCode: 0x04, properties: { reasonString: 'planned' } }]);
    const m = await watcher.next();
    expect([m.topic, new TextDecoder().decode(m.payload)]).toStrictEqual([`${p}/dw`, 'bye']);
  });
});

describe('MiniBroker limits and refusals', () => {
  test('Maximum Packet Size from MQTT.js CONNECT: larger messages are not sent to it (MQTT-3.1.2-24)', async () => {
    const small = await connect('max-small', 5, { properties: { maximumPacketSize: 100 } });
    await small.client.subscribeAsync('mj/max/#', { qos: 0 });
    const pub = await connect('max-pub', 5);
    await pub.client.publishAsync('mj/max/big', Buffer.alloc(200, 1), { qos: 1 });
    await pub.client.publishAsync('mj/max/small', Buffer.alloc(10, 2), { qos: 1 });
    const m = await small.next();
    expect([m.topic, m.payload]).toStrictEqual(['mj/max/small', new Uint8Array(10).fill(2)]);
    expect(await small.quietFor(100)).toBe(true);
  });

  test('an unsupported protocol level gets CONNACK 0x01 and the connection is closed (MQTT-3.1.2-2)', async () => {
    const raw = await RawClient.open(broker.port, { version: 4 });
    const frame = encode({ type: 'connect', protocolVersion: 4, clientId: 'lvl7', clean: true, keepAlive: 10 });
    // fixed header (2) + protocol name length (2) + 'MQTT' (4): the level byte is at offset 8
    frame[8] = 7;
    raw.sendRaw(frame);
    expect(await raw.next()).toStrictEqual({ type: 'connack', sessionPresent: false, reasonCode: 1 });
    await raw.closedByPeer();
  });

  test('a malformed packet after CONNACK gets DISCONNECT 0x81 at level 5, then the connection closes', async () => {
    const raw = await RawClient.open(broker.port, { version: 5 });
    raw.send({ type: 'connect', protocolVersion: 5, clientId: 'malformed', clean: true, keepAlive: 10 });
    expect(await raw.next()).toStrictEqual({ type: 'connack', sessionPresent: false, reasonCode: 0, properties: { topicAliasMaximum: 10 } });
    // PUBLISH with QoS bits 11 (MQTT-3.3.1-4)
    raw.sendRaw(new Uint8Array([0x36, 0x05, 0x00, 0x01, 0x74, 0x00, 0x01]));
    expect(await raw.next()).toStrictEqual({ type: 'disconnect', reasonCode: 0x81 });
    await raw.closedByPeer();
  });
});
