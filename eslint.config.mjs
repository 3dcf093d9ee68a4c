import eslint from '@eslint/js';
import prettier from 'eslint-config-prettier';
import tseslint from 'typescript-eslint';

/**
 * The lib graph (README "Lib graph", docs/adr/0091-lib-layout.md): each lib and the libs its
 * production code may import. Anything not listed is forbidden, and no lib imports an app.
 * Specs may also import @auditlog/testing. Apps import libs (never @auditlog/testing and
 * never another app); tests, benches and scripts may import anything.
 */
const LIB_GRAPH = {
  problem: [],
  events: ['problem'],
  integrity: ['events'],
  config: ['integrity'],
  opensearch: ['config', 'events'],
  retention: ['config', 'events', 'opensearch'],
  catalog: ['events', 'opensearch'],
  'self-audit': ['events', 'opensearch', 'retention'],
  'integrity-store': ['config', 'integrity', 'opensearch'],
  redis: ['config'],
  'export-jobs': ['config', 'events', 'opensearch', 'redis'],
  auth: ['config', 'events', 'problem'],
  platform: ['config', 'events', 'problem', 'redis'],
  egress: ['problem'],
  'stream-destinations': ['events', 'egress'],
  tail: ['config', 'events', 'opensearch', 'platform'],
  streams: ['config', 'events', 'opensearch', 'problem', 'stream-destinations', 'tail'],
  testing: [
    'problem',
    'events',
    'integrity',
    'config',
    'opensearch',
    'retention',
    'auth',
    'platform',
    'redis',
  ],
};
const APPS = ['ingest', 'query', 'export', 'maintenance', 'setup', 'console'];

const throughAliases = {
  group: ['**/libs/*/src/**', '../../libs/**'],
  message: 'Import libs through @auditlog/<lib>.',
};
const noApps = {
  regex: `(^|/)apps/|^(\\.\\./)+(${APPS.join('|')})/src(/|$)`,
  message: 'Only tests, benches and scripts import an app; share code through a lib.',
};

function forbiddenLibs(allowed, self, why) {
  return Object.keys(LIB_GRAPH)
    .filter((lib) => lib !== self && !allowed.includes(lib))
    .map((lib) => ({ name: `@auditlog/${lib}`, message: why }));
}

function boundaries(paths) {
  return ['error', { patterns: [throughAliases, noApps], paths }];
}

const libBoundaries = Object.entries(LIB_GRAPH).flatMap(([lib, allowed]) => [
  {
    files: [`libs/${lib}/**/*.ts`],
    rules: {
      'no-restricted-imports': boundaries(
        forbiddenLibs(
          allowed,
          lib,
          `libs/${lib} may import only ${allowed.join(', ') || 'no lib'} (the lib graph in eslint.config.mjs).`,
        ),
      ),
    },
  },
  {
    files: [`libs/${lib}/**/*.spec.ts`],
    rules: {
      'no-restricted-imports': boundaries(
        forbiddenLibs(
          [...allowed, 'testing'],
          lib,
          `libs/${lib} specs may import only ${[...allowed, 'testing'].join(', ')}.`,
        ),
      ),
    },
  },
]);

const appBoundaries = {
  files: ['apps/**/*.ts', 'apps/**/*.tsx'],
  rules: {
    'no-restricted-imports': boundaries([
      { name: '@auditlog/testing', message: 'Production code does not import the test harness.' },
      {
        name: '@auditlog/opensearch',
        importNames: ['OPENSEARCH_CLIENT'],
        message: 'Apps use repositories and EventSearch, not the raw OpenSearch client.',
      },
      {
        name: '@opensearch-project/opensearch',
        importNames: ['Client'],
        message: 'Apps use repositories and EventSearch, not the raw OpenSearch client.',
      },
    ]),
  },
};

/** Plain JavaScript files are linted too (configs, the verify CLI, the embed script). */
const NODE_GLOBALS = Object.fromEntries(
  ['require', 'module', 'exports', '__dirname', 'process', 'console', 'Buffer', 'URL'].map(
    (name) => [name, 'readonly'],
  ),
);
const BROWSER_GLOBALS = Object.fromEntries(
  [
    'window',
    'document',
    'customElements',
    'HTMLElement',
    'fetch',
    'URL',
    'console',
    'MessageEvent',
  ].map((name) => [name, 'readonly']),
);

export default tseslint.config(
  { ignores: ['dist/**', 'coverage/**', 'node_modules/**', 'helm/**'] },
  eslint.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  prettier,
  {
    files: ['**/*.js', '**/*.mjs'],
    extends: [tseslint.configs.disableTypeChecked],
    languageOptions: { globals: NODE_GLOBALS },
  },
  {
    files: ['**/*.js'],
    ignores: ['apps/console/public/**'],
    languageOptions: { sourceType: 'commonjs' },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    // The embed script runs in host pages' browsers, as plain JavaScript.
    files: ['apps/console/public/**/*.js'],
    languageOptions: { sourceType: 'script', globals: BROWSER_GLOBALS },
  },
  {
    files: ['**/*.ts', '**/*.tsx'],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': 'error',
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
      '@typescript-eslint/consistent-type-imports': [
        'error',
        { fixStyle: 'inline-type-imports', disallowTypeAnnotations: false },
      ],
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['**/libs/*/src/**', '../../libs/**'],
              message: 'Import libs through @auditlog/<lib>.',
            },
          ],
        },
      ],
      'no-restricted-syntax': [
        'error',
        {
          selector: "MemberExpression[object.name='process'][property.name='env']",
          message: 'Only libs/config reads process.env.',
        },
      ],
    },
  },
  ...libBoundaries,
  appBoundaries,
  {
    files: [
      'libs/config/**',
      'scripts/**',
      'test/**',
      'libs/testing/**',
      'bench/**',
      'apps/console/vite.config.ts',
    ],
    rules: { 'no-restricted-syntax': 'off' },
  },
  {
    files: ['**/*.spec.ts', '**/*.e2e-spec.ts', 'test/**', 'bench/**', 'libs/testing/**'],
    rules: {
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
    },
  },
);
