// Unit tests: pure logic, no services. End-to-end tests live in test/jest-e2e.config.js.
const { swcTransform, moduleNameMapper } = require('./test/jest-shared');

module.exports = {
  displayName: 'unit',
  rootDir: __dirname,
  // Fails a file that leaves a timer, server or socket open: test/open-handles-environment.js.
  testEnvironment: '<rootDir>/test/open-handles-environment.js',
  testMatch: ['<rootDir>/{apps,libs,scripts,bench,test}/**/*.spec.ts'],
  transform: swcTransform,
  moduleNameMapper,
};
