// `mqtt-wire pcap --json` on the captures of fixtures/pcap (made by scripts/capture-pcap.mjs) against tshark's
// MQTT dissector on the same files, packet for packet (capture frame, sender port) and field for field (header
// flags, Remaining Length, and each packet's fields as tshark names them). tshark is a Debian package; CI installs
// it. Where tshark shows nothing to compare (a frame the capture cut short, a stream that is not MQTT at all, and
// MQTT inside WebSocket, which tshark 4.0 leaves as data), the test asserts our output exactly instead.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROPERTY_TABLE, encode, fromHex, packetFromJson, type Packet } from '../src/index.js';

const root = join(__dirname, '..');
const captures = join(root, 'fixtures', 'pcap');
let dir = '';
let cli = '';

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'mqtt-wire-pcap-'));
  cli = join(dir, 'main.mjs');
  await build({ entryPoints: [join(root, 'src/cli/main.ts')], bundle: true, platform: 'node', format: 'esm', target: 'node20', outfile: cli, logLevel: 'error' });
});
afterAll(() => {
  if (dir !== '') rmSync(dir, { recursive: true, force: true });
});

const tsharkFound = spawnSync('tshark', ['--version']).status === 0;
if (!tsharkFound && process.env['CI'] !== undefined) throw new Error('tshark is not installed (apt-get install -y tshark)');

interface Event {
  kind: 'packet' | 'note';
  frame: number;
  connection: string;
  from?: 'client' | 'server';
  transport?: string;
  offset?: number;
  version?: number;
  size?: number;
  packet?: unknown;
  hex?: string;
  incomplete?: boolean;
  looksLike?: { protocol: string };
  violations?: { rule?: string; code: string; reasonCode: number; offset: number }[];
  message?: string;
}

function pcapJson(file: string, ...args: string[]): { status: number | null; events: Event[]; err: string } {
  const r = spawnSync(process.execPath, [cli, 'pcap', '--json', ...args, join(captures, file)], { maxBuffer: 64 * 1024 * 1024 });
  const out = r.stdout.toString('utf8');
  return { status: r.status, events: out.split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as Event), err: r.stderr.toString('utf8') };
}

type Fields = Record<string, unknown>;
type TsharkLayers = Record<string, unknown>;

/** tshark's MQTT messages of a capture, one record per message: frame, sender port and the MQTT fields. */
function tsharkMessages(file: string, ...extra: string[]): Fields[] {
  const r = spawnSync(
    'tshark',
    ['-r', join(captures, file), '-o', 'tcp.reassemble_out_of_order:TRUE', ...extra, '-Y', 'mqtt', '-T', 'json', '--no-duplicate-keys', '-J', 'frame tcp mqtt'],
    { maxBuffer: 64 * 1024 * 1024 },
  );
  const text = r.stdout.toString('utf8');
  const frames = JSON.parse(text.slice(text.indexOf('['))) as { _source: { layers: TsharkLayers } }[];
  const out: Fields[] = [];
  for (const f of frames) {
    const layers = f._source.layers;
    const frame = Number((layers['frame'] as Fields)['frame.number']);
    const port = Number((layers['tcp'] as Fields)['tcp.srcport']);
    const dstPort = Number((layers['tcp'] as Fields)['tcp.dstport']);
    const mqtt = layers['mqtt'];
    for (const m of Array.isArray(mqtt) ? mqtt : [mqtt]) out.push({ frame, port, dstPort, ...flatten(m as Fields) });
  }
  return out;
}

/** tshark's nested trees flattened to `mqtt.*` keys (repeated keys are arrays with --no-duplicate-keys). */
function flatten(o: Fields, out: Fields = {}): Fields {
  for (const [k, v] of Object.entries(o)) {
    if (v !== null && typeof v === 'object' && !Array.isArray(v)) flatten(v as Fields, out);
    else out[k] = v;
  }
  return out;
}

const list = (v: unknown): unknown[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);
const num = (v: unknown): number => Number(v);
const hexOf = (v: unknown): string => String(v).replace(/:/g, '');
const bytesHex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const PROPERTY_ID: Record<string, number> = Object.fromEntries(PROPERTY_TABLE.map((d) => [d.key, d.id]));
PROPERTY_ID['subscriptionIdentifiers'] = 0x0b;

/** Identifiers of the properties of a packet, sorted (one per occurrence). */
function propertyIds(props: object | undefined): number[] {
  const ids: number[] = [];
  for (const [key, value] of Object.entries(props ?? {})) {
    const n = key === 'userProperties' || key === 'subscriptionIdentifiers' ? (value as unknown[]).length : 1;
    for (let i = 0; i < n; i++) ids.push(PROPERTY_ID[key]!);
  }
  return ids.sort((a, b) => a - b);
}

/**
 * The fields tshark shows for a message, as our packet gives them: the header byte, Remaining Length and type,
 * then per type what tshark's dissector names. Read from tshark's record where `t` is given, from ours otherwise.
 */
function view(first: number, remainingLength: number, p: Packet | undefined, version: number): Fields {
  const v: Fields = { hdrflags: first, len: remainingLength, type: first >> 4 };
  if (p === undefined) return v;
  switch (p.type) {
    case 'connect':
      v['protoname'] = p.protocolVersion === 3 ? 'MQIsdp' : 'MQTT';
      v['ver'] = p.protocolVersion;
      v['kalive'] = p.keepAlive;
      v['clientid'] = p.clientId;
      v['cleansess'] = p.clean ? 1 : 0;
      v['willflag'] = p.will !== undefined ? 1 : 0;
      if (p.will !== undefined) {
        v['willtopic'] = p.will.topic;
        v['willmsg'] = bytesHex(p.will.payload);
        v['willqos'] = p.will.qos;
      }
      if (p.username !== undefined) v['username'] = p.username;
      v['properties'] = propertyIds(p.properties);
      break;
    case 'connack':
      // 3.1 has no Session Present flag (tshark shows the byte as reserved)
      if (version >= 4) v['sp'] = p.sessionPresent ? 1 : 0;
      v['code'] = p.reasonCode;
      v['properties'] = propertyIds(p.properties);
      break;
    case 'publish':
      v['topic'] = p.topic;
      v['qos'] = p.qos;
      v['dup'] = p.dup ? 1 : 0;
      v['retain'] = p.retain ? 1 : 0;
      if (p.qos > 0) v['msgid'] = p.packetId;
      v['msg'] = bytesHex(p.payload);
      v['properties'] = propertyIds(p.properties);
      break;
    case 'subscribe':
      v['msgid'] = p.packetId;
      v['topics'] = p.subscriptions.map((s) => s.topicFilter);
      v['options'] = p.subscriptions.map((s) =>
        version === 5 ? s.qos | (s.noLocal ? 4 : 0) | (s.retainAsPublished ? 8 : 0) | ((s.retainHandling ?? 0) << 4) : s.qos,
      );
      v['properties'] = propertyIds(p.properties);
      break;
    case 'suback':
      v['msgid'] = p.packetId;
      v['codes'] = p.reasonCodes;
      v['properties'] = propertyIds(p.properties);
      break;
    case 'unsubscribe':
      v['msgid'] = p.packetId;
      v['topics'] = p.topicFilters;
      break;
    case 'puback':
    case 'pubrec':
    case 'pubrel':
    case 'pubcomp':
    case 'unsuback':
      v['msgid'] = p.packetId;
      break;
    case 'disconnect':
      if (remainingLength > 0) v['code'] = p.reasonCode;
      break;
    default:
      break;
  }
  return v;
}

/** The same view from tshark's fields, keyed as `view` keys ours (only the keys `ours` has). */
function tsharkView(t: Fields, ours: Fields): Fields {
  const v: Fields = { hdrflags: parseInt(String(t['mqtt.hdrflags']), 16), len: num(t['mqtt.len']), type: num(t['mqtt.msgtype']) };
  const from: Record<string, () => unknown> = {
    protoname: () => t['mqtt.protoname'],
    ver: () => num(t['mqtt.ver']),
    kalive: () => num(t['mqtt.kalive']),
    clientid: () => t['mqtt.clientid'] ?? '',
    cleansess: () => num(t['mqtt.conflag.cleansess']),
    willflag: () => num(t['mqtt.conflag.willflag']),
    willtopic: () => t['mqtt.willtopic'],
    willmsg: () => hexOf(t['mqtt.willmsg'] ?? ''),
    willqos: () => num(t['mqtt.conflag.qos']),
    username: () => t['mqtt.username'],
    properties: () => list(t['mqtt.property_id']).map((x) => parseInt(String(x), 16)).sort((a, b) => a - b),
    sp: () => num(t['mqtt.conack.flags.sp']),
    code: () => num(t['mqtt.conack.val'] ?? t['mqtt.connack.reason_code'] ?? t['mqtt.disconnect.reason_code']),
    topic: () => t['mqtt.topic'],
    qos: () => num(t['mqtt.qos']),
    dup: () => num(t['mqtt.dupflag']),
    retain: () => num(t['mqtt.retain']),
    msgid: () => num(t['mqtt.msgid']),
    msg: () => hexOf(t['mqtt.msg'] ?? ''),
    topics: () => list(t['mqtt.topic']),
    options: () => (t['mqtt.subscription_options'] !== undefined ? list(t['mqtt.subscription_options']).map((x) => parseInt(String(x), 16)) : list(t['mqtt.sub.qos']).map(num)),
    codes: () => list(t['mqtt.suback.qos'] ?? t['mqtt.suback.reason_code']).map(num),
  };
  for (const key of Object.keys(ours)) if (!(key in v) && key !== 'frame' && key !== 'port') v[key] = from[key]!();
  return v;
}

const portOf = (endpoint: string): number => Number(endpoint.slice(endpoint.lastIndexOf(':') + 1));

/** Our packet events as comparable records: frame, sender port, view. */
function ourMessages(events: Event[]): Fields[] {
  return events
    .filter((e) => e.kind === 'packet' && e.incomplete !== true && e.looksLike === undefined)
    .map((e) => {
      const [client, server] = e.connection.split(' → ') as [string, string];
      const bytes = e.packet !== undefined ? undefined : fromHex(e.hex!);
      const packet = e.packet !== undefined ? packetFromJson(e.packet) : undefined;
      const raw = bytes ?? undefined;
      // header byte and Remaining Length from the frame: the JSON packet for valid ones, the hex for the rest
      const first = raw !== undefined ? raw[0]! : headerOf(e);
      const rl = e.size! - headerSizeOf(e.size!, raw);
      return { frame: e.frame, port: portOf(e.from === 'client' ? client : server), ...view(first, rl, packet, e.version!) };
    });
}

/** The header byte of a valid packet, rebuilt from its JSON the way it was on the wire. */
function headerOf(e: Event): number {
  const p = packetFromJson(e.packet) as Packet;
  const TYPE: Record<string, number> = { connect: 1, connack: 2, publish: 3, puback: 4, pubrec: 5, pubrel: 6, pubcomp: 7, subscribe: 8, suback: 9, unsubscribe: 10, unsuback: 11, pingreq: 12, pingresp: 13, disconnect: 14, auth: 15 };
  const t = TYPE[p.type]!;
  if (p.type === 'publish') return 0x30 | (p.dup ? 8 : 0) | (p.qos << 1) | (p.retain ? 1 : 0);
  return (t << 4) | (t === 6 || t === 8 || t === 10 ? 2 : 0);
}

function headerSizeOf(size: number, raw: Uint8Array | undefined): number {
  if (raw !== undefined) {
    let n = 2;
    while (n < 5 && (raw[n - 1]! & 0x80) !== 0) n++;
    return n;
  }
  // a valid frame uses the shortest Remaining Length
  const rl = (n: number): number => (n < 128 ? 1 : n < 16384 ? 2 : n < 2097152 ? 3 : 4);
  for (let h = 2; h <= 5; h++) if (rl(size - h) === h - 1) return h;
  return 2;
}

/**
 * Compares every MQTT message; connections we find are not MQTT at all (TLS, HTTP) are left out of the comparison
 * and returned: tshark reads their bytes as MQTT, we say what they are and read no further.
 */
function agreeWithTshark(file: string, extra: string[] = []): Event[] & { notMqtt?: Fields[] } {
  const { status, events, err } = pcapJson(file);
  expect(err).toBe('');
  const ours = ourMessages(events);
  const foreign = new Set(events.filter((e) => e.looksLike !== undefined).map((e) => portOf(e.connection.split(' → ')[0]!)));
  const all = tsharkMessages(file, ...extra);
  const theirs = all.filter((t) => !foreign.has(t['port'] as number) && !foreign.has(t['dstPort'] as number));
  expect(ours.length).toBeGreaterThan(0);
  const theirsAsOurs = theirs.map((t, i) => ({ frame: t['frame'], port: t['port'], ...tsharkView(t, ours[i] ?? {}) }));
  expect(ours).toEqual(theirsAsOurs);
  expect(status).toBe(events.some((e) => e.kind === 'packet' && e.packet === undefined) ? 1 : 0);
  return Object.assign(events, { notMqtt: all.filter((t) => !theirs.includes(t)) });
}

const itTshark = tsharkFound ? it : it.skip;

describe('pcap agrees with tshark', () => {
  it('the fixture list is the one tested here', () => {
    expect(readdirSync(captures).sort()).toEqual([
      'loop-ipv6.pcap',
      'malformed.pcap',
      'reordered-null.pcap',
      'v31-sll.pcap',
      'v311-ethernet.pcap',
      'v5-ipv6.pcapng',
      'v5-sll2.pcapng',
      'websocket.pcap',
    ]);
  });

  itTshark('MQTT 3.1.1 over Ethernet-framed loopback (pcap): QoS 0, 1, 2, retained', () => {
    const events = agreeWithTshark('v311-ethernet.pcap');
    expect(events.filter((e) => e.kind === 'packet')).toHaveLength(32);
  });
  itTshark('MQTT 3.1 over Linux cooked v1 (pcap): will, subscribe', () => {
    const events = agreeWithTshark('v31-sll.pcap');
    expect(events.find((e) => e.kind === 'packet')!.version).toBe(3);
  });
  itTshark('MQTT 5.0 over Linux cooked v2 (pcapng): properties', () => {
    const events = agreeWithTshark('v5-sll2.pcapng');
    const publish = events.find((e) => (e.packet as { type?: string } | undefined)?.type === 'publish')!;
    expect((publish.packet as { properties: unknown }).properties).toEqual({ userProperties: [['unit', 'celsius']], messageExpiryInterval: 60, contentType: 'text/plain' });
  });
  itTshark('MQTT 5.0 over IPv6 (pcapng from dumpcap)', () => {
    const events = agreeWithTshark('v5-ipv6.pcapng');
    expect(events[0]!.connection).toMatch(/^\[::1\]:\d+ → \[::1\]:1883$/);
  });
  itTshark('BSD loopback (LOOP) and IPv6, written here', () => {
    agreeWithTshark('loop-ipv6.pcap');
  });
  itTshark('out-of-order and retransmitted segments, a capture cut short (NULL link type)', () => {
    const events = agreeWithTshark('reordered-null.pcap');
    const last = events.filter((e) => e.kind === 'packet').at(-1)!;
    expect(last).toMatchObject({ incomplete: true, offset: 172, size: 12, hex: '301e00077365672f63757474' });
    expect(last.violations!.map((v) => [v.rule, v.offset])).toEqual([['U311-2-1', 12]]);
    expect(events.filter((e) => e.kind === 'note').map((e) => e.message)).toEqual([
      "the client's stream ends inside a frame (12 byte(s) of it captured)",
      'the capture ends before the connection is closed',
    ]);
  });
  itTshark('deliberately malformed traffic: the same frames, with every broken rule', () => {
    const events = agreeWithTshark('malformed.pcap');
    const bad = events.filter((e) => e.kind === 'packet' && e.packet === undefined);
    expect(bad.map((e) => [e.looksLike?.protocol, e.violations![0]!.rule, e.violations![0]!.offset])).toEqual([
      [undefined, 'MQTT-3.3.2-2', 2],
      [undefined, 'MQTT-3.1.2-3', 9],
      [undefined, 'MQTT-3.8.1-1', 0],
      [undefined, 'U5-3.1.2.11-1', 18],
      ['tls', 'MQTT-2.2.2-1', 0],
      ['http-request', 'U311-2-1', 35],
    ]);
    // tshark dissects the TLS record as MQTT (a 3-byte CONNECT, then a reserved type 0) and waits for the rest of
    // the "PUBACK" that 'GET ' starts
    expect(events.notMqtt!.map((t) => [t['mqtt.hdrflags'], t['mqtt.len']])).toEqual([
      ['0x16', '3'],
      ['0x01', '0'],
    ]);
    const notes = events.filter((e) => e.kind === 'note').map((e) => e.message!);
    expect(notes.filter((m) => m.startsWith('not MQTT'))).toEqual([
      'not MQTT: this looks like a TLS ClientHello: the peer speaks MQTT over TLS (port 8883); decrypt it first, or connect without TLS; the rest of this stream is not read',
      "not MQTT: this looks like an HTTP GET request ('GET / HTTP/1.1'); the rest of this stream is not read",
    ]);
  });

  itTshark('MQTT over WebSocket: the payloads tshark unmasks are our MQTT streams, frame by frame', () => {
    const { status, events } = pcapJson('websocket.pcap');
    expect(status).toBe(0);
    const packets = events.filter((e) => e.kind === 'packet');
    expect(packets.every((e) => e.transport === 'websocket')).toBe(true);
    expect(packets.map((e) => [e.from, (e.packet as { type: string }).type])).toEqual([
      ['client', 'connect'],
      ['server', 'connack'],
      ['client', 'subscribe'],
      ['server', 'suback'],
      ['client', 'publish'],
      ['client', 'pingreq'],
      ['server', 'publish'],
      ['server', 'puback'],
      ['server', 'pingresp'],
      ['client', 'publish'],
      ['server', 'publish'],
      ['client', 'disconnect'],
    ]);
    // tshark's WebSocket dissector: each binary or continuation frame's unmasked payload, per sender
    const r = spawnSync('tshark', ['-r', join(captures, 'websocket.pcap'), '-Y', 'websocket.opcode == 2 || websocket.opcode == 0', '-T', 'fields', '-e', 'frame.number', '-e', 'tcp.srcport', '-e', 'data.data']);
    const rows = r.stdout.toString('utf8').trim().split('\n').map((l) => l.split('\t'));
    for (const from of ['client', 'server'] as const) {
      const ours = packets.filter((e) => e.from === from);
      const serverSide = from === 'server';
      const theirs = rows.filter(([, port]) => (port === '8080') === serverSide);
      const ourBytes = ours.map((e) => Buffer.from(reencode(e)).toString('hex')).join('');
      expect(ourBytes).toBe(theirs.map(([, , data]) => data).join(''));
      // each packet is reported in the frame that completed it
      for (const e of ours) expect(theirs.map(([frame]) => Number(frame))).toContain(e.frame);
    }
  });
});

/** The frame bytes of a valid event, encoded again from its JSON (the WebSocket session's frames are all shortest-form). */
function reencode(e: Event): Uint8Array {
  return encode(packetFromJson(e.packet), { version: e.version as 3 | 4 | 5 });
}

describe('pcap command', () => {
  it('prints one line per packet with time, connection, sender and the decode line', () => {
    const r = spawnSync(process.execPath, [cli, 'pcap', join(captures, 'loop-ipv6.pcap')]);
    expect(r.status).toBe(0);
    expect(r.stdout.toString('utf8').split('\n').filter((l) => l !== '')).toEqual([
      '    0.000000  [::1]:50200 → [::1]:1883  client         0  CONNECT      flags=0000 size=2+23   level=5 (5.0) clientId="loop6" cleanStart=true keepAlive=60 props{sessionExpiryInterval=120}',
      '    0.010000  [::1]:50200 → [::1]:1883  server         0  CONNACK      flags=0000 size=2+6    sessionPresent=false reasonCode=0x00 (Success) props{topicAliasMaximum=10}',
      '    0.020000  [::1]:50200 → [::1]:1883  client        25  PUBLISH      flags=0000 size=2+16   topic="v6/t" qos=0 retain=false dup=false payload=7B "{\\"v\\":6}" props{payloadFormatIndicator=1}',
      '    0.030000  [::1]:50200 → [::1]:1883  client        43  DISCONNECT   flags=0000 size=2+1    reasonCode=0x00 (Normal disconnection)',
    ]);
  });

  it('shows malformed packets with their violations and exits 1', () => {
    const r = spawnSync(process.execPath, [cli, 'pcap', join(captures, 'malformed.pcap')]);
    expect(r.status).toBe(1);
    expect(r.stdout.toString('utf8')).toContain(
      "! byte 2: MQTT-3.3.2-2 protocol-error 0x82 (Protocol Error): PUBLISH Topic Name 'bad/+' contains the wildcard '+'",
    );
  });

  it('--port chooses the MQTT port: on another port nothing is read', () => {
    expect(pcapJson('v311-ethernet.pcap', '--port', '1884').events).toEqual([]);
  });

  it('bad arguments and unreadable files: exit 2 with the problem named', () => {
    const bad = (args: string[]): [number | null, string] => {
      const r = spawnSync(process.execPath, [cli, 'pcap', ...args]);
      return [r.status, r.stderr.toString('utf8').trim()];
    };
    expect(bad(['--port', '0', 'x.pcap'])).toEqual([2, "mqtt-wire pcap: --port must be TCP ports from 1 to 65535 separated by commas, got '0'"]);
    expect(bad(['--protocol', '6', 'x.pcap'])).toEqual([2, "mqtt-wire pcap: --protocol must be 3, 4 or 5, got '6'"]);
    expect(bad([])).toEqual([2, 'mqtt-wire pcap: expected one capture FILE, got 0']);
    expect(bad([join(root, 'package.json')])[1]).toMatch(/^mqtt-wire pcap: '.*package\.json': not a pcap or pcapng file \(first bytes 0x7b0a2020\)$/);
  });
});

