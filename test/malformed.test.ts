// Labelled malformed cases (src/fuzz): every case is refused exactly as labelled — `decode`, or a `PacketDecoder`
// with the options the case carries, or `encode` for the objects no frame can express — and every checkable rule of
// both conformance tables has cases, in `conformanceCases` and in `malformedFrameArbitrary`.
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import * as fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { conformanceCases, malformedFrameArbitrary, type FrameCase, type MalformedCase } from '../src/arbitraries.js';
import { OPTIONAL_RULES, generatorsAt } from '../src/fuzz/cases.js';
import { SPEC_PROPERTIES, SPEC_REASON_CODES_V5, SPEC_RETURN_CODES_311 } from '../src/fuzz/spec.js';
import { MqttError, PacketDecoder, decode, encode, toHex, type MqttErrorCode } from '../src/index.js';

const root = resolve(__dirname, '..');

interface Refusal {
  code: MqttErrorCode;
  reasonCode: number;
  rule: string | undefined;
}
type Outcome = Refusal | 'accepted';

function outcome(run: () => unknown): Outcome {
  try {
    run();
    return 'accepted';
  } catch (e) {
    if (!(e instanceof MqttError)) throw e;
    return { code: e.code, reasonCode: e.reasonCode, rule: e.rule };
  }
}

const label = (c: MalformedCase): Refusal => ({ code: c.code, reasonCode: c.reasonCode, rule: c.rule });
const describeCase = (c: MalformedCase): string =>
  `${c.name} @${c.version}: ${c.side === 'decode' ? toHex(c.bytes) : JSON.stringify(c.packet, (_, v) => (v instanceof Uint8Array ? `<${v.length} bytes>` : v))}${c.side === 'decode' && c.decoder ? ` ${JSON.stringify(c.decoder)}` : ''}`;

/** Holds a case to its label: the exact refusal, and for decoder cases, that plain `decode` accepts the frame. */
function check(c: MalformedCase): void {
  if (c.side === 'encode') {
    expect(outcome(() => encode(c.packet, c.options)), describeCase(c)).toStrictEqual(label(c));
    return;
  }
  const streamed = outcome(() => new PacketDecoder({ version: c.version, ...c.decoder }).push(c.bytes));
  expect(streamed, describeCase(c)).toStrictEqual(label(c));
  const plain = outcome(() => decode(c.bytes, { version: c.version }));
  expect(plain, describeCase(c)).toStrictEqual(c.decoder === undefined ? label(c) : 'accepted');
}

/** The checkable rows of a conformance table that something can break so that a receiver refuses it. */
function refusableRows(version: 4 | 5): string[] {
  const file = join(root, 'fixtures', 'spec', version === 5 ? 'conformance-50.tsv' : 'conformance-311.tsv');
  return readFileSync(file, 'utf8')
    .trim()
    .split('\n')
    .slice(1)
    .map((line) => line.split('\t'))
    .filter(([, , , , failure, checkable, side]) => (checkable === 'yes' || checkable === 'partly') && (!failure!.startsWith('n/a') || side === 'encode'))
    .map(([id]) => id!);
}

describe.each([4, 5] as const)('level %i', (version) => {
  const cases = conformanceCases(version, { side: 'both' });

  it('conformanceCases: every case is refused exactly as labelled', () => {
    for (const c of cases) check(c);
  });

  it('conformanceCases: names are unique and the list is deterministic', () => {
    const names = cases.map((c) => c.name);
    expect(new Set(names).size).toBe(names.length);
    const again = conformanceCases(version, { side: 'both' });
    expect(again.map(describeCase)).toEqual(cases.map(describeCase));
  });

  it('malformedFrameArbitrary: every generated case is refused exactly as labelled', () => {
    fc.assert(
      fc.property(malformedFrameArbitrary(version, { side: 'both' }), (c) => check(c)),
      { numRuns: 3000 },
    );
  });

  it('every checkable rule the receiver can refuse has cases, in the list and in the arbitrary', () => {
    const rows = refusableRows(version);
    expect(rows.length).toBeGreaterThan(version === 5 ? 120 : 60);
    const listed = new Set(cases.flatMap((c) => c.rows));
    expect(rows.filter((r) => !listed.has(r))).toEqual([]);
    for (const row of rows) {
      const sample = fc.sample(malformedFrameArbitrary(version, { rules: [row], side: 'both' }), { numRuns: 3, seed: 42 });
      for (const c of sample) expect(c.rows, c.name).toContain(row);
    }
  });

  it('optional marks exactly the cases of the rows the table calls optional or lenient', () => {
    const file = join(root, 'fixtures', 'spec', version === 5 ? 'conformance-50.tsv' : 'conformance-311.tsv');
    const marked = readFileSync(file, 'utf8')
      .trim()
      .split('\n')
      .slice(1)
      .map((l) => l.split('\t'))
      // MQTT-3.1.2-1's "(optional)" is the CONNACK before the close, not the refusal
      .filter((r) => (r[5] === 'yes' || r[5] === 'partly') && /optional|lenient/.test(r[4]!) && r[0] !== 'MQTT-3.1.2-1')
      .map((r) => r[0]!);
    expect(marked.every((id) => OPTIONAL_RULES.has(id))).toBe(true);
    for (const c of cases) expect(c.optional === true, c.name).toBe(c.rule !== undefined && marked.includes(c.rule));
  });

  it('every case cites rows of its own table', () => {
    const file = join(root, 'fixtures', 'spec', version === 5 ? 'conformance-50.tsv' : 'conformance-311.tsv');
    const ids = new Set(readFileSync(file, 'utf8').split('\n').map((l) => l.split('\t')[0]));
    for (const c of cases) expect(c.rows.filter((r) => !ids.has(r)), c.name).toEqual([]);
  });

  it('options select by rule and packet type, and refuse what selects nothing', () => {
    const publish = conformanceCases(version, { packetTypes: ['publish'] });
    expect(publish.length).toBeGreaterThan(3);
    expect(publish.every((c) => c.packetType === 'publish' && c.side === 'decode')).toBe(true);
    const encoder = conformanceCases(version, { side: 'encode' });
    expect(encoder.map((c) => c.rows.includes('MQTT-4.7.3-3'))).toContain(true);
    expect(() => conformanceCases(version, { rules: ['MQTT-9.9.9-9'] })).toThrow(RangeError);
  });
});

describe('scope', () => {
  it('levels other than 4 and 5 are refused with a RangeError naming the levels', () => {
    expect(() => conformanceCases(3)).toThrow(/levels 4 \(3\.1\.1\) and 5 \(5\.0\)/);
    expect(() => malformedFrameArbitrary(6 as never)).toThrow(RangeError);
  });

  it('the case modules never import fast-check (the CLI uses them at run time)', () => {
    const seen = new Set<string>();
    const walk = (file: string): void => {
      if (seen.has(file)) return;
      seen.add(file);
      const source = readFileSync(file, 'utf8');
      for (const m of source.matchAll(/^import[^'"]*['"]([^'"]+)['"]/gm)) {
        const spec = m[1]!;
        expect(spec, `${file} imports ${spec}`).not.toBe('fast-check');
        if (spec.startsWith('.')) walk(join(dirname(file), spec.replace(/\.js$/, '.ts')));
      }
    };
    walk(join(root, 'src', 'fuzz', 'cases.ts'));
    expect(seen.size).toBeGreaterThan(5);
  });
});

describe('spec tables of the case generators match the spec checklists', () => {
  const tsv = (name: string): string[][] =>
    readFileSync(join(root, 'fixtures', 'spec', name), 'utf8')
      .trim()
      .split('\n')
      .slice(1)
      .map((l) => l.split('\t'));

  it('properties: identifier, name, type and packets (v5-properties.tsv)', () => {
    const types: Record<string, string> = {
      Byte: 'byte',
      'Two Byte Integer': 'u16',
      'Four Byte Integer': 'u32',
      'Variable Byte Integer': 'vbi',
      'UTF-8 Encoded String': 'string',
      'Binary Data': 'binary',
      'UTF-8 String Pair': 'pair',
    };
    const rows = tsv('v5-properties.tsv').map(([dec, , name, type, packets]) => ({
      id: Number(dec),
      name,
      type: types[type!],
      packets: packets!
        .split(', ')
        .map((p) => (p.startsWith('Will Properties') ? 'will' : p.toLowerCase()))
        .sort(),
    }));
    expect(SPEC_PROPERTIES.map((p) => ({ id: p.id, name: p.name, type: p.type, packets: [...p.packets].sort() }))).toEqual(rows);
  });

  it('reason codes of each packet (v5-reason-codes.tsv)', () => {
    const byPacket: Record<string, number[]> = {};
    const byPacket311: Record<string, number[]> = {};
    for (const [version, packet, hex] of tsv('v5-reason-codes.tsv')) {
      const into = version === '5.0' ? byPacket : byPacket311;
      (into[packet!.toLowerCase()] ??= []).push(Number(hex));
    }
    for (const list of [...Object.values(byPacket), ...Object.values(byPacket311)]) list.sort((a, b) => a - b);
    expect(Object.fromEntries(Object.entries(SPEC_REASON_CODES_V5).map(([k, v]) => [k, [...v].sort((a, b) => a - b)]))).toEqual(byPacket);
    expect(SPEC_RETURN_CODES_311).toEqual(byPacket311);
  });

  it('there is a generator for every frame case and the generators are the same for both entry points', () => {
    for (const version of [4, 5] as const) {
      expect(conformanceCases(version, { side: 'both' }).map((c) => c.name)).toEqual(generatorsAt(version).map((g) => g.name));
    }
  });
});

describe('what the cases look like', () => {
  const find = (version: 4 | 5, name: string): FrameCase => {
    const c = conformanceCases(version).find((x) => x.name === name);
    if (c === undefined) throw new Error(`no case '${name}'`);
    return c;
  };

  it('the simplest cases are the shortest frames that break the rule', () => {
    expect(toHex(find(4, 'PUBLISH QoS 3').bytes)).toBe('36050001610001');
    expect(find(4, 'PUBLISH QoS 3')).toMatchObject({ rule: 'MQTT-3.3.1-4', code: 'malformed-packet', reasonCode: 0x81, packetType: 'publish' });
    expect(toHex(find(5, 'PUBLISH Topic Name: U+0000').bytes)).toBe('3004000100' + '00');
    expect(find(5, 'PUBLISH Topic Name: U+0000').rows).toEqual(['MQTT-1.5.4-2', 'MQTT-3.3.2-1', 'MQTT-4.7.3-2', 'MQTT-4.13.1-1']);
  });

  it('cases that need a decoder option carry it', () => {
    expect(find(5, 'PUBLISH from a client with a Subscription Identifier').decoder).toEqual({ role: 'server' });
    const alias = find(5, 'PUBLISH to a client: Topic Alias above its Topic Alias Maximum');
    expect(alias.decoder).toEqual({ role: 'client', topicAliasMaximum: 1 });
    expect(alias).toMatchObject({ rule: 'MQTT-3.1.2-26', reasonCode: 0x94 });
    const big = find(5, "PUBLISH over the server's Maximum Packet Size");
    expect(big.decoder).toEqual({ role: 'server', maxPacketSize: big.bytes.length - 1 });
  });
});
