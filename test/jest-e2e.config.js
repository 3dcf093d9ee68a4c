// End-to-end tests: real apps against real OpenSearch and Redis, provisioned by globalSetup.
const path = require('node:path');
const { swcTransform, moduleNameMapper } = require('./jest-shared');

module.exports = {
  displayName: 'e2e',
  rootDir: path.resolve(__dirname, '..'),
  testEnvironment: 'node',
  testMatch: ['<rootDir>/{apps,libs,test}/**/*.e2e-spec.ts'],
  // The fault-injection suite has its own config (one file at a time): test/jest-faults.config.js.
  testPathIgnorePatterns: ['/node_modules/', '<rootDir>/test/faults/'],
  transform: swcTransform,
  moduleNameMapper,
  globalSetup: '<rootDir>/test/global-setup.ts',
  testTimeout: 60_000,
  // Two cores are shared with OpenSearch; more workers only add contention.
  maxWorkers: 2,
};
