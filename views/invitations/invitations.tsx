import type { Language } from '../../src/db/schema';
import { LANGUAGES } from '../../src/i18n/messages';
import type {
  InvitationDetails,
  InvitationState,
  InvitationSummary,
  InviteOutcome,
} from '../../src/invitations/invitations';
import { LISTED_STATES } from '../../src/invitations/list';
import { DialogLink } from '../components/dialog';
import { ErrorSummary, type FieldErrors, SelectField, TextAreaField } from '../components/form';
import { TableScroll } from '../components/table-scroll';
import { Time } from '../components/time';

const DAY = 86_400_000;

/** "expires in 5 days", "expired 2 days ago", "declined": what an admin needs at a glance. */
export function expiryText(i: { state: InvitationState; expiresAt: Date }, now: Date): string {
  if (i.state === 'accepted') return 'accepted';
  if (i.state === 'declined') return 'declined';
  if (i.state === 'revoked') return 'revoked';
  const ms = i.expiresAt.getTime() - now.getTime();
  const days = Math.round(Math.abs(ms) / DAY);
  const hours = Math.round(Math.abs(ms) / 3_600_000);
  const span = days >= 1 ? `${days} day${days === 1 ? '' : 's'}` : `${hours} hour${hours === 1 ? '' : 's'}`;
  return ms > 0 ? `expires in ${span}` : `expired ${span} ago`;
}

export const INVITE_LABELS = {
  emails: 'Email addresses',
  projectId: 'Project',
  roleId: 'Role',
  language: 'Email language',
  hideInviter: 'Hide my name and email',
  message: 'Personal message',
};

export interface InviteValues {
  emails: string;
  projectId: string;
  roleId: string;
  language: Language;
  hideInviter: boolean;
  message: string;
}

export function InviteForm({
  values,
  projects,
  roles,
  errors = {},
  inDialog = false,
  submitted = false,
}: {
  values: InviteValues;
  projects: Array<{ id: string; name: string }>;
  /** Only the roles the actor may grant. */
  roles: Array<{ id: string; name: string }>;
  errors?: FieldErrors;
  inDialog?: boolean;
  /** Shown again after a refusal: keep what was typed over remembered preferences. */
  submitted?: boolean;
}) {
  const title = 'Invite users';
  return (
    <section class="narrow">
      {inDialog ? <h2 id="dialog-title">{title}</h2> : <h1>{title}</h1>}
      <ErrorSummary errors={errors} labels={INVITE_LABELS} />
      <form
        method="post"
        action="/invitations"
        data-invite-form=""
        data-submitted={submitted ? '' : undefined}
        hx-post={inDialog ? '/invitations' : undefined}
        hx-target={inDialog ? '#dialog-body' : undefined}
      >
        <TextAreaField
          name="emails"
          label={INVITE_LABELS.emails}
          hint="One per line, or separated by commas. Each is checked on its own."
          rows={4}
          required
          value={values.emails}
          error={errors.emails}
        />
        <SelectField
          name="projectId"
          label={INVITE_LABELS.projectId}
          value={values.projectId}
          options={projects.map((p) => ({ value: p.id, label: p.name }))}
          error={errors.projectId}
        />
        <SelectField
          name="roleId"
          label={INVITE_LABELS.roleId}
          value={values.roleId}
          options={[
            { value: '', label: 'Choose a role' },
            ...roles.map((r) => ({ value: r.id, label: r.name })),
          ]}
          error={errors.roleId}
        />
        <SelectField
          name="language"
          label={INVITE_LABELS.language}
          value={values.language}
          options={Object.entries(LANGUAGES).map(([value, label]) => ({ value, label }))}
          error={errors.language}
        />
        <div class="field">
          <label class="choice">
            <input type="checkbox" name="hideInviter" value="on" checked={values.hideInviter} />{' '}
            {INVITE_LABELS.hideInviter}
          </label>
        </div>
        <TextAreaField
          name="message"
          label={`${INVITE_LABELS.message} (optional)`}
          rows={3}
          maxlength={1000}
          value={values.message}
          error={errors.message}
        />
        <div class="actions">
          <button type="submit">Send invitations</button>
          <a href="/invitations" data-dialog-cancel="">
            Cancel
          </a>
        </div>
      </form>
    </section>
  );
}

/** What happened to each address, with the "send manually" links when the account allows them. */
export function InviteResultPage({
  outcomes,
  inDialog = false,
}: {
  outcomes: InviteOutcome[];
  inDialog?: boolean;
}) {
  const sent = outcomes.filter((o) => o.outcome === 'sent').length;
  const title = sent === 1 ? '1 invitation sent' : `${sent} invitations sent`;
  const links = outcomes.filter((o) => o.manualLink);
  // In the dialog, app.js moves focus to the heading and reads the outcomes out through the
  // dialog's own live region (one that arrives already filled is often not announced).
  return (
    <section class="narrow" data-announce={outcomes.map((o) => o.note).join(' ')}>
      {inDialog ? (
        <h2 id="dialog-title" tabindex={-1}>
          {title}
        </h2>
      ) : (
        <h1>{title}</h1>
      )}
      <ul class="outcomes">
        {outcomes.map((o) => (
          <li class={`outcome-${o.outcome}`}>
            {o.note}
            {o.outcome === 'pending' && o.invitationId ? (
              <>
                {' '}
                <a href={`/invitations/${o.invitationId}/resend`}>
                  Resend<span class="visually-hidden"> to {o.email}</span>
                </a>
              </>
            ) : null}
          </li>
        ))}
      </ul>
      {links.length > 0 ? (
        <div class="callout">
          {inDialog ? <h3>Send manually</h3> : <h2>Send manually</h2>}
          <p>
            If an email does not arrive, pass its link on by other means. Each works once, for its invitee
            only.
          </p>
          {links.map((o, n) => (
            <div class="field">
              <label for={`manual-link-${n}`}>Link for {o.email}</label>
              <input id={`manual-link-${n}`} type="text" readonly value={o.manualLink ?? ''} />
            </div>
          ))}
        </div>
      ) : null}
      <p>
        <a href="/invitations">Go to the invitations</a>
      </p>
    </section>
  );
}

const when = (d: Date | null) => (d ? <Time at={d} /> : '—');

export function InvitationDetailPage({
  invitation: i,
  now,
  canAudit,
}: {
  invitation: InvitationDetails;
  now: Date;
  /** May open the audit log (audit.view): the history links to it. */
  canAudit: boolean;
}) {
  const open = i.state === 'pending' || i.state === 'expired';
  return (
    <section>
      <p>
        <a href="/invitations">Invitations</a>
      </p>
      <h1>Invitation for {i.email}</h1>
      <dl class="details">
        <dt>Invitation id</dt>
        <dd>
          <code>{i.id}</code>
        </dd>
        <dt>State</dt>
        <dd>
          {i.state === 'accepted' ? 'Accepted' : LISTED_STATES[i.state]}
          {i.state === 'pending' || i.state === 'expired' ? ` (${expiryText(i, now)})` : ''}
        </dd>
        <dt>Project</dt>
        <dd>{i.projectName}</dd>
        <dt>Role</dt>
        <dd>{i.roleName}</dd>
        <dt>Invited by</dt>
        <dd>
          {i.invitedBy}
          {i.hideInviter ? ' (hidden from the invitee)' : ''}
        </dd>
        <dt>Email language</dt>
        <dd>{i.languageName}</dd>
        <dt>Personal message</dt>
        <dd class="message">{i.message || 'None'}</dd>
        <dt>Created</dt>
        <dd>{when(i.createdAt)}</dd>
        <dt>Last sent</dt>
        <dd>{when(i.sentAt)}</dd>
        <dt>Expires</dt>
        <dd>{when(i.expiresAt)}</dd>
        <dt>First opened</dt>
        <dd>{i.openedAt ? when(i.openedAt) : 'Not yet'}</dd>
      </dl>
      {open ? (
        <p class="actions">
          <DialogLink href={`/invitations/${i.id}/edit`}>Edit role or project</DialogLink>
          <DialogLink href={`/invitations/${i.id}/resend`}>Resend</DialogLink>
          <DialogLink href={`/invitations/${i.id}/revoke`}>Revoke</DialogLink>
        </p>
      ) : null}
      <h2>History</h2>
      <TableScroll captionId="history-caption">
        <table>
          <caption id="history-caption" class="visually-hidden">
            History of this invitation, oldest first
          </caption>
          <thead>
            <tr>
              <th scope="col">When</th>
              <th scope="col">What</th>
              <th scope="col">By</th>
              <th scope="col">Details</th>
            </tr>
          </thead>
          <tbody>
            {i.history.map((h) => (
              <tr>
                <td>{when(h.at)}</td>
                <td>
                  {h.action}
                  {h.outcome === 'success' ? '' : ` (${h.outcome})`}
                </td>
                <td>{h.actor}</td>
                <td>{h.detail}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </TableScroll>
      {canAudit ? (
        <p>
          <a href={`/audit?${new URLSearchParams({ target: `invitation:${i.id}` })}`}>
            This invitation's events in the audit log
          </a>
        </p>
      ) : null}
    </section>
  );
}

export function InvitationEditPage({
  invitation: i,
  values,
  projects,
  roles,
  errors = {},
  inDialog = false,
}: {
  invitation: InvitationSummary;
  values: { projectId: string; roleId: string };
  projects: Array<{ id: string; name: string }>;
  roles: Array<{ id: string; name: string }>;
  errors?: FieldErrors;
  inDialog?: boolean;
}) {
  const title = `Edit the invitation for ${i.email}`;
  return (
    <section class="narrow">
      {inDialog ? <h2 id="dialog-title">{title}</h2> : <h1>{title}</h1>}
      <ErrorSummary errors={errors} labels={{ projectId: 'Project', roleId: 'Role' }} />
      <form method="post" action={`/invitations/${i.id}/edit`}>
        <SelectField
          name="projectId"
          label="Project"
          value={values.projectId}
          options={projects.map((p) => ({ value: p.id, label: p.name }))}
          error={errors.projectId}
        />
        <SelectField
          name="roleId"
          label="Role"
          value={values.roleId}
          options={roles.map((r) => ({ value: r.id, label: r.name }))}
          error={errors.roleId}
        />
        <div class="actions">
          <button type="submit">Save</button>
          <a href={`/invitations/${i.id}`} data-dialog-cancel="">
            Cancel
          </a>
        </div>
      </form>
    </section>
  );
}
