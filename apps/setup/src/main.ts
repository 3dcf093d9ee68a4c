import 'reflect-metadata';
import { loadConfigOrExit } from '@auditlog/config';
import { runSetup } from './run-setup';

/**
 * One-shot storage setup for a pre-install/pre-upgrade job: no HTTP, exits 0 or 1. The apps
 * run the same idempotent setup at start; this job surfaces storage problems before any
 * app is rolled out.
 */
void runSetup(loadConfigOrExit('setup')).then((status) => process.exit(status));
