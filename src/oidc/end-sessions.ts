import { sql } from 'kysely';
import type { Db } from '../db/connect';
import type { JobQueue } from '../jobs/queue';

/** Ends what the provider holds for one application: its grants, codes and tokens. */
export async function endApplicationState(tx: Db, clientId: string): Promise<void> {
  await sql`delete from oidc_payloads where payload->>'clientId' = ${clientId}`.execute(tx);
}

/**
 * Ends what the OpenID provider holds for people (their sessions, grants, codes and tokens), in
 * the caller's transaction, and queues a back-channel logout for each application that signed
 * one of their sessions in and has a back-channel logout URI: the job (oidc-backchannel-logout)
 * sends it a signed logout token, retried until it answers. `people`: one person, or everyone
 * but one (a reset of all passwords).
 */
export async function endProviderState(
  tx: Db,
  jobs: JobQueue | null,
  people: { only: string } | { allBut: string },
): Promise<void> {
  const whose = 'only' in people ? sql`account_id = ${people.only}` : sql`account_id <> ${people.allBut}`;
  if (jobs) {
    // Each session's applications, with the session id they were told (sid): one row each.
    const { rows } = await sql<{ client_id: string; account_id: string; sid: string | null }>`
      select a.key as client_id, p.account_id, a.value->>'sid' as sid
      from oidc_payloads p, jsonb_each(p.payload->'authorizations') a
      where p.model = 'Session' and ${whose}
        and a.key in (select client_id from applications where backchannel_logout_uri is not null and active)`.execute(
      tx,
    );
    if (rows.length > 0)
      await jobs.enqueueMany(
        tx,
        'oidc-backchannel-logout',
        rows.map((r) => ({ clientId: r.client_id, accountId: r.account_id, sid: r.sid })),
      );
  }
  await sql`delete from oidc_payloads where ${whose}`.execute(tx);
}
