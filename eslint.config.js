// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

// A package is used by its name and what its package.json exports, never by a path into its src/.
const noOtherPackageSrc = { regex: '^(\\.\\./)+((packages|services|infra)/)?[a-z-]+/src/', message: "import the package by its name (@rotation/...); add what you need to its src/index.ts" };

export default tseslint.config(
  { ignores: ['**/node_modules/**', '.ci/.tools/**', '**/dist/**', '.data/**', 'bench/results/**', 'docs/**', '**/*.bundle.js', 'services/gateway/public/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly', Buffer: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly', setInterval: 'readonly', clearInterval: 'readonly', setImmediate: 'readonly' } },
    rules: {
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' }],
      'no-console': 'off',
      'no-restricted-imports': ['error', { patterns: [noOtherPackageSrc] }],
    },
  },
  {
    // examples/ are plain browser pages and Node scripts, not TypeScript of this repository.
    files: ['examples/**/*.js', 'examples/**/*.mjs'],
    languageOptions: { globals: { document: 'readonly', location: 'readonly', URLSearchParams: 'readonly' } },
  },
  {
    // Pure logic stays pure: the core of a service never touches the network libraries.
    files: ['services/*/src/core/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [
        { group: ['kafkajs', 'ioredis', 'ws', '@rotation/kafka', '@rotation/redis', 'node:net', 'node:http'], message: 'src/core is pure: do I/O in src/adapters and wire it in src/main.ts' },
        noOtherPackageSrc,
      ] }],
    },
  },
  {
    // Only the config package reads the environment.
    files: ['services/**/*.ts', 'packages/**/*.ts', 'infra/**/*.ts', 'test/**/*.ts', 'bench/**/*.ts'],
    ignores: ['packages/config/src/**'],
    rules: {
      'no-restricted-properties': ['error', { object: 'process', property: 'env', message: 'read configuration through @rotation/config' }],
    },
  },
);
