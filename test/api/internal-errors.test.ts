/**
 * Internal error text never reaches the user: an archive that fails on a storage error (its message
 * names file paths) shows the job's user a plain message with a log reference, in `error` (the
 * original could not be stored: the job fails) and in `hdNote` (the 1080p could not: the job
 * succeeds without it); the worker's log has the full error under that reference.
 */
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { newJobId } from '../../src/services/video-jobs.js';
import type { JobView } from '../../src/domain/index.js';
import { client } from '../support/api-client.js';
import { captureLogs } from '../support/captured-logs.js';
import { startTestStack } from '../support/stack.js';

const REF = /\(ref ([0-9a-f]{12})\)/;

describe('internal errors', () => {
  it('a storage failure with paths shows a generic message and a log reference, in error and in hdNote', async (t) => {
    const archiveDir = await mkdtemp(path.join(tmpdir(), 'veo-internal-errors-'));
    t.after(() => rm(archiveDir, { recursive: true, force: true }));
    const { lines, logger } = captureLogs('warn');
    const stack = await startTestStack(t, {
      env: { ARCHIVE_DIR: archiveDir },
      timing: { retryInitialIntervalMs: 10 },
      logger,
    });
    const user = await stack.user(1000);
    const api = client(stack, user.apiKey);

    // A directory where the file should go: the rename that publishes it fails (EISDIR, both paths).
    const blockFile = async (jobId: string, variant: string) => {
      const dir = path.join(archiveDir, 'videos', jobId, `${variant}.mp4`);
      await mkdir(dir, { recursive: true });
      await writeFile(path.join(dir, 'occupied'), '');
    };
    const start = async (key: string, hd: boolean) => {
      const jobId = newJobId(user.id, key);
      await blockFile(jobId, hd ? '1080p' : 'original');
      await stack.start(user.id, { hd }, { idempotency: { key, requestHash: key } });
      return jobId;
    };
    const [failing, degraded] = await Promise.all([
      start('original-blocked', false),
      start('hd-blocked', true),
    ]);
    await Promise.all([stack.wait(failing), stack.wait(degraded)]);

    const failed = (await api('GET', `/v1/videos/${failing}`)).body as JobView;
    assert.equal(failed.state, 'failed');
    assert.deepEqual([failed.error?.source, failed.error?.code], ['archive', 'storage']);
    const succeeded = (await api('GET', `/v1/videos/${degraded}`)).body as JobView;
    assert.equal(succeeded.state, 'succeeded');
    assert.equal(succeeded.hd, 'unavailable');

    for (const shown of [failed.error?.message ?? '', succeeded.hdNote ?? '']) {
      assert.ok(
        !shown.includes(archiveDir) && !/EISDIR|\/tmp|\bat \w/.test(shown),
        `internal text shown: ${shown}`,
      );
      assert.match(shown, /could not be stored/);
      const ref = REF.exec(shown)?.[1];
      assert.ok(ref, `a log reference in: ${shown}`);
      const logged = lines.filter((l) => l.includes(ref));
      assert.equal(logged.length, 1, `one log line under ref ${ref}`);
      assert.ok(logged[0]!.includes(archiveDir) && logged[0]!.includes('EISDIR'), logged[0]);
    }
    await stack.assertInvariants();
  });
});
