/**
 * The layering of DESIGN.md, enforced: dependencies point inward.
 *   core ← ports ← adapters / functions / api ← runtime ← cli
 * @type {import('dependency-cruiser').IConfiguration}
 */
module.exports = {
  forbidden: [
    {
      name: 'core-is-pure',
      comment: 'Domain logic does no I/O and knows nothing of adapters, runtime, handlers, API or CLI.',
      severity: 'error',
      from: { path: '^src/core/' },
      to: { path: '^src/(adapters|runtime|functions|api|cli|dashboard)/' },
    },
    {
      name: 'core-no-io-libraries',
      comment: 'Core must not load databases, SDKs, HTTP frameworks or the filesystem.',
      severity: 'error',
      from: { path: '^src/core/' },
      to: {
        path: '(^|/)node_modules/(@electric-sql|pg|pg-copy-streams|@aws-sdk|hono|@hono)/|^(fs|net|http|https|child_process)$',
        dependencyTypesNot: ['type-only'],
      },
    },
    {
      name: 'core-no-node-io',
      severity: 'error',
      from: { path: '^src/core/' },
      to: { dependencyTypes: ['core'], pathNot: '^(node:)?(crypto|util)$' },
    },
    {
      name: 'ports-are-interfaces',
      severity: 'error',
      from: { path: '^src/ports/' },
      to: { path: '^src/(adapters|runtime|functions|api|cli)/' },
    },
    {
      name: 'handlers-use-ports',
      comment: 'Lambda handlers get adapters injected; they never pick one themselves.',
      severity: 'error',
      from: { path: '^src/functions/' },
      to: { path: '^src/(adapters|runtime|api|cli)/' },
    },
    {
      name: 'api-is-runtime-agnostic',
      comment: 'The Hono app runs on Node and on Lambda: it sees services, not the fabric.',
      severity: 'error',
      from: { path: '^src/api/' },
      to: { path: '^src/(adapters|runtime|cli)/' },
    },
    {
      name: 'dashboard-is-runtime-agnostic',
      comment: 'The dashboard renders what its services give it: it never reaches the fabric or adapters.',
      severity: 'error',
      from: { path: '^src/dashboard/' },
      to: { path: '^src/(adapters|runtime|cli|functions|aws)/' },
    },
    {
      name: 'adapters-do-not-reach-out',
      severity: 'error',
      from: { path: '^src/adapters/' },
      to: { path: '^src/(runtime|functions|api|cli)/' },
    },
    {
      name: 'runtime-is-not-cli',
      severity: 'error',
      from: { path: '^src/(runtime|adapters|core|ports|functions|api)/' },
      to: { path: '^src/cli/' },
    },
    {
      name: 'embedded-runtime-never-loads-aws-sdk',
      severity: 'error',
      from: { path: '^src/(runtime|cli)/' },
      to: { path: '(^|/)node_modules/@aws-sdk/' },
    },
    {
      name: 'embedded-runtime-never-loads-aws-adapters',
      comment: 'The AWS adapters and Lambda entry points load the AWS SDK: the local runtime never does.',
      severity: 'error',
      from: { path: '^src/(runtime|cli|api|functions|core|ports)/' },
      to: { path: '^src/(adapters/aws|aws)/' },
    },
    {
      name: 'lambda-bundles-never-load-pglite',
      comment: 'src/aws/ holds the Lambda entry points: no embedded runtime, no PGlite, no local files.',
      severity: 'error',
      from: { path: '^src/aws/' },
      to: {
        path: '^src/(runtime|cli)/|^src/adapters/(local/|sql/pglite-client)|(^|/)node_modules/@electric-sql/',
      },
    },
    {
      name: 'no-circular',
      severity: 'error',
      from: {},
      to: { circular: true, viaOnly: { dependencyTypesNot: ['type-only'] } },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '\\.test\\.ts$' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default'],
    },
  },
};
