#!/usr/bin/env node
// Records real MQTT traffic for the fixtures: starts a private mosquitto on loopback, puts a recording TCP relay in
// front of it, runs mosquitto_pub / mosquitto_sub sessions through the relay, and writes each connection's bytes,
// one file per direction, with an index.json saying what each file holds.
//
//   npm run capture                  # record into a new temporary directory (printed); the tree is left alone
//   npm run capture -- --save        # record into fixtures/captures/, replacing the committed recordings
//   npm run capture -- --out DIR     # record into DIR
//
// Nothing here uses the codec: the recordings must be what the peers sent, not what mqtt-wire thinks they sent.
// test/interop/captures.test.ts then decodes and re-encodes every file.

import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const FIXTURES = join(ROOT, 'fixtures', 'captures');
const USAGE = 'usage: node scripts/capture.mjs [--save | --out DIR]';

/** Where to write: fixtures/captures/ only when asked with --save, so a trial run never dirties the tree. */
function outputDir(args) {
  if (args.length === 0) return mkdtempSync(join(tmpdir(), 'mqtt-wire-captures-'));
  if (args.length === 1 && args[0] === '--save') return FIXTURES;
  if (args.length === 2 && args[0] === '--out' && args[1] !== '') return args[1];
  console.error(`${USAGE}\ngot: ${args.join(' ')}`);
  process.exit(2);
}
/** Every process and every wait is bounded; a local broker answers in milliseconds. */
const PROCESS_TIMEOUT_MS = 15_000;
const WAIT_TIMEOUT_MS = 5_000;
/** Size of the large payload: over 16,383 bytes so the Remaining Length takes 3 bytes, small enough for git. */
const LARGE_PAYLOAD_BYTES = 100_000;

/** Every process this script starts, so that a failure can stop each of them by its handle. */
const spawned = new Set();

const PACKET_NAMES = [
  'reserved', 'connect', 'connack', 'publish', 'puback', 'pubrec', 'pubrel', 'pubcomp',
  'subscribe', 'suback', 'unsubscribe', 'unsuback', 'pingreq', 'pingresp', 'disconnect', 'auth',
];

function findExecutable(name) {
  const dirs = [...(process.env.PATH ?? '').split(':').filter((d) => d !== ''), '/usr/sbin', '/usr/local/sbin', '/opt/homebrew/sbin'];
  for (const dir of dirs) if (existsSync(join(dir, name))) return join(dir, name);
  throw new Error(`${name} not found: install mosquitto and mosquitto-clients (apt-get install -y mosquitto mosquitto-clients)`);
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

async function waitFor(what, check, timeoutMs = WAIT_TIMEOUT_MS) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`timed out waiting for ${what}`);
}

const canConnect = (port) =>
  new Promise((resolve) => {
    const s = createConnection({ host: '127.0.0.1', port });
    s.once('connect', () => (s.destroy(), resolve(true)));
    s.once('error', () => resolve(false));
  });

/** Packet type names of a recorded stream, read from the fixed headers alone (type nibble + Remaining Length). */
function listPackets(bytes) {
  const names = [];
  let pos = 0;
  while (pos < bytes.length) {
    let rl = 0;
    let mul = 1;
    let i = pos + 1;
    for (;;) {
      const b = bytes[i++];
      if (b === undefined) throw new Error(`recording ends inside a fixed header at ${pos}`);
      rl += (b & 0x7f) * mul;
      mul *= 128;
      if ((b & 0x80) === 0) break;
    }
    names.push(PACKET_NAMES[bytes[pos] >> 4]);
    pos = i + rl;
  }
  if (pos !== bytes.length) throw new Error('recording ends inside a packet');
  return names;
}

async function startBroker(dir) {
  const port = await freePort();
  const conf = join(dir, 'mosquitto.conf');
  writeFileSync(
    conf,
    [
      `listener ${port} 127.0.0.1`,
      'allow_anonymous true',
      'persistence false',
      'log_dest stderr',
      'log_type error',
      'log_type warning',
      // started as root, mosquitto would switch to the `mosquitto` user, which cannot read our temp dir
      ...(process.getuid?.() === 0 ? ['user root'] : []),
      '',
    ].join('\n'),
  );
  const child = spawn(findExecutable('mosquitto'), ['-c', conf], { stdio: ['ignore', 'ignore', 'pipe'] });
  spawned.add(child);
  let log = '';
  child.stderr.on('data', (d) => (log += d));
  let exited = false;
  child.once('exit', () => (exited = true));
  await waitFor('mosquitto to listen', async () => {
    if (exited) throw new Error(`mosquitto exited:\n${log}`);
    return canConnect(port);
  });
  return { port, child };
}

/**
 * A TCP relay on loopback that records both directions of every connection. Each connection accepted is given
 * the next label from `expect()`, so sessions must open their connections one at a time.
 */
async function startRelay(brokerPort) {
  const labels = [];
  const connections = new Map();
  const server = createServer((client) => {
    const label = labels.shift();
    if (label === undefined) {
      client.destroy();
      return;
    }
    const rec = { label, c2s: [], s2c: [], open: 2, frames: { s2c: [] } };
    connections.set(label, rec);
    const upstream = createConnection({ host: '127.0.0.1', port: brokerPort });
    client.setNoDelay(true);
    upstream.setNoDelay(true);
    client.on('data', (d) => {
      rec.c2s.push(Buffer.from(d));
      upstream.write(d);
    });
    upstream.on('data', (d) => {
      rec.s2c.push(Buffer.from(d));
      client.write(d);
    });
    const closed = () => {
      rec.open--;
    };
    client.on('end', () => upstream.end());
    upstream.on('end', () => client.end());
    client.on('error', () => upstream.destroy());
    upstream.on('error', () => client.destroy());
    client.on('close', closed);
    upstream.on('close', closed);
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: server.address().port,
    expect: (label) => labels.push(label),
    get: (label) => connections.get(label),
    /** Packet type names seen so far from the broker on `label` (whole frames only). */
    seenFromBroker(label) {
      const rec = connections.get(label);
      if (rec === undefined) return [];
      try {
        return listPackets(Buffer.concat(rec.s2c));
      } catch {
        return [];
      }
    },
    closed: (label) => connections.get(label)?.open === 0,
    close: () => new Promise((resolve) => server.close(resolve)),
  };
}

async function main() {
  const OUT = outputDir(process.argv.slice(2));
  const work = mkdtempSync(join(tmpdir(), 'mqtt-wire-capture-'));
  const pub = findExecutable('mosquitto_pub');
  const sub = findExecutable('mosquitto_sub');
  const help = spawnSync(pub, ['--help'], { encoding: 'utf8' }).stdout;
  // "mosquitto_pub version 2.0.11 running on libmosquitto 2.0.11."
  const clientVersion = /version (\S+) running on libmosquitto (\S+?)\.?$/m.exec(help);
  const brokerVersion = /mosquitto version (\S+)/.exec(spawnSync(findExecutable('mosquitto'), ['-h'], { encoding: 'utf8' }).stdout);
  const version = `mosquitto ${brokerVersion?.[1] ?? '?'} with mosquitto_pub/mosquitto_sub ${clientVersion?.[1] ?? '?'}`;
  const broker = await startBroker(work);
  const relay = await startRelay(broker.port);
  const captures = [];

  /** Starts one client process whose connection is recorded as `label`. */
  async function run(label, tool, args, meta) {
    relay.expect(label);
    const exe = tool === 'mosquitto_pub' ? pub : sub;
    const fullArgs = ['-h', '127.0.0.1', '-p', String(relay.port), ...args];
    const child = spawn(exe, fullArgs, { stdio: ['ignore', 'ignore', 'pipe'] });
    spawned.add(child);
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    const killer = setTimeout(() => child.kill('SIGKILL'), PROCESS_TIMEOUT_MS);
    const exited = new Promise((resolve) =>
      child.once('exit', (code, signal) => {
        clearTimeout(killer);
        spawned.delete(child);
        resolve({ code, signal, stderr });
      }),
    );
    await waitFor(`${label} to connect`, () => relay.get(label) !== undefined);
    const entry = { name: label, version: meta.version, client: tool, args, holds: meta.holds };
    captures.push(entry);
    return { child, exited, entry };
  }
  const waitBroker = (label, type, count = 1) =>
    waitFor(`${label} to receive ${count} ${type}`, () => relay.seenFromBroker(label).filter((t) => t === type).length >= count);
  async function finished(proc, expectCode = 0) {
    const r = await proc.exited;
    if (expectCode !== null && r.code !== expectCode) throw new Error(`${proc.entry.name} exited with ${r.code} ${r.signal ?? ''}: ${r.stderr}`);
    await waitFor(`${proc.entry.name} connection to close`, () => relay.closed(proc.entry.name));
  }

  // --- MQTT 3.1 (level 3, MQIsdp): QoS 1 both ways
  {
    const s = await run('sub-v31', 'mosquitto_sub', ['-V', 'mqttv31', '-i', 'cap-sub-v31', '-q', '1', '-t', 'cap/v31/#', '-C', '1'], {
      version: 3,
      holds: 'MQTT 3.1 subscriber: CONNECT (MQIsdp), SUBSCRIBE QoS 1, receives one QoS 1 PUBLISH and acknowledges it, DISCONNECT',
    });
    await waitBroker('sub-v31', 'suback');
    const p = await run('pub-v31', 'mosquitto_pub', ['-V', 'mqttv31', '-i', 'cap-pub-v31', '-q', '1', '-t', 'cap/v31/a', '-m', 'hello from 3.1'], {
      version: 3,
      holds: 'MQTT 3.1 publisher: CONNECT (MQIsdp), PUBLISH QoS 1 / PUBACK, DISCONNECT',
    });
    await finished(p);
    await finished(s);
  }

  // --- MQTT 3.1.1: QoS 0, 1 and 2, a retained message and its clearing
  {
    const s = await run('sub-v311', 'mosquitto_sub', ['-V', 'mqttv311', '-i', 'cap-sub-v311', '-q', '2', '-t', 'cap/v311/#', '-t', 'cap/v311-other/+/x', '-C', '3'], {
      version: 4,
      holds: 'MQTT 3.1.1 subscriber: SUBSCRIBE with two filters (QoS 2), receives QoS 0, 1 and 2 PUBLISH with PUBACK and PUBREC/PUBREL/PUBCOMP, DISCONNECT',
    });
    await waitBroker('sub-v311', 'suback');
    for (const qos of [0, 1, 2]) {
      const p = await run(`pub-v311-qos${qos}`, 'mosquitto_pub', ['-V', 'mqttv311', '-i', `cap-pub-v311-q${qos}`, '-q', String(qos), '-t', `cap/v311/q${qos}`, '-m', `qos ${qos} message`], {
        version: 4,
        holds: `MQTT 3.1.1 publisher: PUBLISH QoS ${qos}${qos === 1 ? ' / PUBACK' : qos === 2 ? ' / PUBREC / PUBREL / PUBCOMP' : ''}, DISCONNECT`,
      });
      await finished(p);
    }
    await finished(s);

    const r = await run('pub-v311-retain', 'mosquitto_pub', ['-V', 'mqttv311', '-i', 'cap-pub-ret', '-q', '1', '-r', '-t', 'cap/ret/a', '-m', 'retained value'], {
      version: 4,
      holds: 'MQTT 3.1.1 publisher: retained PUBLISH QoS 1',
    });
    await finished(r);
    const rs = await run('sub-v311-retained', 'mosquitto_sub', ['-V', 'mqttv311', '-i', 'cap-sub-ret', '-q', '1', '-t', 'cap/ret/#', '-C', '1'], {
      version: 4,
      holds: 'MQTT 3.1.1 subscriber: receives the retained message (retain flag 1) at subscription',
    });
    await finished(rs);
    const rc = await run('pub-v311-retain-clear', 'mosquitto_pub', ['-V', 'mqttv311', '-i', 'cap-pub-clear', '-r', '-n', '-t', 'cap/ret/a'], {
      version: 4,
      holds: 'MQTT 3.1.1 publisher: retained PUBLISH QoS 0 with an empty payload (clears the retained message)',
    });
    await finished(rc);
  }

  // --- MQTT 3.1.1: keep-alive (mosquitto clients accept 5 s at least, so this one takes about 6 s)
  {
    const k = await run('sub-v311-ping', 'mosquitto_sub', ['-V', 'mqttv311', '-i', 'cap-ping', '-k', '5', '-W', '6', '-t', 'cap/ping'], {
      version: 4,
      holds: 'MQTT 3.1.1 subscriber with Keep Alive 5: PINGREQ / PINGRESP, then DISCONNECT on its -W timeout',
    });
    await finished(k, null);
  }

  // --- MQTT 5.0 with properties (-D) in CONNECT, SUBSCRIBE, PUBLISH and DISCONNECT; QoS 2
  {
    const s = await run('sub-v5-props', 'mosquitto_sub', [
      '-V', 'mqttv5', '-i', 'cap-sub-v5', '-q', '2', '-t', 'cap/v5/#', '-C', '2', '-x', '120',
      '-D', 'connect', 'receive-maximum', '10',
      '-D', 'connect', 'maximum-packet-size', '1000000',
      '-D', 'connect', 'request-problem-information', '1',
      '-D', 'connect', 'user-property', 'client', 'mosquitto_sub',
      '-D', 'subscribe', 'user-property', 'purpose', 'capture',
      '-D', 'disconnect', 'session-expiry-interval', '0',
    ], {
      version: 5,
      holds: 'MQTT 5.0 subscriber: CONNECT and SUBSCRIBE with properties, CONNACK with broker properties, receives a QoS 2 and a QoS 1 PUBLISH with properties, DISCONNECT with properties',
    });
    await waitBroker('sub-v5-props', 'suback');
    const p = await run('pub-v5-props', 'mosquitto_pub', [
      '-V', 'mqttv5', '-i', 'cap-pub-v5', '-q', '2', '-t', 'cap/v5/props', '-m', '{"temp":21.5}',
      '-D', 'connect', 'user-property', 'client', 'mosquitto_pub',
      '-D', 'publish', 'content-type', 'application/json',
      '-D', 'publish', 'payload-format-indicator', '1',
      '-D', 'publish', 'response-topic', 'cap/v5/reply',
      '-D', 'publish', 'correlation-data', 'req-42',
      '-D', 'publish', 'message-expiry-interval', '3600',
      '-D', 'publish', 'user-property', 'unit', 'celsius',
      '-D', 'publish', 'user-property', 'unit', 'kelvin?',
      '-D', 'disconnect', 'user-property', 'bye', 'now',
    ], {
      version: 5,
      holds: 'MQTT 5.0 publisher: PUBLISH QoS 2 with content type, payload format, response topic, correlation data, expiry, repeated user properties; PUBREC/PUBREL/PUBCOMP; DISCONNECT with a user property',
    });
    await finished(p);
    const a = await run('pub-v5-alias', 'mosquitto_pub', [
      '-V', 'mqttv5', '-i', 'cap-pub-alias', '-q', '1', '-t', 'cap/v5/alias', '-m', 'via alias',
      '-D', 'publish', 'topic-alias', '1',
    ], {
      version: 5,
      holds: 'MQTT 5.0 publisher: PUBLISH QoS 1 that sets Topic Alias 1; PUBACK',
    });
    await finished(a);
    await finished(s);
  }

  // --- UNSUBSCRIBE / UNSUBACK (mosquitto_sub -U removes a subscription of a persistent session), at 3.1.1 and 5.0
  for (const [v, flag] of [[4, 'mqttv311'], [5, 'mqttv5']]) {
    const label = `sub-v${v === 5 ? '5' : '311'}-unsub`;
    const u = await run(label, 'mosquitto_sub', ['-V', flag, '-i', `cap-${label}`, '-q', '1', '-t', 'cap/u/keep', '-U', 'cap/u/old', '-U', 'cap/u/+/older', '-E'], {
      version: v,
      holds: `MQTT ${v === 5 ? '5.0' : '3.1.1'} subscriber: SUBSCRIBE, UNSUBSCRIBE with two filters / UNSUBACK, DISCONNECT`,
    });
    await finished(u);
  }

  // --- Wills: a 5.0 client with will properties and a 3.1.1 client, both killed (no DISCONNECT)
  {
    const w = await run('sub-v5-will-watch', 'mosquitto_sub', ['-V', 'mqttv5', '-i', 'cap-will-watch', '-q', '1', '-t', 'cap/will/#', '-C', '2'], {
      version: 5,
      holds: 'MQTT 5.0 subscriber: receives two wills, the 5.0 one with its properties',
    });
    await waitBroker('sub-v5-will-watch', 'suback');
    for (const [label, v, flag] of [['will-v5', 5, 'mqttv5'], ['will-v311', 4, 'mqttv311']]) {
      const extra = v === 5
        ? ['-D', 'will', 'content-type', 'text/plain', '-D', 'will', 'user-property', 'state', 'lost', '-D', 'will', 'message-expiry-interval', '600']
        : [];
      const d = await run(label, 'mosquitto_sub', [
        '-V', flag, '-i', `cap-${label}`, '-t', 'cap/none', '-k', '30',
        '--will-topic', `cap/will/${label}`, '--will-payload', `${label} went away`, '--will-qos', '1', ...extra,
      ], {
        version: v,
        holds: `MQTT ${v === 5 ? '5.0' : '3.1.1'} client with a will (QoS 1${v === 5 ? ', will properties' : ''}), killed after its SUBACK: no DISCONNECT`,
      });
      await waitBroker(label, 'suback');
      d.child.kill('SIGKILL');
      await finished(d, null);
    }
    await finished(w);
  }

  // --- A large payload at 5.0 (Remaining Length in 3 bytes)
  {
    const file = join(work, 'large.txt');
    let text = '';
    for (let i = 0; text.length < LARGE_PAYLOAD_BYTES; i++) text += `line ${i} of the large payload capture\n`;
    writeFileSync(file, text.slice(0, LARGE_PAYLOAD_BYTES));
    const s = await run('sub-v5-large', 'mosquitto_sub', ['-V', 'mqttv5', '-i', 'cap-sub-large', '-q', '1', '-t', 'cap/large', '-C', '1'], {
      version: 5,
      holds: `MQTT 5.0 subscriber: receives a ${LARGE_PAYLOAD_BYTES}-byte QoS 1 PUBLISH`,
    });
    await waitBroker('sub-v5-large', 'suback');
    const p = await run('pub-v5-large', 'mosquitto_pub', ['-V', 'mqttv5', '-i', 'cap-pub-large', '-q', '1', '-t', 'cap/large', '-f', file], {
      version: 5,
      holds: `MQTT 5.0 publisher: a ${LARGE_PAYLOAD_BYTES}-byte QoS 1 PUBLISH (3-byte Remaining Length)`,
    });
    await finished(p);
    await finished(s);
  }

  await relay.close();
  broker.child.kill('SIGTERM');
  spawned.delete(broker.child);

  // Write the recordings and the index.
  mkdirSync(OUT, { recursive: true });
  // in fixtures/captures/, recordings of sessions that no longer exist go; another directory is not ours to clean
  if (OUT === FIXTURES) for (const f of readdirSync(OUT)) if (f.endsWith('.bin')) unlinkSync(join(OUT, f));
  for (const entry of captures) {
    const rec = relay.get(entry.name);
    for (const dir of ['c2s', 's2c']) {
      const bytes = Buffer.concat(rec[dir]);
      const file = `${entry.name}.${dir}.bin`;
      writeFileSync(join(OUT, file), bytes);
      entry[dir] = { file, bytes: bytes.length, packets: listPackets(bytes) };
    }
  }
  const index = {
    about:
      'Raw MQTT traffic between mosquitto_pub/mosquitto_sub and the mosquitto broker, recorded on loopback by ' +
      'scripts/capture.mjs (npm run capture). c2s = client to broker, s2c = broker to client. `version` is the ' +
      'protocol level of the connection; `args` omit the host and port of the recording relay.',
    peers: version,
    captures,
  };
  writeFileSync(join(OUT, 'index.json'), `${JSON.stringify(index, null, 2)}\n`);
  rmSync(work, { recursive: true, force: true });
  console.log(`wrote ${captures.length} sessions (${captures.length * 2} files) to ${OUT}`);
  if (OUT !== FIXTURES) console.log(`fixtures/captures/ is unchanged; compare with: diff -r ${FIXTURES} ${OUT}`);
  for (const c of captures) console.log(`  ${c.name.padEnd(24)} v${c.version}  c2s ${c.c2s.packets.join(' ')} | s2c ${c.s2c.packets.join(' ')}`);
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
  // leave nothing running: stop the broker and any client still alive, each by its own handle
  for (const child of spawned) child.kill('SIGKILL');
  setTimeout(() => process.exit(1), 100).unref();
});
