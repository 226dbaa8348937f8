/**
 * Downloads reach public https hosts only: http is refused, and so is any host that is, or resolves to,
 * a loopback, private, link-local, unique-local or unspecified address (IPv4-mapped forms included).
 * The check is in the socket's own DNS lookup (so the address checked is the one connected to) and
 * nothing connects when it fails: a TCP server counts connections. Hosts listed as local (the
 * simulator in tests and development) are exempt.
 */
import assert from 'node:assert/strict';
import type { LookupAddress } from 'node:dns';
import { once } from 'node:events';
import { createServer, type AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { ArchiveError, archiveFromUrl, type ArchiveOptions } from '../../src/archive/index.js';
import { publicOnlyLookup } from '../../src/archive/open-download.js';
import { isPublicAddress } from '../../src/security/public-address.js';
import { createLocalStorage } from '../../src/storage/index.js';
import { makeTempDir } from '../storage/temp-dir.js';
import { startFileServer, type FileServer } from './file-server.js';
import { sampleMp4 } from './mp4-fixture.js';

const MP4 = sampleMp4();
let files: FileServer;
/** Any TCP connection to it is a connection that should not have been made. */
let trap: { port: number; connections: number; close(): Promise<void> };
let storageDir: { dir: string; remove: () => Promise<void> };

before(async () => {
  files = await startFileServer({
    '/video.mp4': (_req, res) => void res.writeHead(200, { 'content-length': String(MP4.length) }).end(MP4),
    '/to-localhost': (_req, res) =>
      void res.writeHead(302, { location: `https://localhost:${trap.port}/video.mp4` }).end(),
  });
  const server = createServer((socket) => {
    trap.connections++;
    socket.destroy();
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  trap = {
    port: (server.address() as AddressInfo).port,
    connections: 0,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
  storageDir = await makeTempDir('download-policy');
});

after(async () => {
  await files.close();
  await trap.close();
  await storageDir.remove();
});

/** DNS as the test says: every name resolves to `addresses`. */
const dnsAnswering =
  (...addresses: string[]) =>
  async (): Promise<LookupAddress[]> =>
    addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));

const archive = (url: string, opts: Partial<ArchiveOptions>) =>
  archiveFromUrl({
    url,
    storage: createLocalStorage({ dir: storageDir.dir }),
    key: 'videos/job_policy/original.mp4',
    allowedHosts: [],
    maxBytes: 10 * 1024 * 1024,
    timeoutMs: 5_000,
    ...opts,
  });

async function refused(promise: Promise<unknown>, why: RegExp): Promise<void> {
  const err: unknown = await promise.then(
    () => assert.fail('the download was not refused'),
    (e: unknown) => e,
  );
  assert.ok(err instanceof ArchiveError, String(err));
  assert.equal(err.kind, 'host_not_allowed');
  assert.equal(err.retryable, false);
  assert.match(err.message, why);
  assert.equal(trap.connections, 0, 'nothing was connected to');
}

void describe('download policy', () => {
  void it('public addresses only: loopback, private, link-local, ULA, unspecified and their IPv6 forms are not', () => {
    for (const ip of ['8.8.8.8', '172.32.0.1', '2606:4700:4700::1111', '::ffff:8.8.8.8', '2002:808:808::1']) {
      assert.equal(isPublicAddress(ip), true, ip);
    }
    for (const ip of [
      ...['127.0.0.1', '127.255.0.9', '10.0.0.1', '172.16.0.1', '172.31.255.255', '192.168.1.1'],
      ...['169.254.169.254', '0.0.0.0', '100.64.0.1', '224.0.0.1', '255.255.255.255'],
      ...['::1', '::', 'fe80::1', 'fe80::1%eth0', 'fc00::1', 'fd00:ec2::254', 'ff02::1', '2001:db8::1'],
      ...['::ffff:127.0.0.1', '::ffff:7f00:1', '::ffff:10.0.0.1', '::ffff:a9fe:a9fe', '::127.0.0.1'],
      ...['64:ff9b::a00:1', '2002:7f00:1::', '[::1]', 'not-an-ip'],
    ]) {
      assert.equal(isPublicAddress(ip), false, ip);
    }
  });

  void it("the socket's lookup refuses a name with any non-public address (also IPv4-mapped)", async () => {
    const lookup = (resolve: () => Promise<LookupAddress[]>, all: boolean) =>
      new Promise<{ err: NodeJS.ErrnoException | null; address: unknown }>((done) =>
        publicOnlyLookup(resolve)('files.example', { all }, (err, address) => done({ err, address })),
      );
    for (const answer of [['8.8.8.8', '10.0.0.1'], ['::ffff:127.0.0.1'], ['169.254.169.254'], []]) {
      const { err } = await lookup(dnsAnswering(...answer), false);
      assert.equal(err?.code, 'ERR_ADDRESS_NOT_ALLOWED', answer.join());
    }
    assert.deepEqual(await lookup(dnsAnswering('8.8.8.8'), false), { err: null, address: '8.8.8.8' });
    assert.deepEqual(await lookup(dnsAnswering('8.8.8.8', '2606:4700::1'), true), {
      err: null,
      address: [
        { address: '8.8.8.8', family: 4 },
        { address: '2606:4700::1', family: 6 },
      ],
    });
  });

  void it('refuses http, loopback literals and names that resolve to loopback, without connecting', async () => {
    const allowedHosts = ['127.0.0.1', '*.kie.test', 'localhost'];
    await refused(archive(`http://127.0.0.1:${trap.port}/video.mp4`, { allowedHosts }), /only https/);
    await refused(
      archive(`https://127.0.0.1:${trap.port}/video.mp4`, { allowedHosts }),
      /not a public address/,
    );
    await refused(
      archive(`https://[::ffff:127.0.0.1]:${trap.port}/video.mp4`, { allowedHosts: ['[::ffff:7f00:1]'] }),
      /not a public address/,
    );
    await refused(
      archive(`https://tempfile.kie.test:${trap.port}/video.mp4`, {
        allowedHosts,
        resolve: dnsAnswering('127.0.0.1'),
      }),
      /resolves to an address that is not public/,
    );
    // The system's resolver: localhost is loopback (/etc/hosts).
    await refused(
      archive(`https://localhost:${trap.port}/video.mp4`, { allowedHosts }),
      /resolves to an address that is not public/,
    );
    // Reached by a redirect from a local host: checked again.
    await refused(
      archive(files.url('/to-localhost'), { allowedHosts, localHosts: ['127.0.0.1'] }),
      /localhost.*redirect.*not public/,
    );
  });

  void it('local hosts (the simulator) are exempt: http, and the address their name resolves to at connect time', async () => {
    const url = `http://sim.kie.test:${files.port}/video.mp4`;
    const answered = await archive(url, { localHosts: ['sim.kie.test'], resolve: dnsAnswering('127.0.0.1') });
    assert.equal(answered.size, MP4.length, 'connected where the resolver said');
    await refused(
      archive(url.replace('http:', 'https:'), {
        allowedHosts: ['sim.kie.test'],
        resolve: dnsAnswering('127.0.0.1'),
      }),
      /not public/,
    );
  });
});
