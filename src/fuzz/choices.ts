// The choices a case generator makes. `conformanceCases` answers each with the simplest value (the one fast-check
// shrinks towards), `malformedFrameArbitrary` lets fast-check draw them, so one generator serves both.

export interface Choices {
  /** An integer from `min` to `max`. Simplest: `min`. */
  int(min: number, max: number): number;
  /** One of `items` (non-empty). Simplest: the first. */
  pick<T>(items: readonly T[]): T;
  /** Simplest: false. */
  bool(): boolean;
  /**
   * A string that is valid in every MQTT string field and in a topic level: no U+0000, no surrogates, none of
   * '/', '+', '#'; `min` to `max` code points. Simplest: `min` (at least one) letters 'a'.
   */
  text(min: number, max: number): string;
  /** `min` to `max` arbitrary bytes. Simplest: `min` zero bytes. */
  bytes(min: number, max: number): Uint8Array;
  /**
   * `min` to `max` independent streams of choices, one per element of a list: fast-check shrinks such a list by
   * dropping elements, each keeping its own choices. Simplest: `min` simplest streams.
   */
  streams(min: number, max: number): Choices[];
}

/** The simplest answer to every choice: what a generator builds when nothing varies. */
export const simplest: Choices = {
  int: (min) => min,
  pick: (items) => items[0]!,
  bool: () => false,
  text: (min) => 'a'.repeat(Math.max(min, 1)),
  bytes: (min) => new Uint8Array(min),
  streams: (min) => Array.from({ length: min }, () => simplest),
};
