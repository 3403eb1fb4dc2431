// mqtt-wire: a strict, fast MQTT 3.1 / 3.1.1 / 5.0 codec on Uint8Array.

export type {
  AckProperties,
  AllProperties,
  AuthPacket,
  AuthProperties,
  ConnackPacket,
  ConnackProperties,
  ConnectPacket,
  ConnectProperties,
  DecodeOptions,
  DisconnectPacket,
  DisconnectProperties,
  EncodeOptions,
  Packet,
  PacketInput,
  PacketType,
  PingreqPacket,
  PingrespPacket,
  Properties,
  ProtocolVersion,
  PubackPacket,
  PubcompPacket,
  PublishPacket,
  PublishProperties,
  PubrecPacket,
  PubrelPacket,
  QoS,
  SubackPacket,
  SubscribePacket,
  SubscribeProperties,
  Subscription,
  UnsubackPacket,
  UnsubscribePacket,
  UnsubscribeProperties,
  UserProperties,
  Will,
  WillInput,
  WillProperties,
} from './types.js';
export { MqttError, type MqttErrorCode, type MqttErrorOptions } from './errors.js';
export { decode, encode, encodedLength, encodeInto, type DecodeFrameOptions } from './codec.js';
export { FrameSplitter, DEFAULT_MAX_PACKET_SIZE, MAX_PACKET_SIZE_LIMIT, type FrameSplitterOptions } from './stream/splitter.js';
export { PacketDecoder, type OnPacket, type PacketDecoderOptions } from './stream/decoder.js';
export { PacketDecoderStream, PacketEncoderStream } from './stream/streams.js';
export { FrameWriter, DEFAULT_MAX_BATCH_SIZE, type FrameWriterOptions } from './stream/frame-writer.js';
export { isValidTopicFilter, isValidTopicName, topicMatches } from './topic.js';
export { ReasonCode, reasonCodeName, allowedReasonCodes, isAllowedReasonCode } from './reason-codes.js';
export { PROPERTY_TABLE, type PropertyContext, type PropertyDef, type PropertyType } from './properties.js';
export { packetToJson, packetFromJson, toHex, fromHex } from './json.js';
export { fitToMaximumPacketSize, type FittedPacket } from './fit.js';
export { strictFault, disallowedCodePointIndex, type StrictOptions } from './strict.js';
export { replyFor, type ReplyOptions } from './reply.js';
export { toVersion } from './convert.js';
export { dissect, type DissectField, type DissectOptions, type DissectResult, type DissectViolation } from './dissect/index.js';
