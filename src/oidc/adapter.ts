import { sql } from 'kysely';
import { jsonb } from '../audit/write';
import type { Db } from '../db/connect';

/**
 * oidc-provider's storage, on our database (its adapter interface: upsert, find, findByUid,
 * findByUserCode, consume, destroy, revokeByGrantId, one instance per model). Every model but
 * Client lives in oidc_payloads, keyed by (model, id), with the columns the provider looks things
 * up by; instances share it, on PGlite and PostgreSQL alike. Clients are the applications
 * registered in Gatehouse (applications.ts), read here in the shape the provider validates.
 */
export type ClientLoader = (clientId: string) => Promise<Record<string, unknown> | undefined>;

interface Payload {
  grantId?: string;
  accountId?: string;
  uid?: string;
  userCode?: string;
  [key: string]: unknown;
}

export function kyselyAdapter(db: Db, loadClient: ClientLoader) {
  return class KyselyAdapter {
    constructor(private readonly model: string) {}

    async upsert(id: string, payload: Payload, expiresIn?: number): Promise<void> {
      const expiresAt = expiresIn ? new Date(Date.now() + expiresIn * 1000) : null;
      const row = {
        model: this.model,
        id,
        payload: jsonb(payload),
        grant_id: payload.grantId ?? null,
        account_id: payload.accountId ?? null,
        uid: payload.uid ?? null,
        user_code: payload.userCode ?? null,
        expires_at: expiresAt,
      };
      await db
        .insertInto('oidc_payloads')
        .values(row)
        .onConflict((oc) =>
          oc.columns(['model', 'id']).doUpdateSet({
            payload: row.payload,
            grant_id: row.grant_id,
            account_id: row.account_id,
            uid: row.uid,
            user_code: row.user_code,
            expires_at: row.expires_at,
          }),
        )
        .execute();
    }

    async find(id: string): Promise<Payload | undefined> {
      if (this.model === 'Client') return loadClient(id);
      return this.one(sql`id = ${id}`);
    }

    async findByUid(uid: string): Promise<Payload | undefined> {
      return this.one(sql`uid = ${uid}`);
    }

    async findByUserCode(userCode: string): Promise<Payload | undefined> {
      return this.one(sql`user_code = ${userCode}`);
    }

    async consume(id: string): Promise<void> {
      await db
        .updateTable('oidc_payloads')
        .set({ consumed_at: new Date() })
        .where('model', '=', this.model)
        .where('id', '=', id)
        .execute();
    }

    async destroy(id: string): Promise<void> {
      await db.deleteFrom('oidc_payloads').where('model', '=', this.model).where('id', '=', id).execute();
    }

    async revokeByGrantId(grantId: string): Promise<void> {
      await db.deleteFrom('oidc_payloads').where('grant_id', '=', grantId).execute();
    }

    private async one(where: ReturnType<typeof sql>): Promise<Payload | undefined> {
      const { rows } = await sql<{ payload: unknown; consumed_at: Date | null }>`
        select payload, consumed_at from oidc_payloads
        where model = ${this.model} and ${where} and (expires_at is null or expires_at > now())`.execute(db);
      const row = rows[0];
      if (!row) return undefined;
      // postgres.js hands jsonb back as text, PGlite as a value.
      const payload = (typeof row.payload === 'string' ? JSON.parse(row.payload) : row.payload) as Payload;
      return row.consumed_at
        ? { ...payload, consumed: Math.floor(row.consumed_at.getTime() / 1000) }
        : payload;
    }
  };
}
