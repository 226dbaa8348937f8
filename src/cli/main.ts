/**
 * `veo` — generate and manage videos and images from the terminal.
 *   veo generate "a fox in the snow" --hd --wait --out fox.mp4
 *   veo generate "a kite" --model kling-2.6 --option duration=10 --wait
 *   veo image "a lighthouse at dawn" --model nano-banana --option outputFormat=jpeg --wait --out lighthouse.jpg
 *   veo status <id> | veo list [--state succeeded] | veo cancel <id> | veo credits
 * The API URL and key come from --api-url/--api-key or VEO_API_URL/VEO_API_KEY.
 */
import { createWriteStream } from 'node:fs';
import { Readable } from 'node:stream';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { pipeline } from 'node:stream/promises';
import { Command, Option } from 'commander';
import { SingleBar, Presets } from 'cli-progress';
import { ApiError, createApiClient } from './api-client.js';
import { isFinalState, isMarketModel, JobStateSchema, type JobView } from '../domain/index.js';
import { marketOptions, modelHelp } from './market-options.js';

/** A successful job's path, for the progress bar: the job states up to `succeeded`, in order. */
const STEPS = JobStateSchema.options.slice(0, JobStateSchema.options.indexOf('succeeded') + 1);

const program = new Command('veo').description('Generate AI videos through the Veo pipeline API');
program
  .addOption(
    new Option('--api-url <url>', 'API base URL').env('VEO_API_URL').default('http://127.0.0.1:3000'),
  )
  .addOption(new Option('--api-key <key>', 'your API key').env('VEO_API_KEY'));

function client() {
  const { apiUrl, apiKey } = program.opts<{ apiUrl: string; apiKey?: string }>();
  if (!apiKey) throw new Error('No API key: pass --api-key or set VEO_API_KEY.');
  return createApiClient(apiUrl, apiKey);
}

function summary(job: JobView): string {
  const files = job.files
    .map((f) => `${f.variant} ${(f.size / 1024).toFixed(0)} KiB sha256:${f.sha256.slice(0, 12)}`)
    .join(', ');
  return [
    `${job.id}  ${job.state}  ${job.model}  ${job.charged === null ? `price ${job.price}` : `charged ${job.charged}`} credits`,
    job.kieTaskId
      ? `  KIE task ${job.kieTaskId}${job.detection ? ` (detected by ${job.detection.channel})` : ''}`
      : null,
    files ? `  files: ${files}` : null,
    job.hd !== 'not_requested' ? `  1080p: ${job.hd}${job.hdNote ? ` — ${job.hdNote}` : ''}` : null,
    job.error ? `  error: ${job.error.message}` : null,
  ]
    .filter(Boolean)
    .join('\n');
}

program
  .command('generate')
  .argument('<prompt>', 'what the video shows')
  .option(
    '--model <model>',
    `veo3 | veo3_fast | veo3_lite, or a Market model: ${modelHelp('video')}`,
    'veo3_fast',
  )
  .option('--option <name=value...>', "a Market model's option (see GET /v1/models)")
  .option('--aspect <ratio>', '16:9 | 9:16 | Auto', '16:9')
  .option('--image <url...>', 'image URLs (first/last frame or references)')
  .option('--type <generationType>', 'TEXT_2_VIDEO | FIRST_AND_LAST_FRAMES_2_VIDEO | REFERENCE_2_VIDEO')
  .option('--seed <n>', 'seed, 10000–99999', (v) => Number(v))
  .option('--watermark <text>', 'watermark text')
  .option('--hd', 'also fetch and archive the 1080p version', false)
  .option('--idempotency-key <key>', 'repeat-safe key for this request')
  .option('--wait', 'follow progress until the video is ready', false)
  .option('--out <file>', 'write the video here (implies --wait)')
  .action(async (prompt: string, o: Record<string, unknown>) => {
    const api = client();
    const model = o.model as string;
    const body = isMarketModel(model)
      ? marketBody(prompt, o)
      : {
          prompt,
          model,
          aspectRatio: o.aspect,
          hd: o.hd,
          ...(o.image ? { imageUrls: o.image } : {}),
          ...(o.type ? { generationType: o.type } : {}),
          ...(o.seed !== undefined ? { seed: o.seed } : {}),
          ...(o.watermark ? { watermark: o.watermark } : {}),
        };
    await finish(api, await api.create(body, o.idempotencyKey as string | undefined), o);
  });

program
  .command('image')
  .argument('<prompt>', 'what the image shows (or how to change the given images)')
  .option('--model <model>', modelHelp('image'), 'nano-banana')
  .option('--image <url...>', 'image URLs to start from (image-to-image)')
  .option('--option <name=value...>', "the model's options (see GET /v1/models), e.g. outputFormat=jpeg")
  .option('--idempotency-key <key>', 'repeat-safe key for this request')
  .option('--wait', 'follow progress until the images are ready', false)
  .option('--out <file>', 'write the image here, further ones as <file>-2… (implies --wait)')
  .action(async (prompt: string, o: Record<string, unknown>) => {
    const api = client();
    await finish(
      api,
      await api.createImage(marketBody(prompt, o), o.idempotencyKey as string | undefined),
      o,
    );
  });

/** A Market model's request from the flags: its images, and `--option` pairs typed by its catalogue entry. */
function marketBody(prompt: string, o: Record<string, unknown>): Record<string, unknown> {
  const model = o.model as string;
  const pairs = (o.option as string[] | undefined) ?? [];
  // Not a Market model: sent as given, for the API to refuse by name.
  const options = isMarketModel(model) ? marketOptions(model, pairs) : {};
  return { prompt, model, ...(o.image ? { imageUrls: o.image } : {}), options };
}

/** Prints the job; with --wait or --out follows it to its end and saves its files. */
async function finish(
  api: ReturnType<typeof client>,
  job: JobView,
  o: Record<string, unknown>,
): Promise<void> {
  if (!o.wait && !o.out) {
    console.log(summary(job));
    return;
  }
  const final = await follow(api, job);
  console.log(summary(final));
  if (final.state !== 'succeeded') {
    process.exitCode = 1;
    return;
  }
  if (!o.out) return;
  const out = o.out as string;
  // The 1080p when there is one; a Market task's every result, the first at --out.
  const hd = final.files.find((f) => f.variant === '1080p');
  const files = hd ? [hd] : final.files.filter((f) => f.variant.startsWith('original'));
  for (const [i, f] of files.entries()) {
    const target = i === 0 ? out : numbered(out, i + 1);
    await pipeline(
      Readable.fromWeb((await api.download(final.id, f.variant)) as WebReadableStream),
      createWriteStream(target),
    );
    console.log(`saved ${f.variant} to ${target}`);
  }
}

/** `out.png` → `out-2.png`. */
function numbered(file: string, n: number): string {
  const dot = file.lastIndexOf('.');
  return dot > file.lastIndexOf('/') ? `${file.slice(0, dot)}-${n}${file.slice(dot)}` : `${file}-${n}`;
}

async function follow(api: ReturnType<typeof client>, job: JobView): Promise<JobView> {
  const bar = new SingleBar(
    { format: ' {bar} {state} | {elapsed}s', hideCursor: true, clearOnComplete: false },
    Presets.shades_classic,
  );
  const started = Date.now();
  bar.start(STEPS.length - 1, 0, { state: job.state, elapsed: 0 });
  const tick = setInterval(() => bar.update({ elapsed: Math.round((Date.now() - started) / 1000) }), 1000);
  let last = job;
  try {
    for await (const update of api.events(job.id)) {
      last = update;
      bar.update(Math.max(0, STEPS.indexOf(update.state)), { state: update.state });
      if (isFinalState(update.state)) break;
    }
    if (!isFinalState(last.state)) last = await api.get(job.id);
  } finally {
    clearInterval(tick);
    bar.stop();
  }
  return last;
}

program
  .command('status')
  .argument('<id>', 'job id')
  .action(async (id: string) => console.log(summary(await client().get(id))));

program
  .command('list')
  .option('--state <state>', 'only jobs in this state')
  .action(async (o: { state?: string }) => {
    const page = await client().list(o.state);
    for (const job of page.data)
      console.log(`${job.id}  ${job.state.padEnd(11)} ${job.createdAt}  ${job.prompt.slice(0, 60)}`);
    if (page.data.length === 0) console.log('no videos');
  });

program
  .command('cancel')
  .argument('<id>', 'job id')
  .action(async (id: string) => console.log(summary(await client().cancel(id))));

program.command('credits').action(async () => {
  const c = await client().credits();
  console.log(`balance ${c.balance}  held ${c.held}  available ${c.available}`);
  for (const e of c.entries.slice(0, 10))
    console.log(`  ${e.at}  ${e.kind.padEnd(7)} ${String(e.amount).padStart(6)}  ${e.jobId ?? ''}`);
});

try {
  await program.parseAsync();
} catch (err) {
  if (err instanceof ApiError) {
    console.error(`error ${err.status}: ${err.message}`);
    for (const f of err.problem.errors ?? []) console.error(`  ${f.field}: ${f.message}`);
  } else console.error(`error: ${err instanceof Error ? err.message : String(err)}`);
  process.exitCode = 1;
}
