/** The one Range header reader: every form HTTP allows for a single range, and what is refused. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseRangeHeader, resolveRange } from '../../src/storage/index.js';

void describe('parseRangeHeader', () => {
  const size = 1000;

  void it('reads bytes=a-b, bytes=a- and bytes=-n as inclusive offsets, clamped to the object', () => {
    const cases: [string, number, number][] = [
      ['bytes=0-7', 0, 7],
      ['bytes=990-', 990, 999],
      ['bytes=-16', 984, 999],
      ['bytes=-5000', 0, 999],
      ['bytes=100-5000', 100, 999],
      [' bytes=1-1 ', 1, 1],
    ];
    for (const [header, start, end] of cases) {
      assert.deepEqual(parseRangeHeader(header, size), { start, end }, header);
    }
  });

  void it('answers the whole object (null) when there is no single byte range', () => {
    for (const header of [undefined, '', 'bytes=-', 'items=0-5', 'bytes=0-5,10-20', 'bytes=a-b']) {
      assert.equal(parseRangeHeader(header, size), null, String(header));
    }
  });

  void it('refuses ranges outside the object', () => {
    for (const header of ['bytes=1000-', 'bytes=1000-1200', 'bytes=5-3', 'bytes=-0']) {
      assert.equal(parseRangeHeader(header, size), 'unsatisfiable', header);
    }
    assert.equal(parseRangeHeader('bytes=0-', 0), 'unsatisfiable');
  });

  void it('resolveRange throws on a range a caller should have refused', () => {
    assert.throws(() => resolveRange({ start: 10, end: 5 }, size), RangeError);
    assert.deepEqual(resolveRange({ start: 10 }, size), { start: 10, end: 999 });
  });
});
