// The packet model: a discriminated union on `type`, one interface per MQTT control packet.

import type { PropertyContext, PropertyKeysIn } from './properties.js';

/** The protocol level byte: 3 = MQTT 3.1 (`MQIsdp`), 4 = MQTT 3.1.1, 5 = MQTT 5.0. */
export type ProtocolVersion = 3 | 4 | 5;
export type QoS = 0 | 1 | 2;
export type UserProperties = [name: string, value: string][];

/** Every MQTT 5.0 property, by its camelCase name. Each packet type picks the ones it may carry. */
export interface AllProperties {
  payloadFormatIndicator: number;
  messageExpiryInterval: number;
  contentType: string;
  responseTopic: string;
  correlationData: Uint8Array;
  /** SUBSCRIBE: the one Subscription Identifier. */
  subscriptionIdentifier: number;
  /** PUBLISH (server to client): every Subscription Identifier, in order. */
  subscriptionIdentifiers: number[];
  sessionExpiryInterval: number;
  assignedClientIdentifier: string;
  serverKeepAlive: number;
  authenticationMethod: string;
  authenticationData: Uint8Array;
  requestProblemInformation: number;
  willDelayInterval: number;
  requestResponseInformation: number;
  responseInformation: string;
  serverReference: string;
  reasonString: string;
  receiveMaximum: number;
  topicAliasMaximum: number;
  topicAlias: number;
  maximumQos: number;
  retainAvailable: number;
  userProperties: UserProperties;
  maximumPacketSize: number;
  wildcardSubscriptionAvailable: number;
  subscriptionIdentifiersAvailable: number;
  sharedSubscriptionAvailable: number;
}

type Props<K extends keyof AllProperties> = { [P in K]?: AllProperties[P] };
/** The properties block `C` may carry, read from PROPERTY_TABLE (properties.ts): the table is the one source. */
type PropsIn<C extends PropertyContext> = Props<PropertyKeysIn<C> & keyof AllProperties>;

export type ConnectProperties = PropsIn<'connect'>;
export type WillProperties = PropsIn<'will'>;
export type ConnackProperties = PropsIn<'connack'>;
export type PublishProperties = PropsIn<'publish'>;
/** PUBACK, PUBREC, PUBREL, PUBCOMP, SUBACK and UNSUBACK carry the same two. */
export type AckProperties = PropsIn<'puback'>;
export type SubscribeProperties = PropsIn<'subscribe'>;
export type UnsubscribeProperties = PropsIn<'unsubscribe'>;
export type DisconnectProperties = PropsIn<'disconnect'>;
export type AuthProperties = PropsIn<'auth'>;
/** Any packet's properties (the union of every packet's set). */
export type Properties = Props<keyof AllProperties>;

export interface Will {
  topic: string;
  payload: Uint8Array;
  qos: QoS;
  retain: boolean;
  /** 5.0 only. */
  properties?: WillProperties;
}

export interface ConnectPacket {
  type: 'connect';
  protocolVersion: ProtocolVersion;
  /** `MQTT` (levels 4 and 5) or `MQIsdp` (level 3); defaults from the version on encode. */
  protocolName?: string;
  clientId: string;
  /** Clean Session (3.x) / Clean Start (5.0). */
  clean: boolean;
  keepAlive: number;
  username?: string;
  password?: Uint8Array;
  will?: Will;
  properties?: ConnectProperties;
}

export interface ConnackPacket {
  type: 'connack';
  sessionPresent: boolean;
  /** 3.x: the Connect Return code (0..5); 5.0: a Connect Reason Code. */
  reasonCode: number;
  properties?: ConnackProperties;
}

interface PublishBase {
  type: 'publish';
  topic: string;
  payload: Uint8Array;
  retain: boolean;
  dup: boolean;
  properties?: PublishProperties;
}
/** A QoS 0 PUBLISH has no Packet Identifier; QoS 1 and 2 always have one (MQTT-2.3.1-5, MQTT-2.3.1-1). */
export type PublishPacket =
  | (PublishBase & { qos: 0; packetId?: never })
  | (PublishBase & { qos: 1 | 2; packetId: number });

interface AckBase<T extends string> {
  type: T;
  packetId: number;
  /** 5.0 only; a decoded 5.0 acknowledgement always has it (0x00 when the short form left it out). */
  reasonCode?: number;
  properties?: AckProperties;
}
export type PubackPacket = AckBase<'puback'>;
export type PubrecPacket = AckBase<'pubrec'>;
export type PubrelPacket = AckBase<'pubrel'>;
export type PubcompPacket = AckBase<'pubcomp'>;

export interface Subscription {
  topicFilter: string;
  qos: QoS;
  /** 5.0 only. */
  noLocal?: boolean;
  /** 5.0 only. */
  retainAsPublished?: boolean;
  /** 5.0 only: 0 send retained at subscribe, 1 only for a new subscription, 2 never. */
  retainHandling?: 0 | 1 | 2;
}

export interface SubscribePacket {
  type: 'subscribe';
  packetId: number;
  subscriptions: Subscription[];
  properties?: SubscribeProperties;
}

export interface SubackPacket {
  type: 'suback';
  packetId: number;
  /** 3.x: return codes 0, 1, 2, 0x80; 5.0: Subscribe Reason Codes. One per filter. */
  reasonCodes: number[];
  properties?: AckProperties;
}

export interface UnsubscribePacket {
  type: 'unsubscribe';
  packetId: number;
  topicFilters: string[];
  properties?: UnsubscribeProperties;
}

export interface UnsubackPacket {
  type: 'unsuback';
  packetId: number;
  /** 5.0 only (one per filter). */
  reasonCodes?: number[];
  properties?: AckProperties;
}

export interface PingreqPacket {
  type: 'pingreq';
}
export interface PingrespPacket {
  type: 'pingresp';
}

export interface DisconnectPacket {
  type: 'disconnect';
  /** 5.0 only; a decoded 5.0 DISCONNECT always has it (0x00 when the short form left it out). */
  reasonCode?: number;
  properties?: DisconnectProperties;
}

/** 5.0 only. */
export interface AuthPacket {
  type: 'auth';
  reasonCode: number;
  properties?: AuthProperties;
}

export type Packet =
  | ConnectPacket
  | ConnackPacket
  | PublishPacket
  | PubackPacket
  | PubrecPacket
  | PubrelPacket
  | PubcompPacket
  | SubscribePacket
  | SubackPacket
  | UnsubscribePacket
  | UnsubackPacket
  | PingreqPacket
  | PingrespPacket
  | DisconnectPacket
  | AuthPacket;

export type PacketType = Packet['type'];

/** A Will as `encode` takes it: `retain` may be left out (false). */
export type WillInput = Omit<Will, 'retain'> & { retain?: boolean };

type Loosen<P> = P extends { type: 'publish' }
  ? Omit<P, 'retain' | 'dup'> & { retain?: boolean; dup?: boolean }
  : P extends ConnectPacket
    ? Omit<P, 'will'> & { will?: WillInput }
    : P;

/**
 * A packet as `encode` takes it: a `Packet`, or one whose PUBLISH `retain`/`dup` or Will `retain` are left out
 * (false). Decoded packets always carry them.
 */
export type PacketInput = Loosen<Packet>;

export { PACKET_TYPE_ID, PACKET_TYPE_NAME } from './packet-types.js';

export interface DecodeOptions {
  /** Protocol level of the connection. A CONNECT always decodes by its own level. Default 4. */
  version?: ProtocolVersion;
}

export interface EncodeOptions {
  /** Protocol level to encode for. Default: a CONNECT's own `protocolVersion`, else 4. */
  version?: ProtocolVersion;
  /**
   * The receiver's Maximum Packet Size (5.0 CONNECT / CONNACK property): a frame larger than this is refused with
   * `packet-too-large` (0x95) before anything is written (MQTT-3.1.2-24, MQTT-3.2.2-15). Default: no limit beyond
   * the protocol's. See `fitToMaximumPacketSize` to drop what the spec allows instead.
   */
  maximumPacketSize?: number;
}
