// Fixtures of test/open-handles-environment.spec.ts: test files that leave something open
// (and one that does not), run by that spec in a Jest of their own.
const path = require('node:path');
const { swcTransform } = require('../jest-shared');

module.exports = {
  rootDir: path.resolve(__dirname, '../..'),
  testEnvironment: '<rootDir>/test/open-handles-environment.js',
  testMatch: ['<rootDir>/test/open-handles-fixtures/*.fixture.ts'],
  transform: swcTransform,
};
