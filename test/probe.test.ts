// `mqtt-wire probe`: against a broker built on our own PacketDecoder (no findings: every case is refused as the spec
// asks), against mosquitto at 3.1.1 and 5.0 (the tables of docs/fuzzing.md are exactly what the probe reports), against a
// broker that takes everything (every case a finding), and its argument checks. Brokers listen on 127.0.0.1 only.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runProbe } from '../src/cli/probe.js';
import type { CaseResult, Verdict } from '../src/cli/probe-case.js';
import { conformanceCases } from '../src/cases.js';
import { INSTALL_HINT, findExecutable, freePort, startMosquitto, type MosquittoBroker } from './interop/mosquitto-process.js';
import { WIRE_BROKER_LIMITS, startWireBroker, type WireBroker } from './probe-broker.js';

const root = resolve(__dirname, '..');

interface Report {
  target: string;
  protocol: 4 | 5;
  totals: Record<Verdict, number>;
  rules: { rule: string; cases: number; verdicts: Partial<Record<Verdict, number>> }[];
  cases: CaseResult[];
}

async function probe(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await runProbe(args, { out: (d) => (out += String(d)), err: (l) => (err += `${l}\n`) });
  return { code, out, err };
}

async function report(port: number, protocol: 4 | 5): Promise<Report> {
  const r = await probe(`127.0.0.1:${port}`, '--protocol', String(protocol), '--json');
  expect(r.err).toBe('');
  return JSON.parse(r.out) as Report;
}

describe('against a broker built on PacketDecoder', () => {
  let broker: WireBroker;
  beforeAll(async () => {
    broker = await startWireBroker();
  });
  afterAll(async () => broker.stop());

  for (const protocol of [4, 5] as const) {
    it(`${protocol === 5 ? '5.0' : '3.1.1'}: no findings — every case refused as the spec asks, or optional, or about a client`, async () => {
      const r = await report(broker.port, protocol);
      const off = r.cases.filter((c) => c.verdict !== 'as-asked' && c.verdict !== 'optional' && c.verdict !== 'not-applicable');
      expect(off).toEqual([]);
      // n/a: the cases only a client receives, and (this broker announces Topic Aliases) the one for a server without
      // them; the limits are announced, so every other limit case ran, fitted to them
      const clientOnly = conformanceCases(protocol).filter((c) => c.decoder?.role === 'client').map((c) => c.name);
      const noAliases = protocol === 5 ? ['PUBLISH to a server without Topic Aliases: any Topic Alias'] : [];
      expect(r.cases.filter((c) => c.verdict === 'not-applicable').map((c) => c.name).sort()).toEqual([...clientOnly, ...noAliases].sort());
      // optional: the MAY checks this broker does not make
      expect(r.cases.filter((c) => c.verdict === 'optional').every((c) => conformanceCases(protocol).find((x) => x.name === c.name)?.optional)).toBe(true);
    });
  }

  it('5.0: Topic Alias and packet size cases are fitted to the limits the broker announced', async () => {
    const r = await report(broker.port, 5);
    const byName = new Map(r.cases.map((c) => [c.name, c]));
    expect(byName.get('PUBLISH to a server: Topic Alias above its Topic Alias Maximum')).toMatchObject({
      verdict: 'as-asked',
      expected: 'DISCONNECT 0x94',
      observed: 'DISCONNECT 0x94, closed',
    });
    expect(byName.get("PUBLISH over the server's Maximum Packet Size")).toMatchObject({ verdict: 'as-asked', observed: 'DISCONNECT 0x95, closed' });
    expect(byName.get("PUBACK with a Reason String and User Properties over the receiver's Maximum Packet Size")).toMatchObject({ verdict: 'as-asked', observed: 'DISCONNECT 0x95, closed' });
    expect(WIRE_BROKER_LIMITS).toEqual({ topicAliasMaximum: 10, maximumPacketSize: 4096 });
  });

  it('3.1.1: refused CONNECTs get CONNACK 0x01 and 0x02, everything else a close', async () => {
    const r = await report(broker.port, 4);
    const byName = new Map(r.cases.map((c) => [c.name, c]));
    expect(byName.get('CONNECT Protocol Level not 3, 4 or 5')).toMatchObject({ expected: 'CONNACK 0x01', observed: 'CONNACK 0x01, closed' });
    expect(byName.get('CONNECT empty Client Identifier with Clean Session 0')).toMatchObject({ expected: 'CONNACK 0x02', observed: 'CONNACK 0x02, closed' });
    expect(byName.get('PUBLISH QoS 3')).toMatchObject({ expected: 'close', observed: 'closed', verdict: 'as-asked' });
  });
});

describe('against a broker that takes everything', () => {
  let server: Server;
  let port: number;
  beforeAll(async () => {
    // answers the first bytes with CONNACK 0 and every later chunk with PINGRESP
    server = createServer((socket) => {
      let first = true;
      socket.on('data', () => {
        socket.write(first ? Uint8Array.of(0x20, 0x02, 0x00, 0x00) : Uint8Array.of(0xd0, 0x00));
        first = false;
      });
      socket.on('error', () => undefined);
    });
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    port = (server.address() as { port: number }).port;
  });
  afterAll(() => new Promise<void>((done) => server.close(() => done())));

  it('reports every case as let through (optional ones as optional) and exits 1', async () => {
    const r = await probe(`127.0.0.1:${port}`, '--protocol', '4', '--type', 'publish', '--json');
    expect(r.code).toBe(1);
    const cases = (JSON.parse(r.out) as Report).cases;
    expect(cases.filter((c) => c.verdict === 'optional').map((c) => c.name)).toEqual(['PUBLISH Remaining Length not in its shortest form', 'PUBLISH Topic Name: disallowed code point']);
    expect(cases.filter((c) => c.verdict !== 'optional').every((c) => c.verdict === 'let-through' && c.observed === 'PINGRESP')).toBe(true);
    const table = await probe(`127.0.0.1:${port}`, '--protocol', '4', '--rule', 'MQTT-3.3.1-4');
    expect(table.out).toContain('let-through  PUBLISH QoS 3 (MQTT-3.3.1-4): expected close, got PINGRESP');
  });
});

describe('arguments', () => {
  it('--help, and clear refusals with exit code 2', async () => {
    expect((await probe('--help')).out).toContain('Usage: mqtt-wire probe HOST:PORT');
    const cases: [string[], string][] = [
      [[], 'mqtt-wire probe: missing HOST:PORT of the broker to probe\n'],
      [['localhost'], "mqtt-wire probe: expected HOST:PORT (port 1 to 65535), got 'localhost'\n"],
      [['127.0.0.1:70000'], "mqtt-wire probe: expected HOST:PORT (port 1 to 65535), got '127.0.0.1:70000'\n"],
      [['127.0.0.1:1883', '--protocol', '3'], "mqtt-wire probe: --protocol must be 4 (3.1.1) or 5 (5.0), got '3'\n"],
      [['127.0.0.1:1883', '--case-timeout', '0'], "mqtt-wire probe: --case-timeout must be an integer from 1 to 600000, got '0'\n"],
      [['127.0.0.1:1883', '--type', 'publsh'], "mqtt-wire probe: --type must be one of reserved, connect, connack, publish, puback, pubrec, pubrel, pubcomp, subscribe, suback, unsubscribe, unsuback, pingreq, pingresp, disconnect, auth; got 'publsh'\n"],
      [['127.0.0.1:1883', '--rule', 'MQTT-9.9.9-9'], 'mqtt-wire probe: no malformed case at level 4 matches {"rules":["MQTT-9.9.9-9"]}\n'],
      [['127.0.0.1:1883', '--json', '--markdown'], 'mqtt-wire probe: --json and --markdown exclude each other\n'],
    ];
    for (const [args, err] of cases) {
      const r = await probe(...args);
      expect([r.code, r.err, r.out]).toEqual([2, err, '']);
    }
  });

  it('a port nobody listens on is exit code 2, before any case runs', async () => {
    const port = await freePort();
    const r = await probe(`127.0.0.1:${port}`, '--case-timeout', '2000');
    expect(r.code).toBe(2);
    expect(r.err).toMatch(new RegExp(`^mqtt-wire probe: cannot connect to 127\\.0\\.0\\.1:${port}: connect ECONNREFUSED`));
  });
});

// ---------------------------------------------------------------------------------------------------------------
// mosquitto (Debian's, started here): docs/fuzzing.md publishes what the probe reports

const haveMosquitto = findExecutable('mosquitto') !== undefined && findExecutable('mosquitto_passwd') !== undefined;
const onCi = (process.env.CI ?? '') !== '' && process.env.CI !== 'false';
const skip = !haveMosquitto && !onCi;
if (skip) console.warn(`\n*** probe tests against mosquitto SKIPPED: mosquitto is not on PATH; ${INSTALL_HINT} ***\n`);

/** The block of docs/fuzzing.md between `<!-- probe:NAME -->` and `<!-- /probe:NAME -->`. */
function readmeBlock(name: string): string {
  const readme = readFileSync(join(root, 'docs', 'fuzzing.md'), 'utf8');
  const m = new RegExp(`<!-- probe:${name} -->\\n([\\s\\S]*?)<!-- /probe:${name} -->`).exec(readme);
  if (m === null) throw new Error(`docs/fuzzing.md has no <!-- probe:${name} --> block`);
  return m[1]!;
}

describe.skipIf(skip)('against mosquitto', () => {
  let broker: MosquittoBroker;
  beforeAll(async () => {
    broker = await startMosquitto();
  });
  afterAll(async () => {
    if (broker !== undefined) await broker.stop();
  });

  it('docs/fuzzing.md records the mosquitto version probed', () => {
    const version = /mosquitto version (\S+)/.exec(spawnSync(findExecutable('mosquitto')!, ['-h'], { encoding: 'utf8' }).stdout)?.[1];
    expect(readmeBlock('mosquitto-version').trim(), 'the tables below were recorded with another mosquitto: run the probe and update them').toBe(`mosquitto ${version}`);
  });

  for (const protocol of [4, 5] as const) {
    const name = protocol === 5 ? 'mosquitto-50' : 'mosquitto-311';
    it(`${protocol === 5 ? '5.0' : '3.1.1'}: every case runs, and the table in docs/fuzzing.md is what the probe reports`, async () => {
      const json = await report(broker.port, protocol);
      expect(json.totals.error + json.totals['not-run']).toBe(0);
      const md = await probe(`127.0.0.1:${broker.port}`, '--protocol', String(protocol), '--markdown');
      // mosquitto lets some cases through: exit code 1
      expect(md.code).toBe(1);
      expect(md.out, `docs/fuzzing.md <!-- probe:${name} --> differs from the probe's report`).toBe(readmeBlock(name));
    });
  }
});
