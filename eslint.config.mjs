import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/**
 * Layers: stacks → workflows → functions → contracts, with events beside contracts; the CLI
 * and local/ sit on top. An import that points back up a layer is an error.
 */
const layer = (files, forbidden, why) => ({
  files,
  rules: {
    'no-restricted-imports': [
      'error',
      { patterns: [{ group: forbidden.flatMap((f) => [`**/${f}`, `**/${f}/**`]), message: why }] },
    ],
  },
});
const layers = [
  layer(
    ['contracts/**/*.ts'],
    ['stacks', 'workflows', 'functions', 'events', 'cli', 'local'],
    'contracts/ is the bottom layer: it imports no other part of logwarden.',
  ),
  layer(
    ['events/**/*.ts'],
    ['stacks', 'workflows', 'functions', 'cli', 'local'],
    'events/ sits beside contracts/ and imports only contracts/.',
  ),
  layer(
    ['functions/**/*.ts'],
    ['stacks', 'workflows', 'cli', 'local'],
    'functions/ import only contracts/ and events/ (runtime code knows nothing of CDK or the local run).',
  ),
  layer(
    ['workflows/**/*.ts'],
    ['stacks', 'cli', 'local'],
    'workflows/ are built by stacks/, never the other way round.',
  ),
  layer(['stacks/**/*.ts'], ['cli', 'local'], 'stacks/ never import the CLI or the local run.'),
  layer(
    ['cli/**/*.ts'],
    ['stacks', 'workflows', 'local'],
    'the CLI talks to deployed resources through contracts/, never through CDK code.',
  ),
];

export default tseslint.config(
  {
    ignores: [
      'node_modules/',
      'cdk.out/',
      'cdk.out.regional/',
      '.venv/',
      '.local/',
      'coverage/',
      'local/opensearch/target/',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: {
        console: 'readonly',
        process: 'readonly',
        __dirname: 'readonly',
        module: 'writable',
        require: 'readonly',
      },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      'no-console': 'off',
    },
  },
  ...layers,
);
