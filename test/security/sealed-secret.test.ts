/**
 * Customers' signing secrets are stored sealed (AES-256-GCM, the user id authenticated): they open
 * for their owner under the server's key, and for nobody else, under no other key, altered in no way.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { deriveKey } from '../../src/security/derived-keys.js';
import { createSecretSealer, UnsealError } from '../../src/security/sealed-secret.js';

const sealer = createSecretSealer(deriveKey('a-root-secret-of-at-least-32-characters!', 'sealed-secrets'));

describe('sealed secrets', () => {
  it('open for their owner, under the same key', () => {
    const sealed = sealer.seal('whsec_c2VjcmV0', 'usr_1');
    assert.match(sealed, /^v1\./);
    assert.ok(!sealed.includes('c2VjcmV0'), 'the plaintext is not visible');
    assert.notEqual(sealer.seal('whsec_c2VjcmV0', 'usr_1'), sealed, 'a fresh iv per seal');
    assert.equal(sealer.open(sealed, 'usr_1'), 'whsec_c2VjcmV0');
  });

  it('do not open for another user, under another key, or altered', () => {
    const sealed = sealer.seal('whsec_c2VjcmV0', 'usr_1');
    assert.throws(() => sealer.open(sealed, 'usr_2'), UnsealError);
    const other = createSecretSealer(deriveKey('another-root-secret-of-32-characters!!', 'sealed-secrets'));
    assert.throws(() => other.open(sealed, 'usr_1'), UnsealError);
    const [v, iv, data, tag] = sealed.split('.') as [string, string, string, string];
    const flipped = `${data.startsWith('A') ? 'B' : 'A'}${data.slice(1)}`;
    assert.throws(() => sealer.open([v, iv, flipped, tag].join('.'), 'usr_1'), UnsealError);
    assert.throws(() => sealer.open('whsec_c2VjcmV0', 'usr_1'), UnsealError);
  });
});
