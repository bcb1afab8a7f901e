import { createHmac, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { builtinRoleId, defaultProjectId } from '../../src/access/grants';
import { queueMail } from '../../src/mail/outbox';
import { databaseKind } from '../helpers/database';
import { clientFor, makeUser } from '../helpers/fixtures';
import { setUpApp } from '../helpers/set-up-app';

const key = randomBytes(24);
const SECRET = `whsec_${key.toString('base64')}`;
const t = setUpApp({ env: { RESEND_WEBHOOK_SECRET: SECRET } });

/**
 * A delivery event as Resend sends it, signed by hand the Standard Webhooks (Svix) way, so that
 * the library's check is tested against an independent signer: `v1,` + base64 HMAC-SHA256 of
 * "id.timestamp.body" under the secret's key.
 */
function signed(body: unknown, options: { id?: string; at?: number; secret?: Buffer } = {}) {
  const id = options.id ?? `msg_${randomBytes(8).toString('hex')}`;
  const timestamp = String(Math.floor((options.at ?? Date.now()) / 1000));
  const payload = JSON.stringify(body);
  const signature = createHmac('sha256', options.secret ?? key)
    .update(`${id}.${timestamp}.${payload}`)
    .digest('base64');
  return {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'svix-id': id,
      'svix-timestamp': timestamp,
      'svix-signature': `v1,${signature}`,
    },
    body: payload,
  };
}
const event = (type: string, emailId: string, extra: Record<string, unknown> = {}) => ({
  type,
  created_at: new Date().toISOString(),
  data: { email_id: emailId, to: ['invitee@example.com'], subject: 'You are invited', ...extra },
});
const post = (init: ReturnType<typeof signed>) =>
  t.app.request('http://localhost:3000/webhooks/resend', init);

async function sentInvitationMail() {
  const invitation = await t.db
    .insertInto('invitations')
    .values({
      email: `invitee-${randomBytes(4).toString('hex')}@example.com`,
      project_id: await defaultProjectId(t.db),
      role_id: await builtinRoleId(t.db, 'viewer'),
      role_name: 'Viewer',
      invited_by_label: 'test',
      language: 'en',
      token_hash: randomBytes(32),
      sent_at: new Date(),
      expires_at: new Date(Date.now() + 86_400_000),
    })
    .returning(['id', 'email'])
    .executeTakeFirstOrThrow();
  const id = await t.db.transaction().execute((tx) =>
    queueMail(
      tx,
      t.system,
      { to: invitation.email, subject: 'You are invited', html: '<p>x</p>', text: 'x' },
      {
        kind: 'invitation',
        invitationId: invitation.id,
      },
    ),
  );
  await t.runJobs();
  const row = await t.db
    .selectFrom('mail_messages')
    .selectAll()
    .where('id', '=', id)
    .executeTakeFirstOrThrow();
  expect(row.state).toBe('sent');
  return { invitation, row, providerId: row.provider_id as string };
}
const stateOf = async (id: string) =>
  t.db.selectFrom('mail_messages').select(['state', 'reason']).where('id', '=', id).executeTakeFirstOrThrow();

describe(`delivery events from Resend (${databaseKind})`, () => {
  it('a signed bounce marks the invitation email bounced, with the reason, and audits it', async () => {
    const { invitation, row, providerId } = await sentInvitationMail();
    const response = await post(
      signed(
        event('email.bounced', providerId, {
          bounce: { type: 'Permanent', subType: 'General', message: 'mailbox does not exist' },
        }),
      ),
    );
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ result: 'applied' });
    expect(await stateOf(row.id)).toEqual({ state: 'bounced', reason: 'mailbox does not exist' });
    const audited = await t.db
      .selectFrom('audit_events')
      .select(['action', 'outcome', 'target_type', 'target_id', 'reason'])
      .where('action', '=', 'mail.undelivered')
      .where('target_id', '=', invitation.id)
      .execute();
    expect(audited).toEqual([
      {
        action: 'mail.undelivered',
        outcome: 'failed',
        target_type: 'invitation',
        target_id: invitation.id,
        reason: 'mailbox does not exist',
      },
    ]);
  });

  it('refuses unsigned, wrongly signed and stale events, and changes nothing', async () => {
    const { row, providerId } = await sentInvitationMail();
    const body = event('email.bounced', providerId, { bounce: { message: 'x', type: 'x', subType: 'x' } });
    const unsigned = await t.app.request('http://localhost:3000/webhooks/resend', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    expect(unsigned.status).toBe(401);
    expect((await post(signed(body, { secret: randomBytes(24) }))).status).toBe(401);
    expect((await post(signed(body, { at: Date.now() - 10 * 60_000 }))).status).toBe(401);
    const tampered = signed(body);
    tampered.body = tampered.body.replace('"x"', '"y"');
    expect((await post(tampered)).status).toBe(401);
    expect(await stateOf(row.id)).toEqual({ state: 'sent', reason: null });
    // A form post with a forged Origin is no way around it either.
    const form = await t.app.request('http://localhost:3000/webhooks/resend', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: 'http://localhost:3000' },
      body: 'type=email.bounced',
    });
    expect(form.status).toBe(401);
  });

  it('applies each event id once, and never moves a message back', async () => {
    const { row, providerId } = await sentInvitationMail();
    const delivered = signed(event('email.delivered', providerId));
    expect(await (await post(delivered)).json()).toEqual({ result: 'applied' });
    expect(await (await post(delivered)).json()).toEqual({ result: 'duplicate' });
    expect(await stateOf(row.id)).toEqual({ state: 'delivered', reason: null });
    // A late "delayed" or "sent" does not undo the delivery; a complaint after it does count.
    expect(await (await post(signed(event('email.delivery_delayed', providerId)))).json()).toEqual({
      result: 'older than the state it has',
    });
    expect(await (await post(signed(event('email.complained', providerId)))).json()).toEqual({
      result: 'applied',
    });
    expect(await stateOf(row.id)).toEqual({ state: 'complained', reason: 'the recipient marked it as spam' });
    // Events about mail that is not ours, or of kinds we do not follow, are taken and ignored.
    expect(await (await post(signed(event('email.delivered', 'not-ours')))).json()).toEqual({
      result: 'unknown message',
    });
    expect(await (await post(signed(event('email.opened', providerId)))).json()).toEqual({
      result: 'ignored',
    });
  });
});

describe(`what the admin sees of an email (${databaseKind})`, () => {
  it('the invitation page and the Email page say it bounced and why, with Resend next to it', async () => {
    const { invitation, providerId } = await sentInvitationMail();
    await post(
      signed(
        event('email.bounced', providerId, {
          bounce: { type: 'Permanent', subType: 'General', message: 'mailbox full' },
        }),
      ),
    );
    const admin = await clientFor(t, (await makeUser(t.db, { role: 'account_admin' })).id);
    const page = await (await admin.get(`/invitations/${invitation.id}`)).text();
    expect(page).toContain('Invitation email bounced: mailbox full');
    expect(page).toContain(`href="/invitations/${invitation.id}/resend"`);
    expect(page).toContain('Email not delivered');

    const list = await admin.get(`/email?q=${encodeURIComponent(invitation.email)}&state=bounced`);
    expect(list.status).toBe(200);
    const html = await list.text();
    expect(html).toContain(invitation.email);
    expect(html).toContain('Invitation email bounced: mailbox full');
    expect(html).toContain('Showing 1–1 of 1 email');
    expect(html).not.toContain('1 emails');
    const none = await (
      await admin.get(`/email?q=${encodeURIComponent(invitation.email)}&state=delivered`)
    ).text();
    expect(none).toContain('No emails match');

    const csv = await (await admin.get(`/email/export.csv?q=${encodeURIComponent(invitation.email)}`)).text();
    expect(csv.split(/\r?\n/)[0]).toBe(
      '"id","queued","recipient","subject","kind","state","reason","attempts","updated","status"',
    );
    expect(csv).toContain('"invitation","bounced","mailbox full","1"');

    // Someone who may not manage users account-wide does not get the page.
    const viewer = await clientFor(t, (await makeUser(t.db, { role: 'viewer' })).id);
    expect((await viewer.get('/email')).status).toBe(403);
  });
});
