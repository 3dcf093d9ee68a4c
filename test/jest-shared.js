const aliases = [
  'problem',
  'config',
  'events',
  'integrity',
  'opensearch',
  'retention',
  'catalog',
  'self-audit',
  'integrity-store',
  'export-jobs',
  'auth',
  'platform',
  'redis',
  'testing',
  'egress',
  'stream-destinations',
  'streams',
  'tail',
];

module.exports = {
  swcTransform: {
    '^.+\\.ts$': [
      '@swc/jest',
      {
        jsc: {
          parser: { syntax: 'typescript', decorators: true },
          transform: { legacyDecorator: true, decoratorMetadata: true },
          target: 'es2022',
        },
        module: { type: 'commonjs' },
      },
    ],
  },
  moduleNameMapper: Object.fromEntries(
    aliases.map((name) => [`^@auditlog/${name}$`, `<rootDir>/libs/${name}/src`]),
  ),
};
