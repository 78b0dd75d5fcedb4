// @ts-check
// ESLint for the whole tree: the recommended JS/TS/Svelte rules, a few type-aware rules that catch
// real bugs (promises nobody awaits), and the Architecture arrows of README.md as import rules
// (eslint-plugin-boundaries). Formatting is Prettier's job (`npm run lint` runs both).
import js from '@eslint/js';
import boundaries from 'eslint-plugin-boundaries';
import svelte from 'eslint-plugin-svelte';
import { defineConfig, globalIgnores } from 'eslint/config';
import globals from 'globals';
import tseslint from 'typescript-eslint';
import svelteConfig from './svelte.config.js';

/**
 * The layers, by folder. The first pattern that matches a file names its layer, so the lab's
 * subfolders come before src/lab itself (the service: labService.ts and the helpers beside it).
 */
const layers = [
  { type: 'engine', pattern: 'src/engine' },
  { type: 'contract', pattern: 'src/contract' },
  { type: 'worker', pattern: 'src/worker' },
  { type: 'store', pattern: 'src/lab/store' },
  { type: 'sweep', pattern: 'src/lab/sweep' },
  { type: 'export', pattern: 'src/lab/export' },
  { type: 'runner', pattern: 'src/lab/runner' },
  { type: 'lab-testing', pattern: 'src/lab/testing' },
  { type: 'service', pattern: 'src/lab' },
  { type: 'main', pattern: 'src/main' },
  { type: 'preload', pattern: 'src/preload' },
  { type: 'server', pattern: 'src/server' },
  { type: 'cli', pattern: 'src/cli' },
  { type: 'cluster', pattern: 'src/cluster' },
  { type: 'renderer', pattern: 'src/renderer' },
  // Outside src/ nothing is restricted (but see scripts/dev/lint.mjs); named so that an import
  // of them from src/ is a known dependency that the arrows refuse.
  { type: 'tooling', pattern: ['scripts', 'e2e', 'bin'] },
].map((layer) => ({ ...layer, partialMatch: false }));

/** The worker's message types: the one file of src/worker that the runner and store may import. */
const workerProtocol = { element: { types: 'worker' }, file: { categories: 'worker-protocol' } };

/** What each layer may import besides itself (README.md, Architecture). */
const arrows = {
  engine: [],
  contract: ['engine'],
  store: ['engine', 'contract', workerProtocol],
  sweep: ['engine', 'contract', 'store'],
  export: ['engine', 'contract', 'store'],
  runner: ['store', 'sweep', 'engine', 'contract', workerProtocol],
  service: ['runner', 'store', 'sweep', 'export', 'engine', 'contract'],
  main: ['service', 'contract'],
  server: ['service', 'contract'],
  // The `seqlab` program is the shell that hosts two other adapters: `serve` starts the lab
  // server, `slurm`/`k8s` run the cluster submission. Neither reaches below the service.
  cli: ['service', 'contract', 'server', 'cluster'],
  cluster: ['service', 'contract'],
  preload: ['contract'],
  renderer: ['contract'],
  worker: ['engine'],
  // The lab's shared test fixtures stand where the service stands, and may start worker processes.
  'lab-testing': ['service', 'runner', 'store', 'sweep', 'export', 'engine', 'contract', workerProtocol],
  tooling: ['*'],
};

/** @param {string} type */
const element = (type) => ({ element: { types: type } });
/** @param {string} from @param {(string | typeof workerProtocol)[]} to */
const targets = (from, to) => [element(from), ...to.map((t) => (typeof t === 'string' ? element(t) : t))];
const testFiles = ['**/*.test.ts'];
const testingHelpers = ['**/testing/**'];
/** Node-only modules: the engine, the contract and the renderer run in a browser too. */
const nodeOnlyModules = ['node:*', 'electron', 'better-sqlite3', 'commander', 'csv-stringify'];

export default defineConfig(
  globalIgnores([
    'out/**',
    'out-test/**',
    'native/**',
    'node_modules/**',
    'test-results/**',
    'playwright-report/**',
    'e2e/screenshots/**',
    'build/**',
    // Generated from their .wat sources by scripts/codegen (see .gitattributes).
    'src/engine/**/*Binary.ts',
  ]),

  js.configs.recommended,
  tseslint.configs.recommended,
  svelte.configs.recommended,

  {
    languageOptions: {
      ecmaVersion: 2023,
      sourceType: 'module',
      globals: { ...globals.node },
    },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      // `_name` marks a parameter kept for its position (a callback's signature).
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none', ignoreRestSiblings: true },
      ],
      // Engine and runner loops are written `for (;;)`.
      'no-constant-condition': ['error', { checkLoops: false }],
      eqeqeq: ['error', 'always', { null: 'ignore' }],
      // `catch {}` is this code's way of saying "absent is fine" (a file not there yet, an optional tool).
      'no-empty': ['error', { allowEmptyCatch: true }],
    },
  },

  {
    // Type-aware rules, for the few bug classes a type checker alone misses.
    files: ['**/*.ts', '**/*.svelte'],
    languageOptions: {
      parserOptions: {
        projectService: true,
        tsconfigRootDir: import.meta.dirname,
        extraFileExtensions: ['.svelte'],
        parser: tseslint.parser,
        svelteConfig,
      },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { arguments: false, attributes: false } }],
      '@typescript-eslint/await-thenable': 'error',
      '@typescript-eslint/no-unnecessary-type-assertion': 'error',
    },
  },

  {
    files: ['src/renderer/**'],
    languageOptions: { globals: { ...globals.browser } },
  },

  {
    // TypeScript (tsc, svelte-check) already refuses undefined names, and knows the ones
    // declared with `declare global`, which no-undef does not.
    files: ['**/*.svelte'],
    rules: { 'no-undef': 'off' },
  },

  {
    // The browser-safe layers. (Test files and testing helpers run under vitest in Node.)
    files: ['src/engine/**', 'src/contract/**', 'src/renderer/**'],
    ignores: [...testFiles, ...testingHelpers],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: nodeOnlyModules,
              message: 'The engine, the contract and the renderer also run in a browser: no Node-only modules.',
            },
          ],
        },
      ],
    },
  },

  {
    // The Architecture arrows. Every file under src/ must belong to a layer, and every import
    // between layers must follow an arrow; imports of packages are not checked here.
    plugins: { boundaries },
    settings: {
      'boundaries/elements': layers,
      'boundaries/files': [
        // Every file is 'code' (so that a selector can ask for "not a test"), some also a test.
        { category: 'code', pattern: '**/*' },
        { category: 'test', pattern: testFiles },
        { category: 'testing', pattern: testingHelpers },
        { category: 'worker-protocol', pattern: 'src/worker/workerProtocol.ts' },
      ],
      'boundaries/include': ['src/**', 'scripts/**', 'e2e/**', 'bin/**'],
      'boundaries/dependency-nodes': ['import', 'export', 'dynamic-import'],
      'import/resolver': {
        typescript: {
          project: 'tsconfig.json',
          extensions: ['.ts', '.svelte', '.js', '.mjs', '.json'],
        },
      },
    },
    rules: {
      'boundaries/no-unknown-files': 'error',
      'boundaries/dependencies': [
        'error',
        {
          default: 'disallow',
          message:
            'the {{ from.element.types }} layer may not import {{ to.file.path }} ({{ to.element.types }}); see the arrows in eslint.config.js',
          checkUnknownLocals: true,
          checkInternals: true,
          policies: [
            ...Object.entries(arrows).map(([from, to]) => ({
              from: element(from),
              allow: { to: targets(from, to) },
            })),
            // The one relaxation, for tests: a test file or a testing helper may also import
            // testing helpers (any `testing/` folder). Nothing else under src/ may.
            {
              from: { file: { categories: ['test', 'testing'] } },
              allow: { to: { file: { categories: 'testing' } } },
            },
            // The lab's tests are integration tests over real SQLite files and workers: a store
            // test may build its fixture with the sweep expansion or open it through the service.
            {
              from: { element: { types: ['store', 'sweep', 'export', 'runner', 'service'] }, file: { categories: 'test' } },
              allow: { to: targets('service', ['runner', 'store', 'sweep', 'export', 'engine', 'contract', workerProtocol]) },
            },
            {
              from: { element: { types: '!tooling' }, file: { categories: { noneOf: ['test', 'testing'] } } },
              disallow: { to: { file: { categories: 'testing' } } },
              message: 'only tests and testing helpers may import a testing helper ({{ to.file.path }})',
            },
          ],
        },
      ],
    },
  },
);
