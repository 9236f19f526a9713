// ESLint: the recommended rules, type-aware for TypeScript (promises must be awaited or handled,
// never passed where a callback's result is ignored). The layer rules are dependency-cruiser's
// (.dependency-cruiser.cjs); `npm run lint` runs both.
import js from '@eslint/js';
import prettier from 'eslint-config-prettier';
import tseslint from 'typescript-eslint';

import local from './scripts/lint/own-lines.mjs';

const node = {
  process: 'readonly',
  console: 'readonly',
  Buffer: 'readonly',
  URL: 'readonly',
  URLSearchParams: 'readonly',
  setTimeout: 'readonly',
  clearTimeout: 'readonly',
  setInterval: 'readonly',
  clearInterval: 'readonly',
  fetch: 'readonly',
  performance: 'readonly',
  AbortController: 'readonly',
  __dirname: 'readonly',
  require: 'readonly',
  module: 'writable',
};

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'coverage/', 'src/platform/db/generated/'] },
  js.configs.recommended,
  {
    // web/ is linted too, type-aware with its own tsconfig (web/tsconfig.json: DOM, Preact's JSX).
    files: ['**/*.ts', '**/*.tsx'],
    extends: [tseslint.configs.recommendedTypeChecked],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' },
      ],
    },
  },
  {
    // Tests read replies through supertest, whose `res.body` is `any` by design: asserting on it is
    // the point. The rules about promises stay on (every assertion on a promise is awaited).
    files: ['tests/**/*.ts'],
    rules: {
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
    },
  },
  { files: ['**/*.mjs', '**/*.js', '**/*.cjs'], languageOptions: { globals: node } },
  {
    // Small pieces: a file of the server or the web app at most 300 lines, a function at most 60
    // lines of its own (those of the functions inside it are held to the limit themselves, so a
    // factory that puts small functions together passes).
    files: ['src/**/*.ts', 'web/src/**/*.ts', 'web/src/**/*.tsx'],
    ignores: ['web/src/api/schema.d.ts'],
    plugins: { local },
    rules: {
      'local/max-own-lines': ['error', { max: 60 }],
      'max-lines': ['error', { max: 300 }],
    },
  },
  // Layout is Prettier's (npm run format): the rules that would argue with it are off.
  prettier,
);
