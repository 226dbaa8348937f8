/** A real HTTP server on 127.0.0.1:0 for the archive tests, with one handler per path and hit counts. */
import { once } from 'node:events';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export type Handler = (req: IncomingMessage, res: ServerResponse) => void | Promise<void>;

export interface FileServer {
  /** `http://127.0.0.1:<port><path>` */
  url(path: string): string;
  port: number;
  hits(path: string): number;
  close(): Promise<void>;
}

export async function startFileServer(routes: Record<string, Handler>): Promise<FileServer> {
  const hits = new Map<string, number>();
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    hits.set(path, (hits.get(path) ?? 0) + 1);
    const handler = routes[path];
    if (!handler) {
      res.writeHead(404).end('not found');
      return;
    }
    Promise.resolve(handler(req, res)).catch((err: unknown) => {
      // Errors after a client went away (EPIPE, aborted writes) are part of several scenarios.
      if (!res.headersSent) res.writeHead(500).end(String(err));
      else res.destroy();
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    port,
    url: (path) => `http://127.0.0.1:${port}${path}`,
    hits: (path) => hits.get(path) ?? 0,
    close: async () => {
      server.closeAllConnections();
      server.close();
      await once(server, 'close');
    },
  };
}

/** Writes `bytes` with backpressure; `res.write` alone would buffer the whole file in the server. */
export async function writeAll(res: ServerResponse, bytes: Buffer, chunkSize = 64 * 1024): Promise<void> {
  for (let at = 0; at < bytes.length; at += chunkSize) {
    if (!res.write(bytes.subarray(at, at + chunkSize))) await once(res, 'drain');
  }
}
