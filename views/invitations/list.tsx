import {
  type InvitationListQuery,
  invitationList,
  LISTED_STATES,
  type ListedInvitation,
} from '../../src/invitations/list';
import type { ListView, ListViewProps } from '../../src/lists/routes';
import { DialogLink } from '../components/dialog';
import {
  Checkboxes,
  ColumnHeaders,
  FilterForm,
  ListResults,
  ListStatusRegion,
  SearchField,
} from '../components/list';
import { UserTabs } from '../users/tabs';
import { expiryText } from './expiry';

const TARGET = 'invitation-list';

type Props = ListViewProps<InvitationListQuery, ListedInvitation>;

function InvitationResults({ q, page, viewer }: Props) {
  const head = (
    <>
      <ColumnHeaders list={invitationList} q={q} target={TARGET} />
      <th scope="col">Actions</th>
    </>
  );
  return (
    <ListResults list={invitationList} q={q} target={TARGET} page={page} canExport head={head}>
      {page.rows.map((i) => (
        <tr>
          <th scope="row">
            <a href={`/invitations/${i.id}`}>{i.email}</a>
          </th>
          <td>{i.invitedBy}</td>
          <td>{i.projectName}</td>
          <td>{i.roleName}</td>
          <td>{LISTED_STATES[i.state]}</td>
          <td>{expiryText(i, viewer.now)}</td>
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
    </ListResults>
  );
}

function InvitationsPage(props: Props) {
  const { q } = props;
  return (
    <section>
      <h1>Invitations</h1>
      <UserTabs current="invitations" canInvite />
      <p class="actions">
        <DialogLink href="/invitations/new">Invite users</DialogLink>
      </p>
      <FilterForm list={invitationList} q={q} target={TARGET}>
        <SearchField label="Search email" value={q.q} />
        <div class="field">
          <label for="invited_by">Invited by (email)</label>
          <input id="invited_by" name="invited_by" type="email" value={q.invitedBy} autocomplete="off" />
        </div>
        <Checkboxes
          legend="State"
          name="state"
          options={Object.entries(LISTED_STATES) as Array<[keyof typeof LISTED_STATES, string]>}
          chosen={q.states}
        />
      </FilterForm>
      <InvitationResults {...props} />
      <ListStatusRegion />
    </section>
  );
}

export const invitationsView: ListView<InvitationListQuery, ListedInvitation> = {
  target: TARGET,
  title: () => 'Invitations',
  Results: InvitationResults,
  Page: InvitationsPage,
};
