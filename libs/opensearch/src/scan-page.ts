import type { StoredEvent } from '@auditlog/events';

export interface ScanHit {
  _source: StoredEvent;
  sort: Array<string | number>;
}

/**
 * One page of a scan: how many hits it holds, the last one's sort keys (for the next
 * page's `search_after`) and its events, in groups of at most `SCAN_GROUP_SIZE`.
 */
export interface ScanPage {
  /** Hits on the page; a document holding the seam text may make it too high, never too low. */
  readonly size: number;
  readonly lastSort: Array<string | number> | undefined;
  groups(): Iterable<StoredEvent[]>;
}

/**
 * Events parsed at a time from a page's bytes: a group's text (~80 KB for typical events)
 * stays below V8's large-object size, and its events die young once formatted, so the
 * collector never copies a whole parsed page from one young generation to the next.
 */
export const SCAN_GROUP_SIZE = 100;

/** What a scan page is with `filter_path=hits.hits._source,hits.hits.sort`. */
const HEAD = Buffer.from('{"hits":{"hits":[');
const TAIL = Buffer.from(']}}');
/** Between two hits: the end of one hit's sort keys and the start of the next hit. */
const SEAM = Buffer.from(']},{"_source":');

/** A page already parsed whole (an empty page, or any answer not of the expected shape). */
export function parsedScanPage(hits: readonly ScanHit[]): ScanPage {
  return {
    size: hits.length,
    lastSort: hits.at(-1)?.sort,
    *groups() {
      for (let index = 0; index < hits.length; index += SCAN_GROUP_SIZE)
        yield hits.slice(index, index + SCAN_GROUP_SIZE).map((hit) => hit._source);
    },
  };
}

function parseHits(bytes: Buffer, from: number, to: number): ScanHit[] {
  return JSON.parse(`[${bytes.toString('utf8', from, to)}]`) as ScanHit[];
}

/**
 * A scan page from OpenSearch's bytes, parsed group by group as the consumer reaches it.
 * Hits are found by the seam between them (`]},{"_source":`). The seam's quote cannot be
 * inside a JSON string (it would be escaped), but a stored event's own nested objects may
 * hold the same text; a group cut there is not valid JSON on its own (it ends inside the
 * event, at least four levels deep), so parsing it throws, and the rest of the page is then
 * parsed from the last good cut as one piece. Either way the events are the ones
 * `JSON.parse` of the whole page gives.
 */
export function scanPage(bytes: Buffer): ScanPage {
  const end = bytes.length - TAIL.length;
  if (
    end <= HEAD.length ||
    !bytes.subarray(0, HEAD.length).equals(HEAD) ||
    !bytes.subarray(end).equals(TAIL)
  ) {
    const body = JSON.parse(bytes.toString('utf8')) as { hits?: { hits?: ScanHit[] } };
    // filter_path leaves out `hits.hits` when nothing matched.
    return parsedScanPage(body.hits?.hits ?? []);
  }
  const starts = [HEAD.length];
  for (let at = bytes.indexOf(SEAM, HEAD.length); at !== -1; at = bytes.indexOf(SEAM, at + 1))
    starts.push(at + 3);
  let last: ScanHit;
  try {
    [last] = parseHits(bytes, starts.at(-1) ?? HEAD.length, end) as [ScanHit];
  } catch {
    // The last cut was inside an event: the page is parsed whole.
    return parsedScanPage(parseHits(bytes, HEAD.length, end));
  }
  return {
    size: starts.length,
    lastSort: last.sort,
    *groups() {
      for (let index = 0; index < starts.length; index += SCAN_GROUP_SIZE) {
        const from = starts[index] ?? end;
        const next = starts[index + SCAN_GROUP_SIZE];
        let hits: ScanHit[];
        try {
          hits = parseHits(bytes, from, next === undefined ? end : next - 1);
        } catch {
          yield* parsedScanPage(parseHits(bytes, from, end)).groups();
          return;
        }
        yield hits.map((hit) => hit._source);
      }
    },
  };
}
