/** Shared bits of the Market tests: createTask / recordInfo calls, waiting for the end, file checks. */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import type { MarketRecordData } from '../../src/kie-sim/index.js';
import { api, dataOf, download, waitFor, type Envelope } from './helpers.js';

/** data of GET /jobs/recordInfo (docs/kie-api.md#market). */
export type MarketRecord = MarketRecordData;

export interface MarketResult {
  resultUrls: string[];
  resultWaterMarkUrls?: string[];
}

export const createTask = (
  s: { url: string },
  body: unknown,
  headers?: Record<string, string>,
): Promise<Envelope> => api(s, 'POST', '/api/v1/jobs/createTask', body, headers);

/** createTask that must succeed; its task id. */
export async function created(
  s: { url: string },
  model: string,
  input: Record<string, unknown>,
  extra: Record<string, unknown> = {},
  headers?: Record<string, string>,
): Promise<string> {
  const r = await createTask(s, { model, input, ...extra }, headers);
  assert.equal(r.code, 200, r.msg);
  return dataOf<{ taskId: string }>(r).taskId;
}

export const info = async (s: { url: string }, taskId: string): Promise<MarketRecord> => {
  const r = await api(s, 'GET', `/api/v1/jobs/recordInfo?taskId=${encodeURIComponent(taskId)}`);
  assert.equal(r.code, 200, r.msg);
  return dataOf<MarketRecord>(r);
};

/** Waits for success or fail; returns the record. */
export const ended = (s: { url: string }, taskId: string): Promise<MarketRecord> =>
  waitFor(`market task ${taskId} to end`, async () => {
    const rec = await info(s, taskId);
    return rec.state === 'success' || rec.state === 'fail' ? rec : undefined;
  });

export const resultOf = (rec: MarketRecord): MarketResult => JSON.parse(rec.resultJson) as MarketResult;

export type Kind = 'png' | 'jpeg' | 'webp' | 'mp4';

const PNG_MAGIC = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** What the bytes are, by their magic numbers alone. */
export function sniff(bytes: Buffer): Kind | 'unknown' {
  if (bytes.subarray(0, 8).equals(PNG_MAGIC)) return 'png';
  if (bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'jpeg';
  if (bytes.toString('latin1', 0, 4) === 'RIFF' && bytes.toString('latin1', 8, 12) === 'WEBP') return 'webp';
  if (bytes.toString('latin1', 4, 8) === 'ftyp') return 'mp4';
  return 'unknown';
}

const CONTENT_TYPES: Record<Kind, string> = {
  png: 'image/png',
  jpeg: 'image/jpeg',
  webp: 'image/webp',
  mp4: 'video/mp4',
};
const EXTENSIONS: Record<Kind, string> = { png: '.png', jpeg: '.jpg', webp: '.webp', mp4: '.mp4' };

/** Downloads every URL and checks each is a whole file of `kind`; returns their SHA-256s. */
export async function assertFiles(urls: string[], kind: Kind): Promise<string[]> {
  const hashes: string[] = [];
  for (const url of urls) {
    assert.ok(url.endsWith(EXTENSIONS[kind]), `${url} ends in ${EXTENSIONS[kind]}`);
    const file = await download(url);
    assert.equal(file.status, 200, url);
    assert.equal(file.headers.get('content-type'), CONTENT_TYPES[kind]);
    assert.equal(Number(file.headers.get('content-length')), file.bytes.length);
    assert.equal(sniff(file.bytes), kind, `${url}: magic bytes`);
    hashes.push(createHash('sha256').update(file.bytes).digest('hex'));
  }
  return hashes;
}
