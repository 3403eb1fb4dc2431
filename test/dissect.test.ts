// dissect against decode: on every valid frame the same packet, on every invalid one decode's error as the first
// violation (code, reason code, rule, offset); every field tree covers each byte exactly once; never a throw.
// Then exact trees and violation lists for hand-made frames that break several rules at once.
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MqttError, decode, dissect, fromHex, type DissectField, type Packet, type ProtocolVersion } from '../src/index.js';
import { frameArbitrary, mutatedFrameArbitrary } from '../src/arbitraries.js';
import { packetFromJson } from '../src/json.js';
import { assertTiles } from './support/dissect-coverage.js';

const VERSIONS: ProtocolVersion[] = [3, 4, 5];

/** decode's verdict on `bytes`: the packet, or the error's four fields. */
function strict(bytes: Uint8Array, version: ProtocolVersion): { packet: Packet } | { error: Pick<MqttError, 'code' | 'reasonCode' | 'rule' | 'offset'> } {
  try {
    return { packet: decode(bytes, { version }) };
  } catch (e) {
    const err = e as MqttError;
    return { error: { code: err.code, reasonCode: err.reasonCode, rule: err.rule, offset: err.offset } };
  }
}

/** Asserts dissect's agreement with decode and its coverage of `bytes`. */
function agrees(bytes: Uint8Array, version: ProtocolVersion): void {
  const d = dissect(bytes, { version });
  assertTiles(d.fields, 0, bytes.length);
  const verdict = strict(bytes, version);
  if ('packet' in verdict) {
    expect(d.violations).toEqual([]);
    expect(d.packet).toEqual(verdict.packet);
    expect(d.length).toBe(bytes.length);
  } else {
    expect(d.packet).toBeUndefined();
    const first = d.violations[0];
    expect(first && { code: first.code, reasonCode: first.reasonCode, rule: first.rule, offset: first.offset }).toEqual(verdict.error);
  }
}

/**
 * A valid frame with one to three bytes replaced, often by a value that means something to MQTT (0x00, '#', '+',
 * '/', a continuation bit, 0xFF, small integers), so that wildcards, U+0000, padded integers, duplicate and
 * disallowed properties and reserved values turn up often, not only by chance.
 */
function rewrittenFrameArbitrary(version: ProtocolVersion): fc.Arbitrary<Uint8Array> {
  const value = fc.oneof(fc.constantFrom(0x00, 0x01, 0x02, 0x03, 0x23, 0x2b, 0x2f, 0x80, 0x81, 0xc0, 0xff, 0x0b, 0x26, 0x23), fc.integer({ min: 0, max: 255 }));
  return frameArbitrary(version).chain((frame) =>
    fc
      .array(fc.tuple(fc.integer({ min: 0, max: frame.length - 1 }), value), { minLength: 1, maxLength: 3 })
      .map((edits) => {
        const out = frame.slice();
        for (const [i, v] of edits) out[i] = v;
        return out;
      }),
  );
}

describe('dissect agrees with decode', () => {
  for (const version of VERSIONS) {
    it(`valid frames at level ${version}: the same packet, no violation`, () => {
      fc.assert(fc.property(frameArbitrary(version), (bytes) => agrees(bytes, version)), { numRuns: 400 });
    });
    it(`mutated frames at level ${version}: decode's error first (or the same packet)`, () => {
      fc.assert(fc.property(mutatedFrameArbitrary(version), (bytes) => agrees(bytes, version)), { numRuns: 1500 });
    });
    it(`frames with meaningful bytes rewritten at level ${version}`, () => {
      fc.assert(fc.property(rewrittenFrameArbitrary(version), (bytes) => agrees(bytes, version)), { numRuns: 1500 });
    });
    it(`arbitrary bytes at level ${version}: never a throw, every byte covered`, () => {
      fc.assert(fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => agrees(bytes, version)), { numRuns: 1000 });
    });
  }

  it('the fixture vectors decode to the same packets', () => {
    for (const file of ['vectors-311.json', 'vectors-50.json']) {
      const vectors = JSON.parse(readFileSync(join(__dirname, '..', 'fixtures', file), 'utf8')) as { name: string; version: ProtocolVersion; hex: string; packet: unknown }[];
      for (const v of vectors) {
        const d = dissect(fromHex(v.hex), { version: v.version });
        expect(d.violations, v.name).toEqual([]);
        expect(d.packet, v.name).toEqual(packetFromJson(v.packet));
      }
    }
  });

  it('never throws on what is not a frame', () => {
    for (const input of [undefined, null, 'hex', [1, 2], {}, 3]) {
      const d = dissect(input as unknown as Uint8Array);
      expect(d.violations).toHaveLength(1);
      expect(d.violations[0]!.code).toBe('malformed-packet');
      expect(d.fields).toEqual([]);
    }
    const d = dissect(fromHex('c000'), { version: 6 as ProtocolVersion });
    expect(d.violations[0]!.code).toBe('unsupported-protocol-version');
    assertTiles(d.fields, 0, 2);
  });
});

/** The tree with values shown as JSON would (bytes as hex), for exact comparison. */
function shape(fields: DissectField[]): unknown[] {
  return fields.map((f) => {
    const out: Record<string, unknown> = { name: f.name, offset: f.offset, length: f.length };
    if (f.value !== undefined) out['value'] = f.value instanceof Uint8Array ? Buffer.from(f.value).toString('hex') : f.value;
    if (f.note !== undefined) out['note'] = f.note;
    if (f.mask !== undefined) out['mask'] = f.mask;
    if (f.children !== undefined) out['children'] = shape(f.children);
    return out;
  });
}

const rules = (hex: string, version: ProtocolVersion): unknown[] =>
  dissect(fromHex(hex), { version }).violations.map((v) => [v.rule, v.code, v.reasonCode, v.offset]);

describe('dissect field trees', () => {
  it('3.1.1 PUBLISH QoS 1: fixed header bits, topic, packet id, payload', () => {
    const d = dissect(fromHex('32 09 0003 612f62 000a 6869'), { version: 4 });
    expect(d.violations).toEqual([]);
    expect(d.length).toBe(11);
    expect(shape(d.fields)).toEqual([
      {
        name: 'Fixed header', offset: 0, length: 2,
        children: [
          {
            name: 'Packet type and flags', offset: 0, length: 1, value: 0x32,
            children: [
              { name: 'Packet type', offset: 0, length: 1, value: 3, note: 'PUBLISH', mask: 0xf0 },
              { name: 'DUP', offset: 0, length: 1, value: false, mask: 0x08 },
              { name: 'QoS', offset: 0, length: 1, value: 1, mask: 0x06 },
              { name: 'RETAIN', offset: 0, length: 1, value: false, mask: 0x01 },
            ],
          },
          { name: 'Remaining Length', offset: 1, length: 1, value: 9 },
        ],
      },
      {
        name: 'Variable header', offset: 2, length: 7,
        children: [
          { name: 'Topic Name', offset: 2, length: 5, value: 'a/b', children: [
            { name: 'Length', offset: 2, length: 2, value: 3 },
            { name: 'Text', offset: 4, length: 3, value: 'a/b' },
          ] },
          { name: 'Packet Identifier', offset: 7, length: 2, value: 10 },
        ],
      },
      { name: 'Payload', offset: 9, length: 2, value: '6869' },
    ]);
  });

  it('5.0 SUBSCRIBE: property id and value, each subscription option bit', () => {
    // id 1, Subscription Identifier 5, filter "t" with No Local, Retain Handling 2, QoS 1
    const d = dissect(fromHex('82 09 0001 02 0b05 0001 74 25'), { version: 5 });
    expect(d.violations).toEqual([]);
    expect(d.packet).toEqual({
      type: 'subscribe', packetId: 1, properties: { subscriptionIdentifier: 5 },
      subscriptions: [{ topicFilter: 't', qos: 1, noLocal: true, retainAsPublished: false, retainHandling: 2 }],
    });
    const [, header, payload] = shape(d.fields) as { children: unknown[] }[];
    expect(header!.children[1]).toEqual({
      name: 'Properties', offset: 4, length: 3,
      children: [
        { name: 'Property Length', offset: 4, length: 1, value: 2 },
        { name: 'Subscription Identifier', offset: 5, length: 2, value: 5, children: [
          { name: 'Identifier', offset: 5, length: 1, value: 0x0b },
          { name: 'Value', offset: 6, length: 1, value: 5 },
        ] },
      ],
    });
    expect(payload!.children[0]).toEqual({
      name: 'Subscription', offset: 7, length: 4, value: 't',
      children: [
        { name: 'Topic Filter', offset: 7, length: 3, value: 't', children: [
          { name: 'Length', offset: 7, length: 2, value: 1 },
          { name: 'Text', offset: 9, length: 1, value: 't' },
        ] },
        { name: 'Subscription Options', offset: 10, length: 1, value: 0x25, children: [
          { name: 'Reserved', offset: 10, length: 1, value: 0, mask: 0xc0 },
          { name: 'Retain Handling', offset: 10, length: 1, value: 2, mask: 0x30 },
          { name: 'Retain As Published', offset: 10, length: 1, value: false, mask: 0x08 },
          { name: 'No Local', offset: 10, length: 1, value: true, mask: 0x04 },
          { name: 'Maximum QoS', offset: 10, length: 1, value: 1, mask: 0x03 },
        ] },
      ],
    });
  });
});

describe('dissect reports every broken rule', () => {
  it('5.0 PUBLISH: Topic Alias 0, a repeated property, a wildcard in the topic (in decode order)', () => {
    // topic "a/#" at 2; Property Length at 7; Topic Alias 0 at 8; Payload Format Indicator at 11 and again at 13
    expect(rules('30 0e 0003 612f23 07 230000 0101 0100 78', 5)).toEqual([
      ['MQTT-3.3.2-8', 'protocol-error', 0x94, 8],
      ['U5-3.3.2.3-2', 'protocol-error', 0x82, 13],
      ['MQTT-3.3.2-2', 'protocol-error', 0x90, 2],
    ]);
  });

  it('3.1.1 CONNECT: reserved flag, Will Retain without Will, empty client id with Clean Session 0', () => {
    expect(rules('10 0c 0004 4d515454 04 21 003c 0000', 4)).toEqual([
      ['MQTT-3.1.2-3', 'malformed-packet', 0x81, 9],
      ['MQTT-3.1.2-15', 'malformed-packet', 0x81, 9],
      ['MQTT-3.1.3-8', 'protocol-error', 0x85, 12],
    ]);
  });

  it('3.1.1 SUBSCRIBE: fixed-header flags, a misplaced #, a reserved QoS byte', () => {
    expect(rules('80 0a 0001 0005 612f232f62 03', 4)).toEqual([
      ['MQTT-3.8.1-1', 'malformed-packet', 0x81, 0],
      ['MQTT-4.7.1-2', 'protocol-error', 0x8f, 4],
      ['MQTT-3.8.3-4', 'malformed-packet', 0x81, 11],
    ]);
  });

  it('3.1.1 UNSUBSCRIBE: an ill-formed string is skipped by its length and the next filter still read', () => {
    const d = dissect(fromHex('a2 0b 0001 0001ff 0004612f2b78'), { version: 4 });
    expect(d.violations.map((v) => [v.rule, v.offset])).toEqual([
      ['MQTT-1.5.3-1', 4],
      ['MQTT-4.7.1-3', 7],
    ]);
    const payload = d.fields[2]!;
    expect(payload.children!.map((f) => [f.name, f.offset, f.value, f.note])).toEqual([
      ['Topic Filter', 4, '\ufffd', 'not well-formed UTF-8'],
      ['Topic Filter', 7, 'a/+x', 'invalid Topic Filter'],
    ]);
  });

  it('5.0 CONNACK: a property after an unknown one is not guessed at; the packet goes on after the block', () => {
    // Property Length 3: unknown id 0x7e, then two bytes; then one byte left over after the block
    expect(rules('20 07 00 00 03 7e0102 ff', 5)).toEqual([
      ['U5-2.2.2-2', 'malformed-packet', 0x81, 5],
      ['U5-2-1', 'malformed-packet', 0x81, 8],
    ]);
  });

  it('a truncated frame: one violation at its end, what is there still named', () => {
    const d = dissect(fromHex('32 09 0003 612f'), { version: 4 });
    expect(d.violations.map((v) => [v.rule, v.offset])).toEqual([['U311-2-1', 6]]);
    expect(d.length).toBe(11);
    assertTiles(d.fields, 0, 6);
  });

  it('bytes after the frame: reported and shown, length is the frame', () => {
    const d = dissect(fromHex('c0 00 ff'), { version: 4 });
    expect(d.violations.map((v) => [v.rule, v.offset])).toEqual([['U311-2-1', 2]]);
    expect(d.length).toBe(2);
    expect(d.fields.map((f) => [f.name, f.offset, f.length])).toEqual([
      ['Fixed header', 0, 2],
      ['Trailing bytes', 2, 1],
    ]);
  });

  it('a padded Remaining Length is reported and its value still used', () => {
    const d = dissect(fromHex('c0 80 00'), { version: 5 });
    expect(d.violations.map((v) => [v.rule, v.offset])).toEqual([['MQTT-1.5.5-1', 2]]);
    expect(d.fields[0]!.children![1]).toMatchObject({ name: 'Remaining Length', offset: 1, length: 2, value: 0, note: 'not in its shortest form' });
  });
});
