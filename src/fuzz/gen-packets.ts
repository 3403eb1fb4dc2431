// Generators for the rules of one packet type each (chapter 3): CONNECT flags and payload, CONNACK, PUBLISH,
// the acknowledgements, SUBSCRIBE / SUBACK, UNSUBSCRIBE / UNSUBACK, PINGREQ / PINGRESP, DISCONNECT and AUTH;
// and the rules only `encode` can see (no byte sequence breaks them).

import type { PacketType } from '../types.js';
import type { Choices } from './choices.js';
import { bin, byte, fieldNamed, raw, replaceField, str, u16, utf8, writeFields, type Field, type FrameModel, type Property } from './frame.js';
import {
  ILL_FORMED,
  cutAt,
  invalid,
  malformed,
  notIn,
  protocol,
  ruleIds,
  setStringBytes,
  unsupported,
  type Expectation,
  type FrameGenerator,
  type Generator,
} from './generator.js';
import { withProperties } from './gen-fields.js';
import {
  ackModel,
  authModel,
  connackModel,
  connectModel,
  disconnectModel,
  publishModel,
  someProperties,
  subackModel,
  subscribeModel,
  topicFilter,
  unsubackModel,
  unsubscribeModel,
  validModel,
  type AckType,
  type CaseVersion,
} from './packets.js';
import { SPEC_REASON_CODES_V5, SPEC_RETURN_CODES_311 } from './spec.js';

/** A decode generator from a model builder. */
function gen(name: string, packetType: PacketType, expect: Expectation, rows: string[], build: FrameGenerator['build'], decoder?: FrameGenerator['decoder']): FrameGenerator {
  return { side: 'decode', name, packetType, expect, rows, build, ...(decoder !== undefined ? { decoder } : {}) };
}

function setByte(fields: readonly Field[], name: string, update: (b: number) => number): void {
  const f = fieldNamed(fields, name);
  if (f.kind !== 'byte') throw new Error(`${name} is a ${f.kind}`);
  f.value = update(f.value) & 0xff;
}

/** Some ASCII bytes and then an ill-formed UTF-8 sequence: a payload that is not UTF-8. */
function notUtf8(c: Choices): Uint8Array {
  return Uint8Array.from([...utf8(c.text(0, 6)), ...c.pick(ILL_FORMED)]);
}

/** Values of a byte property that may only be 0 or 1. */
const notZeroOrOne = (c: Choices): number => c.int(2, 255);

function connectGenerators(v: CaseVersion): Generator[] {
  const ids = ruleIds(v);
  const v5 = v === 5;
  const out: Generator[] = [];
  out.push(
    gen('CONNECT Protocol Name not MQTT', 'connect', unsupported('MQTT-3.1.2-1'), [], (c) => {
      const m = connectModel(c, v);
      // not MQTT's names: 'MQIsdp' (3.1) at another level is a level fault (MQTT-3.1.2-2)
      let name = c.pick(['mqtt', 'MQTT ', 'MQ', '', 'MQisdp', c.text(1, 8)]);
      if (name === 'MQTT' || name === 'MQIsdp') name += 'x';
      setStringBytes(m.body, 'protocolName', utf8(name));
      return m;
    }),
    gen("CONNECT Protocol Name of another level ('MQIsdp', 3.1's)", 'connect', unsupported('MQTT-3.1.2-2'), [], (c) => {
      const m = connectModel(c, v);
      setStringBytes(m.body, 'protocolName', utf8('MQIsdp'));
      return m;
    }),
    gen('CONNECT Protocol Level not 3, 4 or 5', 'connect', unsupported('MQTT-3.1.2-2'), [], (c) => {
      const m = connectModel(c, v);
      setByte(m.body, 'protocolLevel', () => c.pick([0, 6, 1, 2, 0xff, c.int(6, 0xff)]));
      return m;
    }),
    gen('CONNECT reserved Connect Flags bit set', 'connect', malformed('MQTT-3.1.2-3'), [], (c) => {
      const m = connectModel(c, v);
      setByte(m.body, 'connectFlags', (b) => b | 1);
      return m;
    }),
    gen('CONNECT Will QoS without the Will Flag', 'connect', malformed(v5 ? 'MQTT-3.1.2-11' : 'MQTT-3.1.2-13'), v5 ? [] : ['MQTT-3.1.2-11'], (c) => {
      const m = connectModel(c, v, { will: false });
      setByte(m.body, 'connectFlags', (b) => b | (c.int(1, 3) << 3));
      return m;
    }),
    gen('CONNECT Will QoS 3', 'connect', malformed(v5 ? 'MQTT-3.1.2-12' : 'MQTT-3.1.2-14'), [], (c) => {
      const m = connectModel(c, v, { will: true });
      setByte(m.body, 'connectFlags', (b) => b | 0x18);
      return m;
    }),
    gen('CONNECT Will Retain without the Will Flag', 'connect', malformed(v5 ? 'MQTT-3.1.2-13' : 'MQTT-3.1.2-15'), v5 ? [] : ['MQTT-3.1.2-11'], (c) => {
      const m = connectModel(c, v, { will: false });
      setByte(m.body, 'connectFlags', (b) => b | 0x20);
      return m;
    }),
    // Fields present without their flag: bytes left over at the end
    gen('CONNECT Will Topic and Payload without the Will Flag', 'connect', malformed(ids.fill), [v5 ? 'MQTT-3.1.3-1' : 'MQTT-3.1.2-11'], (c) => {
      const m = connectModel(c, v, { will: false, username: false, password: false });
      m.body.push(str('willTopic', c.text(1, 8)), bin('willPayload', c.bytes(0, 8)));
      return m;
    }),
    gen('CONNECT User Name without the User Name Flag', 'connect', malformed(ids.fill), [v5 ? 'MQTT-3.1.2-16' : 'MQTT-3.1.2-18'], (c) => {
      const m = connectModel(c, v, { username: false, password: false });
      m.body.push(str('username', c.text(0, 8)));
      return m;
    }),
    gen('CONNECT Password without the Password Flag', 'connect', malformed(ids.fill), [v5 ? 'MQTT-3.1.2-18' : 'MQTT-3.1.2-20'], (c) => {
      const m = connectModel(c, v, { username: !v5, password: false });
      m.body.push(bin('password', c.bytes(0, 8)));
      return m;
    }),
    // Flags without their fields: the payload stops short
    gen('CONNECT Will Flag without the Will fields', 'connect', malformed(ids.fill), ['MQTT-3.1.2-9'], (c) => {
      const m = connectModel(c, v, { will: true });
      cutAt(m.body, v5 ? 'willProperties' : 'willTopic');
      return m;
    }),
    gen('CONNECT User Name Flag without the User Name', 'connect', malformed(ids.fill), [v5 ? 'MQTT-3.1.2-17' : 'MQTT-3.1.2-19'], (c) => {
      const m = connectModel(c, v, { username: true });
      cutAt(m.body, 'username');
      return m;
    }),
    gen('CONNECT Password Flag without the Password', 'connect', malformed(ids.fill), [v5 ? 'MQTT-3.1.2-19' : 'MQTT-3.1.2-21'], (c) => {
      const m = connectModel(c, v, { username: true, password: true });
      cutAt(m.body, 'password');
      return m;
    }),
    gen('CONNECT without a Client Identifier', 'connect', malformed(ids.fill), ['MQTT-3.1.3-3'], (c) => {
      const m = connectModel(c, v, { will: false, username: false, password: false });
      cutAt(m.body, 'clientId');
      return m;
    }),
    gen('CONNECT variable header cut short', 'connect', malformed(ids.fill), v5 ? ['MQTT-2.2.2-1'] : ['U311-3.1.2-1'], (c) => {
      const body = writeFields(connectModel(c, v).body);
      // 5.0: up to the end of Keep Alive, so that the Property Length is missing at most
      return { type: 1, flags: 0, body: [raw('cut', body.subarray(0, c.int(v5 ? 10 : 0, v5 ? 10 : 9)))] };
    }),
    // MQTT-3.1.3-1: the User Name sent before the Will fields is read as the Will Topic, and the Will Payload (not
    // UTF-8 here) as the User Name
    gen('CONNECT payload fields out of order', 'connect', malformed(ids.utf8), ['MQTT-3.1.3-1'], (c) => {
      const m = connectModel(c, v, { will: true, username: true, password: false });
      const username = fieldNamed(m.body, 'username');
      if (username.kind === 'string') username.bytes = utf8(c.text(1, 8));
      const payload = fieldNamed(m.body, 'willPayload');
      if (payload.kind === 'binary') payload.bytes = notUtf8(c);
      const order = ['willTopic', 'willPayload', 'username'].map((n) => fieldNamed(m.body, n));
      m.body = m.body.filter((f) => !order.includes(f));
      m.body.push(order[2]!, order[0]!, order[1]!);
      return m;
    }),
  );
  if (!v5) {
    out.push(
      gen('CONNECT Password Flag without the User Name Flag', 'connect', malformed('MQTT-3.1.2-22'), [], (c) => {
        const m = connectModel(c, v, { username: false, password: false });
        setByte(m.body, 'connectFlags', (b) => b | 0x40);
        m.body.push(bin('password', c.bytes(0, 8)));
        return m;
      }),
      gen('CONNECT empty Client Identifier with Clean Session 0', 'connect', protocol('MQTT-3.1.3-8', 0x85), ['MQTT-3.1.3-7'], (c) =>
        connectModel(c, v, { clientId: '', clean: false })),
    );
    return out;
  }
  // 5.0 CONNECT and Will property values
  const connectProp = (name: string, rule: string, bad: (c: Choices) => Property, exclude: number[]): Generator =>
    gen(`CONNECT ${name}`, 'connect', protocol(rule), [], (c) => connectModel(c, v, { properties: [...someProperties(c, 'connect', 2, exclude), bad(c)] }));
  out.push(
    connectProp('Receive Maximum 0', 'U5-3.1.2.11-2', () => ({ id: 0x21, value: [u16('value', 0)] }), [0x21]),
    connectProp('Maximum Packet Size 0', 'U5-3.1.2.11-3', () => ({ id: 0x27, value: [{ kind: 'u32', name: 'value', value: 0 }] }), [0x27]),
    connectProp('Request Problem Information not 0 or 1', 'U5-3.1.2.11-4', (c) => ({ id: 0x17, value: [byte('value', notZeroOrOne(c))] }), [0x17]),
    connectProp('Request Response Information not 0 or 1', 'U5-3.1.2.11-4', (c) => ({ id: 0x19, value: [byte('value', notZeroOrOne(c))] }), [0x19]),
    connectProp('Authentication Data without Authentication Method', 'U5-3.1.2.11-5', (c) => ({ id: 0x16, value: [bin('value', c.bytes(0, 8))] }), [0x15, 0x16]),
    gen('CONNECT Will Payload Format Indicator not 0 or 1', 'connect', protocol('U5-3.1.3.2-3'), [], (c) =>
      connectModel(c, v, { will: true, willProperties: [{ id: 0x01, value: [byte('value', notZeroOrOne(c))] }] })),
    gen(
      'CONNECT Will Payload not UTF-8 with Payload Format Indicator 1',
      'connect',
      protocol('U5-3.1.3.2-3', 0x99),
      [],
      (c) => {
        const m = connectModel(c, v, { will: true, willProperties: [{ id: 0x01, value: [byte('value', 1)] }] });
        const payload = fieldNamed(m.body, 'willPayload');
        if (payload.kind === 'binary') payload.bytes = notUtf8(c);
        return m;
      },
      { checkPayloadFormat: true },
    ),
  );
  return out;
}

function connackGenerators(v: CaseVersion): Generator[] {
  const v5 = v === 5;
  const ids = ruleIds(v);
  const allowed = v5 ? SPEC_REASON_CODES_V5['connack']! : SPEC_RETURN_CODES_311['connack']!;
  const out: Generator[] = [
    gen('CONNACK reserved Connect Acknowledge Flags set', 'connack', malformed(v5 ? 'MQTT-3.2.2-1' : 'U311-3.2.2-1'), [], (c) => {
      const m = connackModel(c, v);
      setByte(m.body, 'acknowledgeFlags', (b) => b | (c.int(1, 127) << 1));
      return m;
    }),
    gen('CONNACK Session Present with a refusal', 'connack', protocol(v5 ? 'MQTT-3.2.2-6' : 'MQTT-3.2.2-4'), [], (c) => {
      const m = connackModel(c, v);
      setByte(m.body, 'acknowledgeFlags', () => 1);
      setByte(m.body, 'reasonCode', () => c.pick(allowed.filter((r) => r !== 0)));
      return m;
    }),
    gen(`CONNACK ${v5 ? 'Reason' : 'Return'} Code not allowed`, 'connack', protocol(v5 ? 'MQTT-3.2.2-8' : 'U311-3.2.2-2'), v5 ? ['U5-2.4-1'] : [], (c) => {
      const m = connackModel(c, v);
      setByte(m.body, 'acknowledgeFlags', () => 0);
      setByte(m.body, 'reasonCode', () => c.pick(notIn(allowed)));
      return m;
    }),
  ];
  if (v5) {
    out.push(
      gen('CONNACK bytes after the properties', 'connack', malformed(ids.fill), ['U5-3.2.2-1', 'U5-2.3-1'], (c) => {
        const m = connackModel(c, v);
        m.body.push(raw('extra', c.bytes(1, 4)));
        return m;
      }),
      gen('CONNACK without a Property Length', 'connack', malformed(ids.fill), ['MQTT-2.2.2-1'], (c) => {
        const m = connackModel(c, v);
        cutAt(m.body, 'properties');
        return m;
      }),
    );
    const bad: [string, (c: Choices) => Property][] = [
      ['Receive Maximum 0', () => ({ id: 0x21, value: [u16('value', 0)] })],
      ['Maximum Packet Size 0', () => ({ id: 0x27, value: [{ kind: 'u32', name: 'value', value: 0 }] })],
      ...[0x24, 0x25, 0x28, 0x29, 0x2a].map(
        (id): [string, (c: Choices) => Property] => [`property 0x${id.toString(16)} not 0 or 1`, (c) => ({ id, value: [byte('value', notZeroOrOne(c))] })],
      ),
    ];
    for (const [name, prop] of bad) {
      out.push(gen(`CONNACK ${name}`, 'connack', protocol('U5-3.2.2.3-2'), [], (c) => withProperties(c, 'connack', v, [prop(c)])));
    }
    // the generic property faults may already have added one of these: keep the random block free of them
  } else {
    out.push(
      gen('CONNACK Remaining Length above 2', 'connack', malformed('U311-3.2.1-1'), ['U311-2.4-1'], (c) => {
        const m = connackModel(c, v);
        m.body.push(raw('extra', c.bytes(1, 4)));
        return m;
      }),
      gen('CONNACK Remaining Length below 2', 'connack', malformed('U311-3.2.1-1'), [], (c) => {
        const m = connackModel(c, v);
        m.body = m.body.slice(0, c.int(0, 1));
        return m;
      }),
    );
  }
  return out;
}

function publishGenerators(v: CaseVersion): Generator[] {
  const v5 = v === 5;
  const ids = ruleIds(v);
  const out: Generator[] = [
    gen('PUBLISH QoS > 0 without a Packet Identifier', 'publish', malformed(ids.fill), v5 ? ['U5-3.3.2-1', 'U5-2.2.1-1'] : ['U311-3.3.2-2'], (c) => {
      const m = publishModel(c, v, { qos: c.pick([1, 2] as const) });
      cutAt(m.body, 'packetId');
      return m;
    }),
    gen('PUBLISH Packet Identifier 0', 'publish', protocol(ids.packetId), v5 ? ['MQTT-2.2.1-4'] : [], (c) => {
      const m = publishModel(c, v, { qos: c.pick([1, 2] as const) });
      replaceField(m.body, 'packetId', u16('packetId', 0));
      return m;
    }),
  ];
  if (!v5) return out;
  const pub = (c: Choices, props: Property[], payload?: Uint8Array): FrameModel =>
    publishModel(c, v, { properties: [...someProperties(c, 'publish', 1, props.map((p) => p.id)), ...props], ...(payload !== undefined ? { payload } : {}) });
  out.push(
    gen('PUBLISH Payload Format Indicator not 0 or 1', 'publish', protocol('U5-3.3.2.3-3'), [], (c) => pub(c, [{ id: 0x01, value: [byte('value', notZeroOrOne(c))] }])),
    gen(
      'PUBLISH payload not UTF-8 with Payload Format Indicator 1',
      'publish',
      protocol('U5-3.3.2.3-3', 0x99),
      [],
      (c) => pub(c, [{ id: 0x01, value: [byte('value', 1)] }], notUtf8(c)),
      { checkPayloadFormat: true },
    ),
    gen('PUBLISH Topic Alias 0', 'publish', protocol('MQTT-3.3.2-8', 0x94), [], (c) => pub(c, [{ id: 0x23, value: [u16('value', 0)] }])),
    gen('PUBLISH Subscription Identifier 0', 'publish', protocol('U5-3.3.2.3-4'), [], (c) => pub(c, [{ id: 0x0b, value: [{ kind: 'vbi', name: 'value', value: 0 }] }])),
    gen(
      'PUBLISH from a client with a Subscription Identifier',
      'publish',
      protocol('MQTT-3.3.4-6'),
      [],
      (c) => pub(c, [{ id: 0x0b, value: [{ kind: 'vbi', name: 'value', value: c.int(1, 268_435_455) }] }]),
      { role: 'server' },
    ),
  );
  // Topic Alias above the receiver's Topic Alias Maximum (its CONNECT for a client, its CONNACK for a server)
  const aliases: [string, 'server' | 'client', boolean, string, string][] = [
    ['to a server: Topic Alias above its Topic Alias Maximum', 'server', false, 'MQTT-3.2.2-17', 'MQTT-3.3.2-9'],
    ['to a server without Topic Aliases: any Topic Alias', 'server', true, 'MQTT-3.2.2-17', 'MQTT-3.2.2-18'],
    ['to a client: Topic Alias above its Topic Alias Maximum', 'client', false, 'MQTT-3.1.2-26', 'MQTT-3.3.2-11'],
    ['to a client without Topic Aliases: any Topic Alias', 'client', true, 'MQTT-3.1.2-26', 'MQTT-3.1.2-27'],
  ];
  for (const [name, role, none, rule, row] of aliases) {
    out.push(
      gen(
        `PUBLISH ${name}`,
        'publish',
        protocol(rule, 0x94),
        [row],
        (c) => {
          const maximum = none ? 0 : c.int(1, 0xfffe);
          const alias = c.int(maximum + 1, 0xffff);
          return { frame: pub(c, [{ id: 0x23, value: [u16('value', alias)] }]), decoder: { role, topicAliasMaximum: maximum } };
        },
        { role, topicAliasMaximum: none ? 0 : 1 },
      ),
    );
  }
  return out;
}

const ACK_ROWS: Record<AckType, { codes: string; form: string; form311: string; id311: string[] }> = {
  puback: { codes: 'MQTT-3.4.2-1', form: 'U5-3.4.2-1', form311: 'U311-3.4-1', id311: ['MQTT-2.3.1-6'] },
  pubrec: { codes: 'MQTT-3.5.2-1', form: 'U5-3.5.2-1', form311: 'U311-3.4-1', id311: ['MQTT-2.3.1-6'] },
  pubrel: { codes: 'MQTT-3.6.2-1', form: 'U5-3.6.2-1', form311: 'U311-3.6-1', id311: ['MQTT-2.3.1-6'] },
  pubcomp: { codes: 'MQTT-3.7.2-1', form: 'U5-3.7.2-1', form311: 'U311-3.4-1', id311: [] },
};

function ackGenerators(v: CaseVersion): Generator[] {
  const v5 = v === 5;
  const ids = ruleIds(v);
  const out: Generator[] = [];
  for (const type of ['puback', 'pubrec', 'pubrel', 'pubcomp'] as const) {
    const r = ACK_ROWS[type];
    const name = type.toUpperCase();
    out.push(
      gen(`${name} Packet Identifier 0`, type, protocol(ids.packetId), v5 ? [] : r.id311, (c) => {
        const m = ackModel(c, type, v);
        replaceField(m.body, 'packetId', u16('packetId', 0));
        return m;
      }),
    );
    if (v5) {
      out.push(
        gen(`${name} Remaining Length 0 or 1`, type, malformed(ids.fill), [r.form, 'U5-2.2.1-1'], (c) => ({
          type: ackModel(c, type, v).type,
          flags: type === 'pubrel' ? 2 : 0,
          body: [raw('cut', c.bytes(0, 1))],
        })),
        gen(`${name} Reason Code not allowed`, type, protocol(r.codes), ['U5-2.4-1'], (c) =>
          ackModel(c, type, v, { form: c.pick([3, 4] as const), reasonCode: c.pick(notIn(SPEC_REASON_CODES_V5[type]!)) })),
        gen(`${name} bytes after the properties`, type, malformed(ids.fill), [r.form], (c) => {
          const m = ackModel(c, type, v, { form: 4 });
          m.body.push(raw('extra', c.bytes(1, 4)));
          return m;
        }),
      );
    } else {
      out.push(
        gen(`${name} Remaining Length above 2`, type, malformed(r.form311), ['U311-2.4-1'], (c) => {
          const m = ackModel(c, type, v);
          m.body.push(raw('extra', c.bytes(1, 4)));
          return m;
        }),
        gen(`${name} Remaining Length below 2`, type, malformed(r.form311), ['U311-2.3.1-1'], (c) => ({
          type: ackModel(c, type, v).type,
          flags: type === 'pubrel' ? 2 : 0,
          body: [raw('cut', c.bytes(0, 1))],
        })),
      );
    }
  }
  return out;
}

function subscribeGenerators(v: CaseVersion): Generator[] {
  const v5 = v === 5;
  const ids = ruleIds(v);
  const out: Generator[] = [
    gen('SUBSCRIBE without a Topic Filter', 'subscribe', protocol(v5 ? 'MQTT-3.8.3-2' : 'MQTT-3.8.3-3'), [v5 ? 'U5-2.3-1' : 'U311-2.4-1'], (c) =>
      subscribeModel(c, v, { entries: [] })),
    gen('SUBSCRIBE Topic Filter without its options byte', 'subscribe', malformed(ids.fill), ['MQTT-3.8.3-1'], (c) => {
      const m = subscribeModel(c, v);
      m.body.pop();
      return m;
    }),
    gen('SUBSCRIBE Packet Identifier 0', 'subscribe', protocol(ids.packetId), [], (c) => {
      const m = subscribeModel(c, v);
      replaceField(m.body, 'packetId', u16('packetId', 0));
      return m;
    }),
    gen('SUBACK without a return code', 'suback', malformed(v5 ? 'U5-3.9-1' : 'U311-3.9-1'), [v5 ? 'U5-2.3-1' : 'U311-2.4-1'], (c) => subackModel(c, v, { codes: [] })),
    gen(`SUBACK ${v5 ? 'Reason' : 'return'} code not allowed`, 'suback', protocol('MQTT-3.9.3-2'), v5 ? ['U5-2.4-1'] : [], (c) => {
      const allowed = v5 ? SPEC_REASON_CODES_V5['suback']! : SPEC_RETURN_CODES_311['suback']!;
      return subackModel(c, v, { codes: [c.pick(notIn(allowed))] });
    }),
    gen('SUBACK Packet Identifier 0', 'suback', protocol(ids.packetId), v5 ? [] : ['MQTT-2.3.1-7'], (c) => {
      const m = subackModel(c, v);
      replaceField(m.body, 'packetId', u16('packetId', 0));
      return m;
    }),
    gen('UNSUBSCRIBE without a Topic Filter', 'unsubscribe', protocol('MQTT-3.10.3-2'), [v5 ? 'U5-2.3-1' : 'U311-2.4-1'], (c) => unsubscribeModel(c, v, { filters: [] })),
    gen('UNSUBSCRIBE Topic Filter followed by an options byte', 'unsubscribe', malformed(ids.fill), ['MQTT-3.10.3-1'], (c) => {
      const m = unsubscribeModel(c, v);
      m.body.push(byte('options', c.int(0, 2)));
      return m;
    }),
    gen('UNSUBSCRIBE Packet Identifier 0', 'unsubscribe', protocol(ids.packetId), [], (c) => {
      const m = unsubscribeModel(c, v);
      replaceField(m.body, 'packetId', u16('packetId', 0));
      return m;
    }),
    gen('UNSUBACK Packet Identifier 0', 'unsuback', protocol(ids.packetId), v5 ? [] : ['MQTT-2.3.1-7'], (c) => {
      const m = unsubackModel(c, v);
      replaceField(m.body, 'packetId', u16('packetId', 0));
      return m;
    }),
  ];
  const options = (name: string, expect: Expectation, bad: (c: Choices, filter: string) => number, filter = (c: Choices) => topicFilter(c)): Generator =>
    gen(`SUBSCRIBE ${name}`, 'subscribe', expect, [], (c) => {
      const f = filter(c);
      return subscribeModel(c, v, { entries: [{ filter: f, options: bad(c, f) }] });
    });
  if (v5) {
    // Subscription Options (section 3.8.3.1): each fault alone, the other bits valid
    const valid = (c: Choices): number => (c.bool() ? 8 : 0) | (c.bool() ? 4 : 0);
    out.push(
      options('Maximum QoS 3', protocol('U5-3.8.3.1-1'), (c) => 3 | valid(c) | (c.int(0, 2) << 4)),
      options('Retain Handling 3', protocol('U5-3.8.3.1-2'), (c) => c.int(0, 2) | valid(c) | 0x30),
      options('reserved option bits 6-7 set', malformed('MQTT-3.8.3-5'), (c) => c.int(0, 2) | valid(c) | (c.int(0, 2) << 4) | (c.int(1, 3) << 6)),
      options('No Local on a Shared Subscription', protocol('MQTT-3.8.3-4'), (c) => c.int(0, 2) | 4 | (c.int(0, 2) << 4), (c) => `$share/${c.text(1, 6)}/${topicFilter(c)}`),
      gen('UNSUBACK without a Reason Code', 'unsuback', malformed('U5-3.11-1'), ['U5-2.3-1'], (c) => unsubackModel(c, v, { codes: [] })),
      gen('UNSUBACK Reason Code not allowed', 'unsuback', protocol('MQTT-3.11.3-2'), ['U5-2.4-1'], (c) =>
        unsubackModel(c, v, { codes: [c.pick(notIn(SPEC_REASON_CODES_V5['unsuback']!))] })),
    );
  } else {
    out.push(
      options('Requested QoS 3', malformed('MQTT-3.8.3-4'), () => 3),
      options('reserved Requested QoS bits set', malformed('MQTT-3.8.3-4'), (c) => c.int(0, 2) | (c.int(1, 63) << 2)),
      gen('UNSUBACK Remaining Length above 2', 'unsuback', malformed('U311-3.11-1'), ['U311-2.4-1'], (c) => {
        const m = unsubackModel(c, v);
        m.body.push(raw('extra', c.bytes(1, 4)));
        return m;
      }),
      gen('UNSUBACK Remaining Length below 2', 'unsuback', malformed('U311-3.11-1'), ['U311-2.3.1-1'], (c) => ({
        type: 11,
        flags: 0,
        body: [raw('cut', c.bytes(0, 1))],
      })),
    );
  }
  return out;
}

function otherGenerators(v: CaseVersion): Generator[] {
  const v5 = v === 5;
  const ids = ruleIds(v);
  const out: Generator[] = [];
  for (const type of ['pingreq', 'pingresp'] as const) {
    const row = type === 'pingreq' ? (v5 ? 'U5-3.12-1' : 'U311-3.12-1') : v5 ? 'U5-3.13-1' : 'U311-3.13-1';
    out.push(
      gen(`${type.toUpperCase()} with a body`, type, malformed(ids.fill), [row, v5 ? 'U5-2.3-1' : 'U311-2.4-1'], (c) => {
        const m = validModel(c, type, v);
        m.body.push(raw('extra', c.bytes(1, 4)));
        return m;
      }),
    );
  }
  if (!v5) {
    out.push(
      gen('DISCONNECT with a body', 'disconnect', malformed('U311-3.14-1'), ['U311-2.4-1'], (c) => {
        const m = disconnectModel(c, v);
        m.body.push(raw('extra', c.bytes(1, 4)));
        return m;
      }),
    );
    return out;
  }
  out.push(
    gen('DISCONNECT Reason Code not allowed', 'disconnect', protocol('MQTT-3.14.2-1'), ['U5-2.4-1'], (c) =>
      disconnectModel(c, v, { form: c.pick([1, 2] as const), reasonCode: c.pick(notIn(SPEC_REASON_CODES_V5['disconnect']!)) })),
    gen('DISCONNECT bytes after the properties', 'disconnect', malformed(ids.fill), ['U5-3.14.2-1'], (c) => {
      const m = disconnectModel(c, v, { form: 2 });
      m.body.push(raw('extra', c.bytes(1, 4)));
      return m;
    }),
    gen(
      'DISCONNECT from a server with a Session Expiry Interval',
      'disconnect',
      protocol('MQTT-3.14.2-2'),
      [],
      (c) => withProperties(c, 'disconnect', v, [{ id: 0x11, value: [{ kind: 'u32', name: 'value', value: c.int(0, 0xffffffff) }] }]),
      { role: 'client' },
    ),
    gen('AUTH Remaining Length 1', 'auth', malformed('U5-3.15.2-1'), [], (c) => ({
      type: 15,
      flags: 0,
      body: [byte('reasonCode', c.pick(SPEC_REASON_CODES_V5['auth']!))],
    })),
    gen('AUTH Reason Code not allowed', 'auth', protocol('MQTT-3.15.2-1'), ['U5-2.4-1'], (c) =>
      authModel(c, { form: 2, reasonCode: c.pick(notIn(SPEC_REASON_CODES_V5['auth']!)) })),
    gen('AUTH without an Authentication Method', 'auth', protocol('U5-3.15.2.2-1'), [], (c) =>
      authModel(c, { form: 2, properties: someProperties(c, 'auth', 2, [0x15]) })),
  );
  return out;
}

/** Rules that no frame can break, checked on the encoder: the case is an object `encode` must refuse. */
function encoderGenerators(v: CaseVersion): Generator[] {
  const v5 = v === 5;
  return [
    {
      side: 'encode',
      name: 'PUBLISH Topic Name over 65,535 bytes',
      packetType: 'publish',
      expect: invalid(v5 ? 'U5-1.5.4-2' : 'U311-1.5.3-2', 0x81),
      rows: ['MQTT-4.7.3-3'],
      build: (c) => ({
        packet: { type: 'publish', topic: 't'.repeat(0x10000 + c.int(0, 16)), payload: new Uint8Array(0), qos: 0, retain: false, dup: false },
        options: { version: v },
      }),
    },
    {
      side: 'encode',
      name: 'PUBLISH QoS 0 with a Packet Identifier',
      packetType: 'publish',
      expect: invalid(v5 ? 'MQTT-2.2.1-2' : 'MQTT-2.3.1-5', 0x81),
      rows: [],
      build: (c) => ({
        packet: { type: 'publish', topic: 't', payload: new Uint8Array(0), qos: 0, retain: false, dup: false, packetId: c.int(1, 0xffff) } as never,
        options: { version: v },
      }),
    },
  ];
}

export function packetGenerators(v: CaseVersion): Generator[] {
  return [
    ...connectGenerators(v),
    ...connackGenerators(v),
    ...publishGenerators(v),
    ...ackGenerators(v),
    ...subscribeGenerators(v),
    ...otherGenerators(v),
    ...encoderGenerators(v),
  ];
}
