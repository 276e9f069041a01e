// Three projects: `unit` (pure logic, no services), `integration` (real NATS JetStream + PostgreSQL) and `faults`
// (crashes, outages and abuse against real processes; `npm run test:faults`).
const { compilerOptions } = require('./tsconfig.base.json');
const swcrc = JSON.parse(require('fs').readFileSync(`${__dirname}/.swcrc`, 'utf8'));

const moduleNameMapper = Object.fromEntries(
  Object.entries(compilerOptions.paths).map(([alias, [target]]) => [`^${alias}$`, `<rootDir>/${target}`]),
);
const shared = {
  rootDir: __dirname,
  testEnvironment: 'node',
  transform: {
    '^.+\\.ts$': ['@swc/jest', { ...swcrc, sourceMaps: 'inline', swcrc: false }],
    // jose ships ESM only, which jest cannot require before Node 24.9: compile it to CommonJS like our code.
    '/node_modules/jose/.+\\.js$': ['@swc/jest', { ...swcrc, swcrc: false }],
  },
  moduleNameMapper,
  setupFiles: ['reflect-metadata'],
  modulePathIgnorePatterns: ['<rootDir>/dist/'],
  transformIgnorePatterns: ['/node_modules/(?!jose/)'],
};

module.exports = {
  // Global (Jest ignores it per project): integration tests start real processes.
  testTimeout: 120_000,
  projects: [
    { ...shared, displayName: 'unit', testMatch: ['<rootDir>/{apps,libs}/**/*.spec.ts'], testPathIgnorePatterns: ['\\.int\\.spec\\.ts$', '\\.e2e\\.spec\\.ts$', '/node_modules/'] },
    {
      ...shared,
      displayName: 'integration',
      testMatch: ['<rootDir>/{apps,libs}/**/*.int.spec.ts'],
      globalSetup: '<rootDir>/libs/testing/src/global-setup.ts',
    },
    {
      // Faults and abuse against real processes (issue #9); writes docs/RELIABILITY.md. Run in band.
      ...shared,
      displayName: 'faults',
      testMatch: ['<rootDir>/faults/**/*.faults.spec.ts'],
      globalSetup: '<rootDir>/faults/support/global-setup.ts',
      globalTeardown: '<rootDir>/faults/support/global-teardown.ts',
    },
  ],
};
