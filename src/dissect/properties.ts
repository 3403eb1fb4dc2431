// A 5.0 property block, read leniently: each property's identifier and value as fields, each fault reported, and
// the block's own length used to go on after a property that cannot be read.

import { MqttError } from '../errors.js';
import { Ctx, PROPERTY_TABLE, ctxName, notAllowedRule, readProperties, type PropertyDef } from '../properties.js';
import type { Properties, UserProperties } from '../types.js';
import { Reader } from '../wire/reader.js';
import type { Walk } from './walk.js';

/**
 * The rule ids the codec cites, per property block, for an identifier the block may not carry and for a
 * duplicate. The first is the codec's `notAllowedRule`; the second is read from the codec itself, by giving its
 * property reader a block that repeats a property, so that dissect cannot cite a different rule than decode.
 * Computed once per block kind.
 */
const blockRules = new Map<number, { notAllowed: string | undefined; duplicate: string | undefined }>();

/** A valid value of each simple type, for the duplicate probe (1 passes every range check in the table). */
const SAMPLE: Record<string, number[]> = { byte: [1], u16: [0, 1], u32: [0, 0, 0, 1], varint: [1], string: [0, 1, 0x61], binary: [0, 1, 0x61] };

const BY_ID = new Map(PROPERTY_TABLE.map((d) => [d.id, d]));
const propertyById = (id: number): PropertyDef | undefined => BY_ID.get(id);

function probe(bytes: number[], ctx: Ctx): string | undefined {
  const buf = Uint8Array.from(bytes);
  const r = new Reader();
  r.reset(buf, 0, 0, buf.length, 5, ctxName(ctx), false);
  try {
    readProperties(r, ctx);
  } catch (e) {
    return e instanceof MqttError ? e.rule : undefined;
  }
  return undefined;
}

function rulesOf(ctx: Ctx): { notAllowed: string | undefined; duplicate: string | undefined } {
  let rules = blockRules.get(ctx);
  if (rules === undefined) {
    const notAllowed: string | undefined = notAllowedRule(ctx);
    const single = PROPERTY_TABLE.find((d) => (d.allowed & ctx) !== 0 && (d.repeats & ctx) === 0 && d.type !== 'pair');
    let duplicate: string | undefined;
    if (single !== undefined) {
      const one = [single.id, ...SAMPLE[single.type]!];
      duplicate = probe([one.length * 2, ...one, ...one], ctx);
    }
    rules = { notAllowed, duplicate };
    blockRules.set(ctx, rules);
  }
  return rules;
}

const SUB_IDS = 0x0b;

/**
 * Reads Property Length and the properties after it, as the codec's `readProperties` does and in its order of
 * checks, but past every fault it can step over. Returns the properties read (undefined when there are none).
 */
export function walkProperties(w: Walk, ctx: Ctx, name = 'Properties'): Properties | undefined {
  if (w.broken) return undefined;
  const group = w.open(name);
  const lenAt = w.pos;
  const len = w.varint('Property Length', `${ctxName(ctx)} Property Length`);
  if (len === undefined) {
    w.close(group);
    return undefined;
  }
  let blockEnd = w.pos + len;
  if (blockEnd > w.end) {
    if (!w.cutShort) {
      w.fault(
        new MqttError('malformed-packet', `${ctxName(ctx)} Property Length ${len} runs past the end of the packet`, {
          rule: 'U5-2.2.2-1',
          offset: lenAt,
        }),
      );
      w.rest('Property bytes', 'Property Length runs past the end of the packet');
      w.broken = true;
      w.close(group);
      return undefined;
    }
    blockEnd = w.end;
  }
  const outerEnd = w.end;
  w.end = blockEnd;
  const props: Record<string, unknown> = {};
  const seen = new Set<number>();
  while (w.pos < blockEnd && !w.broken) {
    const at = w.pos;
    const first = w.buf[at]!;
    const def = first < 0x80 ? propertyById(first) : undefined;
    const prop = w.open(def?.name ?? 'Property');
    const id = first < 0x80 ? w.u8('Identifier') : w.varint('Identifier', `${ctxName(ctx)} property identifier`);
    if (id === undefined) {
      w.close(prop);
      break;
    }
    const known = propertyById(id);
    if (known === undefined || (known.allowed & ctx) === 0) {
      const what = known === undefined ? `unknown property identifier 0x${hex(id)}` : `${known.name} (0x${hex(id)}) is not allowed`;
      const rule = rulesOf(ctx).notAllowed;
      w.fault(new MqttError('malformed-packet', `${ctxName(ctx)}: ${what}`, { ...(rule !== undefined ? { rule } : {}), offset: at }));
      prop.note = known === undefined ? 'unknown property' : `not allowed in ${ctxName(ctx)}`;
      // its value's size is unknown: the rest of the block cannot be placed
      w.rest('Unreadable property bytes');
      w.close(prop);
      break;
    }
    prop.name = known.name;
    const value = readValue(w, known, ctx);
    w.close(prop);
    if (w.broken) break;
    // a value that is not a valid string was reported and skipped by its length
    if (value === undefined) continue;
    prop.value = Array.isArray(value) ? `${value[0] as string}: ${value[1] as string}` : (value as number | string | Uint8Array);
    if (known.check !== undefined && known.type !== 'pair') {
      const err = known.check(value as number | string, ctx, at);
      if (err !== undefined) w.fault(err);
    }
    if (known.type === 'pair') {
      const list = props['userProperties'] as UserProperties | undefined;
      if (list === undefined) props['userProperties'] = [value];
      else list.push(value as [string, string]);
    } else if (known.id === SUB_IDS && ctx === Ctx.Publish) {
      const list = props['subscriptionIdentifiers'] as number[] | undefined;
      if (list === undefined) props['subscriptionIdentifiers'] = [value];
      else list.push(value as number);
    } else if (seen.has(id)) {
      const rule = rulesOf(ctx).duplicate;
      w.fault(
        new MqttError('protocol-error', `${ctxName(ctx)}: ${known.name} appears more than once`, {
          ...(rule !== undefined ? { rule } : {}),
          offset: at,
        }),
      );
      prop.note = 'duplicate';
    } else {
      seen.add(id);
      props[known.key] = value;
    }
  }
  if (w.pos < blockEnd) w.rest('Unreadable property bytes');
  // the block's length says where the packet goes on, whatever happened inside it
  w.end = outerEnd;
  if (!w.cutShort || w.pos < w.end) w.broken = false;
  w.close(group);
  return len === 0 ? undefined : (props as Properties);
}

/** One property value, by its type; undefined when it runs past the block (or is not a valid string). */
function readValue(w: Walk, def: PropertyDef, ctx: Ctx): unknown {
  const field = `${ctxName(ctx)} ${def.name}`;
  switch (def.type) {
    case 'byte':
      return w.u8('Value', undefined, field);
    case 'u16':
      return w.u16('Value', field);
    case 'u32':
      return w.u32('Value', field);
    case 'varint':
      return w.varint('Value', field);
    case 'string':
      return w.utf8('Value', field);
    case 'binary':
      return w.binary('Value', field);
    case 'pair': {
      const name = w.utf8('Name', `${field} name`);
      if (w.broken) return undefined;
      const value = w.utf8('Value', `${field} value`);
      if (name === undefined || value === undefined) return undefined;
      return [name, value];
    }
  }
}

function hex(n: number): string {
  return n.toString(16).padStart(2, '0');
}
