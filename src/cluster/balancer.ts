/**
 * A round-robin TCP load balancer for the local cluster: the one public address in front of the API
 * processes, as a cloud load balancer or nginx would be in production. KIE's callbacks reach the
 * webhook through it (PUBLIC_BASE_URL), so they land on every API. A backend that refuses the
 * connection is skipped for that connection.
 */
import net from 'node:net';
import type { AddressInfo } from 'node:net';

export interface Backend {
  host: string;
  port: number;
}

export interface Balancer {
  url: string;
  close(): Promise<void>;
}

export async function startBalancer(backends: Backend[], port = 0, host = '127.0.0.1'): Promise<Balancer> {
  let next = 0;
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    sockets.add(client);
    client.once('close', () => sockets.delete(client));
    const connect = (tries: number) => {
      const target = backends[next++ % backends.length]!;
      const upstream = net.connect(target.port, target.host);
      let connected = false;
      sockets.add(upstream);
      upstream.once('close', () => sockets.delete(upstream));
      upstream.once('connect', () => {
        connected = true;
        client.pipe(upstream).pipe(client);
        upstream.once('close', () => client.destroy());
        client.once('close', () => upstream.destroy());
      });
      upstream.on('error', () => {
        // Refused (that API is down): the next one gets this connection; afterwards: both ends close.
        if (!connected && tries + 1 < backends.length && !client.destroyed) connect(tries + 1);
        else client.destroy();
      });
    };
    client.on('error', () => undefined); // a client gone mid-request: its 'close' tears down the upstream
    connect(0);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const addr = server.address() as AddressInfo;
  return {
    url: `http://${host}:${addr.port}`,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
