import { Inject, Injectable } from '@nestjs/common';
import { type Client, errors } from '@opensearch-project/opensearch';
import { APP_CONFIG, type AppConfig } from '@auditlog/config';
import { IndexNames, OPENSEARCH_CLIENT, type OwnedIndexDefinition } from '@auditlog/opensearch';
import {
  type DestinationConfig,
  type DestinationSecrets,
  destinationSecrets,
  redactDestination,
  restoreDestination,
} from '@auditlog/stream-destinations';
import { SecretBox } from './secret-box';
import type { StreamState } from './stream';
import { STREAM_MAPPINGS } from './stream-mappings';
import type { StoredStream, StreamVersion, VersionedStream } from './stored-stream';

/** The streams index, created by the query app (which writes definitions) and the setup job. */
export const STREAMS_INDEX: OwnedIndexDefinition = (names) => ({
  index: names.streamsIndex,
  alias: names.streamsAlias,
  mappings: STREAM_MAPPINGS,
});

/** More streams than this are not listed (nor created: the admin API refuses beyond it). */
export const MAX_STREAMS = 1000;

/**
 * Thin adapter for `<prefix>-streams`: one document per stream, definition and state
 * together. Every write is compare-and-set on the version that was read (`if_seq_no` +
 * `if_primary_term`), so an admin's pause or replay and the runner's cursor move never
 * overwrite each other: the loser sees `undefined`/`false`, reads again and decides anew.
 * Destination secrets are sealed with the stream id as authenticated context.
 */
@Injectable()
export class StreamRepository {
  private readonly box: SecretBox;

  constructor(
    @Inject(OPENSEARCH_CLIENT) private readonly client: Client,
    private readonly names: IndexNames,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.box = new SecretBox(config.streams.secretKeys);
  }

  /** False while no STREAM_SECRETS_KEY(S) is configured: destinations with secrets are refused. */
  get canStoreSecrets(): boolean {
    return this.box.canSeal;
  }

  /** Every stream, oldest first. A missing index reads as none. */
  async list(): Promise<StoredStream[]> {
    const { body } = await this.client.search({
      index: this.names.streamsAlias,
      ignore_unavailable: true,
      body: {
        size: MAX_STREAMS,
        query: { match_all: {} },
        sort: [{ created_at: 'asc' }, { id: 'asc' }],
      },
    });
    return (body.hits.hits as Array<{ _source: StoredStream }>).map((hit) => hit._source);
  }

  async count(): Promise<number> {
    const { body } = await this.client.count(
      { index: this.names.streamsAlias, ignore_unavailable: true },
      {},
    );
    return body.count;
  }

  /** Realtime read with the version a later write must name. */
  async get(id: string): Promise<VersionedStream | undefined> {
    const { body, statusCode } = await this.client.get(
      { index: this.names.streamsAlias, id },
      { ignore: [404] },
    );
    if (statusCode === 404 || !body.found) return undefined;
    return {
      stream: body._source as StoredStream,
      version: { seq_no: body._seq_no as number, primary_term: body._primary_term as number },
    };
  }

  /** Create-only: false when a stream with this id exists. */
  async create(stream: StoredStream): Promise<StreamVersion | undefined> {
    try {
      const { body } = await this.client.index({
        index: this.names.streamsAlias,
        id: stream.id,
        op_type: 'create',
        body: stream,
        refresh: 'wait_for',
      });
      return versionOf(body);
    } catch (error) {
      if (isConflict(error)) return undefined;
      throw error;
    }
  }

  /** Replaces the whole document if it is still at `version`; undefined on conflict. */
  async replace(stream: StoredStream, version: StreamVersion): Promise<StreamVersion | undefined> {
    try {
      const { body } = await this.client.index({
        index: this.names.streamsAlias,
        id: stream.id,
        body: stream,
        if_seq_no: version.seq_no,
        if_primary_term: version.primary_term,
        refresh: 'wait_for',
      });
      return versionOf(body);
    } catch (error) {
      if (isConflict(error)) return undefined;
      throw error;
    }
  }

  /**
   * Replaces only the state if the document is still at `version`, leaving the definition
   * as it is; answers the new version, or undefined on conflict or when the stream is gone.
   * No refresh: the runner's next `get` is realtime.
   */
  async setState(
    id: string,
    version: StreamVersion,
    state: StreamState,
  ): Promise<StreamVersion | undefined> {
    // A realtime read of the same version, then a write conditional on it: the whole
    // document is replaced (a partial update would keep fields the new state drops).
    const current = await this.get(id);
    if (!current || !sameVersion(current.version, version)) return undefined;
    try {
      const { body } = await this.client.index({
        index: this.names.streamsAlias,
        id,
        body: { ...current.stream, state },
        if_seq_no: version.seq_no,
        if_primary_term: version.primary_term,
      });
      return versionOf(body);
    } catch (error) {
      if (isConflict(error)) return undefined;
      throw error;
    }
  }

  /** The runner's cursor moves and status changes: false when another write came first. */
  async compareAndSetState(
    id: string,
    version: StreamVersion,
    state: StreamState,
  ): Promise<boolean> {
    return (await this.setState(id, version, state)) !== undefined;
  }

  /** Deletes the stream if it is still at `version`; false on conflict or when gone. */
  async delete(id: string, version: StreamVersion): Promise<boolean> {
    try {
      await this.client.delete({
        index: this.names.streamsAlias,
        id,
        if_seq_no: version.seq_no,
        if_primary_term: version.primary_term,
        refresh: 'wait_for',
      });
      return true;
    } catch (error) {
      if (isConflict(error) || isMissing(error)) return false;
      throw error;
    }
  }

  /**
   * The destination in its stored form: the redacted view in the clear, the secrets sealed.
   * Throws SecretKeyMissingError when it has secrets and no key is configured.
   */
  sealDestination(
    streamId: string,
    destination: DestinationConfig,
  ): Pick<StoredStream, 'destination' | 'secrets'> {
    const secrets = destinationSecrets(destination);
    return {
      destination: redactDestination(destination),
      secrets:
        Object.keys(secrets).length === 0 ? null : this.box.seal(JSON.stringify(secrets), streamId),
    };
  }

  /** The destination's secrets in the clear (none when it has none). */
  openSecrets(stream: Pick<StoredStream, 'id' | 'secrets'>): DestinationSecrets {
    return stream.secrets
      ? (JSON.parse(this.box.open(stream.secrets, stream.id)) as DestinationSecrets)
      : {};
  }

  /** The full destination, secrets decrypted, for the sender (and nothing else). */
  decryptDestination(
    stream: Pick<StoredStream, 'id' | 'destination' | 'secrets'>,
  ): DestinationConfig {
    return restoreDestination(stream.destination, this.openSecrets(stream));
  }
}

function versionOf(body: Record<string, unknown>): StreamVersion {
  return { seq_no: body._seq_no as number, primary_term: body._primary_term as number };
}

function sameVersion(a: StreamVersion, b: StreamVersion): boolean {
  return a.seq_no === b.seq_no && a.primary_term === b.primary_term;
}

function isConflict(error: unknown): boolean {
  return error instanceof errors.ResponseError && error.statusCode === 409;
}

function isMissing(error: unknown): boolean {
  return error instanceof errors.ResponseError && error.statusCode === 404;
}
