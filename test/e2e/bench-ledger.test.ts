/**
 * `npm run bench:ledger` end to end, small, on each database: every case runs (each checks its own
 * outcome: the key found, the hold granted, the slot given or waited for) and the ledger it leaves
 * keeps its invariants. Its figures are printed for a reader, never checked.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import path from 'node:path';
import { it } from 'node:test';
import { promisify } from 'node:util';
import { DATABASE_KINDS, TEST_DATABASE_URL } from '../support/databases.js';

const execFileAsync = promisify(execFile);
const root = path.resolve(import.meta.dirname, '../..');

for (const database of DATABASE_KINDS) {
  void it(`bench:ledger runs every case on ${database} and leaves the ledger whole`, async () => {
    const { stdout } = await execFileAsync(
      process.execPath,
      [
        '--import',
        'tsx',
        'scripts/bench-ledger.ts',
        '--calls',
        '20',
        ...(database === 'postgres' ? ['--database-url', TEST_DATABASE_URL] : []),
      ],
      { cwd: root, timeout: 120_000 },
    );
    assert.match(stdout, new RegExp(`ledger on ${database}`));
    for (const label of [
      "a create's statements (key lookup, hold)",
      'a job from hold to capture',
      "a wait for KIE's window (full)",
    ]) {
      const line = stdout.split('\n').find((l) => l.trimStart().startsWith(label));
      assert.ok(line, `no row for ${label}:\n${stdout}`);
      assert.match(line, /CPU \d+\.\d\d ms {3}wall \d+\.\d\d ms$/);
    }
    assert.match(stdout, /ledger invariants +hold/);
  });
}
