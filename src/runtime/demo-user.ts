/**
 * The demo user of the all-in-one stack: created once, topped up to the configured credits, with an
 * API key kept under DATA_DIR so the printed example keeps working across restarts.
 */
import { existsSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Stack } from './stack.js';

export async function ensureDemoUser(stack: Stack, credits: number) {
  const file = path.join(stack.config.dataDir, 'secrets', 'demo-user.json');
  let saved: { userId: string; apiKey: string } | null = existsSync(file)
    ? (JSON.parse(readFileSync(file, 'utf8')) as { userId: string; apiKey: string })
    : null;
  if (saved && !(await stack.ledger.findUserByApiKey(saved.apiKey))) saved = null;
  if (!saved) {
    const user = await stack.ledger.createUser({ name: 'demo' });
    const key = await stack.ledger.createApiKey(user.id);
    saved = { userId: user.id, apiKey: key.key };
    mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
    writeFileSync(file, JSON.stringify(saved), { mode: 0o600 });
  }
  const { available } = await stack.ledger.balance(saved.userId);
  if (available < credits) {
    // Keyed by day: restarting tops up at most once a day.
    const day = new Date().toISOString().slice(0, 10);
    await stack.ledger.grant({
      userId: saved.userId,
      amount: credits - available,
      idempotencyKey: `demo-topup:${day}`,
      note: 'demo top-up',
    });
  }
  return {
    name: 'demo',
    apiKey: saved.apiKey,
    available: (await stack.ledger.balance(saved.userId)).available,
  };
}
