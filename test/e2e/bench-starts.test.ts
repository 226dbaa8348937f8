/**
 * `npm run bench:starts` end to end, small: every phase runs (the burner's too), each waits for its
 * first workflow tasks (a visibility count of the version marker or of completions: it would hang, and
 * fail here, if what it counts were no longer written), and the ledger it leaves holds exactly what the
 * creates held. Only that it works is asserted; its rates are printed for a reader, never checked.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import path from 'node:path';
import { it } from 'node:test';
import { promisify } from 'node:util';
import { loadConfig } from '../../src/config.js';

const execFileAsync = promisify(execFile);
const root = path.resolve(import.meta.dirname, '../..');

it('bench:starts runs every phase and leaves the ledger whole', { timeout: 300_000 }, async () => {
  const jobs = 20;
  const warmup = 5;
  const { stdout } = await execFileAsync(
    process.execPath,
    [
      '--import',
      'tsx',
      'scripts/bench-starts.ts',
      ...['--jobs', String(jobs), '--warmup', String(warmup), '--concurrency', '4', '--burn', '0.3'],
    ],
    { cwd: root, timeout: 280_000, maxBuffer: 4 * 1024 * 1024 },
  );
  for (const label of [
    'floor (plain start, trivial workflow)',
    "Temporal's part (no HTTP, no ledger)",
    'our job starts (POST→202, held)',
    'floor again, after ours',
    "Temporal's part, 0.3 core burned",
  ]) {
    const line = stdout.split('\n').find((l) => l.trimStart().startsWith(label));
    assert.ok(line, `no row for ${label}:\n${stdout}`);
    assert.match(line, /\/s {3}p50 \d+ ms {2}p95 \d+ ms {2}p99 \d+ ms {3}first tasks done meanwhile \d+ %/);
  }
  assert.match(stdout, /the load generator +\d+\.\d ms CPU per start/);
  assert.match(
    stdout,
    new RegExp(
      `idle, ${jobs + warmup} jobs waiting \\(10 s\\) +Temporal server \\d+\\.\\d\\d core, our process \\d+\\.\\d\\d core: \\d+\\.\\d ms of ours per start at its rate`,
    ),
  );
  // Whatever the server did while they waited, by kind: some database work (their submits) is named.
  assert.match(stdout, /idle, server database requests \/s +[A-Za-z]+ \d+\.\d(, [A-Za-z]+ \d+\.\d)*\n/);
  assert.match(stdout, /ratio +\d+\.\d\d/);
  assert.match(stdout, /the same, 0\.3 core burned +\d+\.\d\d {2}\(to the floor after ours \d+\.\d\d\)/);
  assert.match(stdout, /per job until generating +\d+\.\d history events/);
  const price = loadConfig({}).prices.veo3_fast;
  assert.match(stdout, new RegExp(`credits held +${(jobs + warmup) * price} for ${jobs + warmup} jobs`));
  assert.match(stdout, /ledger invariants +hold/);
});
