// The mqtt-wire CLI run as a child process. The TypeScript entry is bundled with esbuild (as tsup does for
// dist/cli/main.js) into a temporary directory first, so the test always runs the current source and needs no
// prior `npm run build`. test/cli-stream.test.ts holds the streaming behaviour (output before the input ends).
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FrameSplitter, encode, packetFromJson, toHex } from '../src/index.js';
import pkg from '../package.json' with { type: 'json' };

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
  // The expected lines are the fixtures' own descriptions (fixtures/session-311.md, session-50.md list the packets).
  for (const name of ['session-311', 'session-50']) {
    it(`prints exactly fixtures/${name}.decode.txt for fixtures/${name}.bin: offsets, flags, sizes, fields, reason code names`, () => {
      const r = run(['decode', `fixtures/${name}.bin`]);
      expect(r.err).toBe('');
      expect(r.status).toBe(0);
      expect(r.out).toBe(readFileSync(fixture(`${name}.decode.txt`), 'utf8'));
      expect(lines(r.out)).toHaveLength(23);
    });
  }

  it('the 3.1.1 lines hold the fields a person looks for', () => {
    const out = lines(run(['decode', 'fixtures/session-311.bin']).out);
    expect(out[0]).toBe(
      '       0  CONNECT      flags=0000 size=2+71   level=4 (3.1.1) clientId="sensor-17" cleanSession=true keepAlive=60 username="alice" password=6B will{topic="devices/sensor-17/status" qos=1 retain=true payload=7B "offline"}',
    );
    expect(out[3]).toBe(
      '     137  SUBACK       flags=0000 size=2+5    id=1 reasonCodes=[0x01 (Success - Maximum QoS 1), 0x02 (Success - Maximum QoS 2), 0x00 (Success - Maximum QoS 0)]',
    );
    // a long text payload is elided, a binary one shown as hex
    expect(out[11]).toBe('     268  PUBLISH      flags=0000 size=2+45   topic="broadcast" qos=0 retain=false dup=false payload=34B "maintenance window 02:00-02:30 U…"');
    expect(out[12]).toBe('     315  PUBLISH      flags=0010 size=2+33   id=1 topic="commands/sensor-17/reboot" qos=1 retain=false dup=false payload=4B hex 0001feff');
    expect(out.map((l) => l.slice(10, 21).trim())).toEqual([
      'CONNECT', 'CONNACK', 'SUBSCRIBE', 'SUBACK', 'PUBLISH', 'PUBLISH', 'PUBACK', 'PUBLISH', 'PUBREC', 'PUBREL', 'PUBCOMP', 'PUBLISH',
      'PUBLISH', 'PUBACK', 'PUBLISH', 'PUBREC', 'PUBREL', 'PUBCOMP', 'PINGREQ', 'PINGRESP', 'UNSUBSCRIBE', 'UNSUBACK', 'DISCONNECT',
    ]);
  });

  it("switches to 5.0 on the sample's CONNECT: properties and 5.0 reason code names", () => {
    const out = lines(run(['decode', 'fixtures/session-50.bin']).out);
    expect(out[0]).toContain('level=5 (5.0) clientId="sensor-17" cleanStart=true');
    expect(out[0]).toContain('props{sessionExpiryInterval=3600 receiveMaximum=20 topicAliasMaximum=10 userProperties=["site":"a", "rack":"4"]}');
    expect(out[7]).toBe('     349  PUBACK       flags=0000 size=2+21   id=2 reasonCode=0x10 (No matching subscribers) props{reasonString="no subscribers"}');
    expect(out[22]).toBe('     633  DISCONNECT   flags=0000 size=2+7    reasonCode=0x04 (Disconnect with Will Message) props{sessionExpiryInterval=0}');
  });

  it('--json prints one packetToJson line per packet, each of which encodes back to its frame', () => {
    const r = run(['decode', '--json', 'fixtures/session-311.bin']);
    expect(r.status).toBe(0);
    const out = lines(r.out);
    expect(out).toHaveLength(23);
    expect(out[1]).toBe('{"type":"connack","sessionPresent":false,"reasonCode":0}');
    expect(out[12]).toBe('{"type":"publish","topic":"commands/sensor-17/reboot","payload":{"hex":"0001feff"},"qos":1,"retain":false,"dup":false,"packetId":1}');
    const frames = new FrameSplitter().push(session311);
    expect(out.map((l) => toHex(encode(packetFromJson(JSON.parse(l)), { version: 4 })))).toEqual(frames.map(toHex));
  });

  it('reads stdin when FILE is - or absent', () => {
    const expected = readFileSync(fixture('session-311.decode.txt'), 'utf8');
    for (const args of [['decode', '-'], ['decode']]) {
      const r = run(args, session311);
      expect(r.status).toBe(0);
      expect(r.out).toBe(expected);
    }
  });

  it('--hex reads hex text, whitespace of every kind ignored, upper and lower case', () => {
    const hex = toHex(session311).replace(/(.{2})/g, '$1 ').replace(/(.{60})/g, '$1\n\t').replace(/(.{7})(.{7})/g, '$1\r\n$2\f\v');
    const path = tempFile('session.hex', hex.toUpperCase());
    const expected = readFileSync(fixture('session-311.decode.txt'), 'utf8');
    const fromFile = run(['decode', '--hex', path]);
    expect(fromFile.err).toBe('');
    expect(fromFile.out).toBe(expected);
    expect(run(['decode', '--hex', '-'], hex).out).toBe(expected);
  });

  it('--protocol fixes the level: a bare short PUBACK reads with reason code 0x00 at 5 and without one at 4', () => {
    expect(run(['decode', '--hex', '--protocol', '5'], '40020007').out).toBe('       0  PUBACK       flags=0000 size=2+2    id=7 reasonCode=0x00 (Success)\n');
    expect(run(['decode', '--hex', '--protocol', '4'], '40020007').out).toBe('       0  PUBACK       flags=0000 size=2+2    id=7\n');
    expect(run(['decode', '--hex'], '40020007').out).toBe('       0  PUBACK       flags=0000 size=2+2    id=7\n');
  });

  it('--protocol 3 reads the 3.1 sample CONNECT of a capture', () => {
    const capture = readFileSync(fixture('captures/pub-v31.c2s.bin'));
    const r = run(['decode', '--protocol', '3', '-'], capture);
    expect(r.status).toBe(0);
    expect(lines(r.out)[0]).toMatch(/^ {7}0 {2}CONNECT {6}flags=0000 size=2\+\d+ +level=3 \(3\.1\) clientId="cap-pub-v31"/);
  });
});

describe('mqtt-wire decode: a malformed stream prints every packet before the error, then one error line, exit 1', () => {
  const first4 = lines(readFileSync(fixture('session-311.decode.txt'), 'utf8')).slice(0, 4);

  it('a PUBLISH with QoS bits 11 after four packets (all in one chunk)', () => {
    // the first four packets of the sample (144 bytes), then a PUBLISH whose QoS bits are 11 (MQTT-3.3.1-4)
    const bad = Buffer.concat([session311.subarray(0, 144), Buffer.from('36050001610001', 'hex')]);
    const r = run(['decode', '-'], bad);
    expect(r.status).toBe(1);
    expect(lines(r.out)).toEqual(first4);
    expect(lines(r.err)).toEqual([
      'error at byte 144: code=malformed-packet reasonCode=0x81 (Malformed Packet) rule=MQTT-3.3.1-4: PUBLISH QoS bits are 3',
    ]);
  });

  it('a Remaining Length with a fifth byte after two packets: the packets, then the error at the fourth length byte', () => {
    const bad = Buffer.concat([session311.subarray(0, 77), Buffer.from('3080808080', 'hex'), session311.subarray(77)]);
    const r = run(['decode', '-'], bad);
    expect(r.status).toBe(1);
    expect(lines(r.out)).toEqual(first4.slice(0, 2));
    expect(lines(r.err)).toEqual([
      'error at byte 81: code=malformed-packet reasonCode=0x81 (Malformed Packet) rule=U311-2.2.3-1: Remaining Length has a continuation bit on its fourth byte (more than 268,435,455)',
    ]);
  });

  it('the same header error after a 5.0 CONNECT in the same chunk cites the 5.0 rule', () => {
    const bad = Buffer.concat([session50.subarray(0, 124), Buffer.from('3080808080', 'hex')]);
    const r = run(['decode', '-'], bad);
    expect(r.status).toBe(1);
    expect(lines(r.out)).toHaveLength(1);
    expect(r.err).toMatch(/^error at byte 128: code=malformed-packet reasonCode=0x81 \(Malformed Packet\) rule=U5-1\.5\.5-1: /);
  });

  it('a stream ending inside a frame: the whole packets, then the error at the partial frame', () => {
    const r = run(['decode', '-'], session311.subarray(0, 150));
    expect(r.status).toBe(1);
    expect(lines(r.out)).toEqual(first4);
    expect(lines(r.err)).toEqual([
      'error at byte 144: code=malformed-packet reasonCode=0x81 (Malformed Packet) rule=U311-2-1: stream ended inside a frame: 6 byte(s) of a 30-byte frame buffered',
    ]);
  });

  it('--max-packet-size refuses a larger packet at its header with packet-too-large 0x95', () => {
    const r = run(['decode', '--max-packet-size', '64', 'fixtures/session-311.bin']);
    expect(r.status).toBe(1);
    expect(r.out).toBe('');
    expect(r.err).toBe(
      'error at byte 0: code=packet-too-large reasonCode=0x95 (Packet too large): packet of 73 bytes exceeds the maximum packet size of 64 bytes\n',
    );
  });

  it('--max-packet-size after packets that fit: they are printed first', () => {
    // from the CONNACK on: the CONNACK (4 bytes) fits under 59, the SUBSCRIBE after it (60 bytes) does not
    const r = run(['decode', '--max-packet-size', '59', '-'], session311.subarray(73));
    expect(lines(r.out)).toEqual([
      '       0  CONNACK      flags=0000 size=2+2    sessionPresent=false reasonCode=0x00 (Connection Accepted)',
    ]);
    expect(r.err).toBe(
      'error at byte 4: code=packet-too-large reasonCode=0x95 (Packet too large): packet of 60 bytes exceeds the maximum packet size of 59 bytes\n',
    );
  });

  it('the default limit is the protocol\'s own: a 2 MiB PUBLISH (4-byte Remaining Length) decodes', () => {
    const big = encode({ type: 'publish', topic: 'big', payload: new Uint8Array(2 * 1024 * 1024), qos: 0, retain: false, dup: false });
    const r = run(['decode', '-'], big);
    expect(r.status).toBe(0);
    expect(r.out).toMatch(/^ {7}0 {2}PUBLISH {6}flags=0000 size=5\+2097157 topic="big" qos=0 retain=false dup=false payload=2097152B hex 0{32}…\n$/);
  });

  it('decode /dev/zero stops at the first error instead of reading forever (FILE and stdin)', () => {
    const expected = 'error at byte 0: code=malformed-packet reasonCode=0x81 (Malformed Packet) rule=U311-2.2.1-1: packet type 0 is reserved\n';
    const fromFile = spawnSync(process.execPath, [cli, 'decode', '/dev/zero'], { timeout: 30_000 });
    expect([fromFile.status, fromFile.stdout.toString(), fromFile.stderr.toString()]).toEqual([1, '', expected]);
    const fromStdin = spawnSync(process.execPath, [cli, 'decode'], { timeout: 30_000, stdio: [openSync('/dev/zero', 'r'), 'pipe', 'pipe'] });
    expect([fromStdin.status, fromStdin.stdout.toString(), fromStdin.stderr.toString()]).toEqual([1, '', expected]);
  });

  it('hex input with a bad character after good packets: the packets, then a usage error naming the character, exit 2', () => {
    const hex = `${toHex(session311.subarray(0, 77))} 30 zz`;
    const r = run(['decode', '--hex'], hex);
    expect(r.status).toBe(2);
    expect(lines(r.out)).toEqual(first4.slice(0, 2));
    expect(lines(r.err)).toEqual([`mqtt-wire decode: --hex input: 'z' at offset ${154 + 4} is not a hex digit or whitespace`]);
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
    expect(lines(hex.out)).toEqual(new FrameSplitter().push(session50).map(toHex));
    expect(run(['decode', '--hex', '--json'], hex.out).out).toBe(json);
  });

  it('--protocol sets the level of packets when there is no CONNECT; blank lines and a last line without newline are fine', () => {
    expect(run(['encode', '--hex', '--protocol', '5'], '{"type":"puback","packetId":7,"reasonCode":16}\n\n').out).toBe('4003000710\n');
    expect(run(['encode', '--hex', '--protocol', '4'], '\n  {"type":"puback","packetId":7}  ').out).toBe('40020007\n');
  });

  it('a line that is not UTF-8 after good ones in the same chunk: their frames, then the error naming that line', () => {
    const input = Buffer.concat([Buffer.from('{"type":"pingreq"}\n\n{"type":"pingresp"}\n'), Buffer.from([0x7b, 0xc3, 0x28, 0x7d, 0x0a]), Buffer.from('{"type":"pingreq"}\n')]);
    const r = run(['encode', '--hex'], input);
    expect([r.status, r.out, r.err]).toEqual([2, 'c000\nd000\n', 'mqtt-wire encode: line 4 is not UTF-8 text\n']);
  });

  it('a bad line after good ones: their frames are written, then one line naming the bad line, exit 2', () => {
    const r = run(['encode', '--hex'], '{"type":"pingreq"}\n{"type":"pingresp"}\n{"type":"publish","topic":"a/+","payload":{"utf8":""},"qos":0,"retain":false,"dup":false}\n{"type":"pingreq"}\n');
    expect(r.status).toBe(2);
    expect(r.out).toBe('c000\nd000\n');
    expect(lines(r.err)).toEqual(["mqtt-wire encode: line 3: invalid-packet (MQTT-3.3.2-2): PUBLISH topic 'a/+' contains the wildcard '+'"]);
  });
});

describe('mqtt-wire encode: JSON packet lines are checked, and the message says how to write them', () => {
  const cases: [string, string, string][] = [
    [
      'a text payload written as a JSON string',
      '{"type":"publish","topic":"t","payload":"hi","qos":0}',
      'line 1: "payload" holds bytes, written as {"utf8": "text"} for UTF-8 text or {"hex": "0a1b"} for any bytes; got a string (for this text: {"utf8": "hi"})',
    ],
    [
      'a will payload as a number',
      '{"type":"connect","protocolVersion":4,"clientId":"c","clean":true,"keepAlive":0,"will":{"topic":"w","payload":7,"qos":0,"retain":false}}',
      'line 1: "will.payload" holds bytes, written as {"utf8": "text"} for UTF-8 text or {"hex": "0a1b"} for any bytes; got a number',
    ],
    [
      'correlationData as an object of another shape',
      '{"type":"publish","topic":"t","payload":{"hex":""},"qos":0,"properties":{"correlationData":{"base64":"AA=="}}}',
      'line 1: "properties.correlationData" holds bytes, written as {"utf8": "text"} for UTF-8 text or {"hex": "0a1b"} for any bytes; got an object with keys "base64"',
    ],
    [
      'an unknown top-level key',
      '{"type":"publish","topic":"t","payload":{"utf8":"x"},"qos":0,"retained":true}',
      'line 1: unknown key "retained" in a publish packet; its keys are type, topic, payload, qos, retain, dup, packetId, properties',
    ],
    [
      'a top-level __proto__ key (it would supply fields through the prototype)',
      '{"type":"publish","topic":"t","payload":{"utf8":"x"},"__proto__":{"qos":1,"packetId":5}}',
      'line 1: unknown key "__proto__" in a publish packet; its keys are type, topic, payload, qos, retain, dup, packetId, properties',
    ],
    [
      'a nested __proto__ key',
      '{"type":"publish","topic":"t","payload":{"utf8":"x"},"qos":0,"properties":{"__proto__":{"contentType":"x"}}}',
      'line 1: "properties.__proto__": __proto__ is not a field name',
    ],
    [
      'an unknown type',
      '{"type":"publosh"}',
      'line 1: "type" must be one of connect, connack, publish, puback, pubrec, pubrel, pubcomp, subscribe, suback, unsubscribe, unsuback, pingreq, pingresp, disconnect, auth; got "publosh"',
    ],
    ['no type', '{"topic":"t"}', 'line 1: "type" must be one of connect, connack, publish, puback, pubrec, pubrel, pubcomp, subscribe, suback, unsubscribe, unsuback, pingreq, pingresp, disconnect, auth; got none'],
    ['JSON that is not an object', '[1,2]', 'line 1: a packet line is a JSON object with a "type", got an array'],
    ['invalid hex in a binary field', '{"type":"publish","topic":"t","payload":{"hex":"abc"},"qos":0}', "line 1: 'abc' is not an even-length hex string"],
  ];
  for (const [what, line, message] of cases) {
    it(what, () => {
      const r = run(['encode', '--hex'], `{"type":"pingreq"}\n${line}\n`);
      expect(r.status).toBe(2);
      // the line before is written; nothing of the bad one
      expect(r.out).toBe('c000\n');
      expect(lines(r.err)).toEqual([`mqtt-wire encode: ${message.replace('line 1', 'line 2')}`]);
    });
  }
});

describe('mqtt-wire usage errors: one line on stderr naming the problem, exit 2', () => {
  const cases: [string, string[], string | Uint8Array, string | RegExp][] = [
    ['no command', [], '', "mqtt-wire: missing command (decode, encode, dissect, pcap, probe); see 'mqtt-wire --help'"],
    ['an unknown command', ['inspect'], '', "mqtt-wire: unknown command 'inspect' (commands: decode, encode, dissect, pcap, probe); see 'mqtt-wire --help'"],
    ['an unknown top-level option', ['--protocol', '5'], '', "mqtt-wire: unknown option '--protocol' (commands: decode, encode, dissect, pcap, probe); see 'mqtt-wire --help'"],
    ['help for an unknown command', ['help', 'inspect'], '', "mqtt-wire help: unknown command 'inspect' (decode, encode, dissect, pcap, probe)"],
    ['an unknown option', ['decode', '--color', 'fixtures/session-311.bin'], '', "mqtt-wire decode: Unknown option '--color'"],
    [
      '--version given to a command (the old spelling of --protocol)',
      ['decode', '--version', '5', 'fixtures/session-311.bin'],
      '',
      "mqtt-wire decode: --version is not an option of a command ('mqtt-wire --version' prints the program version); the protocol level is --protocol 3|4|5",
    ],
    ['a bad --protocol', ['decode', '--protocol', '6', 'fixtures/session-311.bin'], '', "mqtt-wire decode: --protocol must be 3 (MQTT 3.1), 4 (3.1.1) or 5 (5.0), got '6'"],
    ['a --protocol spelled as the spec version', ['encode', '--protocol', '3.1.1'], '', "mqtt-wire encode: --protocol must be 3 (MQTT 3.1), 4 (3.1.1) or 5 (5.0), got '3.1.1'"],
    ['--protocol without a value', ['decode', '--protocol'], '', "mqtt-wire decode: Option '--protocol <value>' argument missing"],
    ['a value given to a flag', ['decode', '--json=yes', 'fixtures/session-311.bin'], '', "mqtt-wire decode: Option '--json' does not take an argument"],
    ['a bad --max-packet-size', ['decode', '--max-packet-size', '1k', 'fixtures/session-311.bin'], '', "mqtt-wire decode: --max-packet-size must be an integer from 2 to 268435460, got '1k'"],
    ['a --max-packet-size under 2', ['decode', '--max-packet-size', '1', 'fixtures/session-311.bin'], '', "mqtt-wire decode: --max-packet-size must be an integer from 2 to 268435460, got '1'"],
    ['a --max-packet-size over the protocol ceiling', ['decode', '--max-packet-size', '268435461', 'fixtures/session-311.bin'], '', "mqtt-wire decode: --max-packet-size must be an integer from 2 to 268435460, got '268435461'"],
    ['an --max-packet-size option on encode', ['encode', '--max-packet-size', '10'], '', "mqtt-wire encode: Unknown option '--max-packet-size'"],
    ['two files', ['decode', 'a.bin', 'b.bin'], '', 'mqtt-wire decode: expected at most one FILE, got 2: a.bin b.bin'],
    ['a missing file', ['decode', 'fixtures/no-such.bin'], '', "mqtt-wire decode: cannot read 'fixtures/no-such.bin': ENOENT: no such file or directory, open 'fixtures/no-such.bin'"],
    ['a directory', ['encode', 'fixtures'], '', "mqtt-wire encode: cannot read 'fixtures': EISDIR: illegal operation on a directory, read"],
    ['hex input that is not hex', ['decode', '--hex'], 'c0 0g', "mqtt-wire decode: --hex input: 'g' at offset 4 is not a hex digit or whitespace"],
    ['hex input with a control byte', ['decode', '--hex'], 'c0\u0000', 'mqtt-wire decode: --hex input: byte 0x00 at offset 2 is not a hex digit or whitespace'],
    ['hex input with an odd number of digits', ['decode', '--hex'], 'c0 0', 'mqtt-wire decode: --hex input: it ends in the middle of a byte (an odd number of hex digits)'],
    ['invalid JSON', ['encode'], '{"type":"pingreq"}\n{"type":', /^mqtt-wire encode: line 2: invalid JSON: /],
    ['binary input to encode', ['encode'], session311, "mqtt-wire encode: line 1: invalid JSON: a packet line starts with '{', found byte 0x10"],
    ['input that is not UTF-8', ['encode'], Buffer.from([0x7b, 0xff, 0x7d, 0x0a]), 'mqtt-wire encode: line 1 is not UTF-8 text'],
    [
      'an invalid packet',
      ['encode'],
      '{"type":"publish","topic":"a/#","payload":{"utf8":"x"},"qos":0,"retain":false,"dup":false}\n',
      "mqtt-wire encode: line 1: invalid-packet (MQTT-3.3.2-2): PUBLISH topic 'a/#' contains the wildcard '#'",
    ],
  ];
  for (const [what, args, input, message] of cases) {
    it(what, () => {
      const r = run(args, input);
      expect(r.status).toBe(2);
      expect(lines(r.err)).toHaveLength(1);
      if (typeof message === 'string') expect(r.err).toBe(`${message}\n`);
      else expect(r.err).toMatch(message);
      // what came before the bad line is written (the valid PINGREQ of the JSON case), nothing else
      expect(r.stdout.toString('hex')).toBe(what === 'invalid JSON' ? 'c000' : '');
    });
  }
});

describe('mqtt-wire with a terminal for stdin', () => {
  // util-linux `script` gives the CLI a pseudo-terminal; its flags are Linux's
  it.runIf(process.platform === 'linux')('decode without FILE refuses to wait on a terminal, exit 2', () => {
    const r = spawnSync('script', ['-qec', `${JSON.stringify(process.execPath)} ${JSON.stringify(cli)} decode`, '/dev/null'], { timeout: 30_000, encoding: 'utf8' });
    expect(r.status).toBe(2);
    expect(r.stdout.replace(/\r/g, '')).toBe('mqtt-wire decode: stdin is a terminal; give a FILE, or pipe a stream in\n');
  });
});

describe('mqtt-wire encode of input that never ends a line', () => {
  it('encode /dev/zero stops at once: a packet line starts with {', () => {
    const r = spawnSync(process.execPath, [cli, 'encode', '/dev/zero'], { timeout: 30_000 });
    expect([r.status, r.stdout.length, r.stderr.toString()]).toEqual([2, 0, "mqtt-wire encode: line 1: invalid JSON: a packet line starts with '{', found byte 0x00\n"]);
  });
});

describe('mqtt-wire --help and --version', () => {
  it('--version prints the package version, and nothing else', () => {
    for (const flag of ['--version', '-V']) {
      const r = run([flag]);
      expect([r.status, r.out, r.err]).toEqual([0, `${pkg.version}\n`, '']);
    }
  });

  it('overall help lists every command, on stdout with exit 0', () => {
    const overall = run(['--help']);
    expect([overall.status, overall.err]).toEqual([0, '']);
    expect(overall.out).toMatch(/^Usage: mqtt-wire <command> \[options\] \[FILE\|-\]/);
    // one line per command, its summary in a column
    expect(overall.out).toContain('\n  decode    print one line per packet of a byte stream\n');
    expect(overall.out).toContain("\n  encode    write the bytes of JSON packet lines (as printed by 'decode --json')\n");
    expect(overall.out).toMatch(/\n {2}dissect {3}\S.*\n {2}pcap {6}\S/);
    expect(overall.out).toContain('--version      print the program version');
    expect(run(['-h']).out).toBe(overall.out);
    expect(run(['help']).out).toBe(overall.out);
  });

  it('each command has its help, however asked for, before any other argument is checked', () => {
    const decodeHelp = run(['decode', '--help']);
    expect(decodeHelp.status).toBe(0);
    expect(decodeHelp.out).toMatch(/^Usage: mqtt-wire decode \[options\] \[FILE\|-\]/);
    for (const option of ['--json', '--hex', '--protocol 3|4|5', '--max-packet-size N', '268435460']) expect(decodeHelp.out).toContain(option);
    expect(decodeHelp.out).not.toContain('--version');
    expect(run(['help', 'decode']).out).toBe(decodeHelp.out);
    expect(run(['decode', '--protocol', '9', '-h']).out).toBe(decodeHelp.out);
    const encodeHelp = run(['encode', '-h']);
    expect(encodeHelp.status).toBe(0);
    expect(encodeHelp.out).toMatch(/^Usage: mqtt-wire encode \[options\] \[FILE\|-\]/);
    expect(encodeHelp.out).toContain('{"utf8": "text"} or {"hex": "0a1b"}');
  });

  it('after --, -h is a file name, not a request for help', () => {
    mkdirSync(join(dir, 'cwd'), { recursive: true });
    writeFileSync(join(dir, 'cwd', '-h'), session311.subarray(0, 2 + 71));
    const r = spawnSync(process.execPath, [cli, 'decode', '--', '-h'], { cwd: join(dir, 'cwd') });
    expect(r.status).toBe(0);
    expect(r.stdout.toString()).toMatch(/^ {7}0 {2}CONNECT /);
  });
});

describe('mqtt-wire decode without --protocol on what a server sends (no CONNECT first)', () => {
  it('a 5.0 server stream (its CONNACK has properties) is read at 5.0, as with --protocol 5, with a note on stderr', () => {
    for (const name of ['pub-v5-props.s2c', 'sub-v5-large.s2c', 'pub-v5-alias.s2c']) {
      const file = `fixtures/captures/${name}.bin`;
      const detected = run(['decode', file]);
      const given = run(['decode', '--protocol', '5', file]);
      expect([name, detected.status]).toEqual([name, 0]);
      expect(detected.out).toBe(given.out);
      expect(detected.err).toBe(
        'note: no CONNECT before the first packet: reading the stream as MQTT 5.0, the level its first packet decodes at (pass --protocol to choose)\n',
      );
    }
  });

  it('a 3.1.1 server stream is read at 3.1.1 as before, without a note', () => {
    const r = run(['decode', 'fixtures/captures/pub-v311-qos1.s2c.bin']);
    expect([r.status, r.err]).toEqual([0, '']);
    expect(r.out).toBe(run(['decode', '--protocol', '4', 'fixtures/captures/pub-v311-qos1.s2c.bin']).out);
  });

  it('a stream that fails at 3.1.1 without a CONNECT says which flag to pass after the error line', () => {
    // a PUBACK with a reason code and a Reason String: 5.0 only, but the first packet (a 3.1.1-valid PUBACK) chose 3.1.1
    const r = run(['decode', '--hex'], '40020001 4009000280 0005 1f000161');
    expect(r.status).toBe(1);
    expect(r.out).toBe('       0  PUBACK       flags=0000 size=2+2    id=1\n');
    expect(r.err.split('\n')[1]).toBe(
      'note: no CONNECT was seen and no --protocol given, so the stream was read as MQTT 3.1.1; if it is 5.0 (or 3.1), pass --protocol 5 (or 3)',
    );
    // with a CONNECT first, the level is known and no note is added
    expect(run(['decode', '--hex'], '100c00044d5154540402001e0000 40020001 4003000280').err).not.toContain('note:');
  });
});
