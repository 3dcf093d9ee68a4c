import { Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { IsmService } from './ism.service';

export interface RetentionSetupReport {
  ism: boolean;
  policies: string[];
}

/**
 * At every start, where the cluster has the ISM plugin: one retention policy per class,
 * attached to the indices created before it. Without ISM the maintenance worker's sweeper
 * enforces retention instead.
 */
@Injectable()
export class RetentionSetupService implements OnApplicationBootstrap {
  constructor(private readonly ism: IsmService) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.run();
  }

  async run(): Promise<RetentionSetupReport> {
    const ism = await this.ism.available();
    if (ism) await this.ism.ensurePolicies();
    return { ism, policies: ism ? this.ism.policies().map((policy) => policy.id) : [] };
  }
}
