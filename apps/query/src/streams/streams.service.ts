import { randomBytes } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '@auditlog/config';
import { createEgressPolicy } from '@auditlog/egress';
import { parseIsoDateTime } from '@auditlog/events';
import { ProblemException } from '@auditlog/problem';
import { CompanySettingsService } from '@auditlog/retention';
import {
  type DestinationConfig,
  type DestinationSecrets,
  type DestinationValidationOptions,
  parseDestination,
} from '@auditlog/stream-destinations';
import {
  initialStreamState,
  MAX_STREAMS,
  pausedStreamState,
  replayedStreamState,
  resumedStreamState,
  SecretKeyMissingError,
  SecretKeyUnknownError,
  type StoredStream,
  type StreamState,
  type StreamVersion,
  StreamRepository,
  type VersionedStream,
} from '@auditlog/streams';
import type { CreateStreamBody, UpdateStreamBody } from './streams.dto';

/** A stream as the admin API answers: no secret, no sealed value. */
export type StreamView = Omit<StoredStream, 'secrets'>;

export interface VersionedView {
  stream: StreamView;
  /** `"<seq_no>-<primary_term>"`: the ETag, and what If-Match names. */
  etag: string;
}

const DEFAULT_BATCH = { max_events: 500, max_wait_ms: 1000 };
const DEFAULT_PAUSE_AFTER_FAILING_SECONDS = 3600;
const WRITE_ATTEMPTS = 5;
const DAY_MS = 86_400_000;

export function etagOf(version: StreamVersion): string {
  return `"${version.seq_no}-${version.primary_term}"`;
}

/** A DTO's members that were given (class instances carry the others as undefined). */
function given<T extends object>(value: T | undefined): Partial<T> {
  return Object.fromEntries(
    Object.entries(value ?? {}).filter(([, member]) => member !== undefined),
  ) as Partial<T>;
}

function view({ stream, version }: VersionedStream): VersionedView {
  const { secrets: _sealed, ...shown } = stream;
  return { stream: shown, etag: etagOf(version) };
}

function notFound(id: string): ProblemException {
  return new ProblemException(404, 'not-found', 'Not Found', `No stream with id ${id}.`);
}

function changed(): ProblemException {
  return new ProblemException(
    412,
    'stream-changed',
    'Precondition Failed',
    'The stream changed since the version named in If-Match; read it again and retry.',
  );
}

function invalid(problems: Array<{ path: string; message: string }>): ProblemException {
  const [first] = problems;
  return ProblemException.badRequest(
    problems.length === 1 && first ? `${first.message}.` : 'The request body is invalid.',
    problems,
  );
}

/**
 * The admin API's rules for streams: defaults, the destination and time checks that need
 * config or the clock, write-only secrets, and the state transitions. Every write is
 * compare-and-set on the version read: with If-Match the caller's version (412 when stale),
 * without it the latest one, re-reading and re-applying the change when the runner (or
 * another admin) wrote in between — so neither overwrites the other.
 */
@Injectable()
export class StreamsAdminService {
  private readonly destinationOptions: DestinationValidationOptions;

  constructor(
    private readonly repository: StreamRepository,
    private readonly companies: CompanySettingsService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    this.destinationOptions = {
      allowPlainHttp: config.streams.allowPlainHttp,
      egress: createEgressPolicy(config.egress),
    };
  }

  async list(): Promise<StreamView[]> {
    return (await this.repository.list()).map(({ secrets: _sealed, ...shown }) => shown);
  }

  async get(id: string): Promise<VersionedView> {
    const found = await this.repository.get(id);
    if (!found) throw notFound(id);
    return view(found);
  }

  async create(body: CreateStreamBody, now = new Date()): Promise<VersionedView> {
    const destination = this.destination(body.destination);
    const companyId = body.company_id ?? null;
    const startAt =
      body.start_at === undefined
        ? now.toISOString()
        : await this.withinRetention('start_at', body.start_at, companyId, now);
    if ((await this.repository.count()) >= MAX_STREAMS) {
      throw new ProblemException(
        409,
        'stream-limit',
        'Conflict',
        `An installation has at most ${MAX_STREAMS} streams; delete one first.`,
      );
    }
    const id = `st_${randomBytes(12).toString('base64url')}`;
    const stream: StoredStream = {
      id,
      name: body.name,
      company_id: companyId,
      filters: given(body.filters),
      ...this.seal(id, destination),
      batch: { ...DEFAULT_BATCH, ...given(body.batch) },
      pause_after_failing_seconds:
        body.pause_after_failing_seconds ?? DEFAULT_PAUSE_AFTER_FAILING_SECONDS,
      on_rejected: body.on_rejected ?? 'pause',
      created_at: now.toISOString(),
      updated_at: now.toISOString(),
      state: initialStreamState(startAt),
    };
    const version = await this.repository.create(stream);
    if (!version) throw new Error(`stream id ${id} collided`);
    return view({ stream, version });
  }

  update(id: string, body: UpdateStreamBody, ifMatch?: string): Promise<VersionedView> {
    return this.write(id, ifMatch, (current) => {
      const stored = current.destination;
      const destination =
        body.destination === undefined
          ? undefined
          : this.destination(body.destination, {
              type: stored.type,
              secrets: this.storedSecrets(current),
            });
      return {
        ...current,
        ...(body.name === undefined ? {} : { name: body.name }),
        ...(body.company_id === undefined ? {} : { company_id: body.company_id }),
        ...(body.filters === undefined ? {} : { filters: given(body.filters) }),
        ...(body.batch === undefined ? {} : { batch: { ...current.batch, ...given(body.batch) } }),
        ...(body.pause_after_failing_seconds === undefined
          ? {}
          : { pause_after_failing_seconds: body.pause_after_failing_seconds }),
        ...(body.on_rejected === undefined ? {} : { on_rejected: body.on_rejected }),
        ...(destination === undefined ? {} : this.seal(id, destination)),
        updated_at: new Date().toISOString(),
      };
    });
  }

  async remove(id: string, ifMatch?: string): Promise<void> {
    for (let attempt = 0; attempt < WRITE_ATTEMPTS; attempt++) {
      const current = await this.read(id, ifMatch);
      if (await this.repository.delete(id, current.version)) return;
      if (ifMatch !== undefined) throw changed();
    }
    throw changed();
  }

  pause(id: string, reason: string | undefined, ifMatch?: string): Promise<VersionedView> {
    return this.writeState(id, ifMatch, (state) => pausedStreamState(state, reason));
  }

  resume(id: string, ifMatch?: string): Promise<VersionedView> {
    return this.writeState(id, ifMatch, resumedStreamState);
  }

  async replay(
    id: string,
    from: string,
    ifMatch?: string,
    now = new Date(),
  ): Promise<VersionedView> {
    const current = await this.read(id, ifMatch);
    const start = await this.withinRetention('from', from, current.stream.company_id, now);
    return this.writeState(id, ifMatch, (state) => replayedStreamState(state, start));
  }

  private async read(id: string, ifMatch?: string): Promise<VersionedStream> {
    const current = await this.repository.get(id);
    if (!current) throw notFound(id);
    if (ifMatch !== undefined && ifMatch !== etagOf(current.version)) throw changed();
    return current;
  }

  private async write(
    id: string,
    ifMatch: string | undefined,
    change: (current: StoredStream) => StoredStream,
  ): Promise<VersionedView> {
    for (let attempt = 0; attempt < WRITE_ATTEMPTS; attempt++) {
      const current = await this.read(id, ifMatch);
      const next = change(current.stream);
      const version = await this.repository.replace(next, current.version);
      if (version) return view({ stream: next, version });
      if (ifMatch !== undefined) throw changed();
    }
    throw changed();
  }

  private writeState(
    id: string,
    ifMatch: string | undefined,
    change: (state: StreamState) => StreamState,
  ): Promise<VersionedView> {
    return this.write(id, ifMatch, (current) => ({ ...current, state: change(current.state) }));
  }

  /** Secrets whose key is no longer configured cannot be kept: the PATCH must repeat them. */
  private storedSecrets(current: StoredStream): DestinationSecrets {
    try {
      return this.repository.openSecrets(current);
    } catch (error) {
      if (error instanceof SecretKeyUnknownError) return {};
      throw error;
    }
  }

  private destination(
    input: Record<string, unknown>,
    stored?: Parameters<typeof parseDestination>[2],
  ): DestinationConfig {
    const parsed = parseDestination(input, this.destinationOptions, stored);
    if (!parsed.ok) throw invalid(parsed.problems);
    return parsed.destination;
  }

  private seal(
    id: string,
    destination: DestinationConfig,
  ): Pick<StoredStream, 'destination' | 'secrets'> {
    try {
      return this.repository.sealDestination(id, destination);
    } catch (error) {
      if (!(error instanceof SecretKeyMissingError)) throw error;
      throw new ProblemException(
        503,
        'stream-secrets-key-missing',
        'Service Unavailable',
        'This destination has secrets and no key to encrypt them is configured: set STREAM_SECRETS_KEY (or STREAM_SECRETS_KEYS) on the query app and the maintenance worker (docs/streams.md).',
      );
    }
  }

  /** An instant of the input that is not in the future and not older than the events kept. */
  private async withinRetention(
    field: string,
    text: string,
    companyId: string | null,
    now: Date,
  ): Promise<string> {
    const at = parseIsoDateTime(text);
    const days =
      companyId === null
        ? Math.max(...this.config.retention.classes.map((entry) => entry.days))
        : (await this.companies.get(companyId)).retention_days;
    const earliest = now.getTime() - days * DAY_MS;
    if (!at) {
      throw invalid([
        { path: field, message: `${field} must be an ISO 8601 date-time with an offset` },
      ]);
    }
    if (at.getTime() > now.getTime()) {
      throw invalid([{ path: field, message: `${field} must not be in the future` }]);
    }
    if (at.getTime() < earliest) {
      throw invalid([
        {
          path: field,
          message: `${field} must be within retention: no earlier than ${new Date(earliest).toISOString()} (${days} days)`,
        },
      ]);
    }
    return at.toISOString();
  }
}
