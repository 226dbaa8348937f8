/**
 * Only KIE's file hosts may be fetched: the URL comes from a third party's response, and without a
 * check the worker would fetch whatever it is told to (internal services, cloud metadata).
 *
 * Patterns are exact hostnames (`kie.ai`) or `*.example.com`, which matches any subdomain at any
 * depth but not `example.com` itself (list the apex separately, as the default config does).
 */
export function hostAllowed(url: string, allowedHosts: readonly string[]): boolean {
  let host: string;
  try {
    const u = new URL(url);
    if (u.protocol !== 'https:' && u.protocol !== 'http:') return false;
    // `example.com.` is the same host as `example.com`.
    host = u.hostname.toLowerCase().replace(/\.$/, '');
  } catch {
    return false;
  }
  return allowedHosts.some((raw) => {
    const pattern = raw.trim().toLowerCase().replace(/\.$/, '');
    if (!pattern) return false;
    if (pattern.startsWith('*.')) {
      const suffix = pattern.slice(1); // '.example.com'
      return host.length > suffix.length && host.endsWith(suffix);
    }
    return host === pattern;
  });
}

/** The host part only: URLs carry signatures that do not belong in error messages and logs. */
export function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return 'an invalid URL';
  }
}
