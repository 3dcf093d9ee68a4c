import { Inject, Injectable } from '@nestjs/common';
import type { Client } from '@opensearch-project/opensearch';
import { OPENSEARCH_CLIENT } from './opensearch.client';

/** The readiness probe of OpenSearch, for health endpoints: no raw client needed there. */
@Injectable()
export class OpenSearchHealth {
  readonly name = 'opensearch';

  constructor(@Inject(OPENSEARCH_CLIENT) private readonly client: Client) {}

  /** Resolves when the cluster answers and is not red. */
  async check(): Promise<void> {
    const { body } = await this.client.cluster.health({ timeout: '2s' });
    if (body.status === 'red') throw new Error('cluster status is red');
  }
}
