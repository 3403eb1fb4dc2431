// `malformedFrameArbitrary`: the case generators of cases.ts with fast-check drawing their choices, so a fuzzer gets
// endless labelled variants of every rule (random packets around the fault, the fault at random places), and a
// failing case shrinks towards the one `conformanceCases` lists.

import * as fc from 'fast-check';
import type { ProtocolVersion } from '../types.js';
import type { Choices } from './choices.js';
import {
  buildCase,
  selectGenerators,
  type CaseOptions,
  type CaseVersion,
  type EncoderCase,
  type FrameCase,
  type MalformedCase,
} from './cases.js';

/** A code point valid in any MQTT string and topic level: not U+0000, not a surrogate, not '/', '+' or '#'. */
const codePoint: fc.Arbitrary<string> = fc
  .oneof(
    { weight: 6, arbitrary: fc.constantFrom(...'abcdefghijklmnopqrstuvwxyz0123456789') },
    { weight: 2, arbitrary: fc.integer({ min: 0x01, max: 0x7f }).map((c) => String.fromCharCode(c)) },
    {
      weight: 2,
      arbitrary: fc
        .integer({ min: 0x80, max: 0x10ffff })
        .filter((c) => c < 0xd800 || c > 0xdfff)
        .map((c) => String.fromCodePoint(c)),
    },
  )
  .filter((ch) => ch !== '/' && ch !== '+' && ch !== '#');

function textArbitrary(min: number, max: number): fc.Arbitrary<string> {
  return fc.string({ unit: codePoint, minLength: min, maxLength: max });
}

/** `Choices` answered by fast-check through `fc.gen()`, so shrinking replays the generator with smaller answers. */
function fastCheckChoices(g: fc.GeneratorValue): Choices {
  return {
    int: (min, max) => g(fc.integer, { min, max }),
    pick: <T>(items: readonly T[]) => g(fc.constantFrom<T[]>, ...items),
    bool: () => g(fc.boolean),
    text: (min, max) => g(textArbitrary, min, max),
    bytes: (min, max) => g(fc.uint8Array, { minLength: min, maxLength: max }),
  };
}

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
