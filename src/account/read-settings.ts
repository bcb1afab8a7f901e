import type { Db } from '../db/connect';
import type { AccountSettings } from '../db/schema';

export async function getSettings(db: Db): Promise<AccountSettings> {
  return db.selectFrom('account_settings').selectAll().where('id', '=', 1).executeTakeFirstOrThrow();
}
