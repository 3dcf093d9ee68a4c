/** Data hooks of the Events tab: the paged list, histogram, facets and live polling. */
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { api, asProblem, isAbort, type Params, type Problem } from './api';
import type { AuditEvent, EventPage, FacetField, Facets, Histogram } from './api-types';

const PAGE_SIZE = 100;

export interface EventSearch {
  events: AuditEvent[];
  total: EventPage['total'] | null;
  nextCursor: string | null;
  loading: boolean;
  loadingMore: boolean;
  problem: Problem | null;
  loadMore: () => void;
}

/** The list for `params` (window already resolved), paged with `next_cursor`. */
export function useEventSearch(params: Params, key: string): EventSearch {
  const [page, setPage] = useState<Omit<EventSearch, 'loadMore'>>({
    events: [],
    total: null,
    nextCursor: null,
    loading: true,
    loadingMore: false,
    problem: null,
  });
  const paramsRef = useRef(params);
  paramsRef.current = params;
  const busy = useRef(false);
  /** Bumped per new search, so a page of an older search is never appended. */
  const generation = useRef(0);

  useEffect(() => {
    const controller = new AbortController();
    generation.current++;
    busy.current = true;
    setPage((previous) => ({ ...previous, loading: true, problem: null, loadingMore: false }));
    api
      .events([...params, ['limit', String(PAGE_SIZE)]], controller.signal)
      .then((answer) => {
        busy.current = false;
        setPage({
          events: answer.data,
          total: answer.total,
          nextCursor: answer.next_cursor,
          loading: false,
          loadingMore: false,
          problem: null,
        });
      })
      .catch((error: unknown) => {
        if (isAbort(error)) return;
        busy.current = false;
        setPage({
          events: [],
          total: null,
          nextCursor: null,
          loading: false,
          loadingMore: false,
          problem: asProblem(error),
        });
      });
    return () => controller.abort();
    // `key` identifies `params` (and a reload); params is read through it.
  }, [key]);

  const cursorRef = useRef<string | null>(null);
  cursorRef.current = page.nextCursor;
  const loadMore = useCallback(() => {
    const cursor = cursorRef.current;
    if (!cursor || busy.current) return;
    busy.current = true;
    const started = generation.current;
    setPage((previous) => ({ ...previous, loadingMore: true }));
    api
      .events([...paramsRef.current, ['limit', String(PAGE_SIZE)], ['cursor', cursor]])
      .then((answer) => {
        if (started !== generation.current) return;
        busy.current = false;
        setPage((previous) => {
          const seen = new Set(previous.events.map((event) => event.id));
          return {
            ...previous,
            events: [...previous.events, ...answer.data.filter((event) => !seen.has(event.id))],
            nextCursor: answer.next_cursor,
            loadingMore: false,
            problem: null,
          };
        });
      })
      .catch((error: unknown) => {
        if (started !== generation.current) return;
        busy.current = false;
        setPage((previous) => ({ ...previous, loadingMore: false, problem: asProblem(error) }));
      });
  }, []);

  return { ...page, loadMore };
}

export interface Loaded<T> {
  value: T | null;
  loading: boolean;
  problem: Problem | null;
}

/** One request per `key`, aborted when the key changes; `null` waits (keeps the last answer). */
export function useLoad<T>(
  load: (signal: AbortSignal) => Promise<T>,
  key: string | null,
): Loaded<T> {
  const [state, setState] = useState<Loaded<T>>({ value: null, loading: true, problem: null });
  useEffect(() => {
    if (key === null) return;
    const controller = new AbortController();
    setState((previous) => ({ ...previous, loading: true, problem: null }));
    load(controller.signal)
      .then((value) => setState({ value, loading: false, problem: null }))
      .catch((error: unknown) => {
        if (!isAbort(error)) setState({ value: null, loading: false, problem: asProblem(error) });
      });
    return () => controller.abort();
  }, [key]);
  return state;
}

export function useHistogram(params: Params, key: string | null): Loaded<Histogram> {
  return useLoad((signal) => api.histogram(params, signal), key);
}

export const FACET_PANEL_FIELDS: readonly FacetField[] = [
  'action',
  'outcome',
  'actor_type',
  'source_tool',
  'target_type',
];

export function useFacets(params: Params, key: string | null): Loaded<Facets[]> {
  return useLoad(
    (signal) =>
      Promise.all(FACET_PANEL_FIELDS.map((field) => api.facets(field, 8, params, signal))),
    key,
  );
}

export const LIVE_POLL_MS = 500;
/** How far before the newest event seen (and before the start) each live poll looks. */
export const LIVE_MARGIN_MS = 120_000;
/** The API accepts timestamps up to 5 minutes ahead; live polls reach that far past the end. */
const LIVE_AHEAD_MS = 5 * 60_000;
const LIVE_PAGE_SIZE = '200';
const LIVE_MAX_PAGES_PER_POLL = 50;

export interface LiveState {
  running: boolean;
  paused: boolean;
  endsAt: number | null;
  /** Events that arrived while live, newest first. */
  events: AuditEvent[];
  /** Ids shown for the first time in the last poll (highlighted). */
  fresh: ReadonlySet<string>;
  problem: Problem | null;
  lastPoll: number | null;
}

function newestFirst(a: AuditEvent, b: AuditEvent): number {
  if (a.timestamp !== b.timestamp) return a.timestamp < b.timestamp ? 1 : -1;
  return a.id < b.id ? 1 : a.id > b.id ? -1 : 0;
}

/**
 * Live mode: twice a second, `GET /v1/events` for the current filters over one fixed window
 * (the start minus a margin, to the end plus five minutes: the same parameters every poll,
 * so the API records one `audit_log.viewed` per hour, not one per poll), newest first. A poll
 * pages down until it passes the watermark (the newest event seen minus the margin); every
 * event not shown yet goes to the top. Ids already shown are remembered, so no event appears
 * twice; everything newer than the watermark is read on every poll, so none is skipped.
 */
export function useLive(filters: Params, key: string, shown: readonly AuditEvent[]) {
  const [live, setLive] = useState<LiveState>({
    running: false,
    paused: false,
    endsAt: null,
    events: [],
    fresh: new Set(),
    problem: null,
    lastPoll: null,
  });
  const seen = useRef(new Set<string>());
  /** Start of the fixed live window. */
  const windowFrom = useRef(0);
  /** Events older than this were read by an earlier poll. */
  const watermark = useRef(0);
  const filtersRef = useRef(filters);
  filtersRef.current = filters;
  const shownRef = useRef(shown);
  shownRef.current = shown;

  const start = useCallback((durationMs: number) => {
    const now = Date.now();
    seen.current = new Set(shownRef.current.map((event) => event.id));
    windowFrom.current = now - LIVE_MARGIN_MS;
    watermark.current = now - LIVE_MARGIN_MS;
    setLive({
      running: true,
      paused: false,
      endsAt: now + durationMs,
      events: [],
      fresh: new Set(),
      problem: null,
      lastPoll: null,
    });
  }, []);
  const stop = useCallback(() => setLive((previous) => ({ ...previous, running: false })), []);
  const pause = useCallback(() => setLive((previous) => ({ ...previous, paused: true })), []);
  const resume = useCallback(() => setLive((previous) => ({ ...previous, paused: false })), []);

  // New filters: live continues from now for the new filters.
  useEffect(() => {
    seen.current = new Set(shownRef.current.map((event) => event.id));
    windowFrom.current = Date.now() - LIVE_MARGIN_MS;
    watermark.current = windowFrom.current;
    setLive((previous) => ({ ...previous, events: [], fresh: new Set() }));
  }, [key]);

  const active = live.running && !live.paused;
  const endsAt = live.endsAt;
  useEffect(() => {
    if (!active || endsAt === null) return;
    let stopped = false;
    let timer = 0;
    const poll = async () => {
      if (Date.now() >= endsAt) {
        setLive((previous) => ({ ...previous, running: false }));
        return;
      }
      const base = filtersRef.current.filter(
        ([name]) => name !== 'from' && name !== 'to' && name !== 'sort',
      );
      const range: Params = [
        ['from', new Date(windowFrom.current).toISOString()],
        ['to', new Date(endsAt + LIVE_AHEAD_MS).toISOString()],
        ['sort', 'desc'],
        ['limit', LIVE_PAGE_SIZE],
      ];
      try {
        const arrived: AuditEvent[] = [];
        // Rows the table already shows (also after the filters changed) are not news.
        for (const event of shownRef.current) seen.current.add(event.id);
        let newest = 0;
        let cursor: string | null = null;
        for (let pageIndex = 0; pageIndex < LIVE_MAX_PAGES_PER_POLL; pageIndex++) {
          const params: Params = cursor
            ? [...base, ...range, ['cursor', cursor]]
            : [...base, ...range];
          const page = await api.events(params);
          if (stopped) return;
          for (const event of page.data) {
            newest = Math.max(newest, Date.parse(event.timestamp));
            if (!seen.current.has(event.id)) {
              seen.current.add(event.id);
              arrived.push(event);
            }
          }
          cursor = page.next_cursor;
          const oldest = page.data[page.data.length - 1];
          if (!cursor || !oldest || Date.parse(oldest.timestamp) < watermark.current) break;
        }
        // Never move past "now": a producer's clock may run ahead of ours.
        watermark.current = Math.max(
          watermark.current,
          Math.min(newest, Date.now()) - LIVE_MARGIN_MS,
        );
        setLive((previous) => ({
          ...previous,
          events: arrived.length
            ? [...arrived, ...previous.events].sort(newestFirst)
            : previous.events,
          fresh: new Set(arrived.map((event) => event.id)),
          problem: null,
          lastPoll: Date.now(),
        }));
      } catch (error) {
        if (!stopped) setLive((previous) => ({ ...previous, problem: asProblem(error) }));
      }
      if (!stopped) timer = window.setTimeout(() => void poll(), LIVE_POLL_MS);
    };
    void poll();
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }, [active, endsAt]);

  return { live, start, stop, pause, resume };
}
