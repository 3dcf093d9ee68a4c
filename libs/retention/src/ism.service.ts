import { Inject, Injectable, Logger } from '@nestjs/common';
import type { Client } from '@opensearch-project/opensearch';
import { APP_CONFIG, type AppConfig } from '@auditlog/config';
import { IndexNames, OPENSEARCH_CLIENT } from '@auditlog/opensearch';
import { type IsmPolicyDocument, retentionPolicy } from './ism-policy';

const ISM_PLUGIN = 'opensearch-index-management';

interface StoredPolicy {
  _seq_no: number;
  _primary_term: number;
  policy: IsmPolicyDocument['policy'];
}

/**
 * The index-management (ISM) plugin, when the cluster has it: detection, one retention
 * policy per class, and the managed state of each index for the storage status.
 */
@Injectable()
export class IsmService {
  private readonly logger = new Logger(IsmService.name);
  private detected?: Promise<boolean>;

  constructor(
    @Inject(OPENSEARCH_CLIENT) private readonly client: Client,
    private readonly names: IndexNames,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** Whether the cluster runs the ISM plugin; asked once per process (`GET _cat/plugins`). */
  available(): Promise<boolean> {
    this.detected ??= this.detect().catch((error: unknown) => {
      this.detected = undefined;
      throw error;
    });
    return this.detected;
  }

  policies(): Array<{ retentionClass: string; id: string; document: IsmPolicyDocument }> {
    return this.config.retention.classes.map((retention) => ({
      retentionClass: retention.name,
      id: this.names.retentionPolicy(retention.name),
      document: retentionPolicy(this.names, retention, this.config.retention.readOnlyAfterDays),
    }));
  }

  /** Creates or updates every class policy, then attaches it to indices created before it. */
  async ensurePolicies(): Promise<void> {
    for (const { retentionClass, id, document } of this.policies()) {
      await this.ensurePolicy(id, document);
      await this.client.transport.request(
        {
          method: 'POST',
          path: `/_plugins/_ism/add/${this.names.classPattern(retentionClass)}`,
          body: { policy_id: id },
        },
        { ignore: [404] },
      );
    }
  }

  /** ISM state per managed index (`explain`), empty where ISM is absent. */
  async states(): Promise<Map<string, string>> {
    if (!(await this.available())) return new Map();
    const response = await this.client.transport.request({
      method: 'GET',
      path: `/_plugins/_ism/explain/${this.names.eventsPattern}`,
    });
    const states = new Map<string, string>();
    for (const [index, value] of Object.entries(response.body as Record<string, unknown>)) {
      const explained = value as { state?: { name?: string }; policy_id?: string } | null;
      if (explained && typeof explained === 'object' && 'policy_id' in explained) {
        states.set(index, explained.state?.name ?? 'initializing');
      }
    }
    return states;
  }

  private async detect(): Promise<boolean> {
    const { body, statusCode } = await this.client.cat.plugins(
      { format: 'json' },
      { ignore: [403] },
    );
    if (statusCode === 403) {
      // Without the right to list plugins, assume no ISM: the sweeper then enforces
      // retention, which is harmless next to ISM (both delete only expired indices).
      this.logger.warn('not allowed to list OpenSearch plugins; assuming ISM is absent');
      return false;
    }
    const plugins = body as unknown as Array<{ component?: string }>;
    const present = plugins.some((plugin) => plugin.component === ISM_PLUGIN);
    this.logger.log(
      present
        ? 'ISM plugin present: retention is enforced by ISM policies'
        : 'ISM plugin absent: retention is enforced by the scheduled sweeper',
    );
    return present;
  }

  /**
   * Create-or-update with optimistic concurrency: when several replicas race, one write
   * wins and the others find the same content already in place.
   */
  private async ensurePolicy(id: string, document: IsmPolicyDocument): Promise<void> {
    const path = `/_plugins/_ism/policies/${id}`;
    for (let attempt = 0; attempt < 3; attempt += 1) {
      const existing = await this.client.transport.request(
        { method: 'GET', path },
        { ignore: [404] },
      );
      const stored = existing.statusCode === 404 ? undefined : (existing.body as StoredPolicy);
      if (stored && samePolicy(stored.policy, document.policy)) return;
      const querystring = stored
        ? { if_seq_no: stored._seq_no, if_primary_term: stored._primary_term }
        : undefined;
      const written = await this.client.transport.request(
        { method: 'PUT', path, body: document, querystring },
        { ignore: [409] },
      );
      if (written.statusCode !== 409) {
        this.logger.log(`ISM policy ${id} ${stored ? 'updated' : 'created'}`);
        return;
      }
    }
    throw new Error(`ISM policy ${id} kept changing while it was being written`);
  }
}

/** Compares what we own in a policy; ISM adds its own bookkeeping fields. */
export function samePolicy(
  stored: Partial<IsmPolicyDocument['policy']>,
  wanted: IsmPolicyDocument['policy'],
): boolean {
  const essentials = (policy: Partial<IsmPolicyDocument['policy']>): string =>
    JSON.stringify({
      description: policy.description,
      default_state: policy.default_state,
      states: (policy.states ?? []).map((state) => ({
        name: state.name,
        actions: state.actions.map((action) =>
          Object.fromEntries(Object.entries(action).filter(([key]) => key !== 'retry')),
        ),
        transitions: state.transitions,
      })),
      ism_template: (policy.ism_template ?? []).map((template) => ({
        index_patterns: template.index_patterns,
        priority: template.priority,
      })),
    });
  return essentials(stored) === essentials(wanted);
}
