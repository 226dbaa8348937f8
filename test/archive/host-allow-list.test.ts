import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { hostAllowed } from '../../src/archive/index.js';

void describe('hostAllowed', () => {
  const allowed = ['*.aiquickdraw.com', 'kie.ai', '127.0.0.1'];

  void it('matches exact hostnames, case-insensitively, whatever the port and path', () => {
    assert.equal(hostAllowed('https://kie.ai/files/a.mp4', allowed), true);
    assert.equal(hostAllowed('https://KIE.AI:8443/a.mp4', allowed), true);
    assert.equal(hostAllowed('http://127.0.0.1:4000/a.mp4', allowed), true);
    assert.equal(hostAllowed('https://kie.ai./a.mp4', allowed), true, 'a trailing dot names the same host');
  });

  void it('matches wildcard subdomains at any depth, but not the apex', () => {
    assert.equal(hostAllowed('https://tempfile.aiquickdraw.com/a.mp4', allowed), true);
    assert.equal(hostAllowed('https://a.b.aiquickdraw.com/a.mp4', allowed), true);
    assert.equal(hostAllowed('https://aiquickdraw.com/a.mp4', allowed), false);
  });

  void it('refuses look-alikes', () => {
    assert.equal(hostAllowed('https://evilaiquickdraw.com/a.mp4', allowed), false);
    assert.equal(hostAllowed('https://aiquickdraw.com.evil.example/a.mp4', allowed), false);
    assert.equal(
      hostAllowed('https://api.kie.ai/a.mp4', allowed),
      false,
      'an exact name does not cover subdomains',
    );
    assert.equal(
      hostAllowed('https://kie.ai@evil.example/a.mp4', allowed),
      false,
      'userinfo is not the host',
    );
    assert.equal(hostAllowed('http://127.0.0.1.nip.io/a.mp4', allowed), false);
  });

  void it('refuses other schemes and invalid URLs', () => {
    assert.equal(hostAllowed('file:///etc/passwd', allowed), false);
    assert.equal(hostAllowed('ftp://kie.ai/a.mp4', allowed), false);
    assert.equal(hostAllowed('not a url', allowed), false);
    assert.equal(hostAllowed('https://kie.ai/a.mp4', []), false);
    assert.equal(hostAllowed('https://kie.ai/a.mp4', ['', ' ']), false);
  });
});
