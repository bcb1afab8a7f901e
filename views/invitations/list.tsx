import {
  type InvitationListQuery,
  type InvitationPage,
  invitationListParams,
  LISTED_STATES,
} from '../../src/invitations/list';
import { PAGE_SIZES } from '../../src/lists/paging';
import { DialogLink } from '../components/dialog';
import { SelectField } from '../components/form';
import { ExportLinks, ListCaption, listAnnouncement, Pagination, rangeText } from '../components/pagination';
import { TableScroll } from '../components/table-scroll';
import { UserTabs } from '../users/tabs';
import { expiryText } from './expiry';

export const invitationsRange = (page: InvitationPage) =>
  rangeText(page, page.invitations.length, 'invitations');

/** The list has one order: open ones first (pending, expired, declined, revoked), newest first within. */
export const invitationsAnnouncement = (page: InvitationPage) =>
  listAnnouncement('by state, then newest first', invitationsRange(page));

export function InvitationResults({
  q,
  page,
  now,
}: {
  q: InvitationListQuery;
  page: InvitationPage;
  now: Date;
}) {
  return (
    <div id="invitation-list">
      <ExportLinks base="/invitations/export" filter={invitationListParams({ ...q, per: 25 })} />
      <TableScroll captionId="invitation-list-caption">
        <table>
          <ListCaption list="invitation-list" text={invitationsRange(page)} />
          <thead>
            <tr>
              <th scope="col">Email</th>
              <th scope="col">Invited by</th>
              <th scope="col">Project</th>
              <th scope="col">Role</th>
              <th scope="col">State</th>
              <th scope="col">Expiry</th>
              <th scope="col">Actions</th>
            </tr>
          </thead>
          <tbody>
            {page.invitations.map((i) => (
              <tr>
                <th scope="row">
                  <a href={`/invitations/${i.id}`}>{i.email}</a>
                </th>
                <td>{i.invitedBy}</td>
                <td>{i.projectName}</td>
                <td>{i.roleName}</td>
                <td>{LISTED_STATES[i.state]}</td>
                <td>{expiryText(i, now)}</td>
                <td>
                  {i.state === 'pending' || i.state === 'expired' ? (
                    <span class="row-actions">
                      <DialogLink href={`/invitations/${i.id}/resend`}>
                        Resend<span class="visually-hidden"> to {i.email}</span>
                      </DialogLink>
                      <DialogLink href={`/invitations/${i.id}/revoke`}>
                        Revoke<span class="visually-hidden"> the invitation of {i.email}</span>
                      </DialogLink>
                    </span>
                  ) : null}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </TableScroll>
      <Pagination
        page={page}
        shown={page.invitations.length}
        per={q.per}
        noun="invitations"
        target="invitation-list"
        href={(paging) => `/invitations?${invitationListParams(q, paging)}`}
      />
    </div>
  );
}

export function InvitationsPage({
  q,
  page,
  now,
}: {
  q: InvitationListQuery;
  page: InvitationPage;
  now: Date;
}) {
  return (
    <section>
      <h1>Invitations</h1>
      <UserTabs current="invitations" canInvite />
      <p class="actions">
        <DialogLink href="/invitations/new">Invite users</DialogLink>
      </p>
      <form
        method="get"
        action="/invitations"
        id="filters"
        class="filters"
        aria-label="Search and filter invitations"
        hx-get="/invitations"
        hx-target="#invitation-list"
        hx-swap="outerHTML"
        hx-push-url="true"
        hx-trigger="submit, change, input delay:400ms from:#q"
      >
        <div class="field">
          <label for="q">Search email</label>
          <input id="q" name="q" type="search" value={q.q} autocomplete="off" />
        </div>
        <div class="field">
          <label for="invited_by">Invited by (email)</label>
          <input id="invited_by" name="invited_by" type="email" value={q.invitedBy} autocomplete="off" />
        </div>
        <fieldset>
          <legend>State</legend>
          {(Object.entries(LISTED_STATES) as Array<[keyof typeof LISTED_STATES, string]>).map(
            ([key, label]) => (
              <label class="choice">
                <input type="checkbox" name="state" value={key} checked={q.states.includes(key)} /> {label}
              </label>
            ),
          )}
        </fieldset>
        <SelectField
          name="per"
          label="Rows per page"
          value={String(q.per)}
          options={PAGE_SIZES.map((n) => ({ value: String(n), label: String(n) }))}
        />
        <div class="actions">
          <button type="submit">Apply</button>
          <a href="/invitations">Clear filters</a>
        </div>
      </form>
      <InvitationResults q={q} page={page} now={now} />
      <div id="list-status" class="visually-hidden" role="status" aria-live="polite" />
    </section>
  );
}
