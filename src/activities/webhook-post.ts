/**
 * One POST to a customer's webhook URL over node:http(s), connecting only to addresses the policy
 * allows (src/security/webhook-target.ts): the name is resolved here, every address checked, and the
 * connection made to a checked one, so DNS cannot point us elsewhere between check and connect. TLS
 * still verifies the certificate against the host name. Redirects are never followed: the status is
 * returned as it is.
 */
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import { isIP, type LookupFunction } from 'node:net';
import { addressAllowed, type WebhookTargets } from '../security/webhook-target.js';

/** The host resolves to (or is) an address the policy refuses: no request was sent. */
export class WebhookTargetRefused extends Error {
  override name = 'WebhookTargetRefused';
}

export interface WebhookPost {
  url: string;
  headers: Record<string, string>;
  body: string;
  targets: WebhookTargets;
  /** The whole exchange: connect, send, status and (discarded) body. */
  timeoutMs: number;
}

export interface WebhookReply {
  status: number;
  /** Retry-After, when the receiver sent one in seconds. */
  retryAfterSeconds: number | null;
}

/** What a receiver may answer that we read (and drop): enough for any acknowledgement. */
const MAX_REPLY_BYTES = 64 * 1024;

export function postWebhook(p: WebhookPost): Promise<WebhookReply> {
  const url = new URL(p.url);
  const host = url.hostname.replace(/^\[|\]$/g, '');
  // A literal address is connected to as is (no lookup): check it here.
  if (isIP(host) && !addressAllowed(host, p.targets))
    return Promise.reject(new WebhookTargetRefused(`${host} is not an allowed address`));
  const transport = url.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const req = transport.request(
      {
        method: 'POST',
        protocol: url.protocol,
        hostname: host,
        port: url.port || undefined,
        path: `${url.pathname}${url.search}`,
        headers: {
          'content-type': 'application/json',
          'content-length': String(Buffer.byteLength(p.body)),
          'user-agent': 'veo-pipeline-webhooks/1',
          ...p.headers,
        },
        lookup: checkedLookup(p.targets),
        signal: AbortSignal.timeout(p.timeoutMs),
        agent: false,
      },
      (res) => {
        let read = 0;
        res.on('data', (chunk: Buffer) => {
          read += chunk.length;
          if (read > MAX_REPLY_BYTES) res.destroy(); // the status is all we need
        });
        const done = () => {
          const after = Number(res.headers['retry-after']);
          resolve({
            status: res.statusCode ?? 0,
            retryAfterSeconds: Number.isFinite(after) && after >= 0 ? after : null,
          });
        };
        res.on('end', done);
        res.on('close', done); // destroyed past the cap: resolve is idempotent
        res.on('error', () => done());
      },
    );
    req.on('error', reject);
    req.end(p.body);
  });
}

/** dns.lookup, refusing the host when any of its addresses is not allowed. */
function checkedLookup(targets: WebhookTargets): LookupFunction {
  return (hostname, options, callback) => {
    dnsLookup(hostname, { family: options.family ?? 0, all: true }, (err, addresses: LookupAddress[]) => {
      if (err) return callback(err, '', 0);
      const refused = addresses.find((a) => !addressAllowed(a.address, targets));
      if (refused || addresses.length === 0) {
        const why = refused ? `resolves to ${refused.address}, not an allowed address` : 'has no address';
        return callback(
          Object.assign(new WebhookTargetRefused(`${hostname} ${why}`), { code: 'EREFUSED' }),
          '',
          0,
        );
      }
      if (options.all) return (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, addresses);
      const first = addresses[0]!;
      callback(null, first.address, first.family);
    });
  };
}
