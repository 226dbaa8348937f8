/** Loading the KIE payload fixtures (test/fixtures/kie/*.json) and describing what each must decode to. */
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { envelopeSchema, KieError, type KieAnswer } from '../../src/kie/index.js';

const dir = fileURLToPath(new URL('../fixtures/kie/', import.meta.url));

export function loadFixture(name: string): unknown {
  return JSON.parse(readFileSync(`${dir}${name}.json`, 'utf8')) as unknown;
}

export function fixtureNames(): string[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .map((f) => f.slice(0, -'.json'.length))
    .sort();
}

/** One fixture, how it is decoded, and the normalised value (or error) it must produce. */
export interface FixtureCase {
  fixture: string;
  decode: (raw: unknown) => unknown;
  expected: unknown;
}

/** A stored reply as the client sees it after the HTTP layer (KIE's default: HTTP 200 + body code). */
export const answerOf = (raw: unknown): KieAnswer => ({ env: envelopeSchema.parse(raw), httpStatus: 200 });

/** Runs a decoder and captures either its value or the KieError's decision-relevant fields. */
export function outcome(fn: () => unknown): unknown {
  try {
    return { value: fn() };
  } catch (err) {
    if (!(err instanceof KieError)) throw err;
    const { code, msg, endpoint, kind, httpStatus, requestSent, malformedReply } = err;
    return { error: { code, msg, endpoint, kind, httpStatus, requestSent, malformedReply } };
  }
}

/** The `outcome` of a KIE rejection answered as HTTP 200. */
export const rejected = (
  endpoint: string,
  code: number,
  msg: string,
  kind: 'retryable' | 'permanent' | 'pending',
) => ({
  error: { code, msg, endpoint, kind, httpStatus: 200, requestSent: true, malformedReply: false },
});

export const utc = (s: string) => new Date(s);
