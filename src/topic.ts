// Topic Name and Topic Filter rules (section 4.7, 4.8.2) and subscription matching.

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

/** The kind of fault `topicFilterFault` found, which selects the rule id. */
export type FilterFault = 'empty' | 'hash' | 'plus' | 'share-empty' | 'share';
/** Set by `topicFilterFault` when it returns a message. */
export let filterFaultKind: FilterFault = 'empty';

/**
 * Why `filter` is not a valid Topic Filter, or undefined. With `shared` (MQTT 5.0), `$share/{ShareName}/{filter}`
 * must have a non-empty ShareName without '/', '+', '#', and a valid filter after it (MQTT-4.8.2-1/-2).
 */
export function topicFilterFault(filter: string, shared: boolean): string | undefined {
  if (filter.length === 0) return fault('empty', 'is empty');
  let start = 0;
  if (shared && filter.startsWith('$share/')) {
    const slash = filter.indexOf('/', 7);
    const shareName = filter.slice(7, slash === -1 ? filter.length : slash);
    if (shareName.length === 0) return fault('share-empty', "has an empty ShareName after '$share/'");
    if (shareName.includes('+') || shareName.includes('#')) return fault('share', 'has a wildcard in its ShareName');
    if (slash === -1 || slash === filter.length - 1) return fault('share', "has no topic filter after '$share/{ShareName}/'");
    start = slash + 1;
  }
  const n = filter.length;
  for (let i = start; i < n; i++) {
    const c = filter.charCodeAt(i);
    if (c === 0x23) {
      if (i !== n - 1) return fault('hash', "has '#' that is not the last character");
      if (i > start && filter.charCodeAt(i - 1) !== 0x2f) return fault('hash', "has '#' that does not fill a whole level");
    } else if (c === 0x2b) {
      if ((i > start && filter.charCodeAt(i - 1) !== 0x2f) || (i + 1 < n && filter.charCodeAt(i + 1) !== 0x2f)) {
        return fault('plus', "has '+' that does not fill a whole level");
      }
    }
  }
  return undefined;
}

function fault(kind: FilterFault, message: string): string {
  filterFaultKind = kind;
  return message;
}

/** True for a filter of the form `$share/{ShareName}/{filter}` (a 5.0 Shared Subscription). */
export function isSharedFilter(filter: string): boolean {
  return filter.startsWith('$share/');
}

/** True when `name` is a valid Topic Name: non-empty, no wildcards, no U+0000, no lone surrogates. */
export function isValidTopicName(name: string): boolean {
  return typeof name === 'string' && topicNameFault(name) === undefined && wellFormedString(name);
}

/**
 * True when `filter` is a valid Topic Filter. With `{ shared: true }` (the default) a `$share/...` filter is also
 * checked by the 5.0 Shared Subscription rules; pass `false` for 3.1.1, where `$share` is an ordinary level.
 */
export function isValidTopicFilter(filter: string, options: { shared?: boolean } = {}): boolean {
  return (
    typeof filter === 'string' && topicFilterFault(filter, options.shared ?? true) === undefined && wellFormedString(filter)
  );
}

function wellFormedString(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0) return false;
    if (c >= 0xd800 && c <= 0xdfff) {
      const d = s.charCodeAt(i + 1);
      if (c > 0xdbff || !(d >= 0xdc00 && d <= 0xdfff)) return false;
      i++;
    }
  }
  return s.length <= 65535 && new TextEncoder().encode(s).length <= 65535;
}

/**
 * True when the Topic Filter `filter` matches the Topic Name `name`. Filters starting with a wildcard do not match
 * names starting with '$' (MQTT-4.7.2-1). A `$share/{ShareName}/` prefix is ignored for matching. Topics are compared
 * exactly, without normalisation (MQTT-4.7.3-4).
 */
export function topicMatches(filter: string, name: string): boolean {
  if (filter.startsWith('$share/')) {
    const slash = filter.indexOf('/', 7);
    if (slash === -1) return false;
    filter = filter.slice(slash + 1);
  }
  if (name.length === 0 || filter.length === 0) return false;
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
