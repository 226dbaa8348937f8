/**
 * The load generator's HTTP/1.1 client: one keep-alive socket per concurrent caller, the request's
 * head written as one string, the answer read by its Content-Length. The clients of `bench:starts`
 * are remote in production; on the bench box they share its two cores with the server and with us,
 * so they should cost as little CPU as they can. node:http's client (ClientRequest, IncomingMessage,
 * their streams) costs a few times more per request than this.
 *
 * It reads only what our API answers: a status line, headers, a body framed by Content-Length (what
 * Express's `res.json` sends). Anything else — chunked framing, an early close — fails the call
 * loudly rather than being guessed at.
 */
import net from 'node:net';

export interface LeanResponse {
  status: number;
  body: string;
}

const HEAD_END = Buffer.from('\r\n\r\n');

/** One connection; `request` calls run one at a time on it (the caller awaits each). */
export function leanConnection(base: string) {
  const url = new URL(base);
  const socket = net.connect({ host: url.hostname, port: Number(url.port), noDelay: true });
  let buffered: Buffer = Buffer.alloc(0);
  let waiting: { resolve: (r: LeanResponse) => void; reject: (e: Error) => void } | null = null;
  let failed: Error | null = null;

  const fail = (err: Error) => {
    failed = err;
    waiting?.reject(err);
    waiting = null;
  };
  socket.on('error', fail);
  socket.on('close', () => fail(new Error('the API closed the connection')));
  socket.on('data', (chunk: Buffer) => {
    buffered = buffered.length === 0 ? chunk : Buffer.concat([buffered, chunk]);
    const headEnd = buffered.indexOf(HEAD_END);
    if (headEnd < 0 || !waiting) return;
    const head = buffered.toString('latin1', 0, headEnd);
    const length = /\r\ncontent-length: *(\d+)/i.exec(head);
    if (!length) return fail(new Error(`an answer without Content-Length: ${head.split('\r\n')[0]}`));
    const end = headEnd + HEAD_END.length + Number(length[1]);
    if (buffered.length < end) return;
    const body = buffered.toString('utf8', headEnd + HEAD_END.length, end);
    buffered = buffered.subarray(end);
    const done = waiting;
    waiting = null;
    done.resolve({ status: Number(head.slice(9, 12)), body });
  });

  return {
    /** POST `path` with a JSON `body` and a bearer key; the answer's status and body. */
    post(path: string, key: string, body: string): Promise<LeanResponse> {
      if (failed) return Promise.reject(failed);
      return new Promise((resolve, reject) => {
        waiting = { resolve, reject };
        socket.write(
          `POST ${path} HTTP/1.1\r\nhost: ${url.host}\r\nauthorization: Bearer ${key}\r\n` +
            `content-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
        );
      });
    },
    close(): void {
      socket.removeAllListeners('close');
      socket.end();
    },
  };
}
