import { type Kysely, sql } from 'kysely';

// Email goes through the job queue (pg-boss, whose tables live in its own `pgboss` schema): each
// message is a row here, written in the transaction of the change that causes it, with its
// delivery state as the provider reports it.

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table mail_messages (
      id uuid primary key default gen_random_uuid(),
      kind text not null check (char_length(kind) <= 100),
      recipient text not null check (char_length(recipient) <= 320),
      subject text not null,
      user_id uuid references users (id) on delete set null,
      invitation_id uuid references invitations (id) on delete set null,
      state text not null default 'queued'
        check (state in ('queued', 'sent', 'delivered', 'delayed', 'bounced', 'complained', 'failed')),
      reason text,
      provider_id text unique,
      -- The message (html, text, tags) sealed with SECRET_KEY: it holds one-time links, which are
      -- stored only hashed elsewhere. Cleared once the provider has it or it has failed for good.
      sealed_body text,
      idempotency_key text not null,
      attempts integer not null default 0,
      created_at timestamptz not null default now(),
      sent_at timestamptz,
      updated_at timestamptz not null default now()
    )`.execute(db);
  await sql`create index mail_messages_created on mail_messages (created_at desc, id desc)`.execute(db);
  await sql`create index mail_messages_user on mail_messages (user_id, created_at desc) where user_id is not null`.execute(
    db,
  );
  await sql`create index mail_messages_invitation on mail_messages (invitation_id, created_at desc) where invitation_id is not null`.execute(
    db,
  );
  await sql`create index mail_messages_state on mail_messages (state, created_at desc)`.execute(db);

  // The send rate shared by every instance: each send takes the next free slot.
  await sql`create table mail_send_slots (id integer primary key check (id = 1), next_at timestamptz not null)`.execute(
    db,
  );
  await sql`insert into mail_send_slots (id, next_at) values (1, now())`.execute(db);

  // Each signed provider event is applied once (webhooks are delivered at least once).
  await sql`
    create table webhook_events (
      id text primary key check (char_length(id) <= 200),
      received_at timestamptz not null default now()
    )`.execute(db);
  await sql`create index webhook_events_received on webhook_events (received_at)`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop table if exists webhook_events`.execute(db);
  await sql`drop table if exists mail_send_slots`.execute(db);
  await sql`drop table if exists mail_messages`.execute(db);
}
