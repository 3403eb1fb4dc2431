// Options objects are checked for keys the function does not know, naming the keys it does. The last object found
// good is remembered, so an options object reused across calls is checked once; a fresh literal such as
// `{ version: 5 }` costs one for-in over its keys (a WeakSet of every object seen halved the speed of decoding a
// small 5.0 PUBLISH with an inline options literal: measured, in the GC of the set).

import { invalidPacket } from './errors.js';

/** Names users reach for that the API spells another way, with the name to use. */
const HINTS: Readonly<Record<string, string>> = {
  maximumPacketSize: 'maxPacketSize',
  maxPacketSize: 'maximumPacketSize',
  protocolVersion: 'version',
  protocol: 'version',
  level: 'version',
};

/** The keys one kind of options object may have, and the objects already found to have no others. */
export class OptionKeys {
  readonly #known: ReadonlySet<string>;
  readonly #where: string;
  #last: object | undefined;

  constructor(where: string, known: readonly string[]) {
    this.#where = where;
    this.#known = new Set(known);
  }

  /** Throws `invalid-packet` when `options` is not an object or has a key not in the list. */
  check(options: unknown): void {
    if (typeof options !== 'object' || options === null) {
      throw invalidPacket(undefined, `${this.#where} options must be an object, got ${options === null ? 'null' : typeof options}`);
    }
    if (options === this.#last) return;
    for (const key in options) {
      if (!this.#known.has(key)) {
        const hint = HINTS[key] !== undefined && this.#known.has(HINTS[key]) ? ` (did you mean '${HINTS[key]}'?)` : '';
        throw invalidPacket(undefined, `${this.#where}: unknown option '${key}'${hint}; the options are ${[...this.#known].join(', ')}`);
      }
    }
    this.#last = options;
  }
}
