/** Users: who holds credits, with their optional caps. Credit totals live in credit-operations.ts. */
import { randomUUID } from 'node:crypto';
import type { Db } from '../db/index.js';
import type { NewUser, User } from './types.js';

export interface UserRow {
  id: string;
  name: string;
  concurrency_cap: number | null;
  daily_spend_cap: number | null;
  created_at: Date;
}

export const USER_COLUMNS = 'u.id, u.name, u.concurrency_cap, u.daily_spend_cap, u.created_at';

export const toUser = (r: UserRow): User => ({
  id: r.id,
  name: r.name,
  concurrencyCap: r.concurrency_cap,
  dailySpendCap: r.daily_spend_cap,
  createdAt: new Date(r.created_at),
});

function assertCap(name: string, cap: number | null | undefined): void {
  if (cap !== null && cap !== undefined && (!Number.isInteger(cap) || cap < 0)) {
    throw new RangeError(`${name} must be a non-negative integer or null`);
  }
}

export function createUserStore(db: Db, clock: () => Date) {
  return {
    async createUser(u: NewUser): Promise<User> {
      assertCap('concurrencyCap', u.concurrencyCap);
      assertCap('dailySpendCap', u.dailySpendCap);
      const [row] = await db.query<UserRow>(
        `insert into users as u (id, name, concurrency_cap, daily_spend_cap, created_at) values ($1, $2, $3, $4, $5)
         returning ${USER_COLUMNS}`,
        [
          `usr_${randomUUID().replaceAll('-', '')}`,
          u.name,
          u.concurrencyCap ?? null,
          u.dailySpendCap ?? null,
          clock(),
        ],
      );
      return toUser(row!);
    },

    async getUser(id: string): Promise<User | null> {
      const [row] = await db.query<UserRow>(`select ${USER_COLUMNS} from users u where u.id = $1`, [id]);
      return row ? toUser(row) : null;
    },
  };
}
