// Reason codes: one table of rows, as the spec's Table 2-6 (5.0) and the 3.1.1 CONNACK and SUBACK return codes.
// Constants, names and the per-packet sets are all read from it (fixtures/spec/v5-reason-codes.tsv holds it to
// the spec in a test).

/** The packets that carry reason codes. */
export type ReasonCodePacket = 'connack' | 'puback' | 'pubrec' | 'pubrel' | 'pubcomp' | 'suback' | 'unsuback' | 'disconnect' | 'auth';

interface Row {
  code: number;
  /** The constant's name in `ReasonCode` (5.0 rows). */
  constant?: string;
  /** The spec's name. */
  name: string;
  packets: readonly ReasonCodePacket[];
}

/** MQTT 5.0 section 2.4, Table 2-6 (with 0x8C for DISCONNECT, which Table 3-10 leaves out). */
const V5 = [
  { code: 0x00, constant: 'Success', name: 'Success', packets: ['connack', 'puback', 'pubrec', 'pubrel', 'pubcomp', 'unsuback', 'auth'] },
  { code: 0x00, constant: 'NormalDisconnection', name: 'Normal disconnection', packets: ['disconnect'] },
  { code: 0x00, constant: 'GrantedQoS0', name: 'Granted QoS 0', packets: ['suback'] },
  { code: 0x01, constant: 'GrantedQoS1', name: 'Granted QoS 1', packets: ['suback'] },
  { code: 0x02, constant: 'GrantedQoS2', name: 'Granted QoS 2', packets: ['suback'] },
  { code: 0x04, constant: 'DisconnectWithWillMessage', name: 'Disconnect with Will Message', packets: ['disconnect'] },
  { code: 0x10, constant: 'NoMatchingSubscribers', name: 'No matching subscribers', packets: ['puback', 'pubrec'] },
  { code: 0x11, constant: 'NoSubscriptionExisted', name: 'No subscription existed', packets: ['unsuback'] },
  { code: 0x18, constant: 'ContinueAuthentication', name: 'Continue authentication', packets: ['auth'] },
  { code: 0x19, constant: 'ReAuthenticate', name: 'Re-authenticate', packets: ['auth'] },
  { code: 0x80, constant: 'UnspecifiedError', name: 'Unspecified error', packets: ['connack', 'puback', 'pubrec', 'suback', 'unsuback', 'disconnect'] },
  { code: 0x81, constant: 'MalformedPacket', name: 'Malformed Packet', packets: ['connack', 'disconnect'] },
  { code: 0x82, constant: 'ProtocolError', name: 'Protocol Error', packets: ['connack', 'disconnect'] },
  { code: 0x83, constant: 'ImplementationSpecificError', name: 'Implementation specific error', packets: ['connack', 'puback', 'pubrec', 'suback', 'unsuback', 'disconnect'] },
  { code: 0x84, constant: 'UnsupportedProtocolVersion', name: 'Unsupported Protocol Version', packets: ['connack'] },
  { code: 0x85, constant: 'ClientIdentifierNotValid', name: 'Client Identifier not valid', packets: ['connack'] },
  { code: 0x86, constant: 'BadUserNameOrPassword', name: 'Bad User Name or Password', packets: ['connack'] },
  { code: 0x87, constant: 'NotAuthorized', name: 'Not authorized', packets: ['connack', 'puback', 'pubrec', 'suback', 'unsuback', 'disconnect'] },
  { code: 0x88, constant: 'ServerUnavailable', name: 'Server unavailable', packets: ['connack'] },
  { code: 0x89, constant: 'ServerBusy', name: 'Server busy', packets: ['connack', 'disconnect'] },
  { code: 0x8a, constant: 'Banned', name: 'Banned', packets: ['connack'] },
  { code: 0x8b, constant: 'ServerShuttingDown', name: 'Server shutting down', packets: ['disconnect'] },
  { code: 0x8c, constant: 'BadAuthenticationMethod', name: 'Bad authentication method', packets: ['connack', 'disconnect'] },
  { code: 0x8d, constant: 'KeepAliveTimeout', name: 'Keep Alive timeout', packets: ['disconnect'] },
  { code: 0x8e, constant: 'SessionTakenOver', name: 'Session taken over', packets: ['disconnect'] },
  { code: 0x8f, constant: 'TopicFilterInvalid', name: 'Topic Filter invalid', packets: ['suback', 'unsuback', 'disconnect'] },
  { code: 0x90, constant: 'TopicNameInvalid', name: 'Topic Name invalid', packets: ['connack', 'puback', 'pubrec', 'disconnect'] },
  { code: 0x91, constant: 'PacketIdentifierInUse', name: 'Packet Identifier in use', packets: ['puback', 'pubrec', 'suback', 'unsuback'] },
  { code: 0x92, constant: 'PacketIdentifierNotFound', name: 'Packet Identifier not found', packets: ['pubrel', 'pubcomp'] },
  { code: 0x93, constant: 'ReceiveMaximumExceeded', name: 'Receive Maximum exceeded', packets: ['disconnect'] },
  { code: 0x94, constant: 'TopicAliasInvalid', name: 'Topic Alias invalid', packets: ['disconnect'] },
  { code: 0x95, constant: 'PacketTooLarge', name: 'Packet too large', packets: ['connack', 'disconnect'] },
  { code: 0x96, constant: 'MessageRateTooHigh', name: 'Message rate too high', packets: ['disconnect'] },
  { code: 0x97, constant: 'QuotaExceeded', name: 'Quota exceeded', packets: ['connack', 'puback', 'pubrec', 'suback', 'disconnect'] },
  { code: 0x98, constant: 'AdministrativeAction', name: 'Administrative action', packets: ['disconnect'] },
  { code: 0x99, constant: 'PayloadFormatInvalid', name: 'Payload format invalid', packets: ['connack', 'puback', 'pubrec', 'disconnect'] },
  { code: 0x9a, constant: 'RetainNotSupported', name: 'Retain not supported', packets: ['connack', 'disconnect'] },
  { code: 0x9b, constant: 'QoSNotSupported', name: 'QoS not supported', packets: ['connack', 'disconnect'] },
  { code: 0x9c, constant: 'UseAnotherServer', name: 'Use another server', packets: ['connack', 'disconnect'] },
  { code: 0x9d, constant: 'ServerMoved', name: 'Server moved', packets: ['connack', 'disconnect'] },
  { code: 0x9e, constant: 'SharedSubscriptionsNotSupported', name: 'Shared Subscriptions not supported', packets: ['suback', 'disconnect'] },
  { code: 0x9f, constant: 'ConnectionRateExceeded', name: 'Connection rate exceeded', packets: ['connack', 'disconnect'] },
  { code: 0xa0, constant: 'MaximumConnectTime', name: 'Maximum connect time', packets: ['disconnect'] },
  { code: 0xa1, constant: 'SubscriptionIdentifiersNotSupported', name: 'Subscription Identifiers not supported', packets: ['suback', 'disconnect'] },
  { code: 0xa2, constant: 'WildcardSubscriptionsNotSupported', name: 'Wildcard Subscriptions not supported', packets: ['suback', 'disconnect'] },
] as const satisfies readonly Row[];

/** MQTT 3.1.1 Connect Return codes (Table 3.1) and SUBACK return codes (3.9.3); level 3 has the same. */
const V3: readonly Row[] = [
  { code: 0x00, name: 'Connection Accepted', packets: ['connack'] },
  { code: 0x01, name: 'Connection Refused, unacceptable protocol version', packets: ['connack'] },
  { code: 0x02, name: 'Connection Refused, identifier rejected', packets: ['connack'] },
  { code: 0x03, name: 'Connection Refused, Server unavailable', packets: ['connack'] },
  { code: 0x04, name: 'Connection Refused, bad user name or password', packets: ['connack'] },
  { code: 0x05, name: 'Connection Refused, not authorized', packets: ['connack'] },
  { code: 0x00, name: 'Success - Maximum QoS 0', packets: ['suback'] },
  { code: 0x01, name: 'Success - Maximum QoS 1', packets: ['suback'] },
  { code: 0x02, name: 'Success - Maximum QoS 2', packets: ['suback'] },
  { code: 0x80, name: 'Failure', packets: ['suback'] },
];

type V5Row = (typeof V5)[number];

/** Reason code constants by name. Several names share a value (0x00 is Success, Normal disconnection, Granted QoS 0). */
export const ReasonCode = /* @__PURE__ */ Object.freeze(Object.fromEntries(V5.map((r) => [r.constant, r.code]))) as {
  readonly [R in V5Row as R['constant']]: R['code'];
};

function tables(rows: readonly Row[]): Readonly<Record<string, Uint8Array>> {
  const out: Record<string, Uint8Array> = {};
  for (const row of rows) for (const p of row.packets) (out[p] ??= new Uint8Array(256))[row.code] = 1;
  return out;
}

/** Allowed 5.0 reason codes per packet type, as 256-entry membership tables (1 = allowed). */
export const REASON_CODES_V5: Readonly<Record<string, Uint8Array>> = tables(V5);
/** 3.x CONNACK return codes 0..5 and SUBACK return codes 0, 1, 2, 0x80. */
export const REASON_CODES_V3: Readonly<Record<string, Uint8Array>> = tables(V3);

/** The membership table of `packetType` at `version`, or undefined when the packet carries no codes there. */
export function reasonCodeTable(packetType: string, version: number): Uint8Array | undefined {
  const t = version === 5 ? REASON_CODES_V5 : REASON_CODES_V3;
  return Object.hasOwn(t, packetType) ? t[packetType] : undefined;
}

/**
 * The spec's name of a reason code, for display: `reasonCodeName(0x95) === 'Packet too large'`. With a packet type
 * the packet's own name is used (`reasonCodeName(0, 'disconnect') === 'Normal disconnection'`), and with version 3 or
 * 4 the 3.x CONNACK and SUBACK return codes. Unknown codes read `Unknown reason code 0x..`.
 */
export function reasonCodeName(code: number, packetType?: string, version: 3 | 4 | 5 = 5): string {
  const rows: readonly Row[] = version === 5 ? V5 : V3;
  if (packetType !== undefined) {
    for (const row of rows) if (row.code === code && row.packets.includes(packetType as ReasonCodePacket)) return row.name;
  }
  for (const row of V5) if (row.code === code) return row.name;
  return `Unknown reason code ${hexByte(code)}`;
}

/** `0x0a`: a byte as the spec writes it, always two hex digits. */
export function hexByte(n: number): string {
  return `0x${n.toString(16).padStart(2, '0')}`;
}

/** The reason codes `packetType` may carry at `version` (sorted), e.g. for building arbitraries or UIs. */
export function allowedReasonCodes(packetType: string, version: 3 | 4 | 5 = 5): number[] {
  const table = reasonCodeTable(packetType, version);
  const out: number[] = [];
  if (table !== undefined) for (let c = 0; c < 256; c++) if (table[c] === 1) out.push(c);
  return out;
}

/** True when `code` is a reason code `packetType` may carry at `version`. */
export function isAllowedReasonCode(packetType: string, code: number, version: 3 | 4 | 5 = 5): boolean {
  const table = reasonCodeTable(packetType, version);
  return table !== undefined && Number.isInteger(code) && table[code] === 1;
}
