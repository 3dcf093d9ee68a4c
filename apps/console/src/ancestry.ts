/**
 * Options of the cascading project → environment → service pickers. The facets API has no
 * ancestor facet, so options come from two sources (docs/console.md "Ancestor pickers"):
 * `target_id` facets of events whose `target_type` is that level (under the parent picked),
 * and the ancestor chains of the events loaded in the table.
 */
import type { AuditEvent } from './api-types';
import { ANCESTOR_LEVELS, type AncestorLevel } from './filter-draft';

export interface AncestorOption {
  id: string;
  name?: string;
  /** `type:id` of every object above it. */
  parents: string[];
}

export type AncestorOptions = Record<AncestorLevel, Map<string, AncestorOption>>;

export function emptyOptions(): AncestorOptions {
  return { project: new Map(), environment: new Map(), service: new Map() };
}

export function ancestorOptionsOf(events: readonly AuditEvent[]): AncestorOptions {
  const options = emptyOptions();
  for (const event of events) {
    const target = event.target;
    if (!target) continue;
    const chain = [...(target.ancestors ?? []), target];
    chain.forEach((ref, index) => {
      const level = ref.type as AncestorLevel;
      if (!ref.id || !ANCESTOR_LEVELS.includes(level)) return;
      const map = options[level];
      const parents = chain
        .slice(0, index)
        .filter((parent) => parent.type && parent.id)
        .map((parent) => `${parent.type}:${parent.id}`);
      const existing = map.get(ref.id);
      if (!existing) map.set(ref.id, { id: ref.id, name: ref.name, parents });
      else if (!existing.name && ref.name) existing.name = ref.name;
    });
  }
  return options;
}

/** Options of `level` under the parents picked (all options when none is picked). */
export function optionsUnder(
  options: AncestorOptions,
  level: AncestorLevel,
  parents: readonly string[],
): AncestorOption[] {
  return [...options[level].values()]
    .filter((option) => parents.every((parent) => option.parents.includes(parent)))
    .sort((a, b) => (a.name ?? a.id).localeCompare(b.name ?? b.id));
}
