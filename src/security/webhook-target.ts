/**
 * Where we may POST a customer's job events. The URL comes from a customer: unchecked, the worker
 * would send requests wherever it is told — internal services, cloud metadata (SSRF).
 *
 * - `public` (production): https only, to the public internet. A literal private, loopback or
 *   link-local address is refused when the URL is given; at delivery, each address the host name
 *   resolves to is checked and the connection goes to the checked address (no DNS rebinding).
 * - `loopback` (tests, development: CUSTOMER_WEBHOOK_TARGETS=loopback): http or https, to this
 *   machine only (localhost, 127.0.0.0/8, ::1), checked the same way at delivery.
 *
 * Neither allows credentials in the URL (`user:password@`): the signature authenticates us.
 */
import { BlockList, isIP } from 'node:net';
import { isPublicAddress } from './public-address.js';

export type WebhookTargets = 'public' | 'loopback';
export const WEBHOOK_TARGETS = ['public', 'loopback'] as const satisfies readonly WebhookTargets[];
export const MAX_WEBHOOK_URL_LENGTH = 2000;

const loopback = new BlockList();
loopback.addSubnet('127.0.0.0', 8, 'ipv4');
loopback.addAddress('::1', 'ipv6');

/** Whether we may connect to this resolved address under the policy. */
export function addressAllowed(address: string, targets: WebhookTargets): boolean {
  const family = isIP(address);
  if (family === 0) return false;
  const type = family === 4 ? 'ipv4' : 'ipv6';
  return targets === 'loopback' ? loopback.check(address, type) : isPublicAddress(address);
}

/** Why this URL cannot be a webhook target under the policy, or null when it can. */
export function webhookUrlProblem(raw: string, targets: WebhookTargets): string | null {
  if (raw.length > MAX_WEBHOOK_URL_LENGTH) return `must be at most ${MAX_WEBHOOK_URL_LENGTH} characters`;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return 'must be an absolute URL';
  }
  if (url.username || url.password) return 'must not carry credentials (user:password@)';
  const host = url.hostname.replace(/^\[|\]$/g, '').toLowerCase();
  const named = isIP(host) === 0;
  if (targets === 'loopback') {
    if (url.protocol !== 'https:' && url.protocol !== 'http:') return 'must be an http(s) URL';
    const ok = named ? host === 'localhost' : addressAllowed(host, 'loopback');
    return ok
      ? null
      : 'must point at this machine (localhost, 127.0.0.1 or ::1): CUSTOMER_WEBHOOK_TARGETS=loopback';
  }
  if (url.protocol !== 'https:') return 'must be an https URL';
  if (named ? host === 'localhost' || host.endsWith('.localhost') : !addressAllowed(host, 'public'))
    return 'must point at a public address (private, loopback and link-local ones are refused)';
  return null;
}
