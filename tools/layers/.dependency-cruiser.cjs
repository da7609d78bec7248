// The layer order of src/, bottom first. A module may import its own layer
// and the layers below it, never one above (type imports included), and no
// import may close a cycle. Files directly in src/ other than index.ts
// (errors, log, version, ...) are the floor every layer may use; index.ts is
// the public surface and may use everything. store (the key-value Store)
// stands on the floor alone, so any layer above may keep data in it.
// Node builtins are taken with process.getBuiltinModule, never imported as
// ES modules (see src/builtins.ts).
const layers = [
  'store',
  'timer',
  'transport',
  'protocols',
  'connection',
  'worker',
  'process',
  'cli',
  'gateway',
];

const above = (index) => layers.slice(index + 1);

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      comment: 'A cycle makes the layers meaningless; type imports count too.',
      severity: 'error',
      from: { path: '^src/' },
      to: { circular: true },
    },
    {
      name: 'floor-imports-no-layer',
      comment: 'Files directly in src/ (errors, log, ...) sit below every layer.',
      severity: 'error',
      from: { path: '^src/[^/]+\\.ts$', pathNot: '^src/index\\.ts$' },
      to: { path: `^src/(${layers.join('|')})/` },
    },
    {
      name: 'builtins-through-getBuiltinModule',
      comment:
        'An ES import of a Node builtin reads every export, which loads what Node keeps for first use ' +
        '(node:fs loads fs/promises and streams); take builtins with process.getBuiltinModule, or ' +
        'from src/builtins.ts for the ones loaded on first use. Type imports are free.',
      severity: 'error',
      from: { path: '^src/' },
      to: { dependencyTypes: ['core'], dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'nothing-imports-the-public-surface',
      severity: 'error',
      from: { path: '^src/' },
      to: { path: '^src/index\\.ts$' },
    },
    ...layers.slice(0, -1).map((layer, index) => ({
      name: `${layer}-imports-only-below`,
      comment: `src/${layer}/ may not import ${above(index).join(', ')}`,
      severity: 'error',
      from: { path: `^src/${layer}/` },
      to: { path: `^src/(${above(index).join('|')})/` },
    })),
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
  },
};
