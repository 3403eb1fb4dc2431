// Labelled malformed cases: for every rule of the 3.1.1 and 5.0 conformance tables that a receiver can check, frames
// that break it, each with the refusal the codec gives (`code`, `reasonCode`, `rule`). `conformanceCases` is the
// deterministic list (the `mqtt-wire/cases` entry, usable without fast-check); `malformedFrameArbitrary` draws from
// the same generators.

import type { MqttErrorCode } from '../errors.js';
import type { EncodeOptions, Packet, ProtocolVersion } from '../types.js';
import { simplest, type Choices } from './choices.js';
import { writeFrame, type FrameModel } from './frame.js';
import { fieldGenerators } from './gen-fields.js';
import { frameGenerators } from './gen-frame.js';
import { packetGenerators } from './gen-packets.js';
import { ruleIds, type CaseTarget, type DecoderNeeds, type Generator } from './generator.js';
import type { CaseVersion } from './packets.js';

export type { CaseTarget, DecoderNeeds } from './generator.js';
export type { CaseVersion } from './packets.js';

interface CaseBase {
  /** Unique within a level: packet, field and fault, e.g. `PUBLISH Topic Name: U+0000`. */
  name: string;
  version: CaseVersion;
  /** The packet type the case is about (`reserved` for packet type 0, and 15 before 5.0). */
  packetType: CaseTarget;
  /** The rule id the codec's MqttError carries (undefined for a size limit, which is local policy). */
  rule: string | undefined;
  code: MqttErrorCode;
  /** The 5.0 reason code a receiver answers with (0x81, 0x82, 0x84, 0x85, 0x8F, 0x90, 0x94, 0x95, 0x99). */
  reasonCode: number;
  /**
   * The rows of the conformance table (`conformance-311.tsv` / `conformance-50.tsv`) this case breaks: `rule`, the
   * rows naming the field or packet form, and the receiver's duty to refuse (MQTT-4.8.0-1 / MQTT-4.13.1-1).
   */
  rows: string[];
  /**
   * True when the spec lets a receiver accept the input (a MAY-level check, or a leniency the table allows): the
   * codec refuses it, and so may a receiver, but accepting it is no fault.
   */
  optional?: true;
}

/** Bytes a receiver must refuse (unless `optional`). */
export interface FrameCase extends CaseBase {
  side: 'decode';
  /** One whole frame. */
  bytes: Uint8Array;
  /**
   * When present, plain `decode` accepts the frame: the fault shows only to a `PacketDecoder` with these options
   * (the receiver's role, the Topic Alias Maximum or Maximum Packet Size it announced, an optional check).
   */
  decoder?: DecoderNeeds;
}

/** A packet object `encode` must refuse: a rule no frame can break (a Topic Name over 65,535 bytes cannot be framed). */
export interface EncoderCase extends CaseBase {
  side: 'encode';
  packet: Packet;
  options: EncodeOptions;
}

export type MalformedCase = FrameCase | EncoderCase;

export interface CaseOptions {
  /** Only cases whose `rule` or `rows` include one of these ids. */
  rules?: readonly string[];
  /** Only cases about these packet types. */
  packetTypes?: readonly CaseTarget[];
  /** `'decode'` (default): frames; `'encode'`: packet objects for `encode`; `'both'`. */
  side?: 'decode' | 'encode' | 'both';
}

/**
 * Rows whose failure class the tables mark optional or lenient: Disallowed Unicode code points (a MAY), a padded
 * Remaining Length in 3.1.1 (no rule forbids it there), and the Payload Format Indicator checks (values other than
 * 0 and 1 are undefined; the UTF-8 check of the payload is a MAY). MQTT-3.1.2-1's "optional" is the CONNACK, not
 * the refusal.
 */
export const OPTIONAL_RULES: ReadonlySet<string> = new Set(['U311-1.5.3-1', 'U5-1.5.4-1', 'U311-2.2.3-3', 'U5-3.1.3.2-3', 'U5-3.3.2.3-3']);

const cache = new Map<CaseVersion, readonly Generator[]>();

/** Every case generator at level `version`. */
export function generatorsAt(version: ProtocolVersion): readonly Generator[] {
  if (version !== 4 && version !== 5) {
    throw new RangeError(`malformed cases exist for protocol levels 4 (3.1.1) and 5 (5.0), the levels of the conformance tables; got ${String(version)}`);
  }
  let list = cache.get(version);
  if (list === undefined) {
    list = [...frameGenerators(version), ...fieldGenerators(version), ...packetGenerators(version)];
    cache.set(version, list);
  }
  return list;
}

/** The rows of a case: its rule, the generator's rows, and the receiver's duties that every refusal exercises. */
function rowsOf(g: Generator, version: CaseVersion): string[] {
  const rows = [...(g.expect.rule !== undefined ? [g.expect.rule] : []), ...g.rows];
  if (g.packetType === 'connect' && g.side === 'decode') rows.push('MQTT-3.1.4-1');
  if (g.side === 'decode') rows.push(ruleIds(version).close);
  return [...new Set(rows)];
}

/** The generators `options` selects at `version`. */
export function selectGenerators(version: ProtocolVersion, options: CaseOptions = {}): Generator[] {
  const side = options.side ?? 'decode';
  if (side !== 'decode' && side !== 'encode' && side !== 'both') throw new RangeError(`side must be 'decode', 'encode' or 'both', got ${String(side)}`);
  const v = version as CaseVersion;
  const selected = generatorsAt(version).filter(
    (g) =>
      (side === 'both' || g.side === side) &&
      (options.packetTypes === undefined || options.packetTypes.includes(g.packetType)) &&
      (options.rules === undefined || rowsOf(g, v).some((r) => options.rules!.includes(r))),
  );
  if (selected.length === 0) {
    throw new RangeError(`no malformed case at level ${version} matches ${JSON.stringify(options)}`);
  }
  return selected;
}

/** Builds generator `g`'s case with the answers `c` gives to its choices. */
export function buildCase(g: Generator, c: Choices, version: CaseVersion): MalformedCase {
  const base: CaseBase = {
    name: g.name,
    version,
    packetType: g.packetType,
    rule: g.expect.rule,
    code: g.expect.code,
    reasonCode: g.expect.reasonCode,
    rows: rowsOf(g, version),
    ...(g.expect.rule !== undefined && OPTIONAL_RULES.has(g.expect.rule) ? { optional: true as const } : {}),
  };
  if (g.side === 'encode') {
    const { packet, options } = g.build(c);
    return { ...base, side: 'encode', packet, options };
  }
  const built = g.build(c);
  let frame: FrameModel | Uint8Array;
  let decoder = g.decoder;
  if (built instanceof Uint8Array || 'type' in built) frame = built;
  else {
    frame = built.frame;
    decoder = built.decoder;
  }
  const bytes = frame instanceof Uint8Array ? frame : writeFrame(frame);
  return { ...base, side: 'decode', bytes, ...(decoder !== undefined ? { decoder: { ...decoder } } : {}) };
}

/**
 * The deterministic list of malformed cases at level `version` (4 or 5): one per generator, each built with the
 * simplest choices, so at least one case for every rule of the conformance table that a receiver can check.
 * Frames by default; `{ side: 'encode' }` gives the objects `encode` must refuse, `{ side: 'both' }` all.
 */
export function conformanceCases(version: ProtocolVersion, options?: CaseOptions & { side?: 'decode' }): FrameCase[];
export function conformanceCases(version: ProtocolVersion, options: CaseOptions & { side: 'encode' }): EncoderCase[];
export function conformanceCases(version: ProtocolVersion, options: CaseOptions): MalformedCase[];
export function conformanceCases(version: ProtocolVersion, options: CaseOptions = {}): MalformedCase[] {
  return selectGenerators(version, options).map((g) => buildCase(g, simplest, version as CaseVersion));
}
