/**
 * `npm run kie-sim [-- --port 4010 --seed 7 ...]`: the simulator on its own, e.g. shared by an API
 * process and a worker process (KIE_BASE_URL=<printed URL> KIE_API_KEY=sim-key). Prints its base URL
 * on stdout; logs go to stderr. Ctrl-C stops it.
 *
 * This is a separate program (the KIE side), so it reads its own KIE_SIM_* variables rather than the
 * app's config module; flags win over them.
 */
import { parseArgs } from 'node:util';
import { parseMixSpec } from './fault-mix.js';
import { startKieSimulator } from './server.js';
import type { SimOptions } from './types.js';

const HELP = `Usage: npm run kie-sim -- [options]
  --port <n>            port (env KIE_SIM_PORT; default 4010, 0 = any free port)
  --host <addr>         bind address (env KIE_SIM_HOST; default 127.0.0.1)
  --seed <n>            PRNG seed for task ids etc. (env KIE_SIM_SEED; default random)
  --hmac-key <key>      sign callbacks with this webhook HMAC key (env KIE_SIM_HMAC_KEY)
  --api-key <key>       accepted bearer key, repeatable (env KIE_SIM_API_KEYS, comma-separated; default sim-key)
  --duration-ms <n>     generation time of every model (env KIE_SIM_DURATION_MS)
  --hd1080-delay-ms <n> time after success before 1080p is ready (env KIE_SIM_HD1080_DELAY_MS)
  --credits <n>         account credits (env KIE_SIM_CREDITS; default 100000)
  --rate-limit <n/ms>   at most n generations per ms-long window, else 429 (env KIE_SIM_RATE_LIMIT;
                        default 20/10000 as on KIE; "off" = no limit, e.g. to load-test our side)
  --fault-mix <spec>    per-task random faults, e.g. callbackDrop=0.3,callbackDuplicate=0.3,failure=0.1
                        (env KIE_SIM_FAULT_MIX; see SimFaults.mix; POST /_sim/faults replaces it)
  --mirror-http-status  answer non-200 codes with that HTTP status too
  --relaxed-reference   allow 9:16 and veo3_lite for REFERENCE_2_VIDEO
  --quiet               no request log
  --help`;

function int(name: string, raw: string | undefined): number | undefined {
  if (raw === undefined || raw === '') return undefined;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0) {
    process.stderr.write(`kie-sim: ${name} must be a non-negative integer, got "${raw}"\n`);
    process.exit(2);
  }
  return n;
}

function parseRateLimit(raw: string | undefined): SimOptions['rateLimit'] {
  if (raw === undefined || raw === '') return undefined;
  if (raw === 'off') return { max: Number.MAX_SAFE_INTEGER, windowMs: 1 };
  const m = /^(\d+)\/(\d+)$/.exec(raw);
  if (!m || Number(m[1]) < 1 || Number(m[2]) < 1) {
    process.stderr.write(`kie-sim: --rate-limit must be <n>/<ms> (e.g. 20/10000) or "off", got "${raw}"\n`);
    process.exit(2);
  }
  return { max: Number(m[1]), windowMs: Number(m[2]) };
}

const { values } = parseArgs({
  options: {
    port: { type: 'string' },
    host: { type: 'string' },
    seed: { type: 'string' },
    'hmac-key': { type: 'string' },
    'api-key': { type: 'string', multiple: true },
    'duration-ms': { type: 'string' },
    'hd1080-delay-ms': { type: 'string' },
    credits: { type: 'string' },
    'rate-limit': { type: 'string' },
    'fault-mix': { type: 'string' },
    'mirror-http-status': { type: 'boolean' },
    'relaxed-reference': { type: 'boolean' },
    quiet: { type: 'boolean' },
    help: { type: 'boolean' },
  },
});
if (values.help) {
  process.stdout.write(`${HELP}\n`);
  process.exit(0);
}

const env = process.env;
const duration = int('--duration-ms', values['duration-ms'] ?? env.KIE_SIM_DURATION_MS);
const apiKeys =
  values['api-key'] ??
  env.KIE_SIM_API_KEYS?.split(',')
    .map((k) => k.trim())
    .filter(Boolean);
const hmacKey = values['hmac-key'] ?? env.KIE_SIM_HMAC_KEY;
const rateLimit = parseRateLimit(values['rate-limit'] ?? env.KIE_SIM_RATE_LIMIT);
const mixSpec = values['fault-mix'] ?? env.KIE_SIM_FAULT_MIX;
const mix = mixSpec ? parseMixSpec(mixSpec) : undefined;
if (typeof mix === 'string') {
  process.stderr.write(`kie-sim: --fault-mix: ${mix}\n`);
  process.exit(2);
}
const options: SimOptions = {
  port: int('--port', values.port ?? env.KIE_SIM_PORT) ?? 4010,
  host: values.host ?? env.KIE_SIM_HOST ?? '127.0.0.1',
  seed: int('--seed', values.seed ?? env.KIE_SIM_SEED),
  ...(hmacKey ? { hmacKey } : {}),
  ...(apiKeys?.length ? { apiKeys } : {}),
  ...(duration !== undefined
    ? {
        durationsMs: {
          veo3: duration,
          veo3_fast: duration,
          veo3_lite: duration,
          extend: duration,
          fourK: duration,
          market: duration,
        },
      }
    : {}),
  hd1080DelayMs: int('--hd1080-delay-ms', values['hd1080-delay-ms'] ?? env.KIE_SIM_HD1080_DELAY_MS),
  credits: int('--credits', values.credits ?? env.KIE_SIM_CREDITS),
  ...(rateLimit ? { rateLimit } : {}),
  ...(mix ? { faults: { mix } } : {}),
  mirrorHttpStatus: values['mirror-http-status'] ?? false,
  relaxedReference: values['relaxed-reference'] ?? false,
  log: values.quiet ? undefined : (line) => process.stderr.write(`[kie-sim] ${line}\n`),
};

const sim = await startKieSimulator(options);
process.stdout.write(`${sim.url}\n`);

let stopping = false;
const stop = () => {
  if (stopping) return;
  stopping = true;
  void sim.close().then(() => process.exit(0));
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
