/**
 * The `veo` command, run as a user would (`bin/veo.js` in a child process) against a running stack:
 * generate with --wait --out writes the archived MP4; status, list and credits answer; a bad key
 * fails with a clear message and a non-zero exit.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { promisify } from 'node:util';
import { startTestStack } from '../support/stack.js';
import type { ArchivedFile, MarketRequest, VideoRequest } from '../../src/domain/index.js';
import type { JobRecord } from '../../src/ledger/index.js';

const execFileAsync = promisify(execFile);
const veoBin = path.resolve(import.meta.dirname, '../../bin/veo.js');

function veo(args: string[], env: Record<string, string>) {
  return execFileAsync(process.execPath, [veoBin, ...args], {
    env: { ...process.env, ...env },
    timeout: 120_000,
  });
}

/** The job id the CLI's summary starts with; fails the test when there is none. */
function jobIdIn(stdout: string): string {
  const id = /^(job_\w+)/m.exec(stdout)?.[1];
  assert.ok(id, stdout);
  return id;
}

describe('veo CLI', () => {
  it('generate --hd --wait --out writes the 1080p file; status, list, credits answer', async (t) => {
    const stack = await startTestStack(t);
    const user = await stack.user(500);
    const dir = await mkdtemp(path.join(tmpdir(), 'veo-cli-'));
    t.after(() => rm(dir, { recursive: true, force: true }));
    const env = { VEO_API_URL: stack.apiUrl!, VEO_API_KEY: user.apiKey };
    const out = path.join(dir, 'fox.mp4');

    const gen = await veo(
      ['generate', 'A red fox running through snow', '--hd', '--wait', '--out', out],
      env,
    );
    assert.match(gen.stdout, /succeeded/);
    assert.match(gen.stdout, /saved 1080p to /);
    const jobId = jobIdIn(gen.stdout);

    const job = await stack.ledger.getJob(jobId);
    const hd = job?.files.find((f) => f.variant === '1080p');
    const bytes = await readFile(out);
    assert.equal(createHash('sha256').update(bytes).digest('hex'), hd?.sha256);
    assert.equal(
      hd?.sha256,
      stack.simulator!.videoSha256(job!.kieTaskId!, '1080p'),
      'the bytes KIE served for the 1080p',
    );

    assert.match((await veo(['status', jobId], env)).stdout, new RegExp(`${jobId}\\s+succeeded`));
    assert.match((await veo(['list', '--state', 'succeeded'], env)).stdout, new RegExp(jobId));
    assert.match((await veo(['credits'], env)).stdout, new RegExp(String(500 - job!.price)));
  });

  it('generate passes --model --aspect --seed --watermark --api-url --api-key; cancel releases the credits', async (t) => {
    // The cancel may land before or after KIE has the task: under the refund policy both give all back.
    const stack = await startTestStack(t, {
      env: { CANCEL_AFTER_SUBMIT: 'refund' },
      sim: { durationsMs: { veo3_lite: 60_000 } },
    });
    const user = await stack.user(100);
    const flags = ['--api-url', stack.apiUrl!, '--api-key', user.apiKey];
    const gen = await veo(
      [
        ...flags,
        'generate',
        'A paper boat',
        '--model',
        'veo3_lite',
        '--aspect',
        '9:16',
        '--seed',
        '12345',
        '--watermark',
        'studio',
      ],
      {},
    );
    const jobId = jobIdIn(gen.stdout);
    const job = (await stack.ledger.getJob(jobId)) as (JobRecord & { request: VideoRequest }) | null;
    assert.deepEqual(
      {
        model: job?.request.model,
        aspect: job?.request.aspectRatio,
        seed: job?.request.seed,
        mark: job?.request.watermark,
      },
      { model: 'veo3_lite', aspect: '9:16', seed: 12345, mark: 'studio' },
    );
    await veo([...flags, 'cancel', jobId], {});
    assert.equal((await stack.wait(jobId)).state, 'canceled');
    assert.deepEqual(await stack.ledger.balance(user.id), { balance: 100, held: 0, available: 100 });
    await stack.assertInvariants();
  });

  it('image --model --image --option --wait --out writes every image; generate --model kling-2.6 --option', async (t) => {
    const stack = await startTestStack(t, { sim: { marketImageCount: 2 } });
    const user = await stack.user(1000);
    const dir = await mkdtemp(path.join(tmpdir(), 'veo-cli-'));
    t.after(() => rm(dir, { recursive: true, force: true }));
    const env = { VEO_API_URL: stack.apiUrl!, VEO_API_KEY: user.apiKey };
    const out = path.join(dir, 'snow.jpg');
    const image = await veo(
      [
        'image',
        'Make it snow',
        '--model',
        'nano-banana',
        '--image',
        'https://example.com/street.png',
        '--option',
        'outputFormat=jpeg',
        'aspectRatio=16:9',
        '--out',
        out,
      ],
      env,
    );
    assert.match(image.stdout, /succeeded/);
    const job = await stack.ledger.getJob(jobIdIn(image.stdout));
    assert.deepEqual(job?.request, {
      api: 'market',
      model: 'nano-banana',
      mode: 'image-to-image',
      prompt: 'Make it snow',
      imageUrls: ['https://example.com/street.png'],
      options: { outputFormat: 'jpeg', aspectRatio: '16:9' },
    });
    for (const [file, variant] of [
      [out, 'original'],
      [path.join(dir, 'snow-2.jpg'), 'original-2'],
    ] as const) {
      const bytes = await readFile(file);
      assert.equal(bytes[0], 0xff, `${file} is a JPEG`);
      const files: ArchivedFile[] = job?.files ?? [];
      const sha = files.find((f) => f.variant === variant)?.sha256;
      assert.equal(createHash('sha256').update(bytes).digest('hex'), sha);
    }

    const video = await veo(
      ['generate', 'A kite', '--model', 'kling-2.6', '--option', 'duration=10', 'sound=true', '--wait'],
      env,
    );
    assert.match(video.stdout, /succeeded\s+kling-2\.6/);
    const kling = await stack.ledger.getJob(jobIdIn(video.stdout));
    assert.deepEqual((kling?.request as MarketRequest).options, {
      duration: '10',
      aspectRatio: '16:9',
      sound: true,
    });
    assert.equal(kling?.price, 4 * stack.config.prices['kling-2.6']);

    // The other two models, with an option of each typed from the catalogue (seed: a number).
    const imagen = await veo(
      ['image', 'A paper boat', '--model', 'imagen4', '--option', 'seed=7', '--wait'],
      env,
    );
    assert.match(imagen.stdout, /succeeded\s+imagen4/);
    const imagenJob = await stack.ledger.getJob(jobIdIn(imagen.stdout));
    assert.equal((imagenJob?.request as MarketRequest).options.seed, 7);
    assert.equal(imagenJob?.files.length, 2);
    const soraOut = path.join(dir, 'waves.mp4');
    const sora = await veo(
      [
        'generate',
        'Waves',
        '--model',
        'sora-2',
        '--image',
        'https://example.com/beach.png',
        '--out',
        soraOut,
      ],
      env,
    );
    assert.match(sora.stdout, /succeeded\s+sora-2/);
    assert.equal((await readFile(soraOut)).toString('latin1', 4, 8), 'ftyp');

    await assert.rejects(
      veo(['image', 'x', '--model', 'imagen4', '--option', 'colour=red'], env),
      (err: { stderr: string }) => /options\.colour/.test(err.stderr),
    );
    await stack.assertInvariants();
  });

  it('a wrong API key: a clear error, exit code non-zero', async (t) => {
    const stack = await startTestStack(t);
    await assert.rejects(
      veo(['credits'], { VEO_API_URL: stack.apiUrl!, VEO_API_KEY: 'not-a-key' }),
      (err: { code: number; stderr: string }) => {
        assert.notEqual(err.code, 0);
        assert.match(err.stderr, /401|API key/i);
        return true;
      },
    );
  });
});
