import { Global, Module } from '@nestjs/common';
import { CompanySettingsService } from './company-settings.service';
import { IndexPreCreator } from './index-pre-creator';
import { IndexRouter } from './index-router';
import { IsmService } from './ism.service';
import { RetentionSetupService } from './retention-setup.service';
import { RetentionSweeper } from './retention-sweeper';
import { StorageStatusService } from './storage-status.service';

const SERVICES = [
  IndexRouter,
  IndexPreCreator,
  CompanySettingsService,
  IsmService,
  RetentionSetupService,
  RetentionSweeper,
  StorageStatusService,
];

/**
 * Retention: where an event is written (its company's class and period), the company
 * settings behind that choice, indices created ahead of their period, the ISM policies and
 * the sweeper. Needs OpenSearchModule.
 */
@Global()
@Module({ providers: SERVICES, exports: SERVICES })
export class RetentionModule {}
