/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/tests'],
  testMatch: ['**/*.test.ts'],
  // The browser tests measure time budgets: `npm test` runs them on their own, after the SQLite
  // pass (E2E=1), not beside other test files on the same cores.
  // The fast loop (`npm run test:fast`) leaves out the browser, the kill -9 and shutdown processes
  // and the two-node cluster: `npm test` runs everything.
  testPathIgnorePatterns:
    process.env.E2E === '1'
      ? ['/node_modules/']
      : process.env.TEST_FAST === '1'
        ? ['/node_modules/', '<rootDir>/tests/e2e/', '<rootDir>/tests/process/', '<rootDir>/tests/multinode/']
        : ['/node_modules/', '<rootDir>/tests/e2e/'],
  transform: {
    '^.+\\.ts$': ['ts-jest', { diagnostics: false }],
    // thumbhash and pixelmatch ship only as ES modules: compiled to CommonJS for jest (Node itself loads them with require).
    '/node_modules/(thumbhash|pixelmatch)/.+\\.js$': ['ts-jest', { diagnostics: false, tsconfig: { allowJs: true } }],
    // So do the tus server and its stores (and srvx, which they use): the same, for jest only.
    '/node_modules/(@tus|srvx)/.+\\.m?js$': [
      'ts-jest',
      { diagnostics: false, tsconfig: { allowJs: true, esModuleInterop: true } },
    ],
    // Single sign-on's client (openid-client, with oauth4webapi and jose) and the tests' OpenID Provider: the same.
    '/node_modules/(openid-client|oauth4webapi|jose|oidc-provider)/(?!node_modules/).+\\.js$': [
      'ts-jest',
      { diagnostics: false, tsconfig: { allowJs: true, esModuleInterop: true } },
    ],
  },
  transformIgnorePatterns: [
    '/node_modules/(?!(thumbhash|pixelmatch|@tus|srvx|openid-client|oauth4webapi|jose|oidc-provider)/)',
  ],
  globalSetup: '<rootDir>/tests/helpers/global-setup.ts',
  globalTeardown: '<rootDir>/tests/helpers/global-teardown.ts',
  testTimeout: 30000,
  maxWorkers: 2,
};
