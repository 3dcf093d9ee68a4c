// Fault injection on a local three-node OpenSearch cluster and a Redis with Sentinels: slow
// (the cluster starts for this run and stops after it), so apart from `npm run test:faults`.
// One file at a time; see docs/reliability.md.
const path = require('node:path');
const { swcTransform, moduleNameMapper } = require('./jest-shared');

module.exports = {
  displayName: 'cluster',
  rootDir: path.resolve(__dirname, '..'),
  // Fails a file that leaves a timer, server or socket open: test/open-handles-environment.js.
  testEnvironment: '<rootDir>/test/open-handles-environment.js',
  testMatch: [
    '<rootDir>/test/cluster/**/*.e2e-spec.ts',
    // The two-replica maintenance suite again, now on replicated indices.
    '<rootDir>/test/maintenance/maintenance-replicas.e2e-spec.ts',
  ],
  transform: swcTransform,
  moduleNameMapper,
  globalSetup: '<rootDir>/test/cluster/global-setup.ts',
  globalTeardown: '<rootDir>/test/cluster/global-teardown.ts',
  testTimeout: 120_000,
  maxWorkers: 1,
};
