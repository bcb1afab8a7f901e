import { actionText, OUTCOME_TEXT } from '../../src/audit/actions';
import { LANGUAGES } from '../../src/i18n/messages';
import { mailFailed } from '../../src/mail/status';
import type { UserDetails } from '../../src/users/details';
import { AccessByProject } from '../access/effective-access';
import { DialogLink } from '../components/dialog';
import { EmptyState } from '../components/empty-state';
import { ErrorSummary, type FieldErrors } from '../components/form';
import { day, formatNumber, lastDay } from '../components/format';
import { MailStatus } from '../components/mail-status';
import { TableScroll } from '../components/table-scroll';
import { Day, Time } from '../components/time';

function ActionButton({ action, label, userName }: { action: string; label: string; userName: string }) {
  return (
    <form method="post" action={action}>
      <button type="submit" class="button-secondary">
        {label}
        <span class="visually-hidden"> {userName}</span>
      </button>
    </form>
  );
}

/** Where the person came from, in words; null for people made in Gatehouse. */
function sourceText(user: UserDetails['user']): string | null {
  if (user.source === 'scim') return 'Provisioned by the directory (SCIM)';
  if (user.source === 'sso')
    return user.createdThrough
      ? `Created at first single sign-on through ${user.createdThrough}`
      : 'Created at first single sign-on';
  return null;
}

export function UserPage({
  details,
  canManage,
  canAudit,
  errors = {},
}: {
  details: UserDetails;
  canManage: boolean;
  /** Reads the whole audit log (account-wide audit.view): links to the person's events there. */
  canAudit: boolean;
  errors?: FieldErrors;
}) {
  const { user, access, activeSessions, events, locks, identities } = details;
  const base = `/users/${user.id}`;
  const source = sourceText(user);
  return (
    <section>
      <h1>{user.name}</h1>
      <ErrorSummary errors={errors} labels={{}} />
      <dl class="details">
        <dt>Email</dt>
        <dd>{user.email}</dd>
        <dt>Status</dt>
        <dd>
          <span class={`badge badge-${user.status.toLowerCase().replaceAll(' ', '-')}`}>
            {user.status === 'Locked' && user.lockedUntil ? (
              <>
                Locked until <Time at={user.lockedUntil} />
              </>
            ) : (
              user.status
            )}
          </span>
          {user.directoryRemovedAt ? (
            <p class="hint">
              Removed by the directory on <Day at={user.directoryRemovedAt} />. They stay deactivated; an
              admin may delete them for good.
            </p>
          ) : null}
        </dd>
        {source ? (
          <>
            <dt>Source</dt>
            <dd>{source}</dd>
          </>
        ) : null}
        {user.externalId ? (
          <>
            <dt>Directory ID</dt>
            <dd>
              <code>{user.externalId}</code>
            </dd>
          </>
        ) : null}
        {identities.length > 0 ? (
          <>
            <dt>Single sign-on</dt>
            <dd>
              <ul class="plain">
                {identities.map((i) => (
                  <li>
                    {i.providerName}: last sign-in {i.lastSignInAt ? <Time at={i.lastSignInAt} /> : 'never'}
                  </li>
                ))}
              </ul>
            </dd>
          </>
        ) : null}
        {locks.addresses.length > 0 ? (
          <>
            <dt>Locked addresses</dt>
            <dd>
              <ul class="plain">
                {locks.addresses.map((l) => (
                  <li>
                    Locked for {l.address} until <Time at={l.lockedUntil} />
                    {canManage ? (
                      <>
                        {' '}
                        <DialogLink href={`${base}/unlock?${new URLSearchParams({ address: l.address })}`}>
                          Unlock {user.name} for {l.address}
                        </DialogLink>
                      </>
                    ) : null}
                  </li>
                ))}
              </ul>
            </dd>
          </>
        ) : null}
        <dt>Two-factor authentication</dt>
        <dd>{user.twoFactor ? 'On' : 'Not set up'}</dd>
        <dt>Language</dt>
        <dd>{LANGUAGES[user.language as keyof typeof LANGUAGES] ?? user.language}</dd>
        <dt>Access ends</dt>
        <dd>{user.accessExpiresAt ? `after ${lastDay(user.accessExpiresAt)}` : 'Never'}</dd>
        <dt>Last sign-in</dt>
        <dd>{user.lastLoginAt ? day(user.lastLoginAt) : 'Never'}</dd>
        <dt>Active sessions</dt>
        <dd>{activeSessions === 0 ? 'None: not signed in anywhere' : formatNumber(activeSessions)}</dd>
        <dt>Created</dt>
        <dd>{day(user.createdAt)}</dd>
        <dt>Last email</dt>
        <dd>
          <MailStatus mail={details.mail} />
          {canManage && mailFailed(details.mail) && !user.passwordSet ? (
            <>
              {' '}
              <ActionButton
                action={`${base}/resend`}
                label="Resend set-password email to"
                userName={user.name}
              />
            </>
          ) : null}
        </dd>
      </dl>

      {canManage ? (
        <section aria-labelledby="actions">
          <h2 id="actions">Actions</h2>
          <div class="row-actions">
            {user.deactivated ? (
              <ActionButton action={`${base}/reactivate`} label="Reactivate" userName={user.name} />
            ) : (
              <ActionButton action={`${base}/deactivate`} label="Deactivate" userName={user.name} />
            )}
            {user.status === 'Locked' ? (
              <DialogLink href={`${base}/unlock`}>Unlock {user.name}</DialogLink>
            ) : null}
            {user.twoFactor ? (
              <DialogLink href={`${base}/reset-two-factor`}>
                Reset two-factor authentication of {user.name}
              </DialogLink>
            ) : null}
            {user.passwordSet ? null : (
              <ActionButton
                action={`${base}/resend`}
                label="Resend set-password email to"
                userName={user.name}
              />
            )}
            <DialogLink href={`${base}/edit`}>Edit {user.name}</DialogLink>
            <ActionButton action={`${base}/sign-out`} label="Sign out everywhere" userName={user.name} />
            <DialogLink href={`${base}/reset-password`}>Reset password of {user.name}</DialogLink>
            <DialogLink href={`${base}/delete`}>Delete {user.name}</DialogLink>
          </div>
        </section>
      ) : null}

      <h2>Teams</h2>
      {access.teams.length === 0 ? (
        <EmptyState id="no-teams">
          {user.name} is in no team.
          {canManage ? (
            <>
              {' '}
              <DialogLink href={`${base}/edit`}>Add {user.name} to a team</DialogLink> by editing them.
            </>
          ) : null}
        </EmptyState>
      ) : (
        <ul>
          {access.teams.map((t) => (
            <li>
              <a href={`/teams/${t.id}`}>{t.name}</a>
              {t.isAdmin ? ' (team admin)' : ''}
            </li>
          ))}
        </ul>
      )}

      <h2>Access</h2>
      <AccessByProject name={user.name} projects={access.projects} headingLevel={3} />

      {events === null ? null : (
        <>
          <h2>Recent activity</h2>
          {events.length === 0 ? (
            <EmptyState id="no-events">
              No events about or by {user.name} yet: their sign-ins and the changes made to them will be
              listed here.
            </EmptyState>
          ) : (
            <TableScroll captionId="events-caption">
              <table>
                <caption id="events-caption">Latest audit events about or by {user.name}</caption>
                <thead>
                  <tr>
                    <th scope="col">When</th>
                    <th scope="col">Who</th>
                    <th scope="col">Action</th>
                    <th scope="col">Outcome</th>
                  </tr>
                </thead>
                <tbody>
                  {events.map((e) => (
                    <tr>
                      <td>
                        <Time at={e.occurred_at} />
                      </td>
                      <td>{e.actor_label}</td>
                      <td>
                        <a href={`/audit/events/${e.id}`}>{actionText(e.action)}</a>
                      </td>
                      <td>{OUTCOME_TEXT[e.outcome]}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </TableScroll>
          )}
          {canAudit ? (
            <p class="actions">
              <a href={`/audit?${new URLSearchParams({ target: `user:${user.id}` })}`}>
                All events about {user.name}
              </a>
              <a href={`/audit?${new URLSearchParams({ actor: user.email })}`}>All events by {user.name}</a>
            </p>
          ) : null}
        </>
      )}
    </section>
  );
}
