/**
 * Canonical JSON per RFC 8785 (JCS): object members sorted by the UTF-16 code units of
 * their names, no insignificant white space, strings and numbers serialised as ECMAScript
 * `JSON.stringify` does (which is what JCS specifies for IEEE 754 doubles).
 *
 * Written as plain loops with string concatenation: this runs once per ingested event,
 * and the array-building form (entries, filter, sort, map, join) made it a tenth of the
 * ingest CPU profile (docs/adr/0012-ingest-hot-path.md).
 */
// What JSON.stringify would escape in a string: quote, backslash, control characters and
// (lone) surrogates. Paired surrogates also match and simply take the slower exact path.
// eslint-disable-next-line no-control-regex -- control characters are what it finds
const NEEDS_ESCAPE = /["\\\u0000-\u001f\ud800-\udfff]/;

/**
 * `JSON.stringify` of a string, byte for byte: strings that need no escape — nearly all —
 * are quoted directly, which costs half as much as the call into the serialiser.
 */
export function jsonString(text: string): string {
  return NEEDS_ESCAPE.test(text) ? JSON.stringify(text) : `"${text}"`;
}

export function canonicalJson(value: unknown): string {
  switch (typeof value) {
    case 'string':
      return jsonString(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'number':
      if (!Number.isFinite(value)) throw new TypeError('JCS cannot represent NaN or Infinity');
      return JSON.stringify(value);
    case 'object': {
      if (value === null) return 'null';
      if (Array.isArray(value)) {
        let out = '[';
        for (let i = 0; i < value.length; i++) {
          if (i > 0) out += ',';
          const item: unknown = value[i];
          out += item === undefined ? 'null' : canonicalJson(item);
        }
        return `${out}]`;
      }
      const record = value as Record<string, unknown>;
      // Default sort compares UTF-16 code units, exactly as JCS requires.
      const names = Object.keys(record).sort();
      let out = '{';
      let first = true;
      for (const name of names) {
        const member = record[name];
        if (member === undefined) continue;
        if (!first) out += ',';
        first = false;
        out += `${jsonString(name)}:${canonicalJson(member)}`;
      }
      return `${out}}`;
    }
    case 'bigint':
    case 'function':
    case 'symbol':
    case 'undefined':
      throw new TypeError(`JCS cannot represent a value of type ${typeof value}`);
  }
}
