import {
  daysBetween,
  granularityOf,
  type IndexGranularity,
  monthsBetween,
  periodEnd,
  periodStart,
  periodSuffix,
} from './index-period';

/** Up to this many days a read names each day; beyond, whole months; beyond that, all. */
const MAX_DAY_PATTERNS = 14;
const MAX_MONTH_PATTERNS = 25;

export interface ParsedEventsIndex {
  retentionClass: string;
  granularity: IndexGranularity;
  /** First instant the index covers (UTC). */
  start: Date;
  /** Exclusive end of the period the index covers. */
  end: Date;
}

/**
 * Index naming: `<prefix>-events-<retention class>-<yyyy.MM.dd>` for daily classes and
 * `<prefix>-events-<retention class>-<yyyy.MM>` for monthly ones. Every name and pattern is
 * derived here so that writers, readers, the sweeper and the ISM policies agree.
 */
export class IndexNames {
  private readonly eventsIndexPattern: RegExp;

  constructor(private readonly prefix: string) {
    this.eventsIndexPattern = new RegExp(
      `^${escapeRegExp(prefix)}-events-(\\d+[dmy])-(\\d{4})\\.(\\d{2})(?:\\.(\\d{2}))?$`,
    );
  }

  get eventsPattern(): string {
    return `${this.prefix}-events-*`;
  }

  get eventsTemplate(): string {
    return `${this.prefix}-events`;
  }

  get readAlias(): string {
    return `${this.prefix}-events`;
  }

  /** The concrete company settings index; clients use the alias. */
  get companiesIndex(): string {
    return `${this.prefix}-companies-v1`;
  }

  get companiesAlias(): string {
    return `${this.prefix}-companies`;
  }

  /** The concrete export history index; clients use the alias. */
  get exportsIndex(): string {
    return `${this.prefix}-exports-v1`;
  }

  get exportsAlias(): string {
    return `${this.prefix}-exports`;
  }

  /** The concrete action catalog index; clients use the alias. */
  get catalogIndex(): string {
    return `${this.prefix}-catalog-v1`;
  }

  get catalogAlias(): string {
    return `${this.prefix}-catalog`;
  }

  /** The concrete streams index (SIEM push streams); clients use the alias. */
  get streamsIndex(): string {
    return `${this.prefix}-streams-v1`;
  }

  get streamsAlias(): string {
    return `${this.prefix}-streams`;
  }

  retentionPolicy(retentionClass: string): string {
    return `${this.prefix}-retention-${retentionClass}`;
  }

  /** Every events index of one class. */
  classPattern(retentionClass: string): string {
    return `${this.prefix}-events-${retentionClass}-*`;
  }

  eventsIndex(retentionClass: string, timestamp: string | Date): string {
    const at = typeof timestamp === 'string' ? new Date(timestamp) : timestamp;
    return `${this.prefix}-events-${retentionClass}-${periodSuffix(granularityOf(retentionClass), at)}`;
  }

  /** The daily indices of one UTC day, across all classes. */
  dayPattern(day: Date): string {
    return `${this.prefix}-events-*-${periodSuffix('day', day)}`;
  }

  /** The monthly indices of one month, across all classes. */
  monthPattern(month: Date): string {
    return `${this.prefix}-events-*-${periodSuffix('month', month)}`;
  }

  /** Daily and monthly indices of one month, across all classes. */
  wholeMonthPattern(month: Date): string {
    return `${this.monthPattern(month)}*`;
  }

  /**
   * Index patterns a read over [from, to) must touch, across all retention classes (a
   * company that changed class keeps finding its older events). Short ranges name each day
   * and month, longer ones whole months, very long ones every events index; the list stays
   * short enough for a request line.
   */
  readIndicesFor(from: string, to: string): string[] {
    const start = new Date(from);
    const end = new Date(to);
    if (Number.isNaN(start.getTime()) || Number.isNaN(end.getTime())) return [this.eventsPattern];
    const last = end > start ? end : new Date(start.getTime() + 1);
    const days = daysBetween(start, last);
    const months = monthsBetween(start, last);
    if (days.length <= MAX_DAY_PATTERNS) {
      return [
        ...days.map((day) => this.dayPattern(day)),
        ...months.map((month) => this.monthPattern(month)),
      ];
    }
    if (months.length <= MAX_MONTH_PATTERNS) {
      return months.map((month) => this.wholeMonthPattern(month));
    }
    return [this.eventsPattern];
  }

  /** Parses an events index name back into its class and period, or undefined. */
  parseEventsIndex(index: string): ParsedEventsIndex | undefined {
    const match = this.eventsIndexPattern.exec(index);
    if (!match) return undefined;
    const [, retentionClass, year, month, day] = match;
    if (retentionClass === undefined) return undefined;
    const granularity: IndexGranularity = day === undefined ? 'month' : 'day';
    if (granularity !== granularityOf(retentionClass)) return undefined;
    const start = new Date(Date.UTC(Number(year), Number(month) - 1, Number(day ?? 1)));
    if (
      Number.isNaN(start.getTime()) ||
      periodSuffix(granularity, start) !== index.slice(-suffixLength(granularity))
    ) {
      return undefined;
    }
    return {
      retentionClass,
      granularity,
      start,
      end: periodEnd(granularity, periodStart(granularity, start)),
    };
  }
}

function suffixLength(granularity: IndexGranularity): number {
  return granularity === 'day' ? 10 : 7;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** The deterministic document id that makes a (company, event id) pair create-once. */
export function eventDocumentId(companyId: string, eventId: string): string {
  // `:` cannot occur in a company id, so the pair is unambiguous.
  return `${companyId}:${eventId}`;
}
