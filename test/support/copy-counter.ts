// Counts the bytes copied from one typed array or ArrayBuffer into another while a function runs, by wrapping every
// JavaScript way of copying them: TypedArray set / slice / copyWithin / from, ArrayBuffer slice, and the Uint8Array
// constructor's copying forms (`new Uint8Array(typedArray)`, `new Uint8Array(arrayLike)`). Views (subarray,
// `new Uint8Array(buffer, offset, length)`) and fresh allocations (`new Uint8Array(n)`) are not copies.
// Used by test/copies.test.ts and by the bench's w5 workload (bundled by esbuild there).

/** One copying call: which form, and how many bytes it copied. */
export interface Copy {
  how: string;
  bytes: number;
}

/** What `f` returned and the copies made while it ran, in order. */
export interface Counted<T> {
  result: T;
  copies: Copy[];
  /** Sum of `copies[i].bytes`. */
  bytes: number;
}

type AnyTypedArray = Uint8Array | Uint16Array | Uint32Array | Int8Array | Int16Array | Int32Array | Float32Array | Float64Array;
type Method = (this: unknown, ...args: unknown[]) => unknown;

const TypedArray = Object.getPrototypeOf(Uint8Array) as { from: Method; prototype: Record<'set' | 'slice' | 'copyWithin', Method> };

/** A relative index of the spec's kind (negative from the end), clamped to [0, length]. */
function clampIndex(i: unknown, length: number, fallback: number): number {
  if (i === undefined) return fallback;
  const n = Math.trunc(Number(i)) || 0;
  return n < 0 ? Math.max(length + n, 0) : Math.min(n, length);
}

/** Bytes a source of the copying Uint8Array constructor forms holds, or 0 when the form copies nothing. */
function constructorCopyBytes(source: unknown): number {
  if (typeof source !== 'object' || source === null) return 0; // a length: allocation
  if (source instanceof ArrayBuffer || (typeof SharedArrayBuffer !== 'undefined' && source instanceof SharedArrayBuffer)) return 0; // a view
  if (ArrayBuffer.isView(source)) return (source as AnyTypedArray).length;
  const length = (source as { length?: unknown }).length;
  return typeof length === 'number' ? length : 0;
}

/**
 * Runs `f` with every copying form wrapped, and returns the copies it made. Not re-entrant; restores every original
 * before returning, whatever `f` does.
 */
export function countCopies<T>(f: () => T): Counted<T> {
  const copies: Copy[] = [];
  let depth = 0;
  // only the outermost copying call counts (a wrapped form may call another internally)
  const record = (how: string, bytes: number) => {
    if (depth === 0 && bytes > 0) copies.push({ how, bytes });
  };
  const proto = TypedArray.prototype;
  const original = {
    set: proto.set,
    slice: proto.slice,
    copyWithin: proto.copyWithin,
    from: TypedArray.from,
    bufferSlice: ArrayBuffer.prototype.slice as Method,
    Uint8Array: globalThis.Uint8Array,
    constructor: Uint8Array.prototype.constructor,
  };
  const wrap = (how: string, fn: Method, bytes: (self: AnyTypedArray, args: unknown[], result: unknown) => number): Method =>
    function (this: unknown, ...args: unknown[]): unknown {
      depth++;
      let result: unknown;
      try {
        result = fn.apply(this, args);
      } finally {
        depth--;
      }
      record(how, bytes(this as AnyTypedArray, args, result));
      return result;
    };

  proto.set = wrap('TypedArray.prototype.set', original.set, (self, args) => {
    const source = args[0] as ArrayLike<number>;
    return (source?.length ?? 0) * self.BYTES_PER_ELEMENT;
  });
  proto.slice = wrap('TypedArray.prototype.slice', original.slice, (_self, _args, result) => (result as AnyTypedArray).byteLength);
  proto.copyWithin = wrap('TypedArray.prototype.copyWithin', original.copyWithin, (self, args) => {
    const len = self.length;
    const to = clampIndex(args[0], len, 0);
    const from = clampIndex(args[1], len, 0);
    const end = clampIndex(args[2], len, len);
    return Math.max(0, Math.min(end - from, len - to)) * self.BYTES_PER_ELEMENT;
  });
  TypedArray.from = wrap('TypedArray.from', original.from, (_self, _args, result) => (result as AnyTypedArray).byteLength);
  ArrayBuffer.prototype.slice = wrap('ArrayBuffer.prototype.slice', original.bufferSlice, (_self, _args, result) => (result as ArrayBuffer).byteLength) as (
    begin?: number,
    end?: number,
  ) => ArrayBuffer;
  // The constructor: a Proxy in its place, and Uint8Array.prototype.constructor pointed at it, so that code testing
  // `chunk.constructor === Uint8Array` takes the same path as without the counter.
  const Counting = new Proxy(original.Uint8Array, {
    construct(target, args, newTarget) {
      const bytes = constructorCopyBytes(args[0]);
      depth++;
      let made: object;
      try {
        made = Reflect.construct(target, args, newTarget === Counting ? target : newTarget);
      } finally {
        depth--;
      }
      record('new Uint8Array(source)', bytes);
      return made;
    },
  });
  globalThis.Uint8Array = Counting;
  Object.defineProperty(original.Uint8Array.prototype, 'constructor', { value: Counting, writable: true, configurable: true });
  try {
    const result = f();
    return { result, copies, bytes: copies.reduce((n, c) => n + c.bytes, 0) };
  } finally {
    proto.set = original.set;
    proto.slice = original.slice;
    proto.copyWithin = original.copyWithin;
    TypedArray.from = original.from;
    ArrayBuffer.prototype.slice = original.bufferSlice as (begin?: number, end?: number) => ArrayBuffer;
    globalThis.Uint8Array = original.Uint8Array;
    Object.defineProperty(original.Uint8Array.prototype, 'constructor', { value: original.constructor, writable: true, configurable: true });
  }
}
