import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import prettier from 'eslint-config-prettier';

const restricted = (allowed) => ({
  'no-restricted-imports': [
    'error',
    {
      patterns: [
        ...(allowed === 'database'
          ? []
          : [
              {
                group: ['mongoose', '@nestjs/mongoose'],
                message: 'Only libs/database imports mongoose.',
              },
            ]),
        ...(allowed === 'storage'
          ? []
          : [{ group: ['@aws-sdk/*'], message: 'Only libs/storage imports the AWS SDK.' }]),
      ],
    },
  ],
});

export default tseslint.config(
  { ignores: ['dist/**', '.build/**', 'data/**', 'coverage/**', 'node_modules/**'] },
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
  {
    files: ['apps/**/*.ts', 'libs/common/**/*.ts', 'libs/config/**/*.ts'],
    rules: restricted('none'),
  },
  { files: ['libs/database/**/*.ts'], rules: restricted('database') },
  { files: ['libs/storage/**/*.ts'], rules: restricted('storage') },
  {
    files: ['**/*.mjs', '**/*.js'],
    ...tseslint.configs.disableTypeChecked,
    languageOptions: {
      ...tseslint.configs.disableTypeChecked.languageOptions,
      globals: { process: 'readonly', console: 'readonly' },
    },
  },
  prettier,
);
