// @ts-check
/**
 * The layers of src/ and which way they may point (docs/architecture.md#layers). `npm run lint` runs
 * dependency-cruiser with this file: an import cycle, or a value import from a lower layer into a
 * higher one (or between siblings of one layer), fails the build.
 *
 * A layer may import every layer below it. Type-only imports may also point up (a workflow names its
 * activities' types; a route names the service it is given): they vanish at run time.
 */

/**
 * Lowest first. Each entry is a folder (or top-level file) of src/, or a list of folders that form one
 * unit (the studio page is part of the HTTP app: its routes use the API's route helpers).
 */
const layers = [
  // Foundations (configuration, logs and metrics, keys and signatures), and build tools that use
  // nothing of ours.
  ['config.ts', 'observability', 'security', 'dev-tools'],
  // Adapters to the outside world, and the job vocabulary.
  ['db', 'kie', 'storage', 'domain'],
  // Durable logic: the workflow, the ledger, the archive pipeline; the KIE simulator stands in for KIE.
  ['workflows', 'ledger', 'archive', 'kie-sim'],
  // Ports: activities for the worker, services for the API.
  ['activities', 'services'],
  // Hosts: the HTTP API, the worker, the CLI, the local Temporal server (it registers the workflow's
  // search attributes).
  [['api', 'studio'], 'worker', 'cli', 'temporal'],
  // Wiring: assembles processes from everything below (runtime: one process; cluster: the production
  // topology as separate processes, for `npm run cluster` and its fault test).
  ['runtime', 'cluster'],
  // Entry points.
  ['main.ts', 'api-main.ts', 'worker-main.ts'],
];

const unitNames = (unit) => (Array.isArray(unit) ? unit : [unit]);
const re = (units) =>
  `^src/(${units
    .flatMap(unitNames)
    .map((n) => n.replace('.', '\\.'))
    .join('|')})($|/)`;

/** @type {import('dependency-cruiser').IForbiddenRuleType[]} */
const layerRules = layers.flatMap((layer, i) =>
  layer.flatMap((unit) => {
    const name = unitNames(unit).join('+');
    const above = layers.slice(i + 1).flat();
    const siblings = layer.filter((n) => n !== unit);
    return [
      ...(above.length
        ? [
            {
              name: `layer-${name}-points-up`,
              comment: `src/${name} may not import (values from) a higher layer: ${above.flat().join(', ')}`,
              severity: /** @type {const} */ ('error'),
              from: { path: re([unit]) },
              to: { path: re(above), dependencyTypesNot: /** @type {const} */ (['type-only']) },
            },
          ]
        : []),
      ...(siblings.length
        ? [
            {
              name: `layer-${name}-imports-sibling`,
              comment: `src/${name} may not import its own layer's siblings: ${siblings.flat().join(', ')}`,
              severity: /** @type {const} */ ('error'),
              from: { path: re([unit]) },
              to: { path: re(siblings), dependencyTypesNot: /** @type {const} */ (['type-only']) },
            },
          ]
        : []),
    ];
  }),
);

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      comment: 'Import cycles (type-only ones included) tie modules together; move the shared part down.',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    {
      name: 'workflow-determinism',
      comment: "Workflow code runs in Temporal's sandbox: what it imports must not use Node built-ins.",
      severity: 'error',
      from: { path: '^src/(workflows|domain)/' },
      to: { dependencyTypes: ['core'], dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'src-not-from-tests',
      comment: 'Production code never imports test code or scripts.',
      severity: 'error',
      from: { path: '^src/' },
      to: { path: '^(test|scripts)/' },
    },
    {
      name: 'not-in-a-layer',
      comment: 'Every folder of src/ belongs to a layer: add a new one to `layers` above.',
      severity: 'error',
      from: { path: '^src/', pathNot: re(layers.flat()) },
      to: {},
    },
    ...layerRules,
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default'],
    },
    exclude: { path: '^(node_modules|dist|\\.cache|\\.data)/' },
  },
};
