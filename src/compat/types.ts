// The packet objects of mqtt-packet 9, under the names its type declarations use, so that code typed against
// mqtt-packet (MQTT.js's declarations, for one) type-checks against the compat layer unchanged.

/**
 * Binary fields: Node's Buffer when the Node types are loaded (at run time they are Buffer views wherever
 * `globalThis.Buffer` exists), plain Uint8Array otherwise.
 */
export type Bytes = typeof globalThis extends { Buffer: { alloc(size: number): infer B } } ? B : Uint8Array;

export type QoS = 0 | 1 | 2;

export type PacketCmd =
  | 'auth'
  | 'connack'
  | 'connect'
  | 'disconnect'
  | 'pingreq'
  | 'pingresp'
  | 'puback'
  | 'pubcomp'
  | 'publish'
  | 'pubrel'
  | 'pubrec'
  | 'suback'
  | 'subscribe'
  | 'unsuback'
  | 'unsubscribe';

/** User Properties as an object: a name sent more than once has the array of its values, in order. */
export type UserProperties = { [name: string]: string | string[] };

/**
 * Fields every parsed packet carries (the fixed header's flags, the Remaining Length, and `topic`/`payload` set to
 * null on packets other than PUBLISH). Optional here because `generate` does not need them.
 */
export interface IPacket {
  cmd: PacketCmd;
  messageId?: number;
  length?: number;
  retain?: boolean;
  qos?: number;
  dup?: boolean;
  topic?: string | Bytes | null;
  payload?: string | Bytes | null;
}

export interface IAuthPacket extends IPacket {
  cmd: 'auth';
  reasonCode: number;
  properties?: {
    authenticationMethod?: string;
    authenticationData?: Bytes;
    reasonString?: string;
    userProperties?: UserProperties;
  };
}

export interface IConnectPacket extends IPacket {
  cmd: 'connect';
  clientId: string;
  protocolVersion?: 4 | 5 | 3;
  protocolId?: 'MQTT' | 'MQIsdp';
  /** Set on a parsed CONNECT whose protocol level byte had 0x80 added (a broker bridge); `generate` adds it back. */
  bridgeMode?: boolean;
  clean?: boolean;
  keepalive?: number;
  username?: string;
  password?: Bytes;
  will?: {
    topic: string;
    payload: Bytes | string;
    qos?: QoS;
    retain?: boolean;
    properties?: {
      willDelayInterval?: number;
      payloadFormatIndicator?: boolean;
      messageExpiryInterval?: number;
      contentType?: string;
      responseTopic?: string;
      correlationData?: Bytes;
      userProperties?: UserProperties;
    };
  };
  properties?: {
    sessionExpiryInterval?: number;
    receiveMaximum?: number;
    maximumPacketSize?: number;
    topicAliasMaximum?: number;
    requestResponseInformation?: boolean;
    requestProblemInformation?: boolean;
    userProperties?: UserProperties;
    authenticationMethod?: string;
    authenticationData?: Bytes;
  };
}

export interface IPublishPacket extends IPacket {
  cmd: 'publish';
  qos: QoS;
  dup: boolean;
  retain: boolean;
  topic: string;
  payload: string | Bytes;
  properties?: {
    payloadFormatIndicator?: boolean;
    messageExpiryInterval?: number;
    topicAlias?: number;
    responseTopic?: string;
    correlationData?: Bytes;
    userProperties?: UserProperties;
    /** One number, or every Subscription Identifier in order when a PUBLISH carries several. */
    subscriptionIdentifier?: number | number[];
    contentType?: string;
  };
}

export interface IConnackPacket extends IPacket {
  cmd: 'connack';
  /** MQTT 3.1 and 3.1.1. */
  returnCode?: number;
  /** MQTT 5.0. */
  reasonCode?: number;
  sessionPresent: boolean;
  properties?: {
    sessionExpiryInterval?: number;
    receiveMaximum?: number;
    maximumQoS?: number;
    retainAvailable?: boolean;
    maximumPacketSize?: number;
    assignedClientIdentifier?: string;
    topicAliasMaximum?: number;
    reasonString?: string;
    userProperties?: UserProperties;
    wildcardSubscriptionAvailable?: boolean;
    subscriptionIdentifiersAvailable?: boolean;
    sharedSubscriptionAvailable?: boolean;
    serverKeepAlive?: number;
    responseInformation?: string;
    serverReference?: string;
    authenticationMethod?: string;
    authenticationData?: Bytes;
  };
}

export interface ISubscription {
  topic: string;
  qos: QoS;
  /** No Local (5.0). */
  nl?: boolean;
  /** Retain As Published (5.0). */
  rap?: boolean;
  /** Retain Handling (5.0). */
  rh?: number;
}

export interface ISubscribePacket extends IPacket {
  cmd: 'subscribe';
  subscriptions: ISubscription[];
  properties?: {
    reasonString?: string;
    subscriptionIdentifier?: number;
    userProperties?: UserProperties;
  };
}

export interface ISubackPacket extends IPacket {
  cmd: 'suback';
  reasonCode?: number;
  properties?: {
    reasonString?: string;
    userProperties?: UserProperties;
  };
  /** The return codes (3.x) or reason codes (5.0), one per subscription. */
  granted: number[] | object[];
}

export interface IUnsubscribePacket extends IPacket {
  cmd: 'unsubscribe';
  properties?: {
    reasonString?: string;
    userProperties?: UserProperties;
  };
  unsubscriptions: string[];
}

export interface IUnsubackPacket extends IPacket {
  cmd: 'unsuback';
  reasonCode?: number;
  properties?: {
    reasonString?: string;
    userProperties?: UserProperties;
  };
  /** The reason codes (5.0 only), one per topic filter. */
  granted: number[];
}

interface AckProperties {
  reasonString?: string;
  userProperties?: UserProperties;
}

export interface IPubackPacket extends IPacket {
  cmd: 'puback';
  reasonCode?: number;
  properties?: AckProperties;
}

export interface IPubcompPacket extends IPacket {
  cmd: 'pubcomp';
  reasonCode?: number;
  properties?: AckProperties;
}

export interface IPubrelPacket extends IPacket {
  cmd: 'pubrel';
  reasonCode?: number;
  properties?: AckProperties;
}

export interface IPubrecPacket extends IPacket {
  cmd: 'pubrec';
  reasonCode?: number;
  properties?: AckProperties;
}

export interface IPingreqPacket extends IPacket {
  cmd: 'pingreq';
}

export interface IPingrespPacket extends IPacket {
  cmd: 'pingresp';
}

export interface IDisconnectPacket extends IPacket {
  cmd: 'disconnect';
  reasonCode?: number;
  properties?: {
    sessionExpiryInterval?: number;
    reasonString?: string;
    userProperties?: UserProperties;
    serverReference?: string;
  };
}

export type Packet =
  | IConnectPacket
  | IPublishPacket
  | IConnackPacket
  | ISubscribePacket
  | ISubackPacket
  | IUnsubscribePacket
  | IUnsubackPacket
  | IPubackPacket
  | IPubcompPacket
  | IPubrelPacket
  | IPingreqPacket
  | IPingrespPacket
  | IDisconnectPacket
  | IPubrecPacket
  | IAuthPacket;

/** What `parser(opts)` keeps as `settings`: the level, and after a CONNECT the CONNECT itself. */
export interface ParserSettings {
  protocolVersion?: number;
  bridgeMode?: boolean;
  [key: string]: unknown;
}

/** The options of `generate` and `writeToStream`: mqtt-packet reads the level and the Maximum Packet Size. */
export interface GenerateOptions {
  protocolVersion?: number;
  properties?: { maximumPacketSize?: number; [key: string]: unknown };
  [key: string]: unknown;
}

/** The part of a Node Writable (or anything like one) that `writeToStream` uses. */
export interface WritableLike {
  write(chunk: Uint8Array): boolean | void;
  destroy(error?: Error): unknown;
  cork?(): void;
  uncork?(): void;
}
