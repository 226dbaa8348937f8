/** Asserting a KieError's decision fields — and that the API key appears nowhere in it. */
import assert from 'node:assert/strict';
import { inspect } from 'node:util';
import { KieError } from '../../src/kie/index.js';

export async function rejectsWithKieError(
  p: Promise<unknown>,
  fields: Partial<KieError>,
  apiKey: string,
): Promise<KieError> {
  const err = await p.then(
    () => assert.fail(`expected a KieError with ${JSON.stringify(fields)}`),
    (e: unknown) => e,
  );
  assert.ok(err instanceof KieError, `not a KieError: ${String(err)}`);
  const actual = err as unknown as Record<string, unknown>;
  for (const [k, v] of Object.entries(fields)) assert.deepEqual(actual[k], v, `${k} of ${err.message}`);
  for (const text of [err.message, err.stack ?? '', JSON.stringify(err), inspect(err), String(err)]) {
    assert.ok(!text.includes(apiKey), `API key leaked in: ${text}`);
  }
  return err;
}
