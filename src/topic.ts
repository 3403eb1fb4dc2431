// Topic Name and Topic Filter rules (section 4.7, 4.8.2) and subscription matching.

import { utf8Length } from './wire/utf8.js';

/**
 * Why `name` is not a valid Topic Name, or undefined when it is. Empty names and wildcards are refused
 * (MQTT-4.7.3-1, MQTT-3.3.2-2); U+0000 and bad UTF-8 are the string layer's business.
 */
export function topicNameFault(name: string): string | undefined {
  if (name.length === 0) return 'is empty';
  // '#' 0x23, '+' 0x2B; indexOf is native and beats a char loop on long names
  if (name.indexOf('#') !== -1) return "contains the wildcard '#'";
  if (name.indexOf('+') !== -1) return "contains the wildcard '+'";
  return undefined;
}

/** What is wrong with a Topic Filter: `kind` selects the rule id, `message` says it in words. */
export interface FilterFault {
  kind: 'empty' | 'hash' | 'plus' | 'share-empty' | 'share';
  message: string;
}

/** The parts of a 5.0 Shared Subscription filter `$share/{shareName}/{filter}`. */
export interface SharedFilter {
  shareName: string;
  /** The filter after the ShareName ('' when there is none). */
  filter: string;
  /** Index in the whole filter where `filter` starts (-1 when there is no '/' after the ShareName). */
  filterStart: number;
}

const SHARE_PREFIX = '$share/';

/** `$share/{ShareName}/{filter}` split into its parts, or undefined for a filter that does not start '$share/'. */
export function parseSharedFilter(filter: string): SharedFilter | undefined {
  if (!filter.startsWith(SHARE_PREFIX)) return undefined;
  const slash = filter.indexOf('/', SHARE_PREFIX.length);
  if (slash === -1) return { shareName: filter.slice(SHARE_PREFIX.length), filter: '', filterStart: -1 };
  return { shareName: filter.slice(SHARE_PREFIX.length, slash), filter: filter.slice(slash + 1), filterStart: slash + 1 };
}

/** True for a filter of the form `$share/…` (a 5.0 Shared Subscription). */
export function isSharedFilter(filter: string): boolean {
  return filter.startsWith(SHARE_PREFIX);
}

/**
 * What is wrong with `filter` as a Topic Filter, or undefined. With `shared` (MQTT 5.0), `$share/{ShareName}/{filter}`
 * must have a non-empty ShareName without '+' or '#', and a valid filter after it (MQTT-4.8.2-1/-2).
 */
export function topicFilterFault(filter: string, shared: boolean): FilterFault | undefined {
  if (filter.length === 0) return { kind: 'empty', message: 'is empty' };
  let start = 0;
  const share = shared ? parseSharedFilter(filter) : undefined;
  if (share !== undefined) {
    if (share.shareName.length === 0) return { kind: 'share-empty', message: "has an empty ShareName after '$share/'" };
    if (share.shareName.includes('+') || share.shareName.includes('#')) return { kind: 'share', message: 'has a wildcard in its ShareName' };
    if (share.filter.length === 0) return { kind: 'share', message: "has no topic filter after '$share/{ShareName}/'" };
    start = share.filterStart;
  }
  const n = filter.length;
  for (let i = start; i < n; i++) {
    const c = filter.charCodeAt(i);
    if (c === 0x23) {
      if (i !== n - 1) return { kind: 'hash', message: "has '#' that is not the last character" };
      if (i > start && filter.charCodeAt(i - 1) !== 0x2f) return { kind: 'hash', message: "has '#' that does not fill a whole level" };
    } else if (c === 0x2b) {
      if ((i > start && filter.charCodeAt(i - 1) !== 0x2f) || (i + 1 < n && filter.charCodeAt(i + 1) !== 0x2f)) {
        return { kind: 'plus', message: "has '+' that does not fill a whole level" };
      }
    }
  }
  return undefined;
}

/** A string MQTT can carry: no U+0000, no lone surrogate, at most 65,535 bytes of UTF-8. */
function encodable(s: string): boolean {
  const len = utf8Length(s);
  return len >= 0 && len <= 0xffff;
}

/** True when `name` is a valid Topic Name: non-empty, no wildcards, no U+0000, no lone surrogates, ≤ 65,535 bytes. */
export function isValidTopicName(name: string): boolean {
  return typeof name === 'string' && topicNameFault(name) === undefined && encodable(name);
}

/**
 * True when `filter` is a valid Topic Filter. With `{ shared: true }` (the default) a `$share/...` filter is also
 * checked by the 5.0 Shared Subscription rules; pass `false` for 3.1.1, where `$share` is an ordinary level.
 */
export function isValidTopicFilter(filter: string, options: { shared?: boolean } = {}): boolean {
  return typeof filter === 'string' && topicFilterFault(filter, options.shared ?? true) === undefined && encodable(filter);
}

/**
 * True when the Topic Filter `filter` matches the Topic Name `name`; false when either is invalid (a filter is
 * checked by the 5.0 rules, `$share/…` included). Filters starting with a wildcard do not match names starting with
 * '$' (MQTT-4.7.2-1). A `$share/{ShareName}/` prefix is ignored for matching. Topics are compared exactly, without
 * normalisation (MQTT-4.7.3-4).
 */
export function topicMatches(filter: string, name: string): boolean {
  if (!isValidTopicFilter(filter) || !isValidTopicName(name)) return false;
  const share = parseSharedFilter(filter);
  if (share !== undefined) filter = share.filter;
  const dollar = name.charCodeAt(0) === 0x24;
  if (dollar && (filter.charCodeAt(0) === 0x23 || filter.charCodeAt(0) === 0x2b)) return false;
  const f = filter.split('/');
  const t = name.split('/');
  for (let i = 0; i < f.length; i++) {
    const level = f[i];
    if (level === '#') return true;
    if (i >= t.length) return false;
    if (level !== '+' && level !== t[i]) return false;
  }
  return f.length === t.length;
}
