// Byte arrays compared in one pass. Vitest's generic deep equality walks typed arrays element by element, which
// dominates property tests with multi-kilobyte payloads. Same rule as before: equal when the constructor, the
// length and every byte agree (a view and a copy with the same bytes are equal; a Buffer never equals a plain
// Uint8Array).

import { expect } from 'vitest';

expect.addEqualityTesters([
  (a: unknown, b: unknown): boolean | undefined => {
    if (!(a instanceof Uint8Array) || !(b instanceof Uint8Array)) return undefined;
    if (a.constructor !== b.constructor || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
    return true;
  },
]);
