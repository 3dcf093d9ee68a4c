// Fault-injection tests: processes and services are killed on purpose. Run one file at a
// time so that one fault never disturbs another test's figures; see docs/reliability.md.
const path = require('node:path');
const { swcTransform, moduleNameMapper } = require('./jest-shared');

module.exports = {
  displayName: 'faults',
  rootDir: path.resolve(__dirname, '..'),
  // Fails a file that leaves a timer, server or socket open: test/open-handles-environment.js.
  testEnvironment: '<rootDir>/test/open-handles-environment.js',
  testMatch: ['<rootDir>/test/faults/**/*.e2e-spec.ts'],
  transform: swcTransform,
  moduleNameMapper,
  globalSetup: '<rootDir>/test/faults/global-setup.ts',
  testTimeout: 120_000,
  maxWorkers: 1,
};
