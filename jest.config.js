/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: {
    '^.+\\.ts$': 'ts-jest',
    // hyparquet and hyparquet-writer (the local Parquet archive) ship only ES modules, which
    // jest cannot require on Node.js 20: compiled to CommonJS like the project's own code.
    '/node_modules/hyparquet(-writer)?/.+\\.js$': [
      'ts-jest',
      { tsconfig: { allowJs: true, checkJs: false, module: 'commonjs' }, diagnostics: false },
    ],
  },
  transformIgnorePatterns: ['/node_modules/(?!hyparquet(-writer)?/)'],
  setupFilesAfterEnv: ['aws-sdk-client-mock-jest'],
  testTimeout: 60000,
  // Two workers even on two cores (jest's default is one fewer than the cores): a suite of
  // test/local waits on its moto server, OpenSearch node or Trino much of the time. With one
  // worker CI's jest took 1,347 s of wall clock while jest and its children spend about 1,500
  // CPU seconds in all (measured 2026-12-07): one core was idle most of the run. Every e2e world
  // takes free ports and per-process directories, so suites side by side share nothing.
  maxWorkers: 2,
};
