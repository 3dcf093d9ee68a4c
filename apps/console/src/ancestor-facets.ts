import { useEffect, useState } from 'preact/hooks';
import { api, type Params } from './api';
import { type AncestorOptions, ancestorOptionsOf } from './ancestry';
import type { AncestorLevel, FilterDraft } from './filter-draft';

/** Ancestor options from target facets of each level, under the parents picked. */
export function useAncestorFacets(
  draft: FilterDraft,
  shownWindow: { from: string; to: string } | null,
  enabled: boolean,
): AncestorOptions {
  const [options, setOptions] = useState<AncestorOptions>(() => ancestorOptionsOf([]));
  const { project, environment } = draft.ancestors;
  const windowKey = shownWindow ? `${shownWindow.from}|${shownWindow.to}` : '';
  useEffect(() => {
    if (!enabled) return;
    const controller = new AbortController();
    const range: Params = shownWindow
      ? [
          ['from', shownWindow.from],
          ['to', shownWindow.to],
        ]
      : [];
    const timer = setTimeout(() => {
      const levels: Array<{ level: AncestorLevel; parents: string[] }> = [
        { level: 'project', parents: [] },
        { level: 'environment', parents: project.trim() ? [`project:${project.trim()}`] : [] },
        {
          level: 'service',
          parents: environment.trim()
            ? [`environment:${environment.trim()}`]
            : project.trim()
              ? [`project:${project.trim()}`]
              : [],
        },
      ];
      Promise.all(
        levels.map(({ level, parents }) =>
          api
            .facets(
              'target_id',
              50,
              [
                ...range,
                ['target_type', level],
                ...parents.map((parent) => ['ancestor', parent] as const),
              ],
              controller.signal,
            )
            .then((facets) => ({ level, parents, ids: facets.values.map((entry) => entry.value) }))
            .catch(() => ({ level, parents, ids: [] as string[] })),
        ),
      )
        .then((answers) => {
          const next = ancestorOptionsOf([]);
          for (const { level, parents, ids } of answers) {
            for (const id of ids) next[level].set(id, { id, parents });
          }
          setOptions(next);
        })
        .catch(() => undefined);
    }, 300);
    return () => {
      clearTimeout(timer);
      controller.abort();
    };
    // shownWindow is identified by windowKey
  }, [enabled, project, environment, windowKey]);
  return options;
}
