// `Choices` answered by fast-check: what turns a case or session builder into an arbitrary that shrinks.

import * as fc from 'fast-check';
import type { Choices } from './choices.js';

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

function streamsArbitrary(min: number, max: number): fc.Arbitrary<fc.GeneratorValue[]> {
  return fc.array(fc.gen(), { minLength: min, maxLength: max });
}

/** `Choices` answered by fast-check through `fc.gen()`, so shrinking replays the generator with smaller answers. */
export function fastCheckChoices(g: fc.GeneratorValue): Choices {
  return {
    int: (min, max) => g(fc.integer, { min, max }),
    pick: <T>(items: readonly T[]) => g(fc.constantFrom<T[]>, ...items),
    bool: () => g(fc.boolean),
    text: (min, max) => g(textArbitrary, min, max),
    bytes: (min, max) => g(fc.uint8Array, { minLength: min, maxLength: max }),
    streams: (min, max) => g(streamsArbitrary, min, max).map(fastCheckChoices),
  };
}

