import type { InvitationDetails } from '../../src/invitations/details';
import { LISTED_STATES } from '../../src/invitations/list';
import { mailFailed } from '../../src/mail/status';
import { DialogLink } from '../components/dialog';
import { MailStatus } from '../components/mail-status';
import { TableScroll } from '../components/table-scroll';
import { Time } from '../components/time';
import { expiryText } from './expiry';

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
        <dt>Email</dt>
        <dd>
          <MailStatus mail={i.mail} />
          {open && mailFailed(i.mail) ? (
            <>
              {' '}
              <DialogLink href={`/invitations/${i.id}/resend`}>
                Resend<span class="visually-hidden"> the invitation to {i.email}</span>
              </DialogLink>
            </>
          ) : null}
        </dd>
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
