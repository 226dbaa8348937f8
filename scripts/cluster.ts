/**
 * `npm run cluster`: the production topology on this machine, as separate OS processes (see
 * src/cluster/topology.ts): Temporal on Postgres (+ Web UI), APIs behind a load balancer, workers,
 * the KIE simulator. Prints where each runs; Ctrl-C (or SIGTERM) stops all of it.
 *
 *   npm run cluster -- [--apis 2] [--workers 2] [--port 3100] [--postgres postgres://postgres@127.0.0.1:5432]
 *                      [--db-prefix veo_cluster] [--fresh] [--kie-ms 8000] [--kie-rate-limit 20/10000] [--no-ui]
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import { provisionClusterBinaries } from '../src/cluster/binaries.js';
import { postgresTarget } from '../src/cluster/postgres-target.js';
import { startCluster } from '../src/cluster/topology.js';

const HELP = `Usage: npm run cluster -- [options]
  --apis <n>              API processes behind the load balancer (default 2)
  --workers <n>           worker processes (default 2)
  --port <n>              the load balancer's port, the public API address (default 3100; 0 = any free)
  --temporal-port <n>     Temporal frontend gRPC port (default: a free one)
  --ui-port <n>           Temporal Web UI port (default: a free one); --no-ui to skip the UI
  --postgres <url>        Postgres server (env CLUSTER_POSTGRES_URL; default postgres://postgres@127.0.0.1:5432)
  --db-prefix <name>      databases <name>, <name>_temporal, <name>_temporal_visibility (default veo_cluster)
  --fresh                 drop those databases first
  --data-dir <dir>        logs and archived videos (default .data/cluster)
  --kie-ms <n>            the simulator's generation time (default 8000)
  --kie-rate-limit <n/ms> the simulator's generation limit (default 20/10000 as on KIE; "off")
  --help`;

const { values } = parseArgs({
  options: {
    apis: { type: 'string', default: '2' },
    workers: { type: 'string', default: '2' },
    port: { type: 'string', default: '3100' },
    'temporal-port': { type: 'string', default: '0' },
    'ui-port': { type: 'string', default: '0' },
    'no-ui': { type: 'boolean', default: false },
    postgres: {
      type: 'string',
      default: process.env.CLUSTER_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432',
    },
    'db-prefix': { type: 'string', default: 'veo_cluster' },
    fresh: { type: 'boolean', default: false },
    'data-dir': { type: 'string', default: '.data/cluster' },
    'kie-ms': { type: 'string', default: '8000' },
    'kie-rate-limit': { type: 'string', default: '20/10000' },
    help: { type: 'boolean', default: false },
  },
});
if (values.help) {
  console.log(HELP);
  process.exit(0);
}
const count = (name: string, raw: string, min: number) => {
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min) {
    console.error(`--${name} must be an integer ≥ ${min}, got "${raw}"`);
    process.exit(2);
  }
  return n;
};

const projectRoot = path.resolve(import.meta.dirname, '..');
const log = (line: string) => console.error(line);
const binaries = await provisionClusterBinaries(projectRoot, !values['no-ui'], log);
const started = Date.now();
const cluster = await startCluster({
  projectRoot,
  dataDir: path.resolve(values['data-dir']),
  postgres: postgresTarget(values.postgres),
  dbPrefix: values['db-prefix'],
  fresh: values.fresh,
  binaries,
  apis: count('apis', values.apis, 1),
  workers: count('workers', values.workers, 1),
  port: count('port', values.port, 0),
  temporalPort: count('temporal-port', values['temporal-port'], 0),
  uiPort: count('ui-port', values['ui-port'], 0),
  kie: {
    durationMs: count('kie-ms', values['kie-ms'], 0),
    hd1080DelayMs: 4000,
    rateLimit: values['kie-rate-limit'],
  },
  log,
});

const pid = (p: { pid(): number }) => `pid ${p.pid()}`;
const lines = [
  `Cluster up in ${((Date.now() - started) / 1000).toFixed(1)} s:`,
  `  API (load balancer)  ${cluster.balancer.url}   ← clients and KIE callbacks (PUBLIC_BASE_URL)`,
  ...cluster.apis.map((a) => `  ${a.process.name.padEnd(20)} ${a.url}   ${pid(a.process)}`),
  ...cluster.workers.map((w) => `  ${w.process.name.padEnd(20)} task queue veo-video   ${pid(w.process)}`),
  `  Temporal             ${cluster.temporal.address}   ${pid(cluster.temporal.process)}   metrics ${cluster.temporal.metricsUrl}`,
  cluster.ui
    ? `  Temporal UI          ${cluster.ui.url}   ${pid(cluster.ui.process)}`
    : '  Temporal UI          not running',
  `  KIE simulator        ${cluster.simulator.url}   ${pid(cluster.simulator.process)}`,
  `  Postgres             ${cluster.databaseUrl.replace(/\/\/[^@]*@/, '//…@')} (+ _temporal, _temporal_visibility)`,
  `  videos               ${cluster.archiveDir}`,
  `  logs                 ${cluster.logDir}/<process>.log`,
  '',
  `Admin key: ${cluster.adminApiKey}`,
  `  curl -s -X POST ${cluster.balancer.url}/admin/users -H "Authorization: Bearer ${cluster.adminApiKey}" \\`,
  `    -H 'Content-Type: application/json' -d '{"name":"alice","credits":500}'`,
  '',
  'Ctrl-C stops everything.',
];
console.log(lines.join('\n'));

let stopping = false;
const stop = (why: string, code: number) => {
  if (stopping) return;
  stopping = true;
  console.error(`${why}: stopping the cluster…`);
  void cluster.stop().then(() => {
    console.error('cluster stopped');
    process.exit(code);
  });
};
process.on('SIGINT', () => stop('SIGINT', 0));
process.on('SIGTERM', () => stop('SIGTERM', 0));
for (const p of cluster.processes())
  p.onUnexpectedExit((code, signal) =>
    stop(`${p.name} exited on its own (code ${code}, signal ${signal}; see ${p.logFile})`, 1),
  );
