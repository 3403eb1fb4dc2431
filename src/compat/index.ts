// mqtt-wire/compat: mqtt-packet 9's API (parser, generate, writeToStream) and packet objects on the mqtt-wire codec,
// so that MQTT.js, aedes and other mqtt-packet users can swap it in unchanged. No Node import: Buffers are used
// where `globalThis.Buffer` exists, Uint8Arrays elsewhere.

export { Parser, parser } from './parser.js';
export { generate, writeToStream } from './generate.js';
export { Emitter } from './emitter.js';
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
