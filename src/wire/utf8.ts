// Strict UTF-8 as MQTT requires (MQTT-1.5.3-1/-2, MQTT-1.5.4-1/-2): well-formed per RFC 3629, no surrogates,
// no U+0000, and a BOM kept as U+FEFF. TextDecoder/TextEncoder defaults get all of these wrong, so short strings are
// handled by hand and long ones by a fatal, BOM-keeping TextDecoder plus a separate U+0000 scan.

/**
 * Below this many bytes the hand loop beats the TextDecoder call (a view, the call, the U+0000 scan); from it on
 * the native decoder wins. Chosen by the `w7 string decode` cases of `npm run bench` (Node 20, x64): ASCII, the
 * hand loop is 1.3-1.7x faster at 48 bytes, level at 64 (0.8-1.1x), 0.65-0.75x at 96. Text of 2-byte characters
 * favours the hand loop further (1.4-1.9x at 128 bytes), but topics and ids are mostly ASCII.
 */
const NATIVE_DECODE_MIN = 64;
/**
 * Same trade-off for encoding (TextEncoder.encodeInto), in UTF-16 code units (`s.length`): from the `w7 string
 * encode` cases, ASCII is level or native-faster at 32 (0.7-1.0x) and the hand loop 1.3x faster at 24; 32 units
 * of 2-byte characters are level too (0.94-0.98x).
 */
export const NATIVE_ENCODE_MIN = 32;

const fatalDecoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const encoder = new TextEncoder();

/** Why a byte range is not an MQTT string: not well-formed UTF-8 (MQTT-1.5.x-1). */
export const ILL_FORMED = 1;
/** Why a byte range is not an MQTT string: it holds U+0000 (MQTT-1.5.x-2). */
export const HAS_NULL = 2;
/** `ILL_FORMED` or `HAS_NULL`: the first fault in byte order decides. */
export type Utf8Fault = typeof ILL_FORMED | typeof HAS_NULL;

/**
 * Decodes `buf[start, end)` as a strict MQTT UTF-8 string, or returns the fault (a number: test with
 * `typeof result === 'string'`). Returning instead of throwing lets the caller name the packet and field.
 */
export function decodeUtf8(buf: Uint8Array, start: number, end: number): string | Utf8Fault {
  return end - start >= NATIVE_DECODE_MIN ? decodeUtf8Native(buf, start, end) : decodeUtf8Hand(buf, start, end);
}

/**
 * The hand-loop path of `decodeUtf8` (exported for the `string decode` bench case). ASCII, the common case for
 * topics and ids, is gathered into an array and made a string by one `String.fromCharCode` call: per-character
 * string concatenation took about 1.6× as long (bench w1 profile). Anything else goes through `decodeUtf8General`.
 */
export function decodeUtf8Hand(buf: Uint8Array, start: number, end: number): string | Utf8Fault {
  const n = end - start;
  const codes = n < CODES.length ? CODES[n]! : new Array<number>(n);
  for (let i = 0; i < n; i++) {
    const b = buf[start + i]!;
    // the first fault in order decides the error, as in the general loop: U+0000 here, anything else there
    if (b === 0) return HAS_NULL;
    if (b >= 0x80) return decodeUtf8General(buf, start, end);
    codes[i] = b;
  }
  return String.fromCharCode.apply(null, codes);
}

/**
 * One array of character codes per length under NATIVE_DECODE_MIN, reused by every decode: `String.fromCharCode`
 * copies them, and nothing else runs between filling and reading one. Against a new array per string: `decode` of
 * one frame +8-12% on w3 frames and +1-10% on w1 frames, PacketDecoder +4-6% on the w3 stream but -3% on the w1
 * stream (A/B medians over separate processes, then paired samples of both builds in one process, two runs each);
 * 16-20% less time per string for 7 and 20 bytes in a micro-benchmark. Kept for w3 decode, the missed target.
 */
const CODES: number[][] = Array.from({ length: NATIVE_DECODE_MIN }, (_, n) => new Array<number>(n).fill(0));

/**
 * Strings of 1 to CACHED_MAX bytes decoded by `decodeUtf8Cached` are remembered, by their bytes, in one of SLOTS
 * slots (a hash of the bytes picks the slot; a newer string takes it over). Property strings repeat from packet to
 * packet (User Property names and values, Content Type, Response Topic), and finding one again costs two short loops
 * over its bytes where making it anew costs a String.fromCharCode call and an allocation. Only well-formed strings
 * are remembered, so a string found is one that passed every check on the same bytes. Memory is fixed: SLOTS strings
 * of at most CACHED_MAX bytes and their bytes.
 */
const CACHED_MAX = 32;
const SLOTS = 256;
const cachedBytes = /* @__PURE__ */ new Uint8Array(SLOTS * CACHED_MAX);
const cachedLength = /* @__PURE__ */ new Uint8Array(SLOTS);
const cachedString: string[] = /* @__PURE__ */ new Array<string>(SLOTS).fill('');

/** `decodeUtf8`, answered from the cache above for strings of up to CACHED_MAX bytes seen before. */
export function decodeUtf8Cached(buf: Uint8Array, start: number, end: number): string | Utf8Fault {
  const n = end - start;
  if (n === 0 || n > CACHED_MAX) return decodeUtf8(buf, start, end);
  let h = n;
  for (let i = start; i < end; i++) h = (Math.imul(h, 31) + buf[i]!) | 0;
  const slot = (h ^ (h >>> 11)) & (SLOTS - 1);
  const base = slot * CACHED_MAX;
  if (cachedLength[slot] === n) {
    let i = 0;
    while (i < n && cachedBytes[base + i] === buf[start + i]) i++;
    if (i === n) return cachedString[slot]!;
  }
  const s = decodeUtf8Hand(buf, start, end);
  if (typeof s === 'string') {
    for (let i = 0; i < n; i++) cachedBytes[base + i] = buf[start + i]!;
    cachedLength[slot] = n;
    cachedString[slot] = s;
  }
  return s;
}

/**
 * A Topic Name of `n` bytes at `buf[start]` when it is plain: 1 to 63 bytes of ASCII without U+0000 or a
 * wildcard; otherwise undefined (the caller reads it the general way, which accepts any UTF-8 and names faults).
 * The decoder's PUBLISH fast path: one loop gathers the codes and checks them, where `decodeUtf8Hand` and two
 * `indexOf` scans were three (bench w1).
 */
export function plainTopic(buf: Uint8Array, start: number, n: number): string | undefined {
  if (n === 0 || n >= NATIVE_DECODE_MIN) return undefined;
  const codes = CODES[n]!;
  for (let i = 0; i < n; i++) {
    const b = buf[start + i]!;
    // U+0000, '#', '+', or not ASCII
    if (b === 0 || b === 0x23 || b === 0x2b || b >= 0x80) return undefined;
    codes[i] = b;
  }
  return String.fromCharCode.apply(null, codes);
}

/** Strict UTF-8 decoding of any short string, one character at a time. */
function decodeUtf8General(buf: Uint8Array, start: number, end: number): string | Utf8Fault {
  let out = '';
  let i = start;
  while (i < end) {
    const b0 = buf[i]!;
    if (b0 < 0x80) {
      if (b0 === 0) return HAS_NULL;
      out += String.fromCharCode(b0);
      i++;
      continue;
    }
    let cp: number;
    if (b0 >= 0xc2 && b0 <= 0xdf) {
      if (i + 1 >= end) return ILL_FORMED;
      const b1 = buf[i + 1]!;
      if ((b1 & 0xc0) !== 0x80) return ILL_FORMED;
      cp = ((b0 & 0x1f) << 6) | (b1 & 0x3f);
      i += 2;
    } else if (b0 >= 0xe0 && b0 <= 0xef) {
      if (i + 2 >= end) return ILL_FORMED;
      const b1 = buf[i + 1]!;
      const b2 = buf[i + 2]!;
      if ((b1 & 0xc0) !== 0x80 || (b2 & 0xc0) !== 0x80) return ILL_FORMED;
      cp = ((b0 & 0x0f) << 12) | ((b1 & 0x3f) << 6) | (b2 & 0x3f);
      // overlong (< U+0800) or an encoded surrogate
      if (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff)) return ILL_FORMED;
      i += 3;
    } else if (b0 >= 0xf0 && b0 <= 0xf4) {
      if (i + 3 >= end) return ILL_FORMED;
      const b1 = buf[i + 1]!;
      const b2 = buf[i + 2]!;
      const b3 = buf[i + 3]!;
      if ((b1 & 0xc0) !== 0x80 || (b2 & 0xc0) !== 0x80 || (b3 & 0xc0) !== 0x80) return ILL_FORMED;
      cp = ((b0 & 0x07) << 18) | ((b1 & 0x3f) << 12) | ((b2 & 0x3f) << 6) | (b3 & 0x3f);
      if (cp < 0x10000 || cp > 0x10ffff) return ILL_FORMED;
      i += 4;
      cp -= 0x10000;
      out += String.fromCharCode(0xd800 | (cp >> 10), 0xdc00 | (cp & 0x3ff));
      continue;
    } else {
      // 0x80..0xC1 (continuation or overlong lead) and 0xF5..0xFF never start a character
      return ILL_FORMED;
    }
    out += String.fromCharCode(cp);
  }
  return out;
}

/** The TextDecoder path of `decodeUtf8` (exported for the `string decode` bench case). */
export function decodeUtf8Native(buf: Uint8Array, start: number, end: number): string | Utf8Fault {
  const bytes = buf.subarray(start, end);
  const zero = bytes.indexOf(0);
  if (zero !== -1) {
    // The first fault in order decides, as in the hand loop, so the error never depends on NATIVE_DECODE_MIN:
    // bytes before the U+0000 that are not well-formed (a sequence it cuts short included) come first.
    return isWellFormedUtf8(bytes, 0, zero) ? HAS_NULL : ILL_FORMED;
  }
  try {
    return fatalDecoder.decode(bytes);
  } catch {
    return ILL_FORMED;
  }
}

/**
 * UTF-8 byte length of `s`, or -1 for a lone surrogate and -2 for U+0000 (neither may be sent:
 * MQTT-1.5.3-1/-2). TextEncoder would silently write U+FFFD for the first.
 */
export function utf8Length(s: string): number {
  const n = s.length;
  let len = n;
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) {
      if (c === 0) return -2;
      continue;
    }
    if (c < 0x800) {
      len += 1;
    } else if (c >= 0xd800 && c <= 0xdfff) {
      if (c > 0xdbff || i + 1 >= n) return -1;
      const d = s.charCodeAt(i + 1);
      if (d < 0xdc00 || d > 0xdfff) return -1;
      // a pair is 2 UTF-16 units and 4 bytes
      len += 2;
      i++;
    } else {
      len += 2;
    }
  }
  return len;
}

/** Writes `s` (already checked by `utf8Length`) at `pos`; returns the position after it. */
export function encodeUtf8Into(s: string, buf: Uint8Array, pos: number): number {
  return s.length >= NATIVE_ENCODE_MIN ? encodeUtf8Native(s, buf, pos) : encodeUtf8Hand(s, buf, pos);
}

/** The TextEncoder path of `encodeUtf8Into` (exported for the `string encode` bench case). */
export function encodeUtf8Native(s: string, buf: Uint8Array, pos: number): number {
  return pos + encoder.encodeInto(s, buf.subarray(pos)).written;
}

/** The hand-loop path of `encodeUtf8Into` (exported for the `string encode` bench case). */
export function encodeUtf8Hand(s: string, buf: Uint8Array, pos: number): number {
  const n = s.length;
  for (let i = 0; i < n; i++) {
    let c = s.charCodeAt(i);
    if (c < 0x80) {
      buf[pos++] = c;
    } else if (c < 0x800) {
      buf[pos++] = 0xc0 | (c >> 6);
      buf[pos++] = 0x80 | (c & 0x3f);
    } else if (c >= 0xd800 && c <= 0xdbff) {
      c = 0x10000 + ((c - 0xd800) << 10) + (s.charCodeAt(++i) - 0xdc00);
      buf[pos++] = 0xf0 | (c >> 18);
      buf[pos++] = 0x80 | ((c >> 12) & 0x3f);
      buf[pos++] = 0x80 | ((c >> 6) & 0x3f);
      buf[pos++] = 0x80 | (c & 0x3f);
    } else {
      buf[pos++] = 0xe0 | (c >> 12);
      buf[pos++] = 0x80 | ((c >> 6) & 0x3f);
      buf[pos++] = 0x80 | (c & 0x3f);
    }
  }
  return pos;
}

/** True when `buf[start, end)` is well-formed UTF-8 (for a Payload Format Indicator of 1). */
export function isWellFormedUtf8(buf: Uint8Array, start: number, end: number): boolean {
  try {
    fatalDecoder.decode(buf.subarray(start, end));
    return true;
  } catch {
    return false;
  }
}
