import { canonicalJson } from './canonical-json';
import { EVENT_RULES, type FieldRule, type FieldRules } from './validation/event-schema';

type Serialise = (value: unknown) => string;

/** Server fields of the hashed event, beside the producer's (SPEC §3). */
const SERVER_FIELDS: FieldRules = {
  received_at: { kind: 'string' },
  schema_version: { kind: 'any' },
};

function compileMember(rule: FieldRule): Serialise {
  if (rule.kind === 'object') return compileObject(rule.fields);
  if (rule.kind === 'array') {
    const item = compileObject(rule.items);
    return (value) => {
      if (!Array.isArray(value)) return canonicalJson(value);
      let out = '[';
      for (let i = 0; i < value.length; i++) out += (i > 0 ? ',' : '') + item(value[i]);
      return `${out}]`;
    };
  }
  return canonicalJson;
}

/**
 * Members in JCS order fixed once from the schema, so no object of the event is sorted at
 * run time. Only for objects whose members the compiled rules have already checked.
 */
function compileObject(fields: FieldRules): Serialise {
  const members = Object.entries(fields)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([name, rule]) => ({
      name,
      label: `${JSON.stringify(name)}:`,
      write: compileMember(rule),
    }));
  return (value) => {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      return canonicalJson(value);
    }
    const record = value as Record<string, unknown>;
    let out = '{';
    for (const { name, label, write } of members) {
      const member = record[name];
      if (member === undefined) continue;
      out += (out.length > 1 ? ',' : '') + label + write(member);
    }
    return `${out}}`;
  };
}

const writeEvent = compileObject({ ...EVENT_RULES, ...SERVER_FIELDS });

/**
 * The canonical JSON (RFC 8785) of an event without `hash`, byte for byte what
 * `canonicalJson` gives, for an event whose producer fields passed `isValidEventShape`
 * (so it holds no member the schema does not name). Free-form parts (`context`,
 * `details`, the values of `changes`) go through `canonicalJson`.
 */
export function canonicalEventJson(event: object): string {
  return writeEvent(event);
}
