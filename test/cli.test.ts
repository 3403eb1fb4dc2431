// The mqtt-wire CLI run as a child process. The TypeScript entry is bundled with esbuild (as tsup does for
// dist/cli/main.js) into a temporary directory first, so the test always runs the current source and needs no
// prior `npm run build`.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FrameSplitter, encode, packetFromJson, toHex } from '../src/index.js';

const root = join(__dirname, '..');
const fixture = (name: string) => join(root, 'fixtures', name);
const session311 = readFileSync(fixture('session-311.bin'));
const session50 = readFileSync(fixture('session-50.bin'));
let dir = '';
let cli = '';

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'mqtt-wire-cli-'));
  cli = join(dir, 'main.mjs');
  await build({ entryPoints: [join(root, 'src/cli/main.ts')], bundle: true, platform: 'node', format: 'esm', target: 'node20', outfile: cli, logLevel: 'error' });
});
afterAll(() => {
  if (dir !== '') rmSync(dir, { recursive: true, force: true });
});

interface Run {
  status: number | null;
  stdout: Buffer;
  out: string;
  err: string;
}

function run(args: string[], input?: Uint8Array | string): Run {
  const r = spawnSync(process.execPath, [cli, ...args], { input: input ?? '', cwd: root, maxBuffer: 64 * 1024 * 1024 });
  return { status: r.status, stdout: r.stdout, out: r.stdout.toString('utf8'), err: r.stderr.toString('utf8') };
}

function lines(text: string): string[] {
  return text.split('\n').filter((l) => l !== '');
}

function tempFile(name: string, content: Uint8Array | string): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

describe('mqtt-wire decode', () => {
  it('prints one summary line per packet of the 3.1.1 sample, with offsets, flags, sizes, fields and reason code names', () => {
    const r = run(['decode', 'fixtures/session-311.bin']);
    expect(r.err).toBe('');
    expect(r.status).toBe(0);
    const out = lines(r.out);
    expect(out).toHaveLength(23);
    expect(out[0]).toBe(
      '       0  CONNECT      flags=0000 size=2+71   level=4 (3.1.1) clientId="sensor-17" cleanSession=true keepAlive=60 username="alice" password=6B will{topic="devices/sensor-17/status" qos=1 retain=true payload=7B "offline"}',
    );
    expect(out[1]).toBe('      73  CONNACK      flags=0000 size=2+2    sessionPresent=false reasonCode=0x00 (Connection Accepted)');
    expect(out[2]).toBe('      77  SUBSCRIBE    flags=0010 size=2+58   id=1 filters=["commands/sensor-17/#" qos=1, "config/+/sensor-17" qos=2, "broadcast" qos=0]');
    expect(out[3]).toBe(
      '     137  SUBACK       flags=0000 size=2+5    id=1 reasonCodes=[0x01 (Success - Maximum QoS 1), 0x02 (Success - Maximum QoS 2), 0x00 (Success - Maximum QoS 0)]',
    );
    expect(out[5]).toBe('     174  PUBLISH      flags=0011 size=2+25   id=2 topic="sensors/17/humidity" qos=1 retain=true dup=false payload=2B "48"');
    // a long text payload is elided, a binary one shown as hex
    expect(out[11]).toBe('     268  PUBLISH      flags=0000 size=2+45   topic="broadcast" qos=0 retain=false dup=false payload=34B "maintenance window 02:00-02:30 U…"');
    expect(out[12]).toBe('     315  PUBLISH      flags=0010 size=2+33   id=1 topic="commands/sensor-17/reboot" qos=1 retain=false dup=false payload=4B hex 0001feff');
    expect(out[15]).toBe('     398  PUBREC       flags=0000 size=2+2    id=2');
    expect(out[16]).toBe('     402  PUBREL       flags=0010 size=2+2    id=2');
    expect(out[18]).toBe('     410  PINGREQ      flags=0000 size=2+0');
    expect(out[22]).toBe('     453  DISCONNECT   flags=0000 size=2+0');
    expect(out.map((l) => l.slice(10, 21).trim())).toEqual([
      'CONNECT', 'CONNACK', 'SUBSCRIBE', 'SUBACK', 'PUBLISH', 'PUBLISH', 'PUBACK', 'PUBLISH', 'PUBREC', 'PUBREL', 'PUBCOMP', 'PUBLISH',
      'PUBLISH', 'PUBACK', 'PUBLISH', 'PUBREC', 'PUBREL', 'PUBCOMP', 'PINGREQ', 'PINGRESP', 'UNSUBSCRIBE', 'UNSUBACK', 'DISCONNECT',
    ]);
  });

  it('switches to 5.0 on the sample\'s CONNECT: properties and 5.0 reason code names', () => {
    const r = run(['decode', 'fixtures/session-50.bin']);
    expect(r.status).toBe(0);
    const out = lines(r.out);
    expect(out).toHaveLength(23);
    expect(out[0]).toContain('level=5 (5.0) clientId="sensor-17" cleanStart=true');
    expect(out[0]).toContain('props{sessionExpiryInterval=3600 receiveMaximum=20 topicAliasMaximum=10 userProperties=["site":"a", "rack":"4"]}');
    expect(out[3]).toBe(
      '     208  SUBACK       flags=0000 size=2+33   id=1 reasonCodes=[0x01 (Granted QoS 1), 0x02 (Granted QoS 2), 0x87 (Not authorized)] props{reasonString="admin topics need a role"}',
    );
    expect(out[7]).toBe('     349  PUBACK       flags=0000 size=2+21   id=2 reasonCode=0x10 (No matching subscribers) props{reasonString="no subscribers"}');
    expect(out[21]).toBe('     626  UNSUBACK     flags=0000 size=2+5    id=4 reasonCodes=[0x00 (Success), 0x11 (No subscription existed)]');
    expect(out[22]).toBe('     633  DISCONNECT   flags=0000 size=2+7    reasonCode=0x04 (Disconnect with Will Message) props{sessionExpiryInterval=0}');
  });

  it('--json prints one packetToJson line per packet, each of which encodes back to its frame', () => {
    const r = run(['decode', '--json', 'fixtures/session-311.bin']);
    expect(r.status).toBe(0);
    const out = lines(r.out);
    expect(out[1]).toBe('{"type":"connack","sessionPresent":false,"reasonCode":0}');
    expect(out[12]).toBe('{"type":"publish","topic":"commands/sensor-17/reboot","payload":{"hex":"0001feff"},"qos":1,"retain":false,"dup":false,"packetId":1}');
    const frames = new FrameSplitter().push(session311);
    expect(out.map((l) => toHex(encode(packetFromJson(JSON.parse(l)), { version: 4 })))).toEqual(frames.map(toHex));
  });

  it('reads stdin when FILE is - or absent', () => {
    for (const args of [['decode', '-'], ['decode']]) {
      const r = run(args, session311);
      expect(r.status).toBe(0);
      expect(r.out).toBe(run(['decode', 'fixtures/session-311.bin']).out);
    }
  });

  it('--hex reads hex text, whitespace ignored', () => {
    const hex = toHex(session311).replace(/(.{2})/g, '$1 ').replace(/(.{60})/g, '$1\n\t');
    const path = tempFile('session.hex', hex);
    const expected = run(['decode', 'fixtures/session-311.bin']).out;
    const fromFile = run(['decode', '--hex', path]);
    expect(fromFile.status).toBe(0);
    expect(fromFile.out).toBe(expected);
    expect(run(['decode', '--hex', '-'], hex).out).toBe(expected);
  });

  it('--version fixes the level: a bare short PUBACK reads with reason code 0x00 at 5 and without one at 4', () => {
    expect(run(['decode', '--hex', '--version', '5'], '40020007').out).toBe('       0  PUBACK       flags=0000 size=2+2    id=7 reasonCode=0x00 (Success)\n');
    expect(run(['decode', '--hex'], '40020007').out).toBe('       0  PUBACK       flags=0000 size=2+2    id=7\n');
  });

  it('a malformed stream prints the packets before the error, then one error line with the stream offset, exit 1', () => {
    // the first four packets of the sample (144 bytes), then a PUBLISH whose QoS bits are 11 (MQTT-3.3.1-4)
    const bad = Buffer.concat([session311.subarray(0, 144), Buffer.from('36050001610001', 'hex')]);
    const r = run(['decode', '-'], bad);
    expect(r.status).toBe(1);
    expect(lines(r.out)).toEqual(lines(run(['decode', '-'], session311.subarray(0, 144)).out));
    expect(lines(r.out)).toHaveLength(4);
    expect(lines(r.err)).toEqual([
      'error at byte 144: code=malformed-packet reasonCode=0x81 (Malformed Packet) rule=MQTT-3.3.1-4: PUBLISH QoS bits are 3',
    ]);
  });

  it('a Remaining Length with a fifth byte after valid packets: the packets, then the error at the fourth length byte', () => {
    const bad = Buffer.concat([session311.subarray(0, 77), Buffer.from('3080808080', 'hex'), session311.subarray(77)]);
    const r = run(['decode', '-'], bad);
    expect(r.status).toBe(1);
    expect(lines(r.out)).toHaveLength(2);
    expect(lines(r.err)).toHaveLength(1);
    expect(r.err).toMatch(/^error at byte 81: code=malformed-packet reasonCode=0x81 \(Malformed Packet\) rule=U311-2\.2\.3-1: /);
  });

  it('a stream ending inside a frame: the whole packets, then the error at the partial frame, exit 1', () => {
    const r = run(['decode', '-'], session311.subarray(0, 150));
    expect(r.status).toBe(1);
    expect(lines(r.out)).toHaveLength(4);
    expect(r.err).toMatch(/^error at byte 144: code=malformed-packet reasonCode=0x81 \(Malformed Packet\) rule=U311-2-1: stream ended inside a frame/);
  });

  it('--max-packet-size refuses a larger packet at its header with packet-too-large 0x95', () => {
    const r = run(['decode', '--max-packet-size', '64', 'fixtures/session-311.bin']);
    expect(r.status).toBe(1);
    expect(r.out).toBe('');
    expect(r.err).toBe('error at byte 0: code=packet-too-large reasonCode=0x95 (Packet too large): packet of 73 bytes exceeds the maximum packet size of 64 bytes\n');
  });

  it('the default limit is the protocol\'s own: a 2 MiB PUBLISH (4-byte Remaining Length) decodes', () => {
    const big = encode({ type: 'publish', topic: 'big', payload: new Uint8Array(2 * 1024 * 1024), qos: 0, retain: false, dup: false });
    const r = run(['decode', '-'], big);
    expect(r.status).toBe(0);
    expect(r.out).toMatch(/^ {7}0 {2}PUBLISH {6}flags=0000 size=5\+2097157 topic="big" qos=0 retain=false dup=false payload=2097152B hex 0{32}…\n$/);
  });
});

describe('mqtt-wire encode', () => {
  for (const [name, bytes] of [
    ['session-311.bin', session311],
    ['session-50.bin', session50],
  ] as const) {
    it(`decode --json | encode reproduces ${name} byte for byte`, () => {
      const json = run(['decode', '--json', `fixtures/${name}`]);
      expect(json.status).toBe(0);
      const back = run(['encode'], json.out);
      expect(back.err).toBe('');
      expect(back.status).toBe(0);
      expect(Buffer.compare(back.stdout, bytes)).toBe(0);
    });
  }

  it('--hex writes one frame per line, which decode --hex reads back', () => {
    const json = run(['decode', '--json', 'fixtures/session-50.bin']).out;
    const hex = run(['encode', '--hex', '-'], json);
    expect(hex.status).toBe(0);
    const out = lines(hex.out);
    expect(out).toEqual(new FrameSplitter().push(session50).map(toHex));
    expect(run(['decode', '--hex', '--json'], hex.out).out).toBe(json);
  });

  it('--version sets the level of packets when there is no CONNECT', () => {
    const r = run(['encode', '--hex', '--version', '5'], '{"type":"puback","packetId":7,"reasonCode":16}\n\n');
    expect(r.out).toBe('4003000710\n');
  });
});

describe('mqtt-wire usage errors: one line on stderr, exit 2', () => {
  const cases: [string, string[], string, RegExp][] = [
    ['no command', [], '', /^mqtt-wire: missing command \(decode or encode\)/],
    ['an unknown command', ['inspect'], '', /^mqtt-wire: unknown command 'inspect'/],
    ['an unknown option', ['decode', '--color', 'fixtures/session-311.bin'], '', /^mqtt-wire decode: Unknown option '--color'/],
    ['a bad --version', ['decode', '--version', '6', 'fixtures/session-311.bin'], '', /^mqtt-wire decode: --version must be 3, 4 or 5, got '6'/],
    ['a bad --max-packet-size', ['decode', '--max-packet-size', '1k', 'fixtures/session-311.bin'], '', /^mqtt-wire decode: --max-packet-size must be an integer/],
    ['two files', ['decode', 'a.bin', 'b.bin'], '', /^mqtt-wire decode: expected at most one FILE, got 2/],
    ['a missing file', ['decode', 'fixtures/no-such.bin'], '', /^mqtt-wire decode: cannot read 'fixtures\/no-such\.bin': ENOENT/],
    ['hex input that is not hex', ['decode', '--hex'], 'c0 0g', /^mqtt-wire decode: --hex input: /],
    ['invalid JSON', ['encode'], '{"type":"pingreq"}\n{"type":', /^mqtt-wire encode: line 2: invalid JSON: /],
    ['JSON that is not a packet object', ['encode'], '[1,2]\n', /^mqtt-wire encode: line 1: invalid-packet: /],
    [
      'an invalid packet',
      ['encode'],
      '{"type":"publish","topic":"a/#","payload":{"utf8":"x"},"qos":0,"retain":false,"dup":false}\n',
      /^mqtt-wire encode: line 1: invalid-packet \(MQTT-3\.3\.2-2\): PUBLISH topic 'a\/#'/,
    ],
  ];
  for (const [what, args, input, message] of cases) {
    it(what, () => {
      const r = run(args, input);
      expect(r.status).toBe(2);
      expect(r.out).toBe('');
      expect(lines(r.err)).toHaveLength(1);
      expect(r.err).toMatch(message);
    });
  }
});

describe('mqtt-wire --help', () => {
  it('overall, and for each command, on stdout with exit 0', () => {
    const overall = run(['--help']);
    expect([overall.status, overall.err]).toEqual([0, '']);
    expect(overall.out).toMatch(/^Usage: mqtt-wire <command> \[options\] \[FILE\|-\]/);
    expect(run(['-h']).out).toBe(overall.out);
    const decodeHelp = run(['decode', '--help']);
    expect(decodeHelp.status).toBe(0);
    expect(decodeHelp.out).toMatch(/^Usage: mqtt-wire decode \[options\] \[FILE\|-\]/);
    for (const option of ['--json', '--hex', '--version 3|4|5', '--max-packet-size N', '268435460']) expect(decodeHelp.out).toContain(option);
    const encodeHelp = run(['encode', '-h']);
    expect(encodeHelp.status).toBe(0);
    expect(encodeHelp.out).toMatch(/^Usage: mqtt-wire encode \[options\] \[FILE\|-\]/);
  });
});
