/** The event is older than its company's retention: it would be deleted at once. */
export class EventOutsideRetentionError extends Error {
  constructor(
    readonly companyId: string,
    readonly retentionClass: string,
    readonly oldestAllowed: string,
    message = `timestamp is older than the ${retentionClass} retention of company "${companyId}" (oldest allowed: ${oldestAllowed})`,
  ) {
    super(message);
    this.name = 'EventOutsideRetentionError';
  }
}

/**
 * The event is within retention but its index is already closed for writes (read-only).
 * A subclass, so callers that map retention errors to 400 cover it as well.
 */
export class EventOutsideWritableWindowError extends EventOutsideRetentionError {
  constructor(companyId: string, retentionClass: string, oldestAllowed: string) {
    super(
      companyId,
      retentionClass,
      oldestAllowed,
      `timestamp is too old to be written: the ${retentionClass} index for that period of company "${companyId}" is read-only (oldest allowed: ${oldestAllowed})`,
    );
    this.name = 'EventOutsideWritableWindowError';
  }
}

export class UnknownRetentionClassError extends Error {
  constructor(
    readonly retentionClass: string,
    readonly known: string[],
  ) {
    super(`"${retentionClass}" is not a retention class; use one of ${known.join(', ')}`);
    this.name = 'UnknownRetentionClassError';
  }
}
