// The wire layer: reader and writer primitives, strict UTF-8, variable byte integers.
export { Reader } from './reader.js';
export { Writer, varintSize, VARINT_MAX } from './writer.js';
export { decodeUtf8, utf8Length, encodeUtf8Into, isWellFormedUtf8 } from './utf8.js';
