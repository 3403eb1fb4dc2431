// Generators for faults inside fields, wherever the field sits: strings (ill-formed UTF-8, U+0000, disallowed code
// points, a length past the end), Topic Names and Topic Filters, and 5.0 property blocks (unknown, disallowed and
// repeated properties, lengths that overrun or are padded, values cut short).

import type { PacketType } from '../types.js';
import type { Choices } from './choices.js';
import { fieldNamed, paddedVbi, raw, str, utf8, writeFields, type Field, type FrameModel, type Property } from './frame.js';
import {
  DISALLOWED_CODE_POINTS,
  ILL_FORMED,
  lengthPastEnd,
  malformed,
  protocol,
  ruleIds,
  setStringBytes,
  spliced,
  type Expectation,
  type Generator,
} from './generator.js';
import {
  ackModel,
  authModel,
  connectModel,
  disconnectModel,
  publishModel,
  subscribeModel,
  topicFilter,
  topicName,
  unsubscribeModel,
  validModel,
  validProperty,
  type CaseVersion,
} from './packets.js';
import { SPEC_PROPERTIES, type PropertyContext } from './spec.js';

/** A field that holds a string (or binary data): how to build a valid frame around it and what it is called. */
interface Site {
  packetType: PacketType;
  /** `PUBLISH Topic Name`, `SUBACK User Property value`, … */
  label: string;
  kind: 'string' | 'binary';
  /** Rows that name this field. */
  rows: string[];
  /** A Topic Name or Topic Filter: U+0000 also breaks MQTT-4.7.3-2. */
  topic: boolean;
  /** Inside a 5.0 property block. */
  property: boolean;
  /** A valid frame with the field called `target`. */
  model(c: Choices): FrameModel;
}

/** Renames the top-level field `from` to `target` (the field a site's fault goes to). */
function target(m: FrameModel, from: string): FrameModel {
  fieldNamed(m.body, from).name = 'target';
  return m;
}

/** A frame of `type` with a property block, `items` appended to it (the long forms of acks, DISCONNECT and AUTH). */
export function withProperties(c: Choices, type: PropertyContext, v: CaseVersion, items: Property[]): FrameModel {
  let m: FrameModel;
  let block = 'properties';
  switch (type) {
    case 'puback':
    case 'pubrec':
    case 'pubrel':
    case 'pubcomp':
      m = ackModel(c, type, v, { form: 4 });
      break;
    case 'disconnect':
      m = disconnectModel(c, v, { form: 2 });
      break;
    case 'auth':
      m = authModel(c, { form: 2 });
      break;
    case 'will':
      m = connectModel(c, v, { will: true });
      block = 'willProperties';
      break;
    default:
      m = validModel(c, type, v);
  }
  const f = fieldNamed(m.body, block);
  if (f.kind !== 'properties') throw new Error(`${block} is a ${f.kind}`);
  // the random block must not repeat what the fault adds (only User Property may repeat)
  const added = new Set(items.map((p) => p.id));
  f.items = f.items.filter((p) => p.id === 0x26 || !added.has(p.id));
  f.items.push(...items);
  return m;
}

/** The packet a property block belongs to. */
const packetOf = (ctx: PropertyContext): PacketType => (ctx === 'will' ? 'connect' : ctx);
const blockName = (ctx: PropertyContext): string => (ctx === 'will' ? 'CONNECT Will Properties' : `${ctx.toUpperCase()} properties`);

/** Every string and binary field of both levels. */
function sites(v: CaseVersion): Site[] {
  const v5 = v === 5;
  const out: Site[] = [
    {
      packetType: 'publish',
      label: 'PUBLISH Topic Name',
      kind: 'string',
      rows: ['MQTT-3.3.2-1'],
      topic: true,
      property: false,
      model: (c) => target(publishModel(c, v), 'topicName'),
    },
    {
      packetType: 'connect',
      label: 'CONNECT Client Identifier',
      kind: 'string',
      rows: ['MQTT-3.1.3-4'],
      topic: false,
      property: false,
      model: (c) => target(connectModel(c, v), 'clientId'),
    },
    {
      packetType: 'connect',
      label: 'CONNECT Will Topic',
      kind: 'string',
      rows: [v5 ? 'MQTT-3.1.3-11' : 'MQTT-3.1.3-10'],
      topic: true,
      property: false,
      model: (c) => target(connectModel(c, v, { will: true }), 'willTopic'),
    },
    {
      packetType: 'connect',
      label: 'CONNECT User Name',
      kind: 'string',
      rows: [v5 ? 'MQTT-3.1.3-12' : 'MQTT-3.1.3-11'],
      topic: false,
      property: false,
      model: (c) => target(connectModel(c, v, { username: true }), 'username'),
    },
    {
      packetType: 'subscribe',
      label: 'SUBSCRIBE Topic Filter',
      kind: 'string',
      rows: ['MQTT-3.8.3-1'],
      topic: true,
      property: false,
      model: (c) => target(subscribeModel(c, v), 'topicFilter0'),
    },
    {
      packetType: 'unsubscribe',
      label: 'UNSUBSCRIBE Topic Filter',
      kind: 'string',
      rows: ['MQTT-3.10.3-1'],
      topic: true,
      property: false,
      model: (c) => target(unsubscribeModel(c, v), 'topicFilter0'),
    },
    {
      packetType: 'connect',
      label: 'CONNECT Will Payload',
      kind: 'binary',
      rows: [v5 ? 'U5-3.1.3.5-1' : 'U311-3.1.3-1'],
      topic: false,
      property: false,
      model: (c) => target(connectModel(c, v, { will: true }), 'willPayload'),
    },
    {
      packetType: 'connect',
      label: 'CONNECT Password',
      kind: 'binary',
      rows: [v5 ? 'U5-3.1.3.5-1' : 'U311-3.1.3-1'],
      topic: false,
      property: false,
      model: (c) => target(connectModel(c, v, { username: true, password: true }), 'password'),
    },
  ];
  if (!v5) return out;
  // 5.0 property strings: every string-valued property where it may appear, and the User Property of every block
  const propertyRows: Record<number, string[]> = {
    0x03: ['MQTT-3.3.2-19'],
    0x08: ['MQTT-3.3.2-13'],
    0x26: ['MQTT-1.5.7-1'],
  };
  for (const def of SPEC_PROPERTIES) {
    if (def.type !== 'string' && def.type !== 'pair' && def.type !== 'binary') continue;
    for (const ctx of def.packets) {
      const parts = def.type === 'pair' ? (['name', 'value'] as const) : (['value'] as const);
      for (const part of parts) {
        out.push({
          packetType: packetOf(ctx),
          label: `${blockName(ctx)} ${def.name}${def.type === 'pair' ? ` ${part}` : ''}`,
          kind: def.type === 'binary' ? 'binary' : 'string',
          rows: [...(propertyRows[def.id] ?? []), 'U5-2.2.2-3', ...(def.type === 'binary' ? ['U5-1.5.6-1'] : [])],
          topic: false,
          property: true,
          model: (c) => {
            const p = validProperty(c, def.id);
            const field = p.value.find((f) => f.name === part)!;
            field.name = 'target';
            // AUTH and CONNECT need an Authentication Method next to Authentication Data
            const extra: Property[] = def.id === 0x16 && ctx === 'connect' ? [{ id: 0x15, value: [str('method', c.text(1, 8))] }] : [];
            return withProperties(c, ctx, v, [p, ...extra]);
          },
        });
      }
    }
  }
  return out;
}

/** A string that is not allowed to hold '+' or '#' anywhere: the Topic Name of a PUBLISH, the Will Topic. */
function wildcarded(c: Choices): string {
  const name = topicName(c);
  const at = c.int(0, name.length);
  return name.slice(0, at) + c.pick(['+', '#']) + name.slice(at);
}

/** Topic Filters that break section 4.7.1: '#' not last or not a whole level, '+' not a whole level. */
function badHashFilter(c: Choices): string {
  const prefix = c.bool() ? `${c.text(1, 6)}/` : '';
  switch (c.pick(['middle', 'glued', 'leading'] as const)) {
    case 'middle':
      return `${prefix}#/${c.text(1, 6)}`;
    case 'glued':
      return `${prefix}${c.text(1, 6)}#`;
    case 'leading':
      return `${prefix}#${c.text(1, 6)}`;
  }
}
function badPlusFilter(c: Choices): string {
  const prefix = c.bool() ? `${c.text(1, 6)}/` : '';
  const suffix = c.bool() ? `/${c.text(1, 6)}` : '';
  return c.bool() ? `${prefix}+${c.text(1, 6)}${suffix}` : `${prefix}${c.text(1, 6)}+${suffix}`;
}

export function fieldGenerators(v: CaseVersion): Generator[] {
  const ids = ruleIds(v);
  const v5 = v === 5;
  const out: Generator[] = [];

  for (const site of sites(v)) {
    const decode = (name: string, expect: Expectation, rows: string[], fault: (c: Choices, m: FrameModel) => void, strict = false): Generator => ({
      side: 'decode',
      name: `${site.label}: ${name}`,
      packetType: site.packetType,
      expect,
      rows,
      ...(strict ? { decoder: { strictStrings: true } } : {}),
      build: (c) => {
        const m = site.model(c);
        fault(c, m);
        return m;
      },
    });
    if (site.kind === 'string') {
      out.push(decode('ill-formed UTF-8', malformed(ids.utf8), site.rows, (c, m) => setStringBytes(m.body, 'target', spliced(c, c.pick(ILL_FORMED)))));
      out.push(
        decode('U+0000', malformed(ids.nul), site.topic ? [...site.rows, 'MQTT-4.7.3-2'] : site.rows, (c, m) =>
          setStringBytes(m.body, 'target', spliced(c, [0]))),
      );
      out.push(
        decode(
          'disallowed code point',
          malformed(ids.disallowed),
          [],
          (c, m) => setStringBytes(m.body, 'target', spliced(c, [...utf8(String.fromCodePoint(c.pick(DISALLOWED_CODE_POINTS)))])),
          true,
        ),
      );
    }
    if (!site.property) {
      out.push(
        decode('length past the end of the packet', malformed(ids.fill), [site.kind === 'string' ? ids.stringLength : v5 ? 'U5-1.5.6-1' : 'U311-3.1.3-1', ...site.rows], (c, m) =>
          lengthPastEnd(c, m.body, 'target')),
      );
    }
  }

  // Topic Names: no wildcards, not empty
  const publishWildcard = protocol('MQTT-3.3.2-2', v5 ? 0x90 : 0x82);
  out.push({
    side: 'decode',
    name: 'PUBLISH Topic Name with a wildcard',
    packetType: 'publish',
    expect: publishWildcard,
    rows: [v5 ? 'MQTT-4.7.0-1' : 'MQTT-4.7.1-1'],
    build: (c) => publishModel(c, v, { topic: wildcarded(c) }),
  });
  out.push({
    side: 'decode',
    name: 'PUBLISH empty Topic Name',
    packetType: 'publish',
    expect: protocol(v5 ? 'U5-3.3.2.1-1' : 'U311-3.3.2-1'),
    rows: ['MQTT-4.7.3-1'],
    // 5.0 allows an empty Topic Name only with a Topic Alias, which the random properties never hold
    build: (c) => publishModel(c, v, { topic: '' }),
  });
  out.push({
    side: 'decode',
    name: 'CONNECT Will Topic with a wildcard',
    packetType: 'connect',
    expect: protocol(ids.willWildcard, v5 ? 0x90 : 0x82),
    rows: v5 ? ['MQTT-3.1.3-11'] : [],
    build: (c) => connectModel(c, v, { will: true, willTopic: wildcarded(c) }),
  });
  out.push({
    side: 'decode',
    name: 'CONNECT empty Will Topic',
    packetType: 'connect',
    expect: protocol('MQTT-4.7.3-1'),
    rows: [],
    build: (c) => connectModel(c, v, { will: true, willTopic: '' }),
  });
  if (v5) {
    for (const ctx of ['publish', 'will'] as const) {
      out.push({
        side: 'decode',
        name: `${blockName(ctx)} Response Topic with a wildcard`,
        packetType: packetOf(ctx),
        expect: protocol('MQTT-3.3.2-14'),
        rows: [],
        build: (c) => withProperties(c, ctx, v, [{ id: 0x08, value: [str('value', wildcarded(c))] }]),
      });
    }
  }

  // Topic Filters (section 4.7.1, 4.7.3, and 4.8.2 for 5.0 Shared Subscriptions)
  const filterFaults: [string, Expectation, (c: Choices) => string][] = [
    ["'#' not last or not a whole level", protocol(ids.hash, 0x8f), badHashFilter],
    ["'+' not a whole level", protocol(ids.plus, 0x8f), badPlusFilter],
    ['empty', protocol('MQTT-4.7.3-1', 0x8f), () => ''],
  ];
  if (v5) {
    filterFaults.push(
      ['Shared Subscription with an empty ShareName', protocol('MQTT-4.8.2-1', 0x8f), (c) => c.pick(['$share//' + topicFilter(c), '$share/'])],
      [
        'Shared Subscription with a bad ShareName or no filter',
        protocol('MQTT-4.8.2-2', 0x8f),
        (c) =>
          c.pick([
            `$share/${c.text(1, 6)}`,
            `$share/${c.text(1, 6)}/`,
            `$share/${c.text(1, 3)}${c.pick(['+', '#'])}${c.text(0, 3)}/${topicFilter(c)}`,
          ]),
      ],
    );
  }
  for (const type of ['subscribe', 'unsubscribe'] as const) {
    const row = type === 'subscribe' ? (v5 ? 'U5-3.8.3-1' : 'U311-3.8.3-1') : v5 ? 'U5-3.10.3-1' : 'U311-3.10.3-1';
    for (const [name, expect, filter] of filterFaults) {
      out.push({
        side: 'decode',
        name: `${type.toUpperCase()} Topic Filter ${name}`,
        packetType: type,
        expect,
        rows: [row],
        build: (c) => {
          const m = type === 'subscribe' ? subscribeModel(c, v) : unsubscribeModel(c, v);
          const f = fieldNamed(m.body, 'topicFilter0');
          if (f.kind === 'string') f.bytes = utf8(filter(c));
          // No Local on a shared filter is a fault of its own (MQTT-3.8.3-4): keep it off here
          if (type === 'subscribe' && v5) {
            const o = fieldNamed(m.body, 'options0');
            if (o.kind === 'byte') o.value &= ~0x04;
          }
          return m;
        },
      });
    }
  }

  if (v5) out.push(...propertyGenerators(v));
  return out;
}

/** The rule a packet gives for a property it may not carry (known or unknown identifier) and for a repeated one. */
const DISALLOWED_RULE: Record<PropertyContext, string> = {
  connect: 'U5-2.2.2-2',
  will: 'U5-3.1.3.2-1',
  connack: 'U5-2.2.2-2',
  publish: 'U5-3.3.2.3-1',
  puback: 'U5-3.4.2.2-1',
  pubrec: 'U5-3.5.2.2-1',
  pubrel: 'U5-3.6.2.2-1',
  pubcomp: 'U5-3.7.2.2-1',
  subscribe: 'U5-3.8.2.1-1',
  suback: 'U5-3.9-1',
  unsubscribe: 'U5-3.10.2-1',
  unsuback: 'U5-3.11-1',
  disconnect: 'U5-3.14.2.2-1',
  auth: 'U5-3.15.2.2-1',
};
const REPEAT_RULE: Partial<Record<PropertyContext, string>> = {
  connect: 'U5-3.1.2.11-1',
  will: 'U5-3.1.3.2-2',
  connack: 'U5-3.2.2.3-1',
  publish: 'U5-3.3.2.3-2',
  puback: 'U5-3.4.2.2-1',
  pubrec: 'U5-3.5.2.2-1',
  pubrel: 'U5-3.6.2.2-1',
  pubcomp: 'U5-3.7.2.2-1',
  subscribe: 'U5-3.8.2.1-1',
  suback: 'U5-3.9-1',
  unsuback: 'U5-3.11-1',
  disconnect: 'U5-3.14.2.2-1',
  auth: 'U5-3.15.2.2-1',
};

const CONTEXTS: PropertyContext[] = [
  'connect',
  'will',
  'connack',
  'publish',
  'puback',
  'pubrec',
  'pubrel',
  'pubcomp',
  'subscribe',
  'suback',
  'unsubscribe',
  'unsuback',
  'disconnect',
  'auth',
];

/** Property identifiers 0x00..0x7f that the spec does not define. */
const UNKNOWN_IDS: number[] = [];
for (let id = 0; id < 0x80; id++) if (!SPEC_PROPERTIES.some((p) => p.id === id)) UNKNOWN_IDS.push(id);

/** A property value of the type of property `id`, or a few raw bytes for an unknown identifier. */
function anyValue(c: Choices, id: number): Field[] {
  return SPEC_PROPERTIES.some((p) => p.id === id) ? validProperty(c, id).value : [raw('value', c.bytes(0, 4))];
}

/** The property block of `m` (`willProperties` for the Will). */
function blockOf(m: FrameModel, ctx: PropertyContext): Extract<Field, { kind: 'properties' }> {
  const f = fieldNamed(m.body, ctx === 'will' ? 'willProperties' : 'properties');
  if (f.kind !== 'properties') throw new Error('no property block');
  return f;
}

function propertyGenerators(v: CaseVersion): Generator[] {
  const ids = ruleIds(v);
  const out: Generator[] = [];
  for (const ctx of CONTEXTS) {
    const packetType = packetOf(ctx);
    const block = blockName(ctx);
    const notAllowed = SPEC_PROPERTIES.filter((p) => !p.packets.includes(ctx)).map((p) => p.id);
    out.push({
      side: 'decode',
      name: `${block}: a property the packet may not carry`,
      packetType,
      expect: malformed(DISALLOWED_RULE[ctx]),
      rows: ['U5-2.2.2-2'],
      build: (c) => {
        const id = c.pick(notAllowed);
        return withProperties(c, ctx, v, [{ id, value: anyValue(c, id) }]);
      },
    });
    out.push({
      side: 'decode',
      name: `${block}: an unknown property identifier`,
      packetType,
      expect: malformed(DISALLOWED_RULE[ctx]),
      rows: ['U5-2.2.2-2'],
      build: (c) => {
        const id = c.pick(UNKNOWN_IDS);
        return withProperties(c, ctx, v, [{ id, value: anyValue(c, id) }]);
      },
    });
    const repeatRule = REPEAT_RULE[ctx];
    // only User Property may repeat, and Subscription Identifier in a PUBLISH
    const once = SPEC_PROPERTIES.filter((p) => p.packets.includes(ctx) && p.id !== 0x26 && !(p.id === 0x0b && ctx === 'publish')).map((p) => p.id);
    if (repeatRule !== undefined && once.length > 0) {
      out.push({
        side: 'decode',
        name: `${block}: a property that appears twice`,
        packetType,
        expect: protocol(repeatRule),
        rows: ['U5-2.2.2-5'],
        build: (c) => {
          const id = c.pick(once);
          const first = validProperty(c, id);
          const second = validProperty(c, id);
          // Authentication Data needs its Method (U5-3.1.2.11-5), Topic Alias would need a decoder limit: keep them apart
          const extra: Property[] = id === 0x16 && ctx === 'connect' ? [{ id: 0x15, value: [str('method', c.text(1, 8))] }] : [];
          return withProperties(c, ctx, v, [first, ...extra, second]);
        },
      });
    }
    out.push({
      side: 'decode',
      name: `${block}: Property Length past the end of the packet`,
      packetType,
      expect: malformed('U5-2.2.2-1'),
      rows: [],
      build: (c) => {
        const m = withProperties(c, ctx, v, []);
        const f = blockOf(m, ctx);
        const i = m.body.indexOf(f);
        const left = writeFields([{ ...f, length: 0 }]).length - 1 + writeFields(m.body.slice(i + 1)).length;
        f.length = left + c.int(1, 64);
        return m;
      },
    });
    out.push({
      side: 'decode',
      name: `${block}: Property Length not in its shortest form`,
      packetType,
      expect: malformed(ids.vbiPadded),
      rows: [],
      build: (c) => {
        const m = withProperties(c, ctx, v, []);
        const f = blockOf(m, ctx);
        const length = writeFields([{ ...f, lengthEncoding: [] }]).length;
        f.lengthEncoding = paddedVbi(length, c.int(paddedVbi(length, 1).length + 1, 4));
        return m;
      },
    });
    out.push({
      side: 'decode',
      name: `${block}: Property Length of five bytes`,
      packetType,
      expect: malformed(ids.vbiLong),
      rows: [],
      build: (c) => {
        const m = withProperties(c, ctx, v, []);
        blockOf(m, ctx).lengthEncoding = [c.int(0x80, 0xff), c.int(0x80, 0xff), c.int(0x80, 0xff), c.int(0x80, 0xff), c.int(0, 0x7f)];
        return m;
      },
    });
    out.push({
      side: 'decode',
      name: `${block}: property identifier not in its shortest form`,
      packetType,
      expect: malformed(ids.vbiPadded),
      rows: [],
      build: (c) => {
        const id = c.pick(SPEC_PROPERTIES.filter((p) => p.packets.includes(ctx) && p.id !== 0x16 && p.id !== 0x23 && !(p.id === 0x0b && ctx === 'publish')).map((p) => p.id));
        const p = validProperty(c, id);
        p.idEncoding = paddedVbi(id, c.int(2, 4));
        return withProperties(c, ctx, v, [p]);
      },
    });
    const numeric = SPEC_PROPERTIES.filter((p) => p.packets.includes(ctx) && (p.type === 'u16' || p.type === 'u32' || p.type === 'string' || p.type === 'binary'));
    if (numeric.length > 0) {
      out.push({
        side: 'decode',
        name: `${block}: a property value cut short by the end of the block`,
        packetType,
        expect: malformed(ids.fill),
        rows: ['U5-2.2.2-3'],
        build: (c) => {
          const def = c.pick(numeric);
          const size = def.type === 'u16' || def.type === 'string' || def.type === 'binary' ? 2 : 4;
          return withProperties(c, ctx, v, [{ id: def.id, value: [raw('partial', c.bytes(1, size - 1))] }]);
        },
      });
    }
  }
  // Subscription Identifier as a Variable Byte Integer: padded, or five bytes
  for (const ctx of ['publish', 'subscribe'] as const) {
    out.push({
      side: 'decode',
      name: `${blockName(ctx)}: Subscription Identifier not in its shortest form`,
      packetType: ctx,
      expect: malformed(ids.vbiPadded),
      rows: [],
      build: (c) => {
        const value = c.int(1, 0x1fffff);
        return withProperties(c, ctx, v, [{ id: 0x0b, value: [{ kind: 'vbi', name: 'value', value, encoding: paddedVbi(value, c.int(paddedVbi(value, 1).length + 1, 4)) }] }]);
      },
    });
    out.push({
      side: 'decode',
      name: `${blockName(ctx)}: Subscription Identifier of five bytes`,
      packetType: ctx,
      expect: malformed(ids.vbiLong),
      rows: [],
      build: (c) =>
        withProperties(c, ctx, v, [
          { id: 0x0b, value: [{ kind: 'vbi', name: 'value', value: 0, encoding: [c.int(0x80, 0xff), c.int(0x80, 0xff), c.int(0x80, 0xff), c.int(0x80, 0xff), c.int(0, 0x7f)] }] },
        ]),
    });
  }
  return out;
}
