// End-to-end tests: real apps against real OpenSearch and Redis, provisioned by globalSetup.
const path = require('node:path');
const { swcTransform, moduleNameMapper } = require('./jest-shared');

module.exports = {
  displayName: 'e2e',
  rootDir: path.resolve(__dirname, '..'),
  // Fails a file that leaves a timer, server or socket open: test/open-handles-environment.js.
  testEnvironment: '<rootDir>/test/open-handles-environment.js',
  testMatch: ['<rootDir>/{apps,libs,test}/**/*.e2e-spec.ts'],
  // The fault-injection suites have their own configs (one file at a time):
  // test/jest-faults.config.js and, on a local cluster, test/jest-cluster.config.js.
  testPathIgnorePatterns: ['/node_modules/', '<rootDir>/test/faults/', '<rootDir>/test/cluster/'],
  transform: swcTransform,
  moduleNameMapper,
  globalSetup: '<rootDir>/test/global-setup.ts',
  testTimeout: 60_000,
  // Two cores are shared with OpenSearch; more workers only add contention.
  maxWorkers: 2,
};
