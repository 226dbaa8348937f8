/**
 * The one reader of process.env (docs/operations.md#configuration): parsed and validated with zod at boot, so a typo in a
 * variable fails fast with a clear message instead of surfacing as odd behaviour later.
 * Every variable is documented in .env.example.
 */
import path from 'node:path';
import { z } from 'zod';

/**
 * The largest number of credits stored in one place: balances, holds, prices, grants and caps are
 * `integer` columns (Postgres int4). Config, the API and the ledger's grants refuse more, so the
 * database never meets a value it cannot store (it would answer with an error, the caller with a 500).
 */
export const MAX_CREDITS = 2_147_483_647;

const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');
const optionalString = z
  .string()
  .optional()
  .transform((v) => (v === '' ? undefined : v));
/** A secret that guards something (signatures, the admin API): long enough not to be guessed. */
const optionalSecret = optionalString.pipe(
  z.string().min(32, 'must be at least 32 characters (e.g. openssl rand -base64 32)').optional(),
);
// Credits are stored as int4 (MAX_CREDITS): larger values are refused at boot.
const credits = z.coerce.number().int().nonnegative().max(MAX_CREDITS);
// A model's price is what a video costs at the least (a job whose 1080p never comes pays just that):
// it must be positive, since the ledger holds and captures positive amounts only.
const modelPrice = z.coerce.number().int().positive().max(MAX_CREDITS);

/** The price variable of each model we sell (src/domain's model ids; a test keeps the two in step). */
export const PRICE_VARIABLES = {
  veo3: 'PRICE_VEO3',
  veo3_fast: 'PRICE_VEO3_FAST',
  veo3_lite: 'PRICE_VEO3_LITE',
  'nano-banana': 'PRICE_NANO_BANANA',
  imagen4: 'PRICE_IMAGEN4',
  'kling-2.6': 'PRICE_KLING_2_6',
  'sora-2': 'PRICE_SORA_2',
} as const;
export type PricedModel = keyof typeof PRICE_VARIABLES;

/**
 * What KIE charges us, in KIE credits, per model (per the same unit as our price: a video, an image,
 * 5 s of Kling…) and for a 1080p (`hd`): `model=credits` pairs, comma-separated. KIE publishes no
 * price list in its API docs; the defaults are third-party measurements (docs/kie-api.md#limits-retention-pricing).
 */
const DEFAULT_KIE_PRICES =
  'veo3=250,veo3_fast=60,veo3_lite=30,hd=5,nano-banana=4,imagen4=8,kling-2.6=55,sora-2=30';
const kiePrices = z
  .string()
  .default(DEFAULT_KIE_PRICES)
  .transform((text, ctx) => {
    const table = Object.fromEntries(
      DEFAULT_KIE_PRICES.split(',').map((pair) => [pair.split('=')[0]!, Number(pair.split('=')[1])]),
    ) as Record<PricedModel | 'hd', number>;
    for (const pair of text
      .split(',')
      .map((p) => p.trim())
      .filter(Boolean)) {
      const [name, value, ...rest] = pair.split('=').map((p) => p.trim());
      const n = Number(value);
      if (
        !name ||
        !Object.hasOwn(table, name) ||
        rest.length ||
        !Number.isInteger(n) ||
        n < 0 ||
        n > MAX_CREDITS
      ) {
        ctx.addIssue({
          code: 'custom',
          message: `"${pair}": expected model=credits with a model among ${Object.keys(table).join(', ')}`,
        });
        return z.NEVER;
      }
      table[name as PricedModel] = n;
    }
    return table;
  });

const envSchema = z.object({
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().default('127.0.0.1'),
  PUBLIC_BASE_URL: optionalString.pipe(z.url().optional()),
  DATA_DIR: z.string().default('.data'),

  // KIE: the real API when a key is set, the bundled simulator otherwise.
  KIE_API_KEY: optionalString,
  KIE_BASE_URL: z.url().default('https://api.kie.ai'),
  KIE_WEBHOOK_HMAC_KEY: optionalString,
  // Below the paced submit activity's own limit (120 s, src/workflows/generate-video.ts): a call cut short by the
  // activity timeout would be retried by Temporal, a call cut short by ours fails the job as ambiguous.
  KIE_TIMEOUT_MS: z.coerce
    .number()
    .int()
    .positive()
    .max(60_000, 'must stay below the submit activity timeout (120 s) with room for the pacing wait')
    .default(30_000),
  // KIE's account limit on new generations, kept by us across every worker (docs/architecture.md#kie-pacing).
  KIE_GENERATIONS_PER_10S: z.coerce.number().int().positive().max(10_000).default(20),
  // No result from KIE this long after the submit → the job times out, refunded. Unset: each kind's
  // default (30 min for videos, 15 min for images; src/workflows/job-types.ts). It also bounds the wait
  // for KIE's callback after an ambiguous submit (docs/kie-api.md#ambiguous-submit).
  KIE_GENERATION_DEADLINE_S: z.coerce
    .number()
    .int()
    .min(60)
    .max(24 * 3600)
    .optional(),
  // Generate calls one worker process has in flight or waiting for a slot; the rest wait in Temporal.
  KIE_SUBMIT_CONCURRENCY: z.coerce.number().int().positive().max(100).default(4),
  KIE_DOWNLOAD_HOSTS: z.string().default('*.aiquickdraw.com,*.kie.ai,kie.ai,*.redpandaai.co'),
  // Exempt from downloads' https-only and public-address rules: a local simulator in tests and
  // development (npm start adds its embedded simulator by itself). Empty in production.
  KIE_DOWNLOAD_LOCAL_HOSTS: z.string().default(''),
  WEBHOOK_SECRET: optionalSecret,
  KIE_SIM_PORT: z.coerce.number().int().min(0).max(65535).default(0),

  // Temporal: unset address = start the embedded dev server (npm start only).
  TEMPORAL_ADDRESS: optionalString,
  TEMPORAL_NAMESPACE: z.string().default('default'),
  TEMPORAL_TASK_QUEUE: z.string().default('veo-video'),
  TEMPORAL_API_KEY: optionalString,
  TEMPORAL_TLS_CERT_PATH: optionalString,
  TEMPORAL_TLS_KEY_PATH: optionalString,
  TEMPORAL_UI_PORT: z.coerce.number().int().min(1).max(65535).default(8233),
  TEMPORAL_DEV_PORT: z.coerce.number().int().min(1).max(65535).default(7233),
  TEMPORAL_CLI_PATH: optionalString,

  // Worker sizing (docs/operations.md#sizing): workflows kept in memory between tasks (the rest are
  // replayed from history when they wake), and tasks run at once. 500 for a 2-core box: with 10,000 jobs
  // in flight it kept the worker at 0.5–0.7 GiB where 1,000 reached 1.07 GiB, and started them faster.
  WORKER_MAX_CACHED_WORKFLOWS: z.coerce.number().int().min(0).max(100_000).default(500),
  WORKER_MAX_CONCURRENT_WORKFLOW_TASKS: z.coerce.number().int().min(2).max(1000).default(40),
  WORKER_MAX_CONCURRENT_ACTIVITIES: z.coerce.number().int().positive().max(10_000).default(100),

  DATABASE_URL: optionalString,

  ARCHIVE_DIR: optionalString,
  ARCHIVE_MAX_BYTES: z.coerce
    .number()
    .int()
    .positive()
    .default(2 * 1024 * 1024 * 1024),
  S3_BUCKET: optionalString,
  S3_ENDPOINT: optionalString,
  S3_REGION: z.string().default('us-east-1'),
  S3_FORCE_PATH_STYLE: bool.default(true),
  // Both or neither; neither = the AWS SDK's default chain (AWS_* variables, profile, instance role).
  S3_ACCESS_KEY_ID: optionalString,
  S3_SECRET_ACCESS_KEY: optionalString,

  ADMIN_API_KEY: optionalSecret,

  // Studio sessions and playable links (src/security): the root of their HKDF-derived keys; unset =
  // WEBHOOK_SECRET. Cookie lifetime, content-link lifetime, and a CDN origin for presigned S3 URLs.
  SESSION_SECRET: optionalSecret,
  SESSION_TTL_SECONDS: z.coerce
    .number()
    .int()
    .min(60)
    .max(30 * 24 * 3600)
    .default(24 * 3600),
  CONTENT_URL_TTL_SECONDS: z.coerce
    .number()
    .int()
    .min(60)
    .max(7 * 24 * 3600)
    .default(3600),
  CONTENT_CDN_BASE_URL: optionalString.pipe(z.url({ protocol: /^https?$/ }).optional()),

  // Prices in our credits (src/services/pricing.ts): per model, plus PRICE_HD when the 1080p version
  // is asked for, charged only when it is delivered. Config, never code.
  PRICE_VEO3: modelPrice.default(250),
  PRICE_VEO3_FAST: modelPrice.default(80),
  PRICE_VEO3_LITE: modelPrice.default(30),
  PRICE_HD: credits.default(5),
  // Market models (docs/kie-api.md#market), per the unit GET /v1/models names: an image, a 5 s Kling
  // video (×2 for 10 s, ×2 with sound), a 10 s Sora video (×1.5 for 15 s).
  PRICE_NANO_BANANA: modelPrice.default(4),
  PRICE_IMAGEN4: modelPrice.default(8),
  PRICE_KLING_2_6: modelPrice.default(55),
  PRICE_SORA_2: modelPrice.default(30),
  KIE_PRICES: kiePrices,
  // A job canceled after KIE accepted its task (KIE has charged us for the generation): charge-model
  // captures the model's price and gives back the 1080p part; refund gives everything back
  // (docs/architecture.md#cancel-policy). Before the task exists, a cancel is always a full refund.
  CANCEL_AFTER_SUBMIT: z.enum(['charge-model', 'refund']).default('charge-model'),
  RATE_LIMIT_PER_MINUTE: z.coerce.number().int().positive().default(600),
  // How long an API process remembers a key it found (src/ledger/key-lookup-cache.ts): a revoked key
  // stops at once on the process that revoked it, and on the others within this; 0 = look up every time.
  API_KEY_CACHE_SECONDS: z.coerce.number().int().min(0).max(300).default(5),
  // Job starts (src/services/job-starts.ts): workflow starts under way at once from an API process,
  // and how many creates may be answered before their start, waiting for one of those slots (a burst);
  // past that, creates wait for their starts again. 0 = every create waits for its start.
  JOB_STARTS_IN_FLIGHT: z.coerce.number().int().min(1).max(1000).default(32),
  JOB_START_BACKLOG: z.coerce.number().int().min(0).max(100_000).default(2000),
  // Progress streams (GET /v1/videos/:id/events): open at once per user (429 past it), and how long one
  // lasts before the server ends it and the client resumes with Last-Event-ID.
  SSE_MAX_STREAMS_PER_USER: z.coerce.number().int().min(1).max(1000).default(10),
  SSE_MAX_STREAM_SECONDS: z.coerce
    .number()
    .int()
    .min(1)
    .max(24 * 3600)
    .default(300),
  USER_CONCURRENCY_CAP: z.coerce.number().int().positive().max(MAX_CREDITS).default(5),
  USER_DAILY_SPEND_CAP: credits.optional(),

  DEMO_USER_CREDITS: credits.default(1000),

  // Customers' webhooks (docs/operations.md#customer-webhooks): where job events may be POSTed.
  // `public`: https to public addresses only; `loopback`: http(s) to this machine only (tests, dev).
  CUSTOMER_WEBHOOK_TARGETS: z.enum(['public', 'loopback']).default('public'),

  // The reconciler (docs/operations.md): how often workers sweep for jobs and holds no workflow will
  // settle (a Temporal Schedule; whole seconds), and how long a hold may wait for its workflow to start.
  RECONCILE_EVERY_MS: z.coerce.number().int().min(1000).default(60_000),
  RECONCILE_GRACE_MS: z.coerce
    .number()
    .int()
    .positive()
    .default(5 * 60_000),

  // KIE's balance watched (docs/operations.md#kie-balance): how often workers read it (a Temporal
  // Schedule, whole seconds; 0 = off), the mark below which the spend breaker opens (0 = none; KIE's
  // credits, which may be fractional), and whether a read back at the mark closes a breaker it opened.
  KIE_BALANCE_EVERY_MS: z.coerce
    .number()
    .int()
    .min(0)
    .refine((v) => v === 0 || v >= 1000, 'must be 0 (off) or at least 1000')
    .default(5 * 60_000),
  KIE_BALANCE_LOW_WATER: z.coerce.number().finite().nonnegative().default(0),
  KIE_BALANCE_AUTO_CLOSE: bool.default(false),
});

/** Rules across variables. Half an S3 key pair would silently fall back to the default chain. */
const checkedEnvSchema = envSchema.superRefine((env, ctx) => {
  // A job holds its model's price plus the 1080p price in one int4 amount.
  // (A Market job's price, up to 4× its model's, must fit too: at most MAX_CREDITS / 4 each.)
  for (const key of ['PRICE_NANO_BANANA', 'PRICE_IMAGEN4', 'PRICE_KLING_2_6', 'PRICE_SORA_2'] as const) {
    if (env[key] > MAX_CREDITS / 4)
      ctx.addIssue({
        code: 'custom',
        path: [key],
        message: `must not exceed ${Math.floor(MAX_CREDITS / 4)}`,
      });
  }
  for (const key of ['PRICE_VEO3', 'PRICE_VEO3_FAST', 'PRICE_VEO3_LITE'] as const) {
    if (env[key] + env.PRICE_HD > MAX_CREDITS)
      ctx.addIssue({
        code: 'custom',
        path: [key],
        message: `${key} + PRICE_HD must not exceed ${MAX_CREDITS}`,
      });
  }
  // A mark nobody holds the balance against would look like protection without being any.
  if (env.KIE_BALANCE_LOW_WATER > 0 && env.KIE_BALANCE_EVERY_MS === 0)
    ctx.addIssue({
      code: 'custom',
      path: ['KIE_BALANCE_LOW_WATER'],
      message: 'needs the balance watcher: KIE_BALANCE_EVERY_MS must not be 0',
    });
  const pair = ['S3_ACCESS_KEY_ID', 'S3_SECRET_ACCESS_KEY'] as const;
  for (const [set, missing] of [pair, [pair[1], pair[0]]] as const) {
    if (env[set] && !env[missing])
      ctx.addIssue({ code: 'custom', path: [missing], message: `required when ${set} is set` });
  }
});

export type Env = z.infer<typeof envSchema>;

export interface Config {
  env: Env;
  dataDir: string;
  archiveDir: string;
  prices: Prices;
  usingSimulator: boolean;
}

/** Our prices in credits: per model (per its unit), and the 1080p. */
export interface Prices extends Record<PricedModel, number> {
  /** Added to the model's price when the request asks for the 1080p version. */
  hd: number;
  /** What a job canceled after KIE accepted its task pays (CANCEL_AFTER_SUBMIT). */
  cancelAfterSubmit: 'charge-model' | 'refund';
  /** What KIE charges us, in KIE credits, per model and for a 1080p (KIE_PRICES). */
  kie: Record<PricedModel | 'hd', number>;
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

export function loadConfig(source: NodeJS.ProcessEnv = process.env): Config {
  const parsed = checkedEnvSchema.safeParse(source);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
  }
  const env = parsed.data;
  const dataDir = path.resolve(env.DATA_DIR);
  return {
    env,
    dataDir,
    archiveDir: path.resolve(env.ARCHIVE_DIR ?? path.join(dataDir, 'videos')),
    prices: {
      veo3: env.PRICE_VEO3,
      veo3_fast: env.PRICE_VEO3_FAST,
      veo3_lite: env.PRICE_VEO3_LITE,
      'nano-banana': env.PRICE_NANO_BANANA,
      imagen4: env.PRICE_IMAGEN4,
      'kling-2.6': env.PRICE_KLING_2_6,
      'sora-2': env.PRICE_SORA_2,
      hd: env.PRICE_HD,
      cancelAfterSubmit: env.CANCEL_AFTER_SUBMIT,
      kie: env.KIE_PRICES,
    },
    usingSimulator: !env.KIE_API_KEY,
  };
}
