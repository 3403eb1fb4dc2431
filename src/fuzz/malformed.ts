// `malformedFrameArbitrary`: the case generators of cases.ts with fast-check drawing their choices, so a fuzzer gets
// endless labelled variants of every rule (random packets around the fault, the fault at random places), and a
// failing case shrinks towards the one `conformanceCases` lists.

import * as fc from 'fast-check';
import type { ProtocolVersion } from '../types.js';
import { fastCheckChoices } from './fc-choices.js';
import {
  buildCase,
  selectGenerators,
  type CaseOptions,
  type CaseVersion,
  type EncoderCase,
  type FrameCase,
  type MalformedCase,
} from './cases.js';

/**
 * Malformed cases at level `version` (4 or 5), each labelled with the refusal it must get: frames by default
 * (`{ bytes, rule, code, reasonCode, rows, decoder? }`), packet objects for `encode` with `{ side: 'encode' }`.
 * `rules` and `packetTypes` narrow the choice. Every generator is equally likely; its choices shrink towards the
 * case `conformanceCases` lists for it.
 */
export function malformedFrameArbitrary(version: ProtocolVersion, options?: CaseOptions & { side?: 'decode' }): fc.Arbitrary<FrameCase>;
export function malformedFrameArbitrary(version: ProtocolVersion, options: CaseOptions & { side: 'encode' }): fc.Arbitrary<EncoderCase>;
export function malformedFrameArbitrary(version: ProtocolVersion, options: CaseOptions): fc.Arbitrary<MalformedCase>;
export function malformedFrameArbitrary(version: ProtocolVersion, options: CaseOptions = {}): fc.Arbitrary<MalformedCase> {
  const generators = selectGenerators(version, options);
  const v = version as CaseVersion;
  return fc.oneof(...generators.map((gen) => fc.gen().map((g) => buildCase(gen, fastCheckChoices(g), v))));
}
