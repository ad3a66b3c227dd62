import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import prettier from 'eslint-config-prettier';

// The house boundaries (shared STYLE.md, "Boundaries"). Each entry is what a zone may be allowed
// to import; every zone is denied the entries it is not given.
const BOUNDARIES = {
  mongoose: {
    group: ['mongoose', 'mongoose/*', '@nestjs/mongoose', '@nestjs/mongoose/*'],
    message: 'Only libs/database imports mongoose.',
  },
  driver: {
    group: ['mongodb', 'mongodb/*', 'bson', 'bson/*'],
    message:
      'Only libs/database (and tests) use the MongoDB driver; take plain records from @app/database.',
  },
  aws: { group: ['@aws-sdk/*'], message: 'Only libs/storage imports the AWS SDK.' },
  devstack: {
    group: ['@app/devstack', '@app/devstack/*', '**/libs/devstack/**', '**/test/**'],
    message: 'Product code never depends on the devstack or on test code; only tests do.',
  },
};

const restrictImports = (...allowed) => ({
  'no-restricted-imports': [
    'error',
    {
      patterns: Object.entries(BOUNDARIES)
        .filter(([name]) => !allowed.includes(name))
        .map(([, pattern]) => pattern),
    },
  ],
});

// Product code and what it may import; its specs and test/ folders may also use the driver and
// the devstack (and test/support), but keep the library boundaries.
const PRODUCT_ZONES = [
  { dirs: ['apps', 'libs/common', 'libs/config'], allowed: [] },
  { dirs: ['libs/database'], allowed: ['mongoose', 'driver'] },
  { dirs: ['libs/storage'], allowed: ['aws'] },
];
const testFilesOf = (dir) => [
  `${dir}/**/*.spec.ts`,
  `${dir}/**/*.e2e.ts`,
  `${dir}/**/test/**/*.ts`,
];
const boundaryConfigs = PRODUCT_ZONES.flatMap(({ dirs, allowed }) => [
  {
    files: dirs.map((dir) => `${dir}/**/*.ts`),
    ignores: dirs.flatMap(testFilesOf),
    rules: restrictImports(...allowed),
  },
  {
    files: dirs.flatMap(testFilesOf),
    rules: restrictImports(...allowed, 'driver', 'devstack'),
  },
]);

// Only libs/config reads the environment; everything else receives a validated AppConfig.
// Tooling, tests, benchmarks and the devstack (not product code) read their own variables.
const ENV_MESSAGE = 'Only libs/config reads process.env; inject APP_CONFIG instead.';
const envConfig = {
  files: ['**/*.ts', '**/*.js', '**/*.mjs'],
  // apps/cli is a standalone terminal client: its environment (SHAREXPRESS_URL, the config
  // directory) is its configuration, read in main.ts only and handed to commands as ctx.env.
  ignores: [
    'libs/config/**',
    'libs/devstack/**',
    'scripts/**',
    'test/**',
    'bench/**',
    'apps/cli/src/main.ts',
    'apps/cli/**/*.spec.ts',
  ],
  rules: {
    'no-restricted-properties': [
      'error',
      { object: 'process', property: 'env', message: ENV_MESSAGE },
    ],
    'no-restricted-syntax': [
      'error',
      {
        selector:
          "ImportDeclaration[source.value=/^(node:)?process$/] > ImportSpecifier[imported.name='env']",
        message: ENV_MESSAGE,
      },
    ],
  },
};

export default tseslint.config(
  { ignores: ['dist/**', 'data/**', 'coverage/**', 'node_modules/**', 'apps/cli/dist/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': [
        'error',
        {
          // node:test's test/describe return promises that the runner itself awaits.
          allowForKnownSafeCalls: [
            { from: 'package', package: 'node:test', name: ['test', 'it', 'describe', 'suite'] },
          ],
        },
      ],
      '@typescript-eslint/switch-exhaustiveness-check': 'error',
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      eqeqeq: ['error', 'always'],
    },
  },
  ...boundaryConfigs,
  envConfig,
  // The terminal client is published on its own: Node built-ins and its own files only (no
  // dependency, nothing from apps/api, libs/ or apps/web), and no Nest or AWS SDK at startup.
  {
    files: ['apps/cli/**/*.ts', 'apps/cli/**/*.js'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '^(?!node:|\\./|\\.\\./)',
              message: 'apps/cli imports only node: built-ins and its own files (./, ../).',
            },
            {
              regex: '^(\\.\\./){3,}',
              message: 'apps/cli never imports from the server, the libraries or the tests.',
            },
          ],
        },
      ],
    },
  },
  // apps/web's specs are not in apps/web/tsconfig.json (which keeps Node's types away from the
  // browser code): lint them, type-aware, with their own program.
  {
    files: ['apps/web/src/**/*.spec.ts'],
    languageOptions: {
      parserOptions: {
        projectService: false,
        project: ['apps/web/tsconfig.spec.json'],
        tsconfigRootDir: import.meta.dirname,
      },
    },
  },
  {
    files: ['**/*.mjs', '**/*.js'],
    ...tseslint.configs.disableTypeChecked,
    languageOptions: {
      ...tseslint.configs.disableTypeChecked.languageOptions,
      globals: { process: 'readonly', console: 'readonly' },
    },
  },
  // The terminal client's bin is plain JavaScript that Node runs as is: lint it type-aware too,
  // with apps/cli/tsconfig.json (allowJs, checkJs).
  ...tseslint.configs.recommendedTypeCheckedOnly.map((config) => ({
    ...config,
    files: ['apps/cli/bin/*.js'],
  })),
  {
    files: ['apps/cli/bin/*.js'],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
  },
  prettier,
);
