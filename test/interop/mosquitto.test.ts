// mqtt-wire against a real broker: a private mosquitto process on loopback, driven by a small client built from
// net.Socket + PacketDecoder + encode. Every packet mosquitto sends must decode (RawClient fails the test
// otherwise), and every assertion compares whole decoded packets with exact field values.

import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { MqttError, encode, type ConnectPacket, type Packet, type ProtocolVersion, type PublishPacket } from '../../src/index.js';
import { INSTALL_HINT, findExecutable, startMosquitto, type MosquittoBroker } from './mosquitto-process.js';
import { RawClient } from './raw-client.js';

const haveMosquitto = findExecutable('mosquitto') !== undefined && findExecutable('mosquitto_passwd') !== undefined;
const onCi = (process.env.CI ?? '') !== '' && process.env.CI !== 'false';
// Locally a missing broker skips the suite (loudly); under CI it runs and fails in beforeAll.
const skip = !haveMosquitto && !onCi;
if (skip) console.warn(`\n*** mosquitto interop tests SKIPPED: mosquitto is not on PATH; ${INSTALL_HINT} ***\n`);

const te = new TextEncoder();
const bytes = (s: string): Uint8Array => te.encode(s);

/** What mosquitto 2.0 puts in every 5.0 CONNACK with its default settings (max_topic_alias 10, max_inflight 20). */
const MOSQUITTO_CONNACK_PROPERTIES = { topicAliasMaximum: 10, receiveMaximum: 20 };

let broker: MosquittoBroker;
const open: RawClient[] = [];
/** Clients whose test provokes a decode error on purpose (a packet over their maxPacketSize). */
const expectDecodeError = new Set<RawClient>();

beforeAll(async () => {
  if (!skip) broker = await startMosquitto();
});
// Every byte mosquitto sent must have decoded, including packets no assertion waited for.
afterEach(() => {
  for (const c of open) if (!expectDecodeError.has(c)) expect(c.decodeError).toBeUndefined();
});
afterAll(async () => {
  for (const c of open) c.destroy();
  if (broker !== undefined) await broker.stop();
});

/** Opens a TCP connection and sends `connect`; returns the client and the decoded CONNACK. */
async function connectRaw(
  version: ProtocolVersion,
  fields: Partial<ConnectPacket> & { clientId: string },
  options: { port?: number; maxPacketSize?: number } = {},
): Promise<{ client: RawClient; connack: Extract<Packet, { type: 'connack' }> }> {
  const client = await RawClient.open(options.port ?? broker.port, {
    version,
    ...(options.maxPacketSize !== undefined ? { maxPacketSize: options.maxPacketSize } : {}),
  });
  open.push(client);
  client.send({ type: 'connect', protocolVersion: version, clean: true, keepAlive: 30, ...fields });
  const connack = await client.nextOf('connack');
  return { client, connack };
}

/** Connects and checks the broker accepted: CONNACK 0, no session, and (5.0) mosquitto's default properties. */
async function connected(version: ProtocolVersion, fields: Partial<ConnectPacket> & { clientId: string }, maxPacketSize?: number): Promise<RawClient> {
  const { client, connack } = await connectRaw(version, fields, maxPacketSize !== undefined ? { maxPacketSize } : {});
  expect(connack).toStrictEqual(
    version === 5
      ? { type: 'connack', sessionPresent: false, reasonCode: 0, properties: MOSQUITTO_CONNACK_PROPERTIES }
      : { type: 'connack', sessionPresent: false, reasonCode: 0 },
  );
  return client;
}

/** SUBSCRIBE and check the SUBACK grants exactly `granted`. */
async function subscribe(client: RawClient, packetId: number, filters: [string, 0 | 1 | 2][], granted?: number[]): Promise<void> {
  client.send({
    type: 'subscribe',
    packetId,
    subscriptions: filters.map(([topicFilter, qos]) => ({ topicFilter, qos })),
  });
  expect(await client.nextOf('suback')).toStrictEqual({
    type: 'suback',
    packetId,
    reasonCodes: granted ?? filters.map(([, qos]) => qos),
  });
}

/** The acknowledgement packet as a level-`v` peer decodes it: 5.0 always carries the reason code. */
function ack<T extends 'puback' | 'pubrec' | 'pubrel' | 'pubcomp'>(type: T, packetId: number, v: ProtocolVersion, reasonCode = 0) {
  return v === 5 ? { type, packetId, reasonCode } : { type, packetId };
}

/** A PUBLISH the broker sent with an id of its choosing: check the id is a valid one and return it. */
function brokerPacketId(p: PublishPacket): number {
  expect(p.qos).toBeGreaterThan(0);
  const id = p.packetId ?? 0;
  expect(id).toBeGreaterThanOrEqual(1);
  expect(id).toBeLessThanOrEqual(65535);
  return id;
}

describe.skipIf(skip)('mosquitto interop', () => {
  test('a level 6 CONNECT is refused with the 3.1.1 return code 0x01 (unacceptable protocol version), then closed', async () => {
    // The encoder refuses level 6, as it should; build a 5.0 CONNECT and patch its level byte.
    const frame = encode({ type: 'connect', protocolVersion: 5, clientId: 'level6', clean: true, keepAlive: 30 });
    // fixed header (2) + protocol name length (2) + 'MQTT' (4): the level byte is at offset 8
    expect(frame[8]).toBe(5);
    frame[8] = 6;
    // The broker does not know the level, so it answers in the oldest form it knows; decode it at level 4.
    const client = await RawClient.open(broker.port, { version: 4 });
    open.push(client);
    client.sendRaw(frame);
    expect(await client.next()).toStrictEqual({ type: 'connack', sessionPresent: false, reasonCode: 1 });
    await client.closedByPeer();
  });

  for (const v of [3, 4, 5] as const) {
    describe(`MQTT level ${v}`, () => {
      // Topics are private to the level so the three levels never see each other's traffic.
      const p = `wire/v${v}`;

      test('CONNECT / CONNACK, PINGREQ / PINGRESP, DISCONNECT closes the connection', async () => {
        const c = await connected(v, { clientId: `ping-${v}`, keepAlive: 5 });
        for (let i = 0; i < 3; i++) {
          c.send({ type: 'pingreq' });
          expect(await c.next()).toStrictEqual({ type: 'pingresp' });
        }
        c.send(v === 5 ? { type: 'disconnect', reasonCode: 0 } : { type: 'disconnect' });
        await c.closedByPeer();
      });

      test('bad credentials are refused with CONNACK not authorized, good ones accepted', async () => {
        const bad = await connectRaw(v, { clientId: `auth-${v}`, username: broker.username, password: bytes('wrong') }, { port: broker.authPort });
        // 3.x: return code 5 (not authorized); 5.0: 0x87 Not authorized. mosquitto uses these rather than 4 / 0x86.
        expect(bad.connack).toStrictEqual({ type: 'connack', sessionPresent: false, reasonCode: v === 5 ? 0x87 : 5 });
        await bad.client.closedByPeer();
        const anonymous = await connectRaw(v, { clientId: `anon-${v}` }, { port: broker.authPort });
        expect(anonymous.connack).toStrictEqual({ type: 'connack', sessionPresent: false, reasonCode: v === 5 ? 0x87 : 5 });
        await anonymous.client.closedByPeer();
        const good = await connectRaw(
          v,
          { clientId: `auth-${v}`, username: broker.username, password: bytes(broker.password) },
          { port: broker.authPort },
        );
        expect(good.connack).toStrictEqual(
          v === 5
            ? { type: 'connack', sessionPresent: false, reasonCode: 0, properties: MOSQUITTO_CONNACK_PROPERTIES }
            : { type: 'connack', sessionPresent: false, reasonCode: 0 },
        );
        good.client.destroy();
      });

      test('SUBSCRIBE with several filters and wildcards delivers exactly the matching topics', async () => {
        const sub = await connected(v, { clientId: `wild-sub-${v}` });
        await subscribe(sub, 1, [
          [`${p}/sport/+/score`, 0],
          [`${p}/news/#`, 1],
          [`${p}/exact`, 2],
        ]);
        const pub = await connected(v, { clientId: `wild-pub-${v}` });
        const topics = [
          `${p}/sport/tennis/score`, // +
          `${p}/sport/tennis/player`, // no match
          `${p}/news`, // '#' also matches the parent level
          `${p}/news/world/europe`, // '#'
          `${p}/sportx/tennis/score`, // no match
          `${p}/exact`, // exact, and the last one sent
        ];
        for (const topic of topics) pub.send({ type: 'publish', topic, payload: bytes(topic), qos: 0, retain: false, dup: false });
        const expected = [topics[0]!, topics[2]!, topics[3]!, topics[5]!];
        for (const topic of expected) {
          expect(await sub.next()).toStrictEqual({ type: 'publish', topic, payload: bytes(topic), qos: 0, retain: false, dup: false });
        }
        expect(await sub.quietFor(150)).toBe(true);
      });

      test('QoS 0, 1 and 2 from client to broker and broker to client, with every acknowledgement', async () => {
        const sub = await connected(v, { clientId: `qos-sub-${v}` });
        await subscribe(sub, 7, [[`${p}/qos/#`, 2]]);
        const pub = await connected(v, { clientId: `qos-pub-${v}` });

        // QoS 0: no acknowledgement in either direction.
        pub.send({ type: 'publish', topic: `${p}/qos/0`, payload: bytes('zero'), qos: 0, retain: false, dup: false });
        expect(await sub.next()).toStrictEqual({ type: 'publish', topic: `${p}/qos/0`, payload: bytes('zero'), qos: 0, retain: false, dup: false });

        // QoS 1: PUBLISH → PUBACK, then the broker's PUBLISH → our PUBACK.
        pub.send({ type: 'publish', topic: `${p}/qos/1`, payload: bytes('one'), qos: 1, retain: false, dup: false, packetId: 10 });
        expect(await pub.next()).toStrictEqual(ack('puback', 10, v));
        const q1 = await sub.nextOf('publish');
        const id1 = brokerPacketId(q1);
        expect(q1).toStrictEqual({ type: 'publish', topic: `${p}/qos/1`, payload: bytes('one'), qos: 1, retain: false, dup: false, packetId: id1 });
        sub.send({ type: 'puback', packetId: id1 });

        // QoS 2: PUBLISH → PUBREC → PUBREL → PUBCOMP, then the same four steps from the broker.
        pub.send({ type: 'publish', topic: `${p}/qos/2`, payload: bytes('two'), qos: 2, retain: false, dup: false, packetId: 11 });
        expect(await pub.next()).toStrictEqual(ack('pubrec', 11, v));
        pub.send({ type: 'pubrel', packetId: 11 });
        expect(await pub.next()).toStrictEqual(ack('pubcomp', 11, v));
        const q2 = await sub.nextOf('publish');
        const id2 = brokerPacketId(q2);
        expect(q2).toStrictEqual({ type: 'publish', topic: `${p}/qos/2`, payload: bytes('two'), qos: 2, retain: false, dup: false, packetId: id2 });
        sub.send({ type: 'pubrec', packetId: id2 });
        expect(await sub.next()).toStrictEqual(ack('pubrel', id2, v));
        sub.send({ type: 'pubcomp', packetId: id2 });

        // The subscription's QoS caps delivery: a QoS 2 message to a QoS 1 subscription arrives at QoS 1.
        const capped = await connected(v, { clientId: `qos-capped-${v}` });
        await subscribe(capped, 1, [[`${p}/qos/capped`, 1]]);
        pub.send({ type: 'publish', topic: `${p}/qos/capped`, payload: bytes('capped'), qos: 2, retain: false, dup: false, packetId: 12 });
        expect(await pub.next()).toStrictEqual(ack('pubrec', 12, v));
        pub.send({ type: 'pubrel', packetId: 12 });
        expect(await pub.next()).toStrictEqual(ack('pubcomp', 12, v));
        const down = await capped.nextOf('publish');
        const id3 = brokerPacketId(down);
        expect(down).toStrictEqual({ type: 'publish', topic: `${p}/qos/capped`, payload: bytes('capped'), qos: 1, retain: false, dup: false, packetId: id3 });
        capped.send({ type: 'puback', packetId: id3 });
        // ${p}/qos/# matched it too, at QoS 2
        const full = await sub.nextOf('publish');
        const id4 = brokerPacketId(full);
        expect(full).toStrictEqual({ type: 'publish', topic: `${p}/qos/capped`, payload: bytes('capped'), qos: 2, retain: false, dup: false, packetId: id4 });
        sub.send({ type: 'pubrec', packetId: id4 });
        expect(await sub.next()).toStrictEqual(ack('pubrel', id4, v));
        sub.send({ type: 'pubcomp', packetId: id4 });
        expect(await sub.quietFor(150)).toBe(true);
      });

      test('a persistent session: messages published while offline arrive on reconnect with sessionPresent', async () => {
        const id = `sess-${v}`;
        const session = v === 5 ? { clean: false, properties: { sessionExpiryInterval: 60 } } : { clean: false };
        const first = await connected(v, { clientId: id, ...session });
        await subscribe(first, 1, [[`${p}/offline`, 1]]);
        first.send(v === 5 ? { type: 'disconnect', reasonCode: 0 } : { type: 'disconnect' });
        await first.closedByPeer();
        const pub = await connected(v, { clientId: `sess-pub-${v}` });
        pub.send({ type: 'publish', topic: `${p}/offline`, payload: bytes('queued'), qos: 1, retain: false, dup: false, packetId: 1 });
        expect(await pub.next()).toStrictEqual(ack('puback', 1, v));
        const again = await connectRaw(v, { clientId: id, ...session });
        // MQTT 3.1 has no Session Present flag (that CONNACK byte is reserved), so level 3 reads false.
        expect(again.connack).toStrictEqual(
          v === 5
            ? { type: 'connack', sessionPresent: true, reasonCode: 0, properties: MOSQUITTO_CONNACK_PROPERTIES }
            : { type: 'connack', sessionPresent: v === 4, reasonCode: 0 },
        );
        const queued = await again.client.nextOf('publish');
        const mid = brokerPacketId(queued);
        expect(queued).toStrictEqual({ type: 'publish', topic: `${p}/offline`, payload: bytes('queued'), qos: 1, retain: false, dup: false, packetId: mid });
        again.client.send({ type: 'puback', packetId: mid });
        // end the session so it does not linger in the broker
        again.client.send(v === 5 ? { type: 'disconnect', reasonCode: 0, properties: { sessionExpiryInterval: 0 } } : { type: 'disconnect' });
        await again.client.closedByPeer();
      });

      test('retained messages: stored, sent with retain 1 to new subscribers, cleared by an empty payload', async () => {
        const pub = await connected(v, { clientId: `ret-pub-${v}` });
        pub.send({ type: 'publish', topic: `${p}/ret/a`, payload: bytes('kept'), qos: 1, retain: true, dup: false, packetId: 3 });
        // 5.0: nobody is subscribed yet, so mosquitto says 0x10 No matching subscribers (the message is still retained)
        expect(await pub.next()).toStrictEqual(ack('puback', 3, v, 0x10));

        const sub = await connected(v, { clientId: `ret-sub-${v}` });
        await subscribe(sub, 1, [[`${p}/ret/#`, 0]]);
        expect(await sub.next()).toStrictEqual({ type: 'publish', topic: `${p}/ret/a`, payload: bytes('kept'), qos: 0, retain: true, dup: false });

        // A live message to an existing subscriber has retain 0 (MQTT-3.3.1-9), also the empty one that clears.
        pub.send({ type: 'publish', topic: `${p}/ret/a`, payload: new Uint8Array(0), qos: 0, retain: true, dup: false });
        expect(await sub.next()).toStrictEqual({ type: 'publish', topic: `${p}/ret/a`, payload: new Uint8Array(0), qos: 0, retain: false, dup: false });

        const late = await connected(v, { clientId: `ret-late-${v}` });
        await subscribe(late, 1, [[`${p}/ret/#`, 0]]);
        expect(await late.quietFor(200)).toBe(true);
      });

      test('a will is published when the client vanishes without DISCONNECT (socket destroyed)', async () => {
        const watcher = await connected(v, { clientId: `will-watch-${v}` });
        await subscribe(watcher, 1, [[`${p}/will`, 1]]);
        const willProperties = { contentType: 'text/plain', userProperties: [['why', 'crash'], ['why', 'test']] as [string, string][] };
        const doomed = await connected(v, {
          clientId: `will-${v}`,
          will: { topic: `${p}/will`, payload: bytes('gone'), qos: 1, retain: false, ...(v === 5 ? { properties: willProperties } : {}) },
        });
        doomed.destroy();
        const will = await watcher.nextOf('publish');
        const mid = brokerPacketId(will);
        expect(will).toStrictEqual({
          type: 'publish',
          topic: `${p}/will`,
          payload: bytes('gone'),
          qos: 1,
          retain: false,
          dup: false,
          packetId: mid,
          ...(v === 5 ? { properties: willProperties } : {}),
        });
        watcher.send({ type: 'puback', packetId: mid });

        // After a normal DISCONNECT the will is discarded (MQTT-3.1.2-10 / MQTT-3.14.4-3).
        const polite = await connected(v, {
          clientId: `will-polite-${v}`,
          will: { topic: `${p}/will`, payload: bytes('not sent'), qos: 0, retain: false },
        });
        polite.send(v === 5 ? { type: 'disconnect', reasonCode: 0 } : { type: 'disconnect' });
        await polite.closedByPeer();
        expect(await watcher.quietFor(200)).toBe(true);
      });

      test('UNSUBSCRIBE / UNSUBACK stops delivery', async () => {
        const sub = await connected(v, { clientId: `unsub-${v}` });
        await subscribe(sub, 1, [[`${p}/un/a`, 0], [`${p}/un/b`, 0]]);
        sub.send({ type: 'unsubscribe', packetId: 2, topicFilters: [`${p}/un/a`, `${p}/un/never`] });
        // 5.0: one reason code per filter, 0x11 No subscription existed for the second.
        expect(await sub.next()).toStrictEqual(
          v === 5 ? { type: 'unsuback', packetId: 2, reasonCodes: [0x00, 0x11] } : { type: 'unsuback', packetId: 2 },
        );
        const pub = await connected(v, { clientId: `unsub-pub-${v}` });
        pub.send({ type: 'publish', topic: `${p}/un/a`, payload: bytes('a'), qos: 0, retain: false, dup: false });
        pub.send({ type: 'publish', topic: `${p}/un/b`, payload: bytes('b'), qos: 0, retain: false, dup: false });
        expect(await sub.next()).toStrictEqual({ type: 'publish', topic: `${p}/un/b`, payload: bytes('b'), qos: 0, retain: false, dup: false });
        expect(await sub.quietFor(150)).toBe(true);
      });
    });
  }

  describe('MQTT 5.0 features', () => {
    const p = 'wire/v5x';

    test('CONNACK properties: an empty Client Identifier gets an Assigned Client Identifier', async () => {
      const { client, connack } = await connectRaw(5, { clientId: '' });
      const assigned = connack.properties?.assignedClientIdentifier ?? '';
      expect(assigned).toMatch(/^auto-[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}$/);
      expect(connack).toStrictEqual({
        type: 'connack',
        sessionPresent: false,
        reasonCode: 0,
        properties: { ...MOSQUITTO_CONNACK_PROPERTIES, assignedClientIdentifier: assigned },
      });
      client.destroy();
    });

    test('user properties, content type, response topic, correlation data, payload format pass through unchanged', async () => {
      const sub = await connected(5, { clientId: 'props-sub' });
      await subscribe(sub, 1, [[`${p}/props`, 1]]);
      const pub = await connected(5, { clientId: 'props-pub' });
      const properties = {
        payloadFormatIndicator: 1,
        contentType: 'application/json; charset=utf-8',
        responseTopic: `${p}/reply/ü`,
        correlationData: new Uint8Array([0x00, 0xff, 0x10, 0x80]),
        // order and repeats are part of the message (MQTT-3.3.2-18)
        userProperties: [
          ['k', 'v1'],
          ['émoji', '🦀'],
          ['k', 'v2'],
          ['', ''],
        ] as [string, string][],
      };
      pub.send({ type: 'publish', topic: `${p}/props`, payload: bytes('{"a":1}'), qos: 1, retain: false, dup: false, packetId: 5, properties });
      expect(await pub.next()).toStrictEqual(ack('puback', 5, 5));
      const got = await sub.nextOf('publish');
      const mid = brokerPacketId(got);
      expect(got).toStrictEqual({ type: 'publish', topic: `${p}/props`, payload: bytes('{"a":1}'), qos: 1, retain: false, dup: false, packetId: mid, properties });
      sub.send({ type: 'puback', packetId: mid, reasonCode: 0 });
    });

    test('PUBACK carries 0x10 No matching subscribers when nobody listens; PUBREC from mosquitto says 0x00', async () => {
      const pub = await connected(5, { clientId: 'nomatch' });
      pub.send({ type: 'publish', topic: `${p}/nobody`, payload: bytes('x'), qos: 1, retain: false, dup: false, packetId: 1 });
      expect(await pub.next()).toStrictEqual({ type: 'puback', packetId: 1, reasonCode: 0x10 });
      pub.send({ type: 'publish', topic: `${p}/nobody`, payload: bytes('x'), qos: 2, retain: false, dup: false, packetId: 2 });
      // mosquitto routes a QoS 2 message only on PUBREL, so its PUBREC cannot know yet; 0x10 is optional anyway.
      expect(await pub.next()).toStrictEqual({ type: 'pubrec', packetId: 2, reasonCode: 0x00 });
      pub.send({ type: 'pubrel', packetId: 2, reasonCode: 0 });
      expect(await pub.next()).toStrictEqual({ type: 'pubcomp', packetId: 2, reasonCode: 0 });
    });

    test('Message Expiry Interval: forwarded as the time left; an expired retained message is not sent', async () => {
      const sub = await connected(5, { clientId: 'exp-sub' });
      await subscribe(sub, 1, [[`${p}/exp/live`, 0]]);
      const pub = await connected(5, { clientId: 'exp-pub' });
      pub.send({ type: 'publish', topic: `${p}/exp/live`, payload: bytes('l'), qos: 0, retain: false, dup: false, properties: { messageExpiryInterval: 60 } });
      const live = await sub.nextOf('publish');
      // The broker sends the remaining lifetime (MQTT-3.3.2-6); a second boundary may pass in between.
      const left = live.properties?.messageExpiryInterval ?? -1;
      expect(left === 60 || left === 59).toBe(true);
      expect(live).toStrictEqual({ type: 'publish', topic: `${p}/exp/live`, payload: bytes('l'), qos: 0, retain: false, dup: false, properties: { messageExpiryInterval: left } });

      pub.send({ type: 'publish', topic: `${p}/exp/ret/short`, payload: bytes('s'), qos: 0, retain: true, dup: false, properties: { messageExpiryInterval: 1 } });
      pub.send({ type: 'publish', topic: `${p}/exp/ret/long`, payload: bytes('L'), qos: 1, retain: true, dup: false, packetId: 9, properties: { messageExpiryInterval: 3600 } });
      expect(await pub.next()).toStrictEqual({ type: 'puback', packetId: 9, reasonCode: 0x10 });
      // mosquitto counts whole seconds and drops a message once now > publish time + interval: wait past 2 s.
      await new Promise((r) => setTimeout(r, 2100));
      const late = await connected(5, { clientId: 'exp-late' });
      await subscribe(late, 1, [[`${p}/exp/ret/+`, 0]]);
      const kept = await late.nextOf('publish');
      const keptLeft = kept.properties?.messageExpiryInterval ?? -1;
      expect(keptLeft).toBeGreaterThanOrEqual(3590);
      expect(keptLeft).toBeLessThanOrEqual(3599);
      expect(kept).toStrictEqual({ type: 'publish', topic: `${p}/exp/ret/long`, payload: bytes('L'), qos: 0, retain: true, dup: false, properties: { messageExpiryInterval: keptLeft } });
      expect(await late.quietFor(200)).toBe(true);
    });

    test('Topic Alias: set then used with an empty topic; an alias over the maximum gets DISCONNECT 0x94', async () => {
      const sub = await connected(5, { clientId: 'alias-sub' });
      await subscribe(sub, 1, [[`${p}/alias/#`, 0]]);
      const pub = await connected(5, { clientId: 'alias-pub' });
      pub.send({ type: 'publish', topic: `${p}/alias/long/topic/name`, payload: bytes('1'), qos: 0, retain: false, dup: false, properties: { topicAlias: 3 } });
      pub.send({ type: 'publish', topic: '', payload: bytes('2'), qos: 0, retain: false, dup: false, properties: { topicAlias: 3 } });
      // The subscriber did not offer aliases (no Topic Alias Maximum), so it sees the full name both times.
      expect(await sub.next()).toStrictEqual({ type: 'publish', topic: `${p}/alias/long/topic/name`, payload: bytes('1'), qos: 0, retain: false, dup: false });
      expect(await sub.next()).toStrictEqual({ type: 'publish', topic: `${p}/alias/long/topic/name`, payload: bytes('2'), qos: 0, retain: false, dup: false });
      // CONNACK said Topic Alias Maximum 10: alias 11 is a protocol violation (MQTT-3.3.2-9).
      pub.send({ type: 'publish', topic: `${p}/alias/x`, payload: bytes('3'), qos: 0, retain: false, dup: false, properties: { topicAlias: 11 } });
      expect(await pub.next()).toStrictEqual({ type: 'disconnect', reasonCode: 0x94 });
      await pub.closedByPeer();
      expect(await sub.quietFor(150)).toBe(true);
    });

    test('Subscription Identifiers come back on each matching subscription', async () => {
      const sub = await connected(5, { clientId: 'subid' });
      sub.send({ type: 'subscribe', packetId: 1, subscriptions: [{ topicFilter: `${p}/sid/#`, qos: 1 }], properties: { subscriptionIdentifier: 7 } });
      expect(await sub.next()).toStrictEqual({ type: 'suback', packetId: 1, reasonCodes: [1] });
      sub.send({
        type: 'subscribe',
        packetId: 2,
        subscriptions: [{ topicFilter: `${p}/sid/+`, qos: 0 }],
        properties: { subscriptionIdentifier: 268_435_455, userProperties: [['a', 'b']] },
      });
      expect(await sub.next()).toStrictEqual({ type: 'suback', packetId: 2, reasonCodes: [0] });
      const pub = await connected(5, { clientId: 'subid-pub' });
      pub.send({ type: 'publish', topic: `${p}/sid/x`, payload: bytes('x'), qos: 0, retain: false, dup: false });
      // mosquitto 2.0 sends one copy per matching subscription, each with its own identifier (MQTT-3.3.4-3/-4).
      const copies = [await sub.nextOf('publish'), await sub.nextOf('publish')];
      copies.sort((a, b) => (a.properties?.subscriptionIdentifiers?.[0] ?? 0) - (b.properties?.subscriptionIdentifiers?.[0] ?? 0));
      expect(copies).toStrictEqual([
        { type: 'publish', topic: `${p}/sid/x`, payload: bytes('x'), qos: 0, retain: false, dup: false, properties: { subscriptionIdentifiers: [7] } },
        { type: 'publish', topic: `${p}/sid/x`, payload: bytes('x'), qos: 0, retain: false, dup: false, properties: { subscriptionIdentifiers: [268_435_455] } },
      ]);
    });

    test('SUBSCRIBE options: No Local, Retain As Published, Retain Handling 2', async () => {
      const pub = await connected(5, { clientId: 'opts-pub' });
      pub.send({ type: 'publish', topic: `${p}/opts/r`, payload: bytes('old'), qos: 0, retain: true, dup: false });
      const c = await connected(5, { clientId: 'opts' });
      c.send({
        type: 'subscribe',
        packetId: 1,
        subscriptions: [
          { topicFilter: `${p}/opts/r`, qos: 0, noLocal: false, retainAsPublished: true, retainHandling: 2 },
          { topicFilter: `${p}/opts/self`, qos: 0, noLocal: true, retainAsPublished: false, retainHandling: 0 },
        ],
      });
      expect(await c.next()).toStrictEqual({ type: 'suback', packetId: 1, reasonCodes: [0, 0] });
      // Retain Handling 2: the stored message is not sent. No Local: our own message is not echoed.
      c.send({ type: 'publish', topic: `${p}/opts/self`, payload: bytes('me'), qos: 0, retain: false, dup: false });
      // Retain As Published: a live retained message keeps retain 1.
      pub.send({ type: 'publish', topic: `${p}/opts/r`, payload: bytes('new'), qos: 0, retain: true, dup: false });
      expect(await c.next()).toStrictEqual({ type: 'publish', topic: `${p}/opts/r`, payload: bytes('new'), qos: 0, retain: true, dup: false });
      expect(await c.quietFor(150)).toBe(true);
      pub.send({ type: 'publish', topic: `${p}/opts/r`, payload: new Uint8Array(0), qos: 0, retain: true, dup: false });
    });

    test('DISCONNECT 0x04 (Disconnect with Will Message) publishes the will with its properties', async () => {
      const watcher = await connected(5, { clientId: 'dw-watch' });
      await subscribe(watcher, 1, [[`${p}/dw`, 0]]);
      const willProperties = { payloadFormatIndicator: 1, responseTopic: `${p}/dw/reply`, correlationData: bytes('corr') };
      const c = await connected(5, {
        clientId: 'dw',
        will: { topic: `${p}/dw`, payload: bytes('bye'), qos: 0, retain: false, properties: willProperties },
      });
      c.send({ type: 'disconnect', reasonCode: 0x04, properties: { reasonString: 'leaving on purpose' } });
      await c.closedByPeer();
      expect(await watcher.next()).toStrictEqual({ type: 'publish', topic: `${p}/dw`, payload: bytes('bye'), qos: 0, retain: false, dup: false, properties: willProperties });
    });

    test('a 2 MiB payload goes through both ways (maxPacketSize raised)', async () => {
      const size = 2 * 1024 * 1024;
      const payload = new Uint8Array(size);
      // deterministic, non-repeating-looking bytes (xorshift)
      let x = 0x12345678;
      for (let i = 0; i < size; i++) {
        x ^= x << 13;
        x ^= x >>> 17;
        x ^= x << 5;
        payload[i] = x & 0xff;
      }
      const sub = await connected(5, { clientId: 'big-sub' }, 4 * 1024 * 1024);
      await subscribe(sub, 1, [[`${p}/big`, 1]]);
      const pub = await connected(5, { clientId: 'big-pub' });
      pub.send({ type: 'publish', topic: `${p}/big`, payload, qos: 1, retain: false, dup: false, packetId: 1, properties: { contentType: 'application/octet-stream' } });
      expect(await pub.next(10_000)).toStrictEqual({ type: 'puback', packetId: 1, reasonCode: 0 });
      const got = await sub.nextOf('publish', 10_000);
      const mid = brokerPacketId(got);
      expect(got.payload.length).toBe(size);
      expect(Buffer.compare(got.payload, payload)).toBe(0);
      expect({ ...got, payload: undefined }).toStrictEqual({
        type: 'publish',
        topic: `${p}/big`,
        payload: undefined,
        qos: 1,
        retain: false,
        dup: false,
        packetId: mid,
        properties: { contentType: 'application/octet-stream' },
      });
      sub.send({ type: 'puback', packetId: mid, reasonCode: 0 });

      // The default 1 MiB limit refuses the same message: the decoder reports packet-too-large, it does not buffer it.
      const small = await connected(5, { clientId: 'big-small' });
      expectDecodeError.add(small);
      await subscribe(small, 1, [[`${p}/big`, 0]]);
      pub.send({ type: 'publish', topic: `${p}/big`, payload, qos: 0, retain: false, dup: false });
      await expect(small.next(10_000)).rejects.toThrow(/exceeds the maximum packet size of 1048576 bytes/);
      expect((small.decodeError?.cause as MqttError).code).toBe('packet-too-large');
    });
  });
});
