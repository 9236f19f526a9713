// The layers of src/ and the only directions their imports may take (ARCHITECTURE.md draws them):
//
//   shared  ←  platform  ←  http  ←  features  ←  app  ←  main (server.ts, cli/)
//
// Each layer imports only layers to its left. A feature is imported by other features only
// through its index.ts, and features depend on each other one way (no cycles).
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-cycles',
      severity: 'error',
      comment: 'A cycle makes two modules one: neither can be understood or changed alone.',
      from: { path: '^src/' },
      to: { circular: true },
    },
    {
      name: 'shared-imports-nothing-of-the-project',
      severity: 'error',
      comment:
        'shared/ holds the ideas every layer uses (errors, ids, paging, actor, permissions, config, logger): it depends on no other layer.',
      from: { path: '^src/shared/' },
      to: { path: '^src/(platform|http|features|app|cli|server)' },
    },
    {
      name: 'platform-imports-only-shared',
      severity: 'error',
      comment: 'platform/ (database, storage) knows nothing of HTTP or of features: it throws its own typed errors.',
      from: { path: '^src/platform/' },
      to: { path: '^src/(http|features|app|cli|server)' },
    },
    {
      name: 'http-knows-no-feature',
      severity: 'error',
      comment:
        'http/ is generic Express glue (route definition, validation, authentication, errors, OpenAPI): it knows no feature.',
      from: { path: '^src/http/' },
      to: { path: '^src/(features|app|cli|server)' },
    },
    {
      name: 'features-do-not-import-the-app',
      severity: 'error',
      comment: 'A feature gets what it needs from the app as arguments (its deps and ports), never by importing app/.',
      from: { path: '^src/features/' },
      to: { path: '^src/(app|cli|server)' },
    },
    {
      name: 'features-meet-only-through-their-index',
      severity: 'error',
      comment: "Another feature's files are its own business: import what it exports from its index.ts.",
      from: { path: '^src/features/([^/]+)/' },
      to: { path: '^src/features/([^/]+)/', pathNot: ['^src/features/$1/', '^src/features/[^/]+/index\\.ts$'] },
    },
    {
      name: 'the-app-does-not-import-its-entry-points',
      severity: 'error',
      comment: 'app/ wires features together; server.ts and cli/ start it. Never the other way.',
      from: { path: '^src/app/' },
      to: { path: '^src/(cli|server)' },
    },
    {
      name: 'prisma-and-drivers-only-in-platform-db',
      severity: 'error',
      comment: 'The generated Prisma clients and the database drivers are opened in platform/db alone.',
      from: { path: '^src/', pathNot: '^src/platform/db/' },
      to: { path: ['^src/platform/db/generated/', 'node_modules/(@prisma|pg|better-sqlite3)/'] },
    },
    {
      name: 'everything-serves-an-entry-point',
      severity: 'error',
      comment: 'A module the server and the command-line tools never reach is dead code.',
      from: { path: '^src/(server\\.ts$|cli/)' },
      to: {
        path: '^src/',
        pathNot: ['^src/server\\.ts$', '^src/cli/', '^src/platform/db/generated/', '\\.json$'],
        reachable: false,
      },
    },
  ],
  options: {
    doNotFollow: { path: ['node_modules', '^src/platform/db/generated/'] },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default'] },
  },
};
