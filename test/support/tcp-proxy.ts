/**
 * A TCP proxy a test can cut: `blackhole()` drops whatever clients send from then on (their requests
 * hang, as behind a dead network path), `muteReplies()` whatever the server answers, without closing
 * anything. For faults between our processes (and Temporal, or KIE) that a real server cannot be asked
 * to produce.
 */
import net from 'node:net';
import type { AddressInfo } from 'node:net';

export interface TcpProxy {
  address: string;
  blackhole(): void;
  /** Requests still arrive, their answers are dropped: as if the reply path died after the server acted. */
  muteReplies(): void;
  /** Back to passing everything both ways (connections opened from now on). */
  heal(): void;
  close(): Promise<void>;
}

export async function startTcpProxy(target: string): Promise<TcpProxy> {
  const [host, port] = [
    target.slice(0, target.lastIndexOf(':')),
    Number(target.slice(target.lastIndexOf(':') + 1)),
  ];
  let dropping = false;
  let muted = false;
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const upstream = net.connect(port, host);
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
      s.on('error', () => undefined);
    }
    client.on('data', (chunk) => {
      if (!dropping) upstream.write(chunk);
    });
    upstream.on('data', (chunk) => {
      if (!muted) client.write(chunk);
    });
    client.on('close', () => upstream.destroy());
    // Muted, the server's close is not passed on either: the client waits, as for an answer lost on the way.
    upstream.on('close', () => {
      if (!muted) client.destroy();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    address: `127.0.0.1:${(server.address() as AddressInfo).port}`,
    blackhole() {
      dropping = true;
    },
    muteReplies() {
      muted = true;
    },
    heal() {
      dropping = false;
      muted = false;
    },
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
