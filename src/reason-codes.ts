// MQTT 5.0 Reason Codes (section 2.4) with their names, and which codes each packet may carry
// (tables 3-1 to 3-11; shared/spec/v5-reason-codes.tsv).

/** Reason code constants by name. Several names share a value (0x00 is Success, Normal disconnection, Granted QoS 0). */
export const ReasonCode = {
  Success: 0x00,
  NormalDisconnection: 0x00,
  GrantedQoS0: 0x00,
  GrantedQoS1: 0x01,
  GrantedQoS2: 0x02,
  DisconnectWithWillMessage: 0x04,
  NoMatchingSubscribers: 0x10,
  NoSubscriptionExisted: 0x11,
  ContinueAuthentication: 0x18,
  ReAuthenticate: 0x19,
  UnspecifiedError: 0x80,
  MalformedPacket: 0x81,
  ProtocolError: 0x82,
  ImplementationSpecificError: 0x83,
  UnsupportedProtocolVersion: 0x84,
  ClientIdentifierNotValid: 0x85,
  BadUserNameOrPassword: 0x86,
  NotAuthorized: 0x87,
  ServerUnavailable: 0x88,
  ServerBusy: 0x89,
  Banned: 0x8a,
  ServerShuttingDown: 0x8b,
  BadAuthenticationMethod: 0x8c,
  KeepAliveTimeout: 0x8d,
  SessionTakenOver: 0x8e,
  TopicFilterInvalid: 0x8f,
  TopicNameInvalid: 0x90,
  PacketIdentifierInUse: 0x91,
  PacketIdentifierNotFound: 0x92,
  ReceiveMaximumExceeded: 0x93,
  TopicAliasInvalid: 0x94,
  PacketTooLarge: 0x95,
  MessageRateTooHigh: 0x96,
  QuotaExceeded: 0x97,
  AdministrativeAction: 0x98,
  PayloadFormatInvalid: 0x99,
  RetainNotSupported: 0x9a,
  QoSNotSupported: 0x9b,
  UseAnotherServer: 0x9c,
  ServerMoved: 0x9d,
  SharedSubscriptionsNotSupported: 0x9e,
  ConnectionRateExceeded: 0x9f,
  MaximumConnectTime: 0xa0,
  SubscriptionIdentifiersNotSupported: 0xa1,
  WildcardSubscriptionsNotSupported: 0xa2,
} as const;

const NAMES: Record<number, string> = {
  0x00: 'Success',
  0x01: 'Granted QoS 1',
  0x02: 'Granted QoS 2',
  0x04: 'Disconnect with Will Message',
  0x10: 'No matching subscribers',
  0x11: 'No subscription existed',
  0x18: 'Continue authentication',
  0x19: 'Re-authenticate',
  0x80: 'Unspecified error',
  0x81: 'Malformed Packet',
  0x82: 'Protocol Error',
  0x83: 'Implementation specific error',
  0x84: 'Unsupported Protocol Version',
  0x85: 'Client Identifier not valid',
  0x86: 'Bad User Name or Password',
  0x87: 'Not authorized',
  0x88: 'Server unavailable',
  0x89: 'Server busy',
  0x8a: 'Banned',
  0x8b: 'Server shutting down',
  0x8c: 'Bad authentication method',
  0x8d: 'Keep Alive timeout',
  0x8e: 'Session taken over',
  0x8f: 'Topic Filter invalid',
  0x90: 'Topic Name invalid',
  0x91: 'Packet Identifier in use',
  0x92: 'Packet Identifier not found',
  0x93: 'Receive Maximum exceeded',
  0x94: 'Topic Alias invalid',
  0x95: 'Packet too large',
  0x96: 'Message rate too high',
  0x97: 'Quota exceeded',
  0x98: 'Administrative action',
  0x99: 'Payload format invalid',
  0x9a: 'Retain not supported',
  0x9b: 'QoS not supported',
  0x9c: 'Use another server',
  0x9d: 'Server moved',
  0x9e: 'Shared Subscriptions not supported',
  0x9f: 'Connection rate exceeded',
  0xa0: 'Maximum connect time',
  0xa1: 'Subscription Identifiers not supported',
  0xa2: 'Wildcard Subscriptions not supported',
};

/** Names that depend on the packet (0x00 and the 3.x return codes). */
const PACKET_NAMES: Record<string, Record<number, string>> = {
  disconnect: { 0x00: 'Normal disconnection' },
  suback: { 0x00: 'Granted QoS 0' },
};
const V3_NAMES: Record<string, Record<number, string>> = {
  connack: {
    0x00: 'Connection Accepted',
    0x01: 'Connection Refused, unacceptable protocol version',
    0x02: 'Connection Refused, identifier rejected',
    0x03: 'Connection Refused, Server unavailable',
    0x04: 'Connection Refused, bad user name or password',
    0x05: 'Connection Refused, not authorized',
  },
  suback: { 0x00: 'Success - Maximum QoS 0', 0x01: 'Success - Maximum QoS 1', 0x02: 'Success - Maximum QoS 2', 0x80: 'Failure' },
};

/**
 * The spec's name of a reason code, for display: `reasonCodeName(0x95) === 'Packet too large'`. With a packet type
 * the packet's own name is used (`reasonCodeName(0, 'disconnect') === 'Normal disconnection'`), and with version 3 or
 * 4 the 3.x CONNACK and SUBACK return codes. Unknown codes read `Unknown reason code 0x..`.
 */
export function reasonCodeName(code: number, packetType?: string, version: 3 | 4 | 5 = 5): string {
  if (packetType !== undefined) {
    const named = (version === 5 ? PACKET_NAMES : V3_NAMES)[packetType]?.[code];
    if (named !== undefined) return named;
  }
  return NAMES[code] ?? `Unknown reason code 0x${code.toString(16).padStart(2, '0')}`;
}

const C = ReasonCode;
const CONNACK_V5 = [0x00, 0x80, 0x81, 0x82, 0x83, 0x84, 0x85, 0x86, 0x87, 0x88, 0x89, 0x8a, 0x8c, 0x90, 0x95, 0x97, 0x99, 0x9a, 0x9b, 0x9c, 0x9d, 0x9f];
const PUBACK_V5 = [C.Success, C.NoMatchingSubscribers, 0x80, 0x83, 0x87, 0x90, 0x91, 0x97, 0x99];
const PUBREL_V5 = [C.Success, C.PacketIdentifierNotFound];
const SUBACK_V5 = [0x00, 0x01, 0x02, 0x80, 0x83, 0x87, 0x8f, 0x91, 0x97, 0x9e, 0xa1, 0xa2];
const UNSUBACK_V5 = [0x00, 0x11, 0x80, 0x83, 0x87, 0x8f, 0x91];
// Table 3-10, plus 0x8C which Table 2-6 lists for DISCONNECT
const DISCONNECT_V5 = [
  0x00, 0x04, 0x80, 0x81, 0x82, 0x83, 0x87, 0x89, 0x8b, 0x8c, 0x8d, 0x8e, 0x8f, 0x90, 0x93, 0x94, 0x95, 0x96, 0x97, 0x98, 0x99,
  0x9a, 0x9b, 0x9c, 0x9d, 0x9e, 0x9f, 0xa0, 0xa1, 0xa2,
];
const AUTH_V5 = [C.Success, C.ContinueAuthentication, C.ReAuthenticate];

function set(codes: readonly number[]): Uint8Array {
  const s = new Uint8Array(256);
  for (const c of codes) s[c] = 1;
  return s;
}

/** Allowed 5.0 reason codes per packet type, as 256-entry membership tables. */
export const REASON_CODES_V5: Readonly<Record<string, Uint8Array>> = {
  connack: set(CONNACK_V5),
  puback: set(PUBACK_V5),
  pubrec: set(PUBACK_V5),
  pubrel: set(PUBREL_V5),
  pubcomp: set(PUBREL_V5),
  suback: set(SUBACK_V5),
  unsuback: set(UNSUBACK_V5),
  disconnect: set(DISCONNECT_V5),
  auth: set(AUTH_V5),
};

/** 3.1.1 CONNACK return codes 0..5 and SUBACK return codes 0, 1, 2, 0x80. */
export const REASON_CODES_V3: Readonly<Record<string, Uint8Array>> = {
  connack: set([0, 1, 2, 3, 4, 5]),
  suback: set([0, 1, 2, 0x80]),
};

/** The reason codes `packetType` may carry at `version` (sorted), e.g. for building arbitraries or UIs. */
export function allowedReasonCodes(packetType: string, version: 3 | 4 | 5 = 5): number[] {
  const table = (version === 5 ? REASON_CODES_V5 : REASON_CODES_V3)[packetType];
  const out: number[] = [];
  if (table !== undefined) for (let c = 0; c < 256; c++) if (table[c] === 1) out.push(c);
  return out;
}

/** True when `code` is a reason code `packetType` may carry at `version`. */
export function isAllowedReasonCode(packetType: string, code: number, version: 3 | 4 | 5 = 5): boolean {
  const table = (version === 5 ? REASON_CODES_V5 : REASON_CODES_V3)[packetType];
  return table !== undefined && Number.isInteger(code) && table[code] === 1;
}
