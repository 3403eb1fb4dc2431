// Real programs on the compat layer, as a user would run them: MQTT.js 5.x and aedes 1.2.0 installed from the npm
// registry into a scratch directory, with `mqtt-packet` swapped for mqtt-wire-compat by one `overrides` entry
// (scripts/swap-install.mjs). Then:
//  - MQTT.js clients at 3.1.1 and 5.0 through a mosquitto broker, and the same scenario with the MQTT.js of this
//    repository (on the real mqtt-packet): what each observes must be the same;
//  - an aedes broker serving MQTT.js clients and mosquitto_pub / mosquitto_sub.
// The scenario: connect, subscribe, PUBLISH at QoS 0, 1 and 2 both ways, retained messages, a will, unsubscribe,
// keep-alive pings; at 5.0 also user properties and topic aliases.

import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { installWithSwap, installedMqttPacket, packSwap, scratchDir } from '../../scripts/swap-install.mjs';
import { INSTALL_HINT, findExecutable, freePort, startMosquitto, type MosquittoBroker } from '../interop/mosquitto-process.js';

const haveMosquitto = ['mosquitto', 'mosquitto_passwd', 'mosquitto_pub', 'mosquitto_sub'].every((b) => findExecutable(b) !== undefined);
const onCi = (process.env.CI ?? '') !== '' && process.env.CI !== 'false';
const skip = !haveMosquitto && !onCi;
if (skip) console.warn(`\n*** compat real-program tests SKIPPED: mosquitto is not on PATH; ${INSTALL_HINT} ***\n`);

const repoRequire = createRequire(import.meta.url);
const MQTT_VERSION: string = repoRequire('mqtt/package.json').version;

type MqttLib = typeof import('mqtt');
type Client = import('mqtt').MqttClient;

let dir: string;
let project: string;
let swapped: MqttLib;
let Aedes: { createBroker(opts?: object): Promise<{ handle(socket: unknown): void; close(cb?: () => void): void }> };
let mosquitto: MosquittoBroker | undefined;

beforeAll(async () => {
  if (skip) return;
  dir = scratchDir('programs');
  project = join(dir, 'project');
  const { mkdirSync } = await import('node:fs');
  mkdirSync(project);
  installWithSwap(project, { name: 'compat-programs', private: true, dependencies: { mqtt: MQTT_VERSION, aedes: '1.2.0' } }, await packSwap(dir));
  const req = createRequire(join(project, 'package.json'));
  swapped = req('mqtt') as MqttLib;
  Aedes = ((await import(pathToFileURL(req.resolve('aedes')).href)) as { Aedes: typeof Aedes }).Aedes;
  mosquitto = await startMosquitto();
}, 240_000);

afterAll(async () => {
  await mosquitto?.stop();
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
});

// ---------------------------------------------------------------------------------------------------------------

function within<T>(ms: number, what: string, promise: Promise<T>): Promise<T> {
  return Promise.race([promise, new Promise<T>((_, reject) => setTimeout(() => reject(new Error(`timed out after ${ms} ms: ${what}`)), ms))]);
}

interface Message {
  topic: string;
  payload: string;
  qos: number;
  retain: boolean;
  properties?: unknown;
}

/** A connected client with the messages it receives. */
interface Peer {
  client: Client;
  messages: Message[];
  /** Resolves with the next message whose topic is `topic` (received already or later). */
  next(topic: string): Promise<Message>;
}

let clientSeq = 0;

async function connect(lib: MqttLib, url: string, version: 4 | 5, options: object = {}): Promise<Peer> {
  const client = lib.connect(url, {
    clientId: `compat-${process.pid}-${clientSeq++}`,
    protocolVersion: version,
    reconnectPeriod: 0,
    connectTimeout: 5000,
    keepalive: 30,
    ...options,
  });
  const messages: Message[] = [];
  const waiters: { topic: string; resolve: (m: Message) => void }[] = [];
  client.on('message', (topic, payload, packet) => {
    const m: Message = { topic, payload: payload.toString(), qos: packet.qos, retain: packet.retain };
    if (packet.properties !== undefined) m.properties = { ...packet.properties };
    const i = waiters.findIndex((w) => w.topic === topic);
    if (i !== -1) waiters.splice(i, 1)[0]!.resolve(m);
    else messages.push(m);
  });
  await within(
    8000,
    'connect',
    new Promise<void>((resolve, reject) => {
      client.once('connect', () => resolve());
      client.once('error', reject);
    }),
  );
  return {
    client,
    messages,
    next: (topic) => {
      const seen = messages.find((m) => m.topic === topic);
      if (seen !== undefined) {
        messages.splice(messages.indexOf(seen), 1);
        return Promise.resolve(seen);
      }
      return within(8000, `a message on ${topic}`, new Promise<Message>((resolve) => waiters.push({ topic, resolve })));
    },
  };
}

function end(...peers: Peer[]): Promise<void> {
  return Promise.all(peers.map((p) => new Promise<void>((resolve) => p.client.end(true, {}, () => resolve())))).then(() => undefined);
}

/**
 * The scenario, observed from the clients: what each call returned and each message received, with the
 * nondeterministic parts (client ids, timing) left out. `base` prefixes the topics, so runs do not meet.
 */
async function scenario(lib: MqttLib, url: string, version: 4 | 5, base: string): Promise<unknown[]> {
  const log: unknown[] = [];
  const sub = await connect(lib, url, version, { keepalive: 1 });
  const pub = await connect(lib, url, version);
  log.push(['granted', (await sub.client.subscribeAsync(`${base}/#`, { qos: 2 })).map((g) => g.qos)]);

  // QoS 0, 1 and 2 from a client (PUBACK, PUBREC/PUBREL/PUBCOMP to it) and to a client (the same from it)
  for (const qos of [0, 1, 2] as const) {
    await pub.client.publishAsync(`${base}/q${qos}`, `payload at qos ${qos}`, { qos });
    log.push(['received', await sub.next(`${base}/q${qos}`)]);
  }

  // retained: live delivery without the flag, a new subscriber's copy with it; cleared by an empty payload
  await pub.client.publishAsync(`${base}/retained`, 'kept', { qos: 1, retain: true });
  log.push(['live', await sub.next(`${base}/retained`)]);
  const late = await connect(lib, url, version);
  await late.client.subscribeAsync(`${base}/retained`, { qos: 1 });
  log.push(['late subscriber', await late.next(`${base}/retained`)]);
  await pub.client.publishAsync(`${base}/retained`, '', { qos: 1, retain: true });
  log.push(['cleared', await sub.next(`${base}/retained`)]);

  // a will, published when its client's connection breaks
  const willing = await connect(lib, url, version, { will: { topic: `${base}/will`, payload: 'gone', qos: 1, retain: false } });
  willing.client.stream.destroy();
  log.push(['will', await sub.next(`${base}/will`)]);

  // keep-alive: with a 1 s Keep Alive, the subscriber has pinged and been answered by now or soon
  await within(
    5000,
    'a PINGRESP',
    new Promise<void>((resolve) => {
      sub.client.on('packetreceive', (packet) => packet.cmd === 'pingresp' && resolve());
    }),
  );
  log.push('pinged');

  if (version === 5) {
    // user properties (a repeated name too) and a content type, through the broker
    const properties = { userProperties: { site: 'plant-7', tag: ['a', 'b'] }, contentType: 'text/plain' };
    await pub.client.publishAsync(`${base}/props`, 'with properties', { qos: 1, properties });
    log.push(['properties', await sub.next(`${base}/props`)]);
    // topic aliases: the second PUBLISH to a topic goes out with an empty topic and the alias
    const aliased = await connect(lib, url, version, { autoAssignTopicAlias: true });
    const sent: unknown[] = [];
    aliased.client.on('packetsend', (p) => {
      if (p.cmd === 'publish') sent.push([p.topic === '' ? '' : p.topic.slice(base.length), p.properties?.topicAlias]);
    });
    for (const n of [1, 2]) {
      await aliased.client.publishAsync(`${base}/alias`, `aliased ${n}`, { qos: 1 });
      log.push(['alias', await sub.next(`${base}/alias`)]);
    }
    log.push(['sent with aliases', sent]);
    await end(aliased);
  }

  // unsubscribe: nothing more from base/#, only the marker subscribed to after it
  await sub.client.unsubscribeAsync(`${base}/#`);
  await sub.client.subscribeAsync(`${base}/marker`, { qos: 1 });
  await pub.client.publishAsync(`${base}/after`, 'not delivered', { qos: 1 });
  await pub.client.publishAsync(`${base}/marker`, 'marker', { qos: 1 });
  log.push(['marker', await sub.next(`${base}/marker`)]);
  log.push(['left over', sub.messages.map((m) => m.topic.slice(base.length))]);
  await end(sub, pub, late);
  // topics without the run's prefix, so two runs compare equal
  return JSON.parse(JSON.stringify(log).replaceAll(base, '<base>'));
}

/** mqtt-packet as the scratch project's MQTT.js resolves it. */
function mqttPacketOf(req: NodeJS.Require): string {
  return createRequire(req.resolve('mqtt')).resolve('mqtt-packet');
}

describe.skipIf(skip)('MQTT.js on the compat layer through mosquitto', () => {
  it('the scratch project has mqtt-packet swapped everywhere, MQTT.js included', () => {
    const copies = installedMqttPacket(project);
    expect(copies.length).toBeGreaterThan(0);
    expect(copies.map(([, name]) => name)).toStrictEqual(copies.map(() => 'mqtt-wire-compat'));
    const nameOf = (resolved: string): string => repoRequire(`${resolved.slice(0, resolved.lastIndexOf('/mqtt-packet/'))}/mqtt-packet/package.json`).name;
    expect(nameOf(mqttPacketOf(createRequire(join(project, 'package.json'))))).toBe('mqtt-wire-compat');
    // the repository's own MQTT.js, the reference, is on the real mqtt-packet
    expect(nameOf(mqttPacketOf(repoRequire))).toBe('mqtt-packet');
  });

  for (const version of [4, 5] as const) {
    it(`${version === 4 ? '3.1.1' : '5.0'}: the same observations as MQTT.js on mqtt-packet`, async () => {
      const url = `mqtt://127.0.0.1:${mosquitto!.port}`;
      const ours = await scenario(swapped, url, version, `compat-swap-${version}-${process.pid}`);
      const reference = await scenario(repoRequire('mqtt') as MqttLib, url, version, `compat-ref-${version}-${process.pid}`);
      expect(ours).toStrictEqual(reference);
      // and they are what the scenario asks for
      expect(ours).toContainEqual(['received', { topic: '<base>/q2', payload: 'payload at qos 2', qos: 2, retain: false }]);
      expect(ours).toContainEqual(['late subscriber', expect.objectContaining({ payload: 'kept', retain: true })]);
      expect(ours).toContainEqual(['will', expect.objectContaining({ payload: 'gone', qos: 1 })]);
      expect(ours).toContainEqual(['left over', []]);
      if (version === 5) {
        expect(ours).toContainEqual(['properties', expect.objectContaining({ properties: { userProperties: { site: 'plant-7', tag: ['a', 'b'] }, contentType: 'text/plain' } })]);
        expect(ours.find((e) => Array.isArray(e) && e[0] === 'sent with aliases')).toStrictEqual(['sent with aliases', [['/alias', 1], ['', 1]]]);
      }
    }, 60_000);
  }
});

describe.skipIf(skip)('aedes on the compat layer', () => {
  let server: Server;
  let port: number;
  let broker: Awaited<ReturnType<typeof Aedes.createBroker>>;

  beforeAll(async () => {
    if (skip) return;
    broker = await Aedes.createBroker();
    server = createServer((socket) => broker.handle(socket));
    port = await freePort();
    await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  });

  afterAll(async () => {
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    await new Promise<void>((resolve) => (broker ? broker.close(() => resolve()) : resolve()));
  });

  it('serves MQTT.js 3.1.1 clients (on the compat layer too) as mosquitto serves them', async () => {
    const ours = await scenario(swapped, `mqtt://127.0.0.1:${port}`, 4, `aedes-${process.pid}`);
    const reference = await scenario(swapped, `mqtt://127.0.0.1:${mosquitto!.port}`, 4, `mosq-${process.pid}`);
    expect(ours).toStrictEqual(reference);
  }, 60_000);

  it('answers a 5.0 client with the 3.1.1 CONNACK 0x01, which MQTT.js reads at 5.0 and reports', async () => {
    const client = swapped.connect(`mqtt://127.0.0.1:${port}`, { protocolVersion: 5, reconnectPeriod: 0, connectTimeout: 5000 });
    const error = await within(8000, 'the refusal', new Promise<Error & { code?: number }>((resolve) => client.once('error', resolve)));
    client.end(true);
    expect([error.code, error.message]).toStrictEqual([1, 'Connection refused: Unacceptable protocol version']);
  });

  it('serves mosquitto_pub and mosquitto_sub: QoS 0, 1 and 2, and a retained message', async () => {
    const base = `tools-${process.pid}`;
    const run = (bin: string, args: string[]): Promise<{ code: number | null; out: string }> =>
      new Promise((resolve) => {
        const child = spawn(findExecutable(bin)!, ['-h', '127.0.0.1', '-p', String(port), '-V', 'mqttv311', ...args]);
        let out = '';
        child.stdout.on('data', (d: Buffer) => (out += d.toString()));
        child.stderr.on('data', (d: Buffer) => (out += d.toString()));
        child.on('exit', (code) => resolve({ code, out }));
      });
    expect(await run('mosquitto_pub', ['-t', `${base}/retained`, '-m', 'kept', '-q', '1', '-r'])).toStrictEqual({ code: 0, out: '' });
    // the subscriber reads the retained message and the three that follow, then leaves (-C 4)
    const sub = run('mosquitto_sub', ['-t', `${base}/#`, '-q', '2', '-v', '-C', '4', '-W', '10']);
    // a second subscriber has nothing to read and stays through a keep-alive ping (its shortest, 5 s) until -W 7
    const idle = run('mosquitto_sub', ['-t', `${base}/nothing`, '-k', '5', '-W', '7']);
    await new Promise((r) => setTimeout(r, 500));
    for (const qos of ['0', '1', '2']) expect(await run('mosquitto_pub', ['-t', `${base}/q${qos}`, '-m', `at qos ${qos}`, '-q', qos])).toStrictEqual({ code: 0, out: '' });
    const got = await sub;
    expect({ code: got.code, lines: got.out.trim().split('\n') }).toStrictEqual({
      code: 0,
      lines: [`${base}/retained kept`, `${base}/q0 at qos 0`, `${base}/q1 at qos 1`, `${base}/q2 at qos 2`],
    });
    // -W: it waited its 7 s (exit code 27 is mosquitto_sub's timeout) without being dropped
    expect(await idle).toStrictEqual({ code: 27, out: 'Timed out\n' });
  }, 30_000);
});
