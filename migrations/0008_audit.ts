import { type Kysely, sql } from 'kysely';

// The audit log made useful and tamper-evident.

export async function up(db: Kysely<unknown>): Promise<void> {
  // Each event carries the keyed hash of the one before it and its own (src/audit/chain.ts).
  // Events written before this migration have neither; `audit verify` reports them as unchained.
  await sql`alter table audit_events add column prev_hash text, add column hash text`.execute(db);

  // The chain's head: the row every writer locks, so events are chained one after another on
  // every instance. It names the newest event and carries a keyed MAC (written with each event),
  // so the newest events cannot be cut off, nor the head rewritten, without the verifier seeing
  // it. `unchained_through`: events up to this id predate the chain; any later one without a hash
  // was written around it.
  await sql`
    create table audit_chain (
      id smallint primary key default 1 check (id = 1),
      last_id bigint,
      last_hash text,
      unchained_through bigint not null default 0,
      head_mac text
    )`.execute(db);
  await sql`insert into audit_chain (id, unchained_through) select 1, coalesce(max(id), 0) from audit_events`.execute(
    db,
  );

  // Append-only in the database too: no UPDATE, no TRUNCATE, and DELETE only inside the
  // retention job's transaction, which sets gatehouse.audit_retention (src/audit/retention.ts).
  await sql`
    create function audit_events_append_only() returns trigger language plpgsql as $$
    begin
      if tg_op = 'DELETE' and coalesce(current_setting('gatehouse.audit_retention', true), '') = 'on' then
        return old;
      end if;
      raise exception 'audit events are append-only: % refused', tg_op
        using errcode = 'insufficient_privilege';
    end
    $$`.execute(db);
  await sql`
    create trigger audit_events_no_change before update or delete on audit_events
      for each row execute function audit_events_append_only()`.execute(db);
  await sql`
    create trigger audit_events_no_truncate before truncate on audit_events
      for each statement execute function audit_events_append_only()`.execute(db);

  // The activity chart counts sign-ins and lockouts per day; the action filter walks by time.
  await sql`create index audit_events_action on audit_events (action, occurred_at desc)`.execute(db);
  // Failures and refusals are the minority an admin looks for: their own small index.
  await sql`create index audit_events_unsuccessful on audit_events (action, occurred_at desc)
    where outcome <> 'success'`.execute(db);
  await sql`create index audit_events_project on audit_events (project_id, occurred_at desc)`.execute(db);
  // Actor and user-acted-on filters by address, for events without a user id (failed sign-ins
  // name the typed address; deleted users), and the free-text search in targets (pg_trgm, 0003).
  await sql`create index audit_events_actor_label on audit_events (lower(actor_label), occurred_at desc)`.execute(
    db,
  );
  await sql`create index audit_events_target_label on audit_events (lower(target_label), occurred_at desc)`.execute(
    db,
  );
  await sql`create index audit_events_target_trgm on audit_events using gin (lower(target_label) gin_trgm_ops)`.execute(
    db,
  );

  await sql`
    alter table account_settings
      add column audit_retention_days integer not null default 400
        check (audit_retention_days between 30 and 3650)`.execute(db);

  // IANA name; null shows times in UTC.
  await sql`alter table users add column time_zone text check (char_length(time_zone) <= 64)`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`alter table users drop column if exists time_zone`.execute(db);
  await sql`alter table account_settings drop column if exists audit_retention_days`.execute(db);
  await sql`drop index if exists audit_events_target_trgm`.execute(db);
  await sql`drop index if exists audit_events_target_label`.execute(db);
  await sql`drop index if exists audit_events_actor_label`.execute(db);
  await sql`drop index if exists audit_events_unsuccessful`.execute(db);
  await sql`drop index if exists audit_events_project`.execute(db);
  await sql`drop index if exists audit_events_action`.execute(db);
  await sql`drop trigger if exists audit_events_no_truncate on audit_events`.execute(db);
  await sql`drop trigger if exists audit_events_no_change on audit_events`.execute(db);
  await sql`drop function if exists audit_events_append_only()`.execute(db);
  await sql`drop table if exists audit_chain`.execute(db);
  await sql`alter table audit_events drop column if exists hash, drop column if exists prev_hash`.execute(db);
}
