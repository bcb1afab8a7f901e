import { beforeAll, describe, expect, it } from 'vitest';
import { builtinRoleId, defaultProjectId, grantsOf, permissionsIn } from '../../src/access/grants';
import { SESSION_COOKIE } from '../../src/auth/sessions/sessions';
import { sha256 } from '../../src/auth/tokens';
import { hashRecoveryCode } from '../../src/auth/two-factor/recovery-codes';
import { totpCode } from '../../src/auth/two-factor/totp';
import { clientFor, enrolTotp, FIXTURE_PASSWORD, makeUser, snapshot } from '../helpers/fixtures';
import { Client } from '../helpers/http';
import { oathtool } from '../helpers/oathtool';
import { setUpApp } from '../helpers/set-up-app';

const t = setUpApp({
  resetEach: true,
  settings: { allow_manual_links: true, require_two_factor: true, invitations_per_day: 50 },
});
let projectId: string;
beforeAll(async () => {
  projectId = await defaultProjectId(t.db);
});

const tokenIn = (text: string) => /\/invite\/([A-Za-z0-9_-]{43})/.exec(text)?.[1] ?? '';
const invitations = () => t.db.selectFrom('invitations').selectAll().orderBy('created_at').execute();
const PASSWORD = 'correct horse battery staple';

/** An Account Admin's client and the form of an invitation to the default project as Editor. */
async function admin() {
  const me = await makeUser(t.db, { role: 'account_admin' });
  // The account requires 2FA (the default), so an admin who acts has it.
  await enrolTotp(t, me.id);
  const form = {
    emails: 'ana@example.com',
    projectId,
    roleId: await builtinRoleId(t.db, 'editor'),
    language: 'en',
    message: '',
  };
  return { me, form, client: await clientFor(t, me.id) };
}

describe('inviting', () => {
  it('refuses a list with a malformed address, naming each, and changes nothing', async () => {
    const { client, form } = await admin();
    const before = await snapshot(t.db);
    const response = await client.post('/invitations', {
      ...form,
      emails: 'ok@example.com\nnot-an-email, also@bad',
    });
    expect(response.status).toBe(422);
    const html = await response.text();
    expect(html).toContain('“not-an-email” is not an email address.');
    expect(html).toContain('“also@bad” is not an email address.');
    expect(await invitations()).toHaveLength(0);
    expect(t.mailer.messages).toHaveLength(0);
    expect(await snapshot(t.db)).toBe(before);
  });

  it('creates one invitation per address, stores only the token hash, and mails each in its language', async () => {
    const { client, form } = await admin();
    const response = await client.post('/invitations', {
      ...form,
      emails: 'ana@example.com, ben@example.com',
      language: 'fr',
      hideInviter: 'on',
      message: 'Bienvenue !',
    });
    expect(response.status).toBe(200);
    const html = await response.text();
    expect(html).toContain('2 invitations sent');
    expect(html).toContain('Send manually');
    const rows = await invitations();
    expect(rows.map((r) => r.email).sort()).toEqual(['ana@example.com', 'ben@example.com']);
    expect(t.mailer.messages).toHaveLength(2);
    const mail = t.mailer.messages.find((m) => m.to === 'ana@example.com');
    expect(mail?.subject).toBe('Vous êtes invité sur Gatehouse');
    expect(mail?.text).toContain('Bienvenue !');
    expect(mail?.html).toContain('lang="fr"');
    expect(mail?.text).not.toContain('@example.com (');
    const token = tokenIn(mail?.text ?? '');
    const row = rows.find((r) => r.email === 'ana@example.com');
    expect(Buffer.from(row?.token_hash ?? []).equals(Buffer.from(sha256(token)))).toBe(true);
    expect(JSON.stringify(rows)).not.toContain(token);
    // The manual link in the page is the mailed one.
    expect(html).toContain(`/invite/${token}`);
  });

  it('shows no manual links when the account forbids them', async () => {
    await t.db.updateTable('account_settings').set({ allow_manual_links: false }).execute();
    const { client, form } = await admin();
    const html = await (await client.post('/invitations', form)).text();
    expect(html).toContain('1 invitation sent');
    expect(html).not.toContain('Send manually');
    expect(html).not.toContain('/invite/');
  });

  it('writes the email in each of the four languages, naming the inviter unless hidden', async () => {
    const { client, form, me } = await admin();
    const subjects: Record<string, string> = {};
    for (const [n, language] of ['en', 'fr', 'de', 'es'].entries()) {
      await client.post('/invitations', { ...form, emails: `p${n}@example.com`, language });
      subjects[language] = t.mailer.messages.at(-1)?.subject ?? '';
    }
    expect(subjects.en).toBe(`${me.name} (${me.email}) invited you to Gatehouse`);
    expect(subjects.fr).toBe(`${me.name} (${me.email}) vous invite sur Gatehouse`);
    expect(subjects.de).toBe(`${me.name} (${me.email}) hat Sie zu Gatehouse eingeladen`);
    expect(subjects.es).toBe(`${me.name} (${me.email}) te ha invitado a Gatehouse`);
  });

  it('refuses a member of the project and offers resend for an open invitation', async () => {
    const { client, form } = await admin();
    const member = await makeUser(t.db, { role: 'viewer', projectId });
    await client.post('/invitations', form);
    const response = await client.post('/invitations', {
      ...form,
      emails: `${member.email}, ana@example.com`,
    });
    const html = await response.text();
    expect(html).toContain(`${member.email} is already a member of this project; nothing was sent.`);
    expect(html).toContain('ana@example.com already has an open invitation to this project');
    const [open] = await invitations();
    expect(html).toContain(`/invitations/${open?.id}/resend`);
    expect(await invitations()).toHaveLength(1);
    expect(t.mailer.messages).toHaveLength(1);
  });

  it('does not let an inviter grant more than they hold (no escalation through invitations)', async () => {
    const coAdmin = await makeUser(t.db, { role: 'co_admin', projectId });
    await enrolTotp(t, coAdmin.id);
    const client = await clientFor(t, coAdmin.id);
    const before = await snapshot(t.db);
    const response = await client.post('/invitations', {
      emails: 'sneaky@example.com',
      projectId,
      roleId: await builtinRoleId(t.db, 'account_admin'),
      language: 'en',
    });
    expect(response.status).toBe(409);
    expect(await response.text()).toContain('You can only grant permissions you hold');
    expect(await invitations()).toHaveLength(0);
    expect(await snapshot(t.db)).toBe(before);
    // The dialog offers only what the co-admin may grant.
    const dialog = await (await client.get('/invitations/new')).text();
    expect(dialog).toContain('>Publisher<');
    expect(dialog).not.toContain('>Admin<');
    // Someone without invitations.manage is refused outright.
    const viewerUser = await makeUser(t.db, { role: 'viewer', projectId });
    await enrolTotp(t, viewerUser.id);
    const viewer = await clientFor(t, viewerUser.id);
    expect(
      (await viewer.post('/invitations', { emails: 'x@example.com', projectId, roleId: '', language: 'en' }))
        .status,
    ).toBe(403);
  });

  it('stops an inviter at the daily limit, counting resends', async () => {
    await t.db.updateTable('account_settings').set({ invitations_per_day: 2 }).execute();
    const { client, form, me } = await admin();
    await client.post('/invitations', form);
    const [first] = await invitations();
    expect((await client.post(`/invitations/${first?.id}/resend`, {})).status).toBe(200);
    const refused = await client.post('/invitations', { ...form, emails: 'third@example.com' });
    expect(refused.status).toBe(422);
    expect(await refused.text()).toContain('You can send 2 invitations in 24 hours and have sent 2');
    t.clock.advance(25 * 3_600_000);
    const later = await clientFor(t, me.id);
    expect((await later.post('/invitations', { ...form, emails: 'third@example.com' })).status).toBe(200);
  });
});

describe('the invitation link', () => {
  async function invited(language = 'en') {
    const a = await admin();
    await a.client.post('/invitations', { ...a.form, language });
    const token = tokenIn(t.mailer.messages.at(-1)?.text ?? '');
    const [row] = await invitations();
    if (!row) throw new Error('no invitation');
    return { ...a, token, row };
  }

  it('signs a new person up with TOTP (codes from oathtool) and recovery codes, then signs them in', async () => {
    const { token, row } = await invited('de');
    const invitee = new Client(t.app);
    const page = await invitee.get(`/invite/${token}`);
    expect(page.status).toBe(200);
    expect(page.headers.get('referrer-policy')).toBe('no-referrer');
    const html = await page.text();
    expect(html).toContain('<html lang="de">');
    expect(html).toContain('Einladung annehmen');
    expect(
      (await t.db.selectFrom('invitations').select('opened_at').executeTakeFirst())?.opened_at,
    ).not.toBeNull();

    const weak = await invitee.post(`/invite/${token}/sign-up`, {
      name: 'Ana Weber',
      password: 'short',
      confirm: 'short',
    });
    expect(weak.status).toBe(422);
    expect(await weak.text()).toContain('Verwenden Sie mindestens 12 Zeichen (dieses hat 5).');
    const started = await invitee.post(`/invite/${token}/sign-up`, {
      name: 'Ana Weber',
      password: PASSWORD,
      confirm: PASSWORD,
    });
    expect(started.status).toBe(303);
    expect(started.headers.get('location')).toBe(`/invite/${token}/two-factor`);
    expect(
      await t.db.selectFrom('users').select('id').where('email', '=', row.email).executeTakeFirst(),
    ).toBeUndefined();

    const setup = await (await invitee.get(`/invite/${token}/two-factor`)).text();
    expect(setup).toContain('<svg');
    const key = /class="totp-key">([A-Z2-7 ]+)</.exec(setup)?.[1] ?? '';
    expect(key.replaceAll(' ', '')).toHaveLength(32);
    const wrong = await invitee.post(`/invite/${token}/two-factor`, {
      code: '000000' === oathtool(key, t.clock.now()) ? '111111' : '000000',
    });
    expect(wrong.status).toBe(422);
    expect(await wrong.text()).toContain('Dieser Code ist nicht richtig.');
    const confirmed = await invitee.post(`/invite/${token}/two-factor`, {
      code: oathtool(key, t.clock.now()),
    });
    expect(confirmed.status).toBe(200);
    const codesPage = await confirmed.text();
    const codes = [
      ...codesPage.matchAll(/<code>([0-9a-z]{4}-[0-9a-z]{4}-[0-9a-z]{4}-[0-9a-z]{4})<\/code>/g),
    ].map((m) => m[1]);
    expect(new Set(codes).size).toBe(10);
    expect(codesPage).toContain('download="recovery-codes.txt"');
    // Still not a user until the codes are saved.
    expect(
      await t.db.selectFrom('users').select('id').where('email', '=', row.email).executeTakeFirst(),
    ).toBeUndefined();

    const finished = await invitee.post(`/invite/${token}/finish`, {});
    expect(finished.status).toBe(303);
    expect(finished.headers.get('location')).toBe('/');
    expect(invitee.cookies.get(SESSION_COOKIE)).toBeTruthy();
    const user = await t.db
      .selectFrom('users')
      .selectAll()
      .where('email', '=', row.email)
      .executeTakeFirstOrThrow();
    expect(user.name).toBe('Ana Weber');
    expect(user.language).toBe('de');
    expect(user.email_verified_at).not.toBeNull();
    expect(user.totp_secret).not.toContain(key.replaceAll(' ', ''));
    expect(user.totp_secret?.startsWith('v1.')).toBe(true);
    const held = permissionsIn(await grantsOf(t.db, user.id, t.clock.now()), projectId);
    expect(held.has('content.edit') || held.size > 0).toBe(true);
    const recovery = await t.db
      .selectFrom('recovery_codes')
      .selectAll()
      .where('user_id', '=', user.id)
      .execute();
    expect(recovery).toHaveLength(10);
    expect(JSON.stringify(recovery)).not.toContain(codes[0]);
    const home = await invitee.get('/');
    expect(home.status).toBe(200);
    expect(await home.text()).toContain('Ana Weber');
    // Single use: the link now says it was accepted.
    const used = await new Client(t.app).get(`/invite/${token}`);
    expect(used.status).toBe(410);
    expect(await used.text()).toContain('Diese Einladung wurde bereits angenommen');
    const actions = (
      await t.db.selectFrom('audit_events').select('action').where('target_id', '=', row.id).execute()
    ).map((e) => e.action);
    expect(actions).toEqual(
      expect.arrayContaining(['invitation.create', 'invitation.open', 'invitation.accept']),
    );
  });

  it('keeps the renewed recovery codes, and a step sent out of order changes and records nothing', async () => {
    const { token, row } = await invited();
    const invitee = new Client(t.app);
    const events = async () =>
      (await t.db.selectFrom('audit_events').select('action').where('target_id', '=', row.id).execute())
        .length;
    // Not signed up yet: the code and finish steps send the person back, and write no event.
    const before = await events();
    expect((await invitee.post(`/invite/${token}/two-factor`, { code: '123456' })).status).toBe(303);
    expect((await invitee.post(`/invite/${token}/finish`, {})).status).toBe(303);
    expect((await invitee.post(`/invite/${token}/recovery-codes`, {})).status).toBe(303);
    expect(await events()).toBe(before);
    await invitee.post(`/invite/${token}/sign-up`, { name: 'Ana', password: PASSWORD, confirm: PASSWORD });
    const setup = await (await invitee.get(`/invite/${token}/two-factor`)).text();
    const key = /class="totp-key">([A-Z2-7 ]+)</.exec(setup)?.[1] ?? '';
    await invitee.post(`/invite/${token}/two-factor`, { code: oathtool(key, t.clock.now()) });
    const renewed = await (await invitee.post(`/invite/${token}/recovery-codes`, {})).text();
    const codes = [...renewed.matchAll(/<code>([0-9a-z-]{19})<\/code>/g)].map((m) => m[1] as string);
    expect(codes).toHaveLength(10);
    expect((await invitee.post(`/invite/${token}/finish`, {})).status).toBe(303);
    const user = await t.db
      .selectFrom('users')
      .select('id')
      .where('email', '=', row.email)
      .executeTakeFirstOrThrow();
    const stored = await t.db
      .selectFrom('recovery_codes')
      .select('code_hash')
      .where('user_id', '=', user.id)
      .execute();
    expect(stored.map((r) => Buffer.from(r.code_hash).toString('hex')).sort()).toEqual(
      codes.map((c) => Buffer.from(hashRecoveryCode(c)).toString('hex')).sort(),
    );
  });

  it('signs up at once when the account does not require two-factor authentication', async () => {
    await t.db.updateTable('account_settings').set({ require_two_factor: false }).execute();
    const { token } = await invited();
    const invitee = new Client(t.app);
    const done = await invitee.post(`/invite/${token}/sign-up`, {
      name: 'Ana',
      password: PASSWORD,
      confirm: PASSWORD,
    });
    expect(done.status).toBe(303);
    expect(done.headers.get('location')).toBe('/');
    expect(invitee.cookies.get(SESSION_COOKIE)).toBeTruthy();
  });

  it('lets an existing user accept by signing in; the binding is added', async () => {
    const a = await admin();
    const other = await t.db
      .insertInto('projects')
      .values({ name: 'Second' })
      .returning('id')
      .executeTakeFirstOrThrow();
    const existing = await makeUser(t.db, { role: 'viewer', projectId });
    const key = await enrolTotp(t, existing.id);
    await a.client.post('/invitations', { ...a.form, emails: existing.email, projectId: other.id });
    const token = tokenIn(t.mailer.messages.at(-1)?.text ?? '');
    const anonymous = await (await new Client(t.app).get(`/invite/${token}`)).text();
    expect(anonymous).toContain(`/login?next=${encodeURIComponent(`/invite/${token}`)}`);
    const them = new Client(t.app);
    expect((await them.signIn(existing.email, FIXTURE_PASSWORD)).status).toBe(303);
    expect((await them.post('/login/two-factor', { code: totpCode(key, t.clock.now()) })).status).toBe(303);
    const accepted = await them.post(`/invite/${token}/accept`, {});
    expect(accepted.status).toBe(303);
    const held = permissionsIn(await grantsOf(t.db, existing.id, t.clock.now()), other.id);
    expect(held.size).toBeGreaterThan(0);
    // Someone else signed in cannot accept it for them.
    const a2 = await a.client.post('/invitations', { ...a.form, emails: 'zed@example.com' });
    expect(a2.status).toBe(200);
    const zedToken = tokenIn(t.mailer.messages.at(-1)?.text ?? '');
    const refused = await them.post(`/invite/${zedToken}/accept`, {});
    expect(refused.status).toBe(409);
  });

  it('declines: the state is Declined and the link stops working', async () => {
    const { token, row, client } = await invited('es');
    const declined = await new Client(t.app).post(`/invite/${token}/decline`, {});
    expect(declined.status).toBe(200);
    expect(await declined.text()).toContain('Has rechazado la invitación');
    const audited = await t.db
      .selectFrom('audit_events')
      .select('action')
      .where('target_id', '=', row.id)
      .where('action', '=', 'invitation.decline')
      .execute();
    expect(audited).toHaveLength(1);
    expect(
      (await t.db.selectFrom('invitations').select('declined_at').where('id', '=', row.id).executeTakeFirst())
        ?.declined_at,
    ).not.toBeNull();
    const again = await new Client(t.app).get(`/invite/${token}`);
    expect(again.status).toBe(410);
    expect(await again.text()).toContain('Esta invitación fue rechazada');
    const list = await (await client.get('/invitations')).text();
    expect(list).toContain('Declined');
  });

  it('expires after the account’s lifetime (7 days by default)', async () => {
    const { token, me } = await invited();
    t.clock.advance(7 * 86_400_000 + 1000);
    const client = await clientFor(t, me.id);
    const expired = await new Client(t.app).get(`/invite/${token}`);
    expect(expired.status).toBe(410);
    expect(await expired.text()).toContain('This invitation has expired');
    expect(await (await client.get('/invitations?state=expired')).text()).toContain('expired 0 hours ago');
  });

  it('resend makes a new link and the old one stops working; revoke stops it at once', async () => {
    const { token, row, client } = await invited();
    const resent = await client.post(`/invitations/${row.id}/resend`, {});
    expect(resent.status).toBe(200);
    const fresh = tokenIn(t.mailer.messages.at(-1)?.text ?? '');
    expect(fresh).not.toBe(token);
    const old = await new Client(t.app).get(`/invite/${token}`);
    expect(old.status).toBe(404);
    expect(await old.text()).toContain('This invitation link does not work');
    expect((await new Client(t.app).get(`/invite/${fresh}`)).status).toBe(200);
    const revoked = await client.post(`/invitations/${row.id}/revoke`, {});
    expect(revoked.status).toBe(303);
    const gone = await new Client(t.app).get(`/invite/${fresh}`);
    expect(gone.status).toBe(410);
    expect(await gone.text()).toContain('This invitation was withdrawn');
    // A sign-up step with the revoked link changes nothing either.
    const tried = await new Client(t.app).post(`/invite/${fresh}/sign-up`, {
      name: 'X',
      password: PASSWORD,
      confirm: PASSWORD,
    });
    expect(tried.status).toBe(410);
    const details = await (await client.get(`/invitations/${row.id}`)).text();
    for (const step of ['Created and sent', 'Resent', 'Opened', 'Revoked']) expect(details).toContain(step);
  });

  it('edits the role and project of an open invitation', async () => {
    const { row, client } = await invited();
    const viewerRole = await builtinRoleId(t.db, 'viewer');
    const edited = await client.post(`/invitations/${row.id}/edit`, { projectId, roleId: viewerRole });
    expect(edited.status).toBe(303);
    expect(
      (await t.db.selectFrom('invitations').select('role_name').where('id', '=', row.id).executeTakeFirst())
        ?.role_name,
    ).toBe('Viewer');
    const audited = await t.db
      .selectFrom('audit_events')
      .select(['before', 'after'])
      .where('action', '=', 'invitation.edit')
      .where('target_id', '=', row.id)
      .executeTakeFirstOrThrow();
    expect(audited).toMatchObject({ before: { role: 'Editor' }, after: { role: 'Viewer' } });
  });

  it('shows an unknown link as such, in English, with no detail', async () => {
    const response = await new Client(t.app).get(`/invite/${'x'.repeat(43)}`);
    expect(response.status).toBe(404);
    expect(response.headers.get('referrer-policy')).toBe('no-referrer');
    const html = await response.text();
    expect(html).toContain('This invitation link does not work');
    expect(html).not.toContain('@example.com');
  });
});

describe('the invitations list', () => {
  it('filters by state and inviter, presorts by state then newest, and exports what it shows', async () => {
    const a = await admin();
    for (const email of ['one@example.com', 'two@example.com', 'three@example.com']) {
      await a.client.post('/invitations', { ...a.form, emails: email });
      t.clock.advance(1000);
    }
    const rows = await invitations();
    await a.client.post(`/invitations/${rows[0]?.id}/revoke`, {});
    const page = await (await a.client.get('/invitations')).text();
    const all = page.slice(page.indexOf('<tbody>'));
    const order = ['three@', 'two@', 'one@'].map((e) => all.indexOf(e));
    expect(order).toEqual([...order].sort((x, y) => x - y));
    const pending = await (await a.client.get('/invitations?state=pending')).text();
    expect(pending).not.toContain('one@example.com');
    expect(pending).toContain('Showing 1–2 of 2 invitations');
    const byMe = await (
      await a.client.get(`/invitations?invited_by=${encodeURIComponent(a.me.email.toUpperCase())}`)
    ).text();
    expect(byMe).toContain('of 3 invitations');
    expect(await (await a.client.get('/invitations?invited_by=nobody%40example.com')).text()).toContain(
      'No invitations match',
    );
    const paged = await (await a.client.get('/invitations?per=10&q=example')).text();
    expect(paged).toContain('of 3 invitations');
    const csv = await (await a.client.get('/invitations/export.csv?state=pending')).text();
    expect(csv.trim().split('\r\n')).toHaveLength(3);
    expect(csv).toContain('"two@example.com"');
    const json = JSON.parse(await (await a.client.get('/invitations/export.json')).text());
    expect(json.map((i: { state: string }) => i.state).sort()).toEqual(['pending', 'pending', 'revoked']);
  });
});
