// Small helpers shared by the test files.
import { expect } from 'vitest';
import { MqttError } from '../../src/index.js';

/** The bytes of `parts` one after another, in a fresh buffer. */
export function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** The MqttError `f` throws; fails the test when it throws anything else or nothing. */
export function thrown(f: () => unknown): MqttError {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(MqttError);
    return e as MqttError;
  }
  throw new Error('expected an MqttError, nothing was thrown');
}
