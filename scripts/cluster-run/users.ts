/** Users for a run against the local cluster, created through the admin API with a grant each. */
import { api } from './api.js';

export interface RunUser {
  id: string;
  key: string;
  granted: number;
}

/** `count` users named <prefix>-<n>, each granted `credits`; user n through base URL n mod bases. */
export async function createUsers(
  bases: string[],
  adminKey: string,
  count: number,
  prefix: string,
  credits = 1_000_000,
): Promise<RunUser[]> {
  const users: RunUser[] = [];
  for (let u = 0; u < count; u++) {
    const r = await api(bases[u % bases.length]!, 'POST', '/admin/users', adminKey, {
      name: `${prefix}-${u}`,
      credits,
    });
    if (r.status !== 201 && r.status !== 200)
      throw new Error(`POST /admin/users: ${r.status} ${JSON.stringify(r.json)}`);
    const { id, apiKey } = r.json as { id: string; apiKey: string };
    users.push({ id, key: apiKey, granted: credits });
  }
  return users;
}
