// Reading a Uint8Array's length from its internal slot. A subclass may override `length` with a getter, and a
// Proxy may pose as a Uint8Array; the encoder must not run such code between sizing a frame and writing it.

const TYPED_ARRAY = Object.getPrototypeOf(Uint8Array.prototype) as object;
const getter = (key: PropertyKey) => Object.getOwnPropertyDescriptor(TYPED_ARRAY, key)!.get!;

/**
 * The intrinsic getters and `set` as plain functions of the array: `lengthOf(x)` is `%TypedArray%.prototype.length`
 * read on `x`. They are `Function.prototype.call` bound to each intrinsic, taken once when the module loads, so
 * nothing a caller replaces later (a `call` on Function.prototype included) runs in the middle of an encode, and V8
 * sees which intrinsic each call site reaches and compiles it inline: with `getter.call(x)` on a getter held in a
 * variable each call stayed a generic one, and a small PUBLISH spent ~16 ns in the two checks of its payload and
 * target (encodeInto -11 to -14%, encode up to -8% with the bound forms; interleaved A/B).
 */
const call = Function.prototype.call;
const lengthOf = call.bind(getter('length')) as (value: unknown) => number;
const tagOf = call.bind(getter(Symbol.toStringTag)) as (value: unknown) => string | undefined;
const bufferOf = call.bind(getter('buffer')) as (value: unknown) => ArrayBufferLike;
const byteOffsetOf = call.bind(getter('byteOffset')) as (value: unknown) => number;
const typedArraySet = call.bind((TYPED_ARRAY as { set: (source: ArrayLike<number>, offset?: number) => void }).set) as (
  target: Uint8Array,
  source: ArrayLike<number>,
  offset: number,
) => void;

/**
 * The length of a Uint8Array (a subclass such as Node's Buffer included), or -1 for anything else (a Proxy of
 * one, another typed array, a non-object). A detached buffer reads 0.
 */
export function uint8Length(value: unknown): number {
  return tagOf(value) === 'Uint8Array' ? lengthOf(value) : -1;
}

/** Result of `binaryLength` for a Uint8Array whose ArrayBuffer was transferred or detached. */
export const DETACHED = -2;

/**
 * `uint8Length`, but DETACHED for a Uint8Array whose buffer was detached (transferred to a worker, say): it reads as
 * empty, and sending it as an empty payload would lose the message without a word. Only a zero length is looked at
 * twice (Node 20 has no ArrayBuffer.prototype.detached; making a view of a detached buffer throws).
 */
export function binaryLength(value: unknown): number {
  const len = uint8Length(value);
  if (len !== 0) return len;
  try {
    new Uint8Array(bufferOf(value), 0, 0);
    return 0;
  } catch {
    return DETACHED;
  }
}


/**
 * `target` itself when it is a plain Uint8Array, else a plain view of the same bytes (read from internal slots), so
 * that writing into it never calls a method a subclass overrides.
 */
export function plainView(target: Uint8Array): Uint8Array {
  return Object.getPrototypeOf(target) === Uint8Array.prototype
    ? target
    : new Uint8Array(bufferOf(target), byteOffsetOf(target), lengthOf(target));
}

/**
 * Copies `source` into `target` at `offset` by the intrinsic TypedArray set, so a subclass's own `set` never runs
 * (the caller has checked the room).
 */
export function copyBytes(target: Uint8Array, source: Uint8Array, offset: number): void {
  typedArraySet(target, source, offset);
}
