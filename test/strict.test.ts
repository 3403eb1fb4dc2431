// The optional (MAY) checks: Disallowed Unicode code points and Payload Format Indicator 1 with a non-UTF-8 payload.
// Off by default (the conformance tests assert acceptance then); on with PacketDecoder's options.
import { describe, expect, it } from 'vitest';
import { PacketDecoder, disallowedCodePointIndex, encode, strictFault, type Packet, type PublishPacket } from '../src/index.js';
import { thrown } from './support/helpers.js';

const utf8 = (s: string) => new TextEncoder().encode(s);
const pub = (topic: string, payload: Uint8Array, properties?: PublishPacket['properties']): PublishPacket => ({
  type: 'publish',
  topic,
  payload,
  qos: 0,
  retain: false,
  dup: false,
  ...(properties === undefined ? {} : { properties }),
});

describe('disallowedCodePointIndex', () => {
  it('finds control characters, C1 controls and noncharacters, and nothing else', () => {
    expect(disallowedCodePointIndex('plain/topic é ✓ 😀')).toBe(-1);
    expect(disallowedCodePointIndex('a\tb')).toBe(1);
    expect(disallowedCodePointIndex('ab\u007f')).toBe(2);
    expect(disallowedCodePointIndex('\u009f')).toBe(0);
    expect(disallowedCodePointIndex('x\ufdd0')).toBe(1);
    expect(disallowedCodePointIndex('x\ufffe')).toBe(1);
    // U+1FFFF (a noncharacter in plane 1) as a surrogate pair
    expect(disallowedCodePointIndex('xy\ud83f\udfff')).toBe(2);
    // U+00A0 and U+FEFF (BOM) are allowed
    expect(disallowedCodePointIndex('\u00a0\ufeff')).toBe(-1);
  });
});

describe('PacketDecoder strictStrings', () => {
  it('U311-1.5.3-1 off by default: a control character in a topic is accepted', () => {
    const p = pub('a\u0001b', new Uint8Array(0));
    expect(new PacketDecoder().push(encode(p))).toEqual([p]);
  });

  it('U311-1.5.3-1 on: a control character in a 3.1.1 topic is malformed, rule and offset of the frame', () => {
    const ping = encode({ type: 'pingreq' });
    const d = new PacketDecoder({ strictStrings: true });
    const e = thrown(() => d.push(new Uint8Array([...ping, ...encode(pub('a\u0001b', new Uint8Array(0)))])));
    expect([e.code, e.reasonCode, e.rule, e.offset]).toEqual(['malformed-packet', 0x81, 'U311-1.5.3-1', 2]);
    expect(e.message).toContain('PUBLISH Topic Name contains the disallowed code point U+0001');
  });

  it('U5-1.5.4-1 on: a noncharacter in a 5.0 User Property value is malformed', () => {
    const d = new PacketDecoder({ version: 5, strictStrings: true });
    const frame = encode(pub('t', new Uint8Array(0), { userProperties: [['k', 'v\ufffe']] }), { version: 5 });
    const e = thrown(() => d.push(frame));
    expect([e.code, e.reasonCode, e.rule]).toEqual(['malformed-packet', 0x81, 'U5-1.5.4-1']);
    expect(e.message).toContain('User Property value contains the disallowed code point U+FFFE');
  });

  it('checks CONNECT strings by the CONNECT\'s own level', () => {
    const connect: Packet = { type: 'connect', protocolVersion: 5, clientId: 'c\u0007', clean: true, keepAlive: 0 };
    const e = thrown(() => new PacketDecoder({ strictStrings: true }).push(encode(connect)));
    expect([e.rule, e.message.includes('CONNECT Client Identifier')]).toEqual(['U5-1.5.4-1', true]);
  });
});

describe('PacketDecoder checkPayloadFormat', () => {
  const bad = new Uint8Array([0x61, 0xff]);

  it('U5-3.3.2.3-3 off by default: Payload Format Indicator 1 with a non-UTF-8 payload is accepted', () => {
    const p = pub('t', bad, { payloadFormatIndicator: 1 });
    expect(new PacketDecoder({ version: 5 }).push(encode(p, { version: 5 }))).toEqual([p]);
  });

  it('U5-3.3.2.3-3 on: refused with 0x99 Payload format invalid; UTF-8 payloads and indicator 0 pass', () => {
    const d = new PacketDecoder({ version: 5, checkPayloadFormat: true });
    const ok = [pub('t', utf8('{"é":1}'), { payloadFormatIndicator: 1 }), pub('t', bad, { payloadFormatIndicator: 0 }), pub('t', bad)];
    for (const p of ok) expect(d.push(encode(p, { version: 5 }))).toEqual([p]);
    const e = thrown(() => d.push(encode(pub('t', bad, { payloadFormatIndicator: 1 }), { version: 5 })));
    expect([e.code, e.reasonCode, e.rule]).toEqual(['protocol-error', 0x99, 'U5-3.3.2.3-3']);
  });

  it('U5-3.1.3.2-3 on: a Will with Payload Format Indicator 1 and a non-UTF-8 payload is refused with 0x99', () => {
    const connect: Packet = {
      type: 'connect',
      protocolVersion: 5,
      clientId: 'c',
      clean: true,
      keepAlive: 0,
      will: { topic: 'w', payload: bad, qos: 0, retain: false, properties: { payloadFormatIndicator: 1 } },
    };
    const e = thrown(() => new PacketDecoder({ checkPayloadFormat: true }).push(encode(connect)));
    expect([e.code, e.reasonCode, e.rule]).toEqual(['protocol-error', 0x99, 'U5-3.1.3.2-3']);
  });

  it('strictFault can be called on packets from decode()', () => {
    expect(strictFault(pub('t', bad, { payloadFormatIndicator: 1 }), 5, { checkPayloadFormat: true })?.reasonCode).toBe(0x99);
    expect(strictFault(pub('t', bad, { payloadFormatIndicator: 1 }), 5, {})).toBeUndefined();
  });
});
