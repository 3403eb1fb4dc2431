#!/usr/bin/env node
// Makes the capture files of fixtures/pcap/: real mosquitto sessions at MQTT 3.1, 3.1.1 and 5.0 recorded by
// tcpdump and dumpcap in pcap and pcapng with several link types, a WebSocket session, deliberately malformed
// traffic sent by a raw socket, and two small captures written here (BSD loopback link types; out-of-order,
// retransmitted and cut-short TCP). Run as root (it needs its own network namespace, where port 1883 is free and
// no other traffic is seen):
//
//   node scripts/capture-pcap.mjs
//
// Debian's mosquitto is built without WebSocket support (a `protocol websockets` listener fails to start), so
// the WebSocket capture goes through a small WebSocket-to-TCP bridge written here, in front of mosquitto.
// Nothing here uses the codec: the MQTT bytes the raw clients send are spelled out below.

import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const OUT = join(ROOT, 'fixtures', 'pcap');
/** Every wait is bounded; on a private loopback everything answers in milliseconds. */
const TIMEOUT_MS = 10_000;
const MQTT_PORT = 1883;
const WS_PORT = 8080;

if (process.env.MQTT_WIRE_IN_NETNS !== '1') {
  // re-run inside a fresh network namespace: its own loopback, port 1883 free, no other traffic
  const r = spawnSync('unshare', ['--net', process.execPath, fileURLToPath(import.meta.url)], {
    stdio: 'inherit',
    env: { ...process.env, MQTT_WIRE_IN_NETNS: '1' },
  });
  process.exit(r.status ?? 1);
}

const spawned = new Set();
function start(cmd, args) {
  const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  spawned.add(child);
  child.log = '';
  child.stdout.on('data', (d) => (child.log += d));
  child.stderr.on('data', (d) => (child.log += d));
  child.done = new Promise((resolve) => child.once('exit', (code, signal) => (spawned.delete(child), resolve(code ?? signal))));
  return child;
}
async function run(cmd, args) {
  const child = start(cmd, args);
  const timer = setTimeout(() => child.kill('SIGKILL'), TIMEOUT_MS);
  const code = await child.done;
  clearTimeout(timer);
  if (code !== 0) throw new Error(`${cmd} ${args.join(' ')} exited with ${code}:\n${child.log}`);
  return child.log;
}
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
async function waitFor(what, check) {
  const deadline = Date.now() + TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (await check()) return;
    await sleep(20);
  }
  throw new Error(`timed out waiting for ${what}`);
}
const canConnect = (host, port) =>
  new Promise((resolve) => {
    const s = createConnection({ host, port });
    s.once('connect', () => (s.destroy(), resolve(true)));
    s.once('error', () => resolve(false));
  });
function which(name) {
  for (const dir of [...(process.env.PATH ?? '').split(':'), '/usr/sbin', '/usr/bin']) if (dir && existsSync(join(dir, name))) return join(dir, name);
  throw new Error(`${name} not found (apt-get install -y mosquitto mosquitto-clients tcpdump tshark)`);
}

/** Records `body()`'s traffic with tcpdump or dumpcap, written to fixtures/pcap/NAME. */
async function capture(name, tool, args, body) {
  const file = join(OUT, name);
  rmSync(file, { force: true });
  const child = start(which(tool), [...args, '-w', file]);
  await waitFor(`${tool} to start`, () => /listening on|Capturing on/i.test(child.log));
  await body();
  // let the last segments reach the capture, then stop it by its own handle
  await sleep(300);
  child.kill('SIGINT');
  await child.done;
  console.log(`${name}: ${tool} ${args.join(' ')}`);
}

async function pub(...args) {
  await run(which('mosquitto_pub'), ['-h', '127.0.0.1', '-p', String(MQTT_PORT), ...args]);
}

/** mosquitto_sub in the background until it has `count` messages; resolves when it has subscribed. */
async function sub(count, ...args) {
  // line-buffered, so that its debug line for the SUBACK is seen as soon as it is printed
  const child = start(which('stdbuf'), ['-oL', which('mosquitto_sub'), '-h', '127.0.0.1', '-p', String(MQTT_PORT), '-C', String(count), '-d', ...args]);
  await waitFor('mosquitto_sub to subscribe', () => /SUBACK/.test(child.log));
  return async () => {
    const timer = setTimeout(() => child.kill('SIGKILL'), TIMEOUT_MS);
    await child.done;
    clearTimeout(timer);
  };
}

// ---------------------------------------------------------------------------------------------------------------
// MQTT bytes spelled out for the raw clients (no codec)

const enc = new TextEncoder();
const bytes = (...parts) => Uint8Array.from(parts.flatMap((p) => (typeof p === 'number' ? [p] : [...p])));
const str = (s) => bytes((enc.encode(s).length >> 8) & 0xff, enc.encode(s).length & 0xff, enc.encode(s));
function frame(first, ...body) {
  const b = bytes(...body);
  const len = [];
  let n = b.length;
  do {
    let d = n % 128;
    n = Math.floor(n / 128);
    if (n > 0) d |= 0x80;
    len.push(d);
  } while (n > 0);
  return bytes(first, len, b);
}
const connect311 = (clientId, flags = 0x02) => frame(0x10, str('MQTT'), 4, flags, 0, 30, str(clientId));

/** A raw TCP session: sends each chunk (pausing between), reads until the peer closes or `linger` ms pass. */
function rawSession(host, port, chunks, linger = 300) {
  return new Promise((resolve, reject) => {
    const s = createConnection({ host, port });
    let timer;
    s.on('error', (e) => (e.code === 'ECONNRESET' || e.code === 'EPIPE' ? undefined : reject(e)));
    s.on('data', () => {});
    // the broker may close first: the session ends with the socket, whoever closes it
    s.once('close', () => (clearTimeout(timer), resolve()));
    s.once('connect', async () => {
      for (const c of chunks) {
        if (s.destroyed) break;
        s.write(c);
        await sleep(60);
      }
      timer = setTimeout(() => s.end(), linger);
    });
  });
}

// ---------------------------------------------------------------------------------------------------------------
// WebSocket: a bridge (server side) and a client that masks and fragments

const WS_GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';

/** A WebSocket frame: FIN, opcode, optional mask key, payload (masked when a key is given). */
function wsFrame(fin, opcode, payload, mask) {
  const head = [(fin ? 0x80 : 0) | opcode];
  const m = mask ? 0x80 : 0;
  if (payload.length < 126) head.push(m | payload.length);
  else head.push(m | 126, payload.length >> 8, payload.length & 0xff);
  const body = Uint8Array.from(payload);
  if (mask) for (let i = 0; i < body.length; i++) body[i] ^= mask[i & 3];
  return bytes(head, mask ?? [], body);
}

/** Accepts one upgrade per connection and relays binary payloads to and from mosquitto. */
function startBridge() {
  const server = createServer((ws) => {
    let head = Buffer.alloc(0);
    let upstream;
    let buf = Buffer.alloc(0);
    ws.on('error', () => {});
    ws.on('data', (d) => {
      if (upstream === undefined) {
        head = Buffer.concat([head, d]);
        const end = head.indexOf('\r\n\r\n');
        if (end === -1) return;
        const key = /sec-websocket-key:\s*(\S+)/i.exec(head.subarray(0, end).toString('latin1'))[1];
        const accept = createHash('sha1').update(key + WS_GUID).digest('base64');
        ws.write(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\nSec-WebSocket-Protocol: mqtt\r\n\r\n`);
        upstream = createConnection({ host: '127.0.0.1', port: MQTT_PORT });
        upstream.on('error', () => ws.destroy());
        upstream.on('data', (m) => ws.write(wsFrame(true, 2, m)));
        upstream.on('close', () => ws.end());
        d = head.subarray(end + 4);
      }
      buf = Buffer.concat([buf, d]);
      for (;;) {
        if (buf.length < 2) break;
        const opcode = buf[0] & 0x0f;
        let len = buf[1] & 0x7f;
        let p = 2;
        if (len === 126) {
          if (buf.length < 4) break;
          len = buf.readUInt16BE(2);
          p = 4;
        }
        const masked = (buf[1] & 0x80) !== 0;
        if (buf.length < p + (masked ? 4 : 0) + len) break;
        const key = masked ? buf.subarray(p, p + 4) : undefined;
        if (masked) p += 4;
        const payload = Buffer.from(buf.subarray(p, p + len));
        if (key) for (let i = 0; i < len; i++) payload[i] ^= key[i & 3];
        buf = buf.subarray(p + len);
        if (opcode === 8) {
          ws.write(wsFrame(true, 8, payload.subarray(0, 2)));
          upstream.end();
        } else if (opcode === 0 || opcode === 2) {
          upstream.write(payload);
        }
      }
    });
    ws.on('close', () => upstream?.destroy());
  });
  return new Promise((resolve) => server.listen(WS_PORT, '127.0.0.1', () => resolve(server)));
}

async function webSocketSession() {
  const s = createConnection({ host: '127.0.0.1', port: WS_PORT });
  s.on('data', () => {});
  await new Promise((r) => s.once('connect', r));
  const mask = (n) => [0x37 + n, 0xfa, 0x21, 0x3d];
  const send = async (...frames) => {
    s.write(bytes(...frames));
    await sleep(80);
  };
  const key = Buffer.from('mqtt-wire-pcap-k').toString('base64');
  await send(enc.encode(`GET /mqtt HTTP/1.1\r\nHost: 127.0.0.1:${WS_PORT}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: mqtt\r\n\r\n`));
  await send(wsFrame(true, 2, connect311('ws-client'), mask(0)));
  // SUBSCRIBE (id 1, "ws/#", QoS 0) in two fragments of one message
  const subscribe = frame(0x82, 0, 1, str('ws/#'), 0);
  await send(wsFrame(false, 2, subscribe.subarray(0, 5), mask(1)), wsFrame(true, 0, subscribe.subarray(5), mask(2)));
  // a QoS 1 PUBLISH and a PINGREQ in one message
  await send(wsFrame(true, 2, bytes(frame(0x32, str('ws/a'), 0, 2, enc.encode('over websocket')), 0xc0, 0), mask(3)));
  // one PUBLISH spread over two messages
  const split = frame(0x30, str('ws/b'), enc.encode('one frame, two websocket messages'));
  await send(wsFrame(true, 2, split.subarray(0, 9), mask(4)));
  await send(wsFrame(true, 2, split.subarray(9), mask(5)));
  await send(wsFrame(true, 2, bytes(0xe0, 0), mask(6)));
  await send(wsFrame(true, 8, bytes(0x03, 0xe8), mask(7)));
  await sleep(200);
  s.destroy();
}

// ---------------------------------------------------------------------------------------------------------------
// Captures written here: pcap with a chosen link type, and TCP segments in a chosen order

function checksum(...parts) {
  let sum = 0;
  for (const p of parts) for (let i = 0; i < p.length; i += 2) sum += (p[i] << 8) | (p[i + 1] ?? 0);
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}
const be16 = (n) => [(n >> 8) & 0xff, n & 0xff];
const be32 = (n) => [(n >>> 24) & 0xff, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff];

/** A TCP segment in IPv4 or IPv6, checksums filled in. */
function ipTcp(v6, src, dst, sport, dport, seq, ack, flags, payload) {
  const tcpHeader = bytes(be16(sport), be16(dport), be32(seq), be32(ack), 0x50, flags, be16(65535), 0, 0, 0, 0);
  const tcpLen = tcpHeader.length + payload.length;
  const pseudo = v6 ? bytes(src, dst, be32(tcpLen), 0, 0, 0, 6) : bytes(src, dst, 0, 6, be16(tcpLen));
  const c = checksum(pseudo, bytes(tcpHeader, payload));
  tcpHeader[16] = c >> 8;
  tcpHeader[17] = c & 0xff;
  if (v6) return bytes(0x60, 0, 0, 0, be16(tcpLen), 6, 64, src, dst, tcpHeader, payload);
  const ip = bytes(0x45, 0, be16(20 + tcpLen), 0, 0, 0x40, 0, 64, 6, 0, 0, src, dst);
  const ipc = checksum(ip);
  ip[10] = ipc >> 8;
  ip[11] = ipc & 0xff;
  return bytes(ip, tcpHeader, payload);
}

/** A classic little-endian microsecond pcap of `records` ([seconds, link-layer bytes]). */
function writePcap(name, linkType, records) {
  const parts = [bytes(0xd4, 0xc3, 0xb2, 0xa1, 2, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0, 0, linkType, 0, 0, 0)];
  for (const [t, data] of records) {
    const sec = Math.floor(t);
    const usec = Math.round((t - sec) * 1e6);
    const le32 = (n) => [n & 0xff, (n >> 8) & 0xff, (n >> 16) & 0xff, (n >>> 24) & 0xff];
    parts.push(bytes(le32(sec), le32(usec), le32(data.length), le32(data.length)), data);
  }
  writeFileSync(join(OUT, name), bytes(...parts));
  console.log(`${name}: written here (link type ${linkType}, ${records.length} records)`);
}

/**
 * A scripted TCP conversation: handshake, then `steps` of [from, payload] sent as one or more segments in the
 * order and repetition given by `order` (indexes into the list of segments, repeats being retransmissions).
 */
function conversation({ v6, client, server, cport, sport, segments, order, close }) {
  const isn = { c: 1000, s: 5000 };
  const next = { c: isn.c + 1, s: isn.s + 1 };
  const seqs = segments.map(([from, payload]) => {
    const seq = next[from];
    next[from] += payload.length;
    return seq;
  });
  const pkt = (from, seq, flags, payload) =>
    from === 'c'
      ? ipTcp(v6, client, server, cport, sport, seq, next.s, flags, payload)
      : ipTcp(v6, server, client, sport, cport, seq, next.c, flags, payload);
  const out = [
    ipTcp(v6, client, server, cport, sport, isn.c, 0, 0x02, bytes()),
    ipTcp(v6, server, client, sport, cport, isn.s, isn.c + 1, 0x12, bytes()),
    ipTcp(v6, client, server, cport, sport, isn.c + 1, isn.s + 1, 0x10, bytes()),
  ];
  for (const i of order) out.push(pkt(segments[i][0], seqs[i], 0x18, segments[i][1]));
  if (close) {
    out.push(pkt('c', next.c, 0x11, bytes()));
    out.push(pkt('s', next.s, 0x11, bytes()));
  }
  return out;
}

function derivedCaptures() {
  const lo4 = [127, 0, 0, 1];
  const lo6 = [...new Array(15).fill(0), 1];
  // BSD loopback, DLT_NULL (host byte order family 2): a 3.1.1 session whose client stream is cut into small
  // segments sent out of order, with retransmissions, and a capture that stops inside a PUBLISH
  const c2s = bytes(
    connect311('reorder'),
    frame(0x32, str('seg/one'), 0, 7, new Uint8Array(120).fill(0x61)),
    frame(0x30, str('seg/two'), enc.encode('second')),
    frame(0x30, str('seg/cut'), enc.encode('this frame never ends')).subarray(0, 12),
  );
  const pieces = [];
  for (let i = 0; i < c2s.length; i += 40) pieces.push(['c', c2s.subarray(i, i + 40)]);
  const segments = [['s', bytes(0x20, 2, 0, 0)], ...pieces, ['s', bytes(0x40, 2, 0, 7)]];
  const n = segments.length;
  // server CONNACK; client pieces 1, 3, 2, 2 (again), 4, 6, 5, then the rest in order, 3 retransmitted late
  const order = [1, 0, 3, 2, 2, 4, 6, 5, ...Array.from({ length: n - 8 }, (_, k) => k + 7).filter((k) => k !== n - 1), 3, n - 1];
  const nullRecords = conversation({ v6: false, client: lo4, server: lo4, cport: 50123, sport: 1883, segments, order, close: false });
  writePcap('reordered-null.pcap', 0, nullRecords.map((d, i) => [1700000000 + i * 0.01, bytes(2, 0, 0, 0, d)]));

  // OpenBSD loopback, DLT_LOOP (network byte order family 24): a 5.0 session over IPv6, closed by both sides
  const v5connect = frame(0x10, str('MQTT'), 5, 0x02, 0, 60, 5, 0x11, be32(120), str('loop6'));
  const v5publish = frame(0x30, str('v6/t'), 2, 0x01, 0x01, enc.encode('{"v":6}'));
  const loopSegs = [
    ['c', v5connect],
    ['s', frame(0x20, 0, 0, 3, 0x22, 0, 10)],
    ['c', v5publish],
    ['c', frame(0xe0, 0)],
  ];
  const loopRecords = conversation({ v6: true, client: lo6, server: lo6, cport: 50200, sport: 1883, segments: loopSegs, order: [0, 1, 2, 3], close: true });
  writePcap('loop-ipv6.pcap', 108, loopRecords.map((d, i) => [1700000100 + i * 0.01, bytes(0, 0, 0, 24, d)]));
}

// ---------------------------------------------------------------------------------------------------------------

async function main() {
  mkdirSync(OUT, { recursive: true });
  await run(which('ip'), ['link', 'set', 'lo', 'up']);
  const dir = mkdtempSync(join(tmpdir(), 'mqtt-wire-pcap-'));
  const conf = join(dir, 'mosquitto.conf');
  writeFileSync(conf, [`listener ${MQTT_PORT} 127.0.0.1`, `listener ${MQTT_PORT} ::1`, 'allow_anonymous true', 'persistence false', 'log_dest stderr', 'log_type error', 'user root', ''].join('\n'));
  const broker = start(which('mosquitto'), ['-c', conf]);
  await waitFor('mosquitto to listen', () => canConnect('127.0.0.1', MQTT_PORT));
  const bridge = await startBridge();
  try {
    const filter = ['tcp', 'port', String(MQTT_PORT)];
    // 3.1.1 over Ethernet-framed loopback, classic pcap: QoS 0, 1, 2, retained, unsubscribe
    await capture('v311-ethernet.pcap', 'tcpdump', ['-i', 'lo', '--immediate-mode', '-U', ...filter], async () => {
      const done = await sub(3, '-V', 'mqttv311', '-q', '2', '-t', 'wire/#', '-i', 'sub311');
      await pub('-V', 'mqttv311', '-q', '0', '-t', 'wire/a', '-m', 'qos 0', '-i', 'pub311a');
      await pub('-V', 'mqttv311', '-q', '1', '-t', 'wire/b', '-m', 'qos 1', '-r', '-i', 'pub311b');
      await pub('-V', 'mqttv311', '-q', '2', '-t', 'wire/c', '-m', 'qos 2', '-i', 'pub311c');
      await done();
      await pub('-V', 'mqttv311', '-t', 'wire/b', '-r', '-n', '-i', 'clear311');
    });
    // 3.1 over Linux cooked v1, classic pcap: a will, a subscriber
    await capture('v31-sll.pcap', 'tcpdump', ['-i', 'any', '-y', 'LINUX_SLL', '--immediate-mode', '-U', ...filter], async () => {
      const done = await sub(1, '-V', 'mqttv31', '-q', '1', '-t', 'old/#', '-i', 'sub31', '--will-topic', 'old/will', '--will-payload', 'gone');
      await pub('-V', 'mqttv31', '-q', '1', '-t', 'old/x', '-m', 'MQIsdp', '-i', 'pub31');
      await done();
    });
    // 5.0 over Linux cooked v2, pcapng: properties on CONNECT, SUBSCRIBE and PUBLISH
    await capture('v5-sll2.pcapng', 'dumpcap', ['-i', 'any', '-y', 'LINUX_SLL2', '-f', filter.join(' ')], async () => {
      const done = await sub(2, '-V', 'mqttv5', '-q', '2', '-t', 'five/#', '-i', 'sub5', '-D', 'connect', 'session-expiry-interval', '30', '-D', 'subscribe', 'subscription-identifier', '7');
      await pub('-V', 'mqttv5', '-q', '1', '-t', 'five/a', '-m', 'with properties', '-i', 'pub5a', '-D', 'publish', 'user-property', 'unit', 'celsius', '-D', 'publish', 'message-expiry-interval', '60', '-D', 'publish', 'content-type', 'text/plain');
      await pub('-V', 'mqttv5', '-q', '2', '-t', 'five/b', '-m', 'exactly once', '-i', 'pub5b', '-D', 'publish', 'payload-format-indicator', '1');
      await done();
    });
    // 5.0 over IPv6 loopback, pcapng from dumpcap on lo (Ethernet-framed)
    await capture('v5-ipv6.pcapng', 'dumpcap', ['-i', 'lo', '-f', filter.join(' ')], async () => {
      await run(which('mosquitto_pub'), ['-h', '::1', '-p', String(MQTT_PORT), '-V', 'mqttv5', '-q', '1', '-t', 'six/a', '-m', 'over ipv6', '-i', 'pub6']);
    });
    // MQTT over WebSocket through the bridge: masked client frames, a fragmented message, frames spanning messages
    await capture('websocket.pcap', 'tcpdump', ['-i', 'lo', '--immediate-mode', '-U', 'tcp', 'port', String(WS_PORT)], webSocketSession);
    // deliberately malformed traffic from a raw socket
    await capture('malformed.pcap', 'tcpdump', ['-i', 'lo', '--immediate-mode', '-U', ...filter], async () => {
      // a PUBLISH whose Topic Name has a wildcard (MQTT-3.3.2-2)
      await rawSession('127.0.0.1', MQTT_PORT, [connect311('bad-topic'), frame(0x30, str('bad/+'), enc.encode('x'))]);
      // CONNECT with the reserved Connect Flags bit set (MQTT-3.1.2-3)
      await rawSession('127.0.0.1', MQTT_PORT, [connect311('reserved', 0x03)]);
      // SUBSCRIBE with fixed-header flags 0000 (MQTT-3.8.1-1)
      await rawSession('127.0.0.1', MQTT_PORT, [connect311('bad-flags'), frame(0x80, 0, 1, str('a/b'), 0)]);
      // a 5.0 CONNECT with Session Expiry Interval twice (U5-3.1.2.11-1)
      await rawSession('127.0.0.1', MQTT_PORT, [frame(0x10, str('MQTT'), 5, 0x02, 0, 30, 10, 0x11, be32(1), 0x11, be32(2), str('dup-prop'))]);
      // not MQTT at all: the start of a TLS ClientHello, and an HTTP request
      await rawSession('127.0.0.1', MQTT_PORT, [bytes(0x16, 0x03, 0x01, 0x00, 0x2f, 0x01, 0x00, 0x00, 0x2b, 0x03, 0x03, new Uint8Array(32).fill(7), 0, 0, 2, 0x13, 0x01, 1, 0)]);
      await rawSession('127.0.0.1', MQTT_PORT, [enc.encode('GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n')]);
    });
    derivedCaptures();
  } finally {
    bridge.close();
    for (const child of spawned) child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  }
}

main().then(
  () => process.exit(0),
  (e) => {
    console.error(e);
    for (const child of spawned) child.kill('SIGKILL');
    process.exit(1);
  },
);
