// mqtt-wire/compat: mqtt-packet 9's API (parser, generate, writeToStream) and packet objects on the mqtt-wire codec,
// so that MQTT.js, aedes and other mqtt-packet users can swap it in unchanged. No Node import: Buffers are used
// where `globalThis.Buffer` exists, Uint8Arrays elsewhere.

import { generate, writeToStream } from './generate.js';
import { Parser, parser } from './parser.js';

export { Parser, parser, generate, writeToStream };
export { Emitter } from './emitter.js';
/**
 * The three functions as one object, for `import mqtt from ...` and for CommonJS callers compiled with interop
 * helpers that read `.default` (MQTT.js does): the same object shape as mqtt-packet's module.
 */
export default { parser, generate, writeToStream, Parser };
export type {
  Bytes,
  GenerateOptions,
  IAuthPacket,
  IConnackPacket,
  IConnectPacket,
  IDisconnectPacket,
  IPacket,
  IPingreqPacket,
  IPingrespPacket,
  IPubackPacket,
  IPubcompPacket,
  IPublishPacket,
  IPubrecPacket,
  IPubrelPacket,
  ISubackPacket,
  ISubscribePacket,
  ISubscription,
  IUnsubackPacket,
  IUnsubscribePacket,
  Packet,
  PacketCmd,
  ParserSettings,
  QoS,
  UserProperties,
  WritableLike,
} from './types.js';
