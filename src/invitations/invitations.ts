import { z } from 'zod';
import {
  grantsOf,
  type PermissionScope,
  permissionsIn,
  rolePermissions,
  scopeOfActor,
  scopeReaches,
} from '../access/grants';
import { assertCanGrant, RuleError } from '../access/rules';
import { getSettings } from '../account/read-settings';
import { perform } from '../audit/perform';
import { randomToken, sha256 } from '../auth/tokens';
import type { ActionContext } from '../core/context';
import { ConflictError, NotFoundError, ValidationError } from '../core/errors';
import { emailSchema, isUniqueViolation } from '../core/validation';
import type { Db } from '../db/connect';
import type { Language } from '../db/schema';
import { isLanguage, LANGUAGES } from '../i18n/messages';
import { MailError } from '../mail/mailer';
import { invitationMail } from '../mail/templates';
import { SYSTEM_INVITER_LABEL } from './validity';

/** Admin side of invitations: invite, resend, edit, revoke. The invitee's side: invitation-signup.ts. */

export type InvitationState = 'pending' | 'expired' | 'declined' | 'revoked' | 'accepted';

export function invitationState(
  row: { accepted_at: Date | null; declined_at: Date | null; revoked_at: Date | null; expires_at: Date },
  now: Date,
): InvitationState {
  if (row.accepted_at) return 'accepted';
  if (row.revoked_at) return 'revoked';
  if (row.declined_at) return 'declined';
  return row.expires_at <= now ? 'expired' : 'pending';
}

/** One submission names at most this many addresses; the daily limit bounds the rest. */
export const MAX_ADDRESSES = 50;

/** Splits on commas, semicolons and line breaks; each address is checked on its own. */
export function parseAddresses(text: string): { emails: string[]; problems: string[] } {
  const emails: string[] = [];
  const problems: string[] = [];
  const seen = new Set<string>();
  const entries = text
    .split(/[\n,;]+/)
    .map((e) => e.trim())
    .filter(Boolean);
  for (const entry of entries) {
    const parsed = emailSchema.safeParse(entry);
    if (!parsed.success) {
      problems.push(`“${entry.slice(0, 80)}” is not an email address.`);
      continue;
    }
    const key = parsed.data.toLowerCase();
    if (seen.has(key)) continue;
    seen.add(key);
    emails.push(parsed.data);
  }
  return { emails, problems };
}

const uuid = z.uuid();

export interface InviteInput {
  emails?: unknown;
  projectId?: unknown;
  roleId?: unknown;
  language?: unknown;
  hideInviter?: unknown;
  message?: unknown;
}

export interface InviteOutcome {
  email: string;
  /** sent; created but the email failed (`unsent`); refused as a member; already invited. */
  outcome: 'sent' | 'unsent' | 'member' | 'pending';
  invitationId: string | null;
  /** The link, when the account lets admins pass it on themselves. */
  manualLink: string | null;
  note: string;
}

interface Checked {
  emails: string[];
  projectId: string;
  roleId: string;
  language: Language;
  hideInviter: boolean;
  message: string;
}

function checkInput(input: InviteInput): Checked {
  const errors: Record<string, string> = {};
  const { emails, problems } = parseAddresses(typeof input.emails === 'string' ? input.emails : '');
  if (problems.length > 0)
    errors.emails = `${problems.join(' ')} Correct or remove ${problems.length === 1 ? 'it' : 'them'}.`;
  else if (emails.length === 0) errors.emails = 'Enter at least one email address.';
  else if (emails.length > MAX_ADDRESSES)
    errors.emails = `Invite at most ${MAX_ADDRESSES} people at once (you entered ${emails.length}).`;
  const projectId = typeof input.projectId === 'string' ? input.projectId : '';
  if (!uuid.safeParse(projectId).success) errors.projectId = 'Choose a project.';
  const roleId = typeof input.roleId === 'string' ? input.roleId : '';
  if (!uuid.safeParse(roleId).success) errors.roleId = 'Choose a role.';
  if (!isLanguage(input.language)) errors.language = 'Choose the language of the email.';
  const message = typeof input.message === 'string' ? input.message.replaceAll('\r\n', '\n').trim() : '';
  if (message.length > 1000)
    errors.message = `Keep the message to 1,000 characters (it has ${message.length.toLocaleString('en-US')}).`;
  if (Object.keys(errors).length > 0) throw new ValidationError(errors);
  return {
    emails,
    projectId,
    roleId,
    language: input.language as Language,
    hideInviter: input.hideInviter === true || input.hideInviter === 'on' || input.hideInviter === '1',
    message,
  };
}

const DAY_MS = 86_400_000;

/** Invitation emails an admin sent (new and resent) in the last 24 hours, from the audit trail. */
export async function sentInLastDay(db: Db, actorId: string, now: Date): Promise<number> {
  const row = await db
    .selectFrom('audit_events')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('actor_id', '=', actorId)
    .where('occurred_at', '>', new Date(now.getTime() - DAY_MS))
    .where('action', 'in', ['invitation.create', 'invitation.resend'])
    .where('outcome', '=', 'success')
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

const limitText = (limit: number, sent: number) =>
  `You can send ${limit} invitations in 24 hours and have sent ${sent}; ${Math.max(0, limit - sent)} more are possible now`;

/** Locks the inviter's row, so two requests of one admin cannot both pass the limit. */
async function assertWithinDailyLimit(tx: Db, ctx: ActionContext, adding: number) {
  if (ctx.actor.kind !== 'user') return;
  await tx.selectFrom('users').select('id').where('id', '=', ctx.actor.id).forUpdate().execute();
  const { invitations_per_day: limit } = await getSettings(tx);
  const sent = await sentInLastDay(tx, ctx.actor.id, ctx.clock.now());
  if (sent + adding > limit) {
    throw new RuleError('invitation-limit', `${limitText(limit, sent)}.`);
  }
}

class AlreadyMember extends ConflictError {}
class AlreadyInvited extends ConflictError {
  constructor(readonly invitationId: string) {
    super('already invited');
  }
}

/** Anyone whose access (own or a team's, account-wide or in the project) already reaches it. */
async function isMember(tx: Db, email: string, projectId: string, now: Date): Promise<boolean> {
  const user = await tx.selectFrom('users').select('id').where('email', '=', email).executeTakeFirst();
  if (!user) return false;
  const grants = await grantsOf(tx, user.id, now);
  return grants.some((g) => g.projectId === null || g.projectId === projectId);
}

/** Not accepted, declined or revoked (expired ones too: they can be resent). */
const openInvitations = (db: Db) =>
  db
    .selectFrom('invitations')
    .where('accepted_at', 'is', null)
    .where('declined_at', 'is', null)
    .where('revoked_at', 'is', null);

async function openInvitationId(tx: Db, email: string, projectId: string): Promise<string | null> {
  const row = await openInvitations(tx)
    .select('id')
    .where('email', '=', email)
    .where('project_id', '=', projectId)
    .executeTakeFirst();
  return row?.id ?? null;
}

async function roleAndProject(tx: Db, roleId: string, projectId: string) {
  const role = await tx.selectFrom('roles').selectAll().where('id', '=', roleId).executeTakeFirst();
  const project = await tx
    .selectFrom('projects')
    .select(['id', 'name'])
    .where('id', '=', projectId)
    .executeTakeFirst();
  const errors: Record<string, string> = {};
  if (!role) errors.roleId = 'Choose a role from the list.';
  if (!project) errors.projectId = 'Choose a project from the list.';
  if (!role || !project) throw new ValidationError(errors);
  return { role, project };
}

function newToken(now: Date, lifetimeHours: number) {
  const token = randomToken(32);
  return { token, hash: sha256(token), expiresAt: new Date(now.getTime() + lifetimeHours * 3_600_000) };
}

const inviteLink = (ctx: ActionContext, token: string) => `${ctx.config.publicUrl}/invite/${token}`;

interface Mailable {
  id: string;
  email: string;
  language: Language;
  hideInviter: boolean;
  message: string;
  projectName: string;
  roleName: string;
  inviterLabel: string;
  token: string;
  expiresAt: Date;
  accountName: string;
  allowManualLinks: boolean;
}

/** After the commit: a failed send leaves the invitation, which "Resend" reaches later. */
async function mailInvitation(
  ctx: ActionContext,
  m: Mailable,
): Promise<{ sent: boolean; manualLink: string | null }> {
  const link = inviteLink(ctx, m.token);
  let sent = true;
  try {
    await ctx.mailer.send({
      ...(await invitationMail({
        to: m.email,
        language: m.language,
        inviter: m.hideInviter ? null : m.inviterLabel,
        accountName: m.accountName,
        projectName: m.projectName,
        roleName: m.roleName,
        message: m.message,
        link,
        expiresAt: m.expiresAt,
      })),
      idempotencyKey: `invitation-${m.id}-${m.expiresAt.getTime()}`,
    });
  } catch (error) {
    if (!(error instanceof MailError)) throw error;
    console.error(`invitation ${m.id}: the email was not sent`, error.message);
    sent = false;
  }
  return { sent, manualLink: m.allowManualLinks ? link : null };
}

async function inviteOne(ctx: ActionContext, data: Checked, email: string): Promise<Mailable> {
  const now = ctx.clock.now();
  const inviterLabel =
    ctx.actor.kind === 'user' ? `${ctx.actor.name} (${ctx.actor.email})` : SYSTEM_INVITER_LABEL;
  return perform(ctx, 'invitation.create', async (tx) => {
    await assertWithinDailyLimit(tx, ctx, 1);
    const { role, project } = await roleAndProject(tx, data.roleId, data.projectId);
    await assertMayInvite(tx, ctx, project.id, role);
    if (await isMember(tx, email, project.id, now)) throw new AlreadyMember(email);
    const open = await openInvitationId(tx, email, project.id);
    if (open) throw new AlreadyInvited(open);
    const settings = await getSettings(tx);
    const { token, hash, expiresAt } = newToken(now, settings.invitation_lifetime_hours);
    const row = await tx
      .insertInto('invitations')
      .values({
        email,
        project_id: project.id,
        role_id: role.id,
        role_name: role.name,
        invited_by: ctx.actor.kind === 'user' ? ctx.actor.id : null,
        invited_by_label: inviterLabel,
        hide_inviter: data.hideInviter,
        language: data.language,
        message: data.message,
        token_hash: hash,
        created_at: now,
        sent_at: now,
        expires_at: expiresAt,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    return {
      result: {
        id: row.id,
        email,
        language: data.language,
        hideInviter: data.hideInviter,
        message: data.message,
        projectName: project.name,
        roleName: role.name,
        inviterLabel,
        token,
        expiresAt,
        accountName: settings.account_name,
        allowManualLinks: settings.allow_manual_links,
      },
      target: { type: 'invitation', id: row.id, label: email },
      projectId: project.id,
      after: {
        email,
        project: project.name,
        role: role.name,
        language: data.language,
        hideInviter: data.hideInviter,
        message: data.message !== '',
        expiresAt: expiresAt.toISOString(),
        manualLinkShown: settings.allow_manual_links,
      },
    };
  });
}

/**
 * Invites each address to the project with the role, each in its own transaction and audit
 * event, and mails each invitation. Bad input (any malformed address, a limit that the whole
 * list would pass) changes nothing; a member or an address already invited is reported, not sent.
 */
export async function inviteUsers(ctx: ActionContext, input: InviteInput): Promise<InviteOutcome[]> {
  const data = checkInput(input);
  if (ctx.actor.kind === 'user') {
    const [{ invitations_per_day: limit }, sent] = await Promise.all([
      getSettings(ctx.db),
      sentInLastDay(ctx.db, ctx.actor.id, ctx.clock.now()),
    ]);
    if (sent + data.emails.length > limit) {
      throw new ValidationError({
        emails: `${limitText(limit, sent)}, and you entered ${data.emails.length}.`,
      });
    }
  }
  const outcomes: InviteOutcome[] = [];
  for (const email of data.emails) {
    let created: Mailable;
    try {
      created = await inviteOne(ctx, data, email);
    } catch (error) {
      if (error instanceof AlreadyMember) {
        outcomes.push({
          email,
          outcome: 'member',
          invitationId: null,
          manualLink: null,
          note: `${email} is already a member of this project; nothing was sent.`,
        });
        continue;
      }
      const existing =
        error instanceof AlreadyInvited
          ? error.invitationId
          : isUniqueViolation(error)
            ? await openInvitationId(ctx.db, email, data.projectId)
            : null;
      if (!existing) throw error;
      outcomes.push({
        email,
        outcome: 'pending',
        invitationId: existing,
        manualLink: null,
        note: `${email} already has an open invitation to this project; resend it instead of inviting twice.`,
      });
      continue;
    }
    const { sent, manualLink } = await mailInvitation(ctx, created);
    outcomes.push({
      email,
      outcome: sent ? 'sent' : 'unsent',
      invitationId: created.id,
      manualLink,
      note: sent
        ? `Invitation sent to ${email}.`
        : `The invitation for ${email} was created, but the email could not be sent. Resend it later${manualLink ? ' or pass the link on yourself' : ''}.`,
    });
  }
  return outcomes;
}

/** The invitation, locked, with the checks every admin change shares. */
async function openForChange(tx: Db, ctx: ActionContext, id: string, verb: string) {
  const row = uuid.safeParse(id).success
    ? await tx.selectFrom('invitations').selectAll().where('id', '=', id).forUpdate().executeTakeFirst()
    : undefined;
  // Out of the actor's projects, an invitation is as unknown as on its page.
  const scope = await scopeOfActor(tx, ctx.actor, ctx.clock.now(), 'invitations.manage');
  if (!row || !scopeReaches(scope, row.project_id)) throw new NotFoundError('No such invitation.');
  const state = invitationState(row, ctx.clock.now());
  if (state !== 'pending' && state !== 'expired') {
    throw new ConflictError(`This invitation was ${state}, so it cannot be ${verb}.`);
  }
  return row;
}

/**
 * No escalation through invitations: the actor manages invitations in the project and holds
 * there everything the role grants (no role: only the first).
 */
async function assertMayInvite(
  tx: Db,
  ctx: ActionContext,
  projectId: string,
  role: { key: string | null; permissions: string[] } | null = null,
) {
  await assertCanGrant(tx, ctx, {
    permissions: role ? rolePermissions(role) : [],
    projectId,
    permission: 'invitations.manage',
    ...(role ? { expiresAt: null } : {}),
  });
}

/** The role an open invitation offers, which the actor must still be able to grant. */
async function grantableRole(tx: Db, ctx: ActionContext, roleId: string | null, projectId: string) {
  const role = roleId
    ? await tx.selectFrom('roles').selectAll().where('id', '=', roleId).executeTakeFirst()
    : undefined;
  if (!role) throw new ConflictError('The role of this invitation was deleted; choose another role first.');
  await assertMayInvite(tx, ctx, projectId, role);
  return role;
}

/** A new link and a new expiry; the old link stops working at once. */
export async function resendInvitation(ctx: ActionContext, id: string): Promise<InviteOutcome> {
  const now = ctx.clock.now();
  const done = await perform(ctx, 'invitation.resend', async (tx) => {
    const row = await openForChange(tx, ctx, id, 'resent');
    await grantableRole(tx, ctx, row.role_id, row.project_id);
    await assertWithinDailyLimit(tx, ctx, 1);
    const settings = await getSettings(tx);
    const project = await tx
      .selectFrom('projects')
      .select('name')
      .where('id', '=', row.project_id)
      .executeTakeFirstOrThrow();
    const { token, hash, expiresAt } = newToken(now, settings.invitation_lifetime_hours);
    await tx
      .updateTable('invitations')
      .set({ token_hash: hash, expires_at: expiresAt, sent_at: now, signup: null })
      .where('id', '=', row.id)
      .execute();
    return {
      result: {
        id: row.id,
        email: row.email,
        language: row.language,
        hideInviter: row.hide_inviter,
        message: row.message,
        projectName: project.name,
        roleName: row.role_name,
        inviterLabel: row.invited_by_label,
        token,
        expiresAt,
        accountName: settings.account_name,
        allowManualLinks: settings.allow_manual_links,
      } satisfies Mailable,
      target: { type: 'invitation', id: row.id, label: row.email },
      projectId: row.project_id,
      before: { expiresAt: row.expires_at.toISOString() },
      after: { expiresAt: expiresAt.toISOString(), manualLinkShown: settings.allow_manual_links },
    };
  });
  const { sent, manualLink } = await mailInvitation(ctx, done);
  return {
    email: done.email,
    outcome: sent ? 'sent' : 'unsent',
    invitationId: done.id,
    manualLink,
    note: sent
      ? `The invitation was sent to ${done.email} again; the earlier link no longer works.`
      : `A new link was made for ${done.email}, but the email could not be sent. Try again later${manualLink ? ' or pass the link on yourself' : ''}.`,
  };
}

/** The link stops working at once; the invitation stays in the list as Revoked. */
export async function revokeInvitation(ctx: ActionContext, id: string): Promise<{ email: string }> {
  return perform(ctx, 'invitation.revoke', async (tx) => {
    const row = await openForChange(tx, ctx, id, 'revoked');
    await assertMayInvite(tx, ctx, row.project_id);
    await tx
      .updateTable('invitations')
      .set({ revoked_at: ctx.clock.now(), signup: null })
      .where('id', '=', row.id)
      .execute();
    return {
      result: { email: row.email },
      target: { type: 'invitation', id: row.id, label: row.email },
      projectId: row.project_id,
      before: { state: invitationState(row, ctx.clock.now()) },
      after: { state: 'revoked' },
    };
  });
}

/** While it is open: another project or role. The link and expiry stay. */
export async function editInvitation(
  ctx: ActionContext,
  id: string,
  input: { projectId?: unknown; roleId?: unknown },
): Promise<void> {
  const projectId = typeof input.projectId === 'string' ? input.projectId : '';
  const roleId = typeof input.roleId === 'string' ? input.roleId : '';
  const errors: Record<string, string> = {};
  if (!uuid.safeParse(projectId).success) errors.projectId = 'Choose a project.';
  if (!uuid.safeParse(roleId).success) errors.roleId = 'Choose a role.';
  if (Object.keys(errors).length > 0) throw new ValidationError(errors);
  try {
    await perform(ctx, 'invitation.edit', async (tx) => {
      const row = await openForChange(tx, ctx, id, 'edited');
      await assertMayInvite(tx, ctx, row.project_id);
      const { role, project } = await roleAndProject(tx, roleId, projectId);
      await assertMayInvite(tx, ctx, project.id, role);
      if (project.id !== row.project_id && (await isMember(tx, row.email, project.id, ctx.clock.now())))
        throw new ValidationError({ projectId: `${row.email} is already a member of ${project.name}.` });
      const before = await tx
        .selectFrom('projects')
        .select('name')
        .where('id', '=', row.project_id)
        .executeTakeFirstOrThrow();
      await tx
        .updateTable('invitations')
        .set({ project_id: project.id, role_id: role.id, role_name: role.name })
        .where('id', '=', row.id)
        .execute();
      return {
        result: undefined,
        target: { type: 'invitation', id: row.id, label: row.email },
        projectId: project.id,
        before: { project: before.name, role: row.role_name },
        after: { project: project.name, role: role.name },
      };
    });
  } catch (error) {
    if (isUniqueViolation(error))
      throw new ValidationError({ projectId: 'This person already has an open invitation to that project.' });
    throw error;
  }
}

export interface InvitationDetails {
  id: string;
  email: string;
  state: InvitationState;
  projectId: string;
  projectName: string;
  roleId: string | null;
  roleName: string;
  invitedBy: string;
  hideInviter: boolean;
  language: Language;
  languageName: string;
  message: string;
  createdAt: Date;
  sentAt: Date;
  expiresAt: Date;
  openedAt: Date | null;
  history: Array<{ at: Date; action: string; actor: string; outcome: string; detail: string }>;
}

const HISTORY_ACTIONS: Record<string, string> = {
  'invitation.create': 'Created and sent',
  'invitation.resend': 'Resent',
  'invitation.open': 'Opened',
  'invitation.edit': 'Edited',
  'invitation.revoke': 'Revoked',
  'invitation.decline': 'Declined',
  'invitation.accept': 'Accepted',
};

export type InvitationSummary = Omit<InvitationDetails, 'history'>;

/**
 * The invitation without its history: what its dialogs (edit, resend, revoke) need. One to a
 * project outside the viewer's scope is not found, as on the list.
 */
export async function findInvitation(
  db: Db,
  id: string,
  scope: PermissionScope,
  now: Date,
): Promise<InvitationSummary> {
  const row = uuid.safeParse(id).success
    ? await db
        .selectFrom('invitations as i')
        .innerJoin('projects as p', 'p.id', 'i.project_id')
        .selectAll('i')
        .select('p.name as project_name')
        .where('i.id', '=', id)
        .executeTakeFirst()
    : undefined;
  if (!row || !scopeReaches(scope, row.project_id)) throw new NotFoundError('No such invitation.');
  return {
    id: row.id,
    email: row.email,
    state: invitationState(row, now),
    projectId: row.project_id,
    projectName: row.project_name,
    roleId: row.role_id,
    roleName: row.role_name,
    invitedBy: row.invited_by_label,
    hideInviter: row.hide_inviter,
    language: row.language,
    languageName: LANGUAGES[row.language],
    message: row.message,
    createdAt: row.created_at,
    sentAt: row.sent_at,
    expiresAt: row.expires_at,
    openedAt: row.opened_at,
  };
}

/** The invitation and its history (created, sent, opened ...) from the audit trail. */
export async function invitationDetails(
  db: Db,
  id: string,
  scope: PermissionScope,
  now: Date,
): Promise<InvitationDetails> {
  const invitation = await findInvitation(db, id, scope, now);
  const events = await db
    .selectFrom('audit_events')
    .select(['occurred_at', 'action', 'actor_label', 'outcome', 'before', 'after'])
    .where('target_type', '=', 'invitation')
    .where('target_id', '=', invitation.id)
    .orderBy('occurred_at')
    .orderBy('id')
    .execute();
  return {
    ...invitation,
    history: events.map((e) => ({
      at: e.occurred_at,
      action: HISTORY_ACTIONS[e.action] ?? e.action,
      actor: e.actor_label,
      outcome: e.outcome,
      detail: historyDetail(e.action, e.before, e.after),
    })),
  };
}

function historyDetail(action: string, before: unknown, after: unknown): string {
  const b = (before ?? {}) as Record<string, unknown>;
  const a = (after ?? {}) as Record<string, unknown>;
  if (action === 'invitation.edit') return `${b.project} as ${b.role} → ${a.project} as ${a.role}`;
  if (action === 'invitation.create')
    return `${a.project} as ${a.role}, in ${LANGUAGES[a.language as Language] ?? a.language}`;
  if (action === 'invitation.resend' && typeof a.expiresAt === 'string')
    return `new expiry ${a.expiresAt.slice(0, 16).replace('T', ' ')} UTC`;
  if (action === 'invitation.accept' && typeof a.as === 'string')
    return a.as === 'new' ? 'signed up' : 'existing account';
  return '';
}

/** Pending invitations offering a role, which must not vanish under them (roles.ts). */
export async function pendingInvitationsWithRole(db: Db, roleId: string): Promise<number> {
  const row = await openInvitations(db)
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('role_id', '=', roleId)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** Roles the actor may hand out in a project (no escalation), for the invite and edit dialogs. */
export async function grantableRoles(
  db: Db,
  ctx: Pick<ActionContext, 'actor' | 'clock'>,
  projectId: string,
): Promise<Array<{ id: string; name: string }>> {
  if (ctx.actor.kind !== 'user') return [];
  const [grants, roles] = await Promise.all([
    grantsOf(db, ctx.actor.id, ctx.clock.now()),
    db.selectFrom('roles').select(['id', 'name', 'key', 'permissions']).orderBy('name').execute(),
  ]);
  const held = permissionsIn(grants, projectId);
  return roles
    .filter((r) => rolePermissions(r).every((p) => held.has(p)))
    .map((r) => ({ id: r.id, name: r.name }));
}
