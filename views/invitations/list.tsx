import {
  EXPIRING_WITHIN,
  type InvitationListQuery,
  invitationList,
  LISTED_STATES,
  type ListedInvitation,
} from '../../src/invitations/list';
import type { ListView, ListViewProps } from '../../src/lists/routes';
import { DialogLink } from '../components/dialog';
import {
  Checkboxes,
  type ChipLabels,
  Choices,
  ColumnHeaders,
  FilterForm,
  FilterMenu,
  ListResults,
  ListStatusRegion,
} from '../components/list';
import { UserTabs } from '../users/tabs';
import { expiryText } from './expiry';

const TARGET = 'invitation-list';

type Props = ListViewProps<InvitationListQuery, ListedInvitation>;

const days = (n: number) => `${n} ${n === 1 ? 'day' : 'days'}`;

/** What the chips call each chosen value. */
const CHIP_LABELS: ChipLabels = {
  invited_by: { title: 'Invited by' },
  state: { title: 'State', options: Object.entries(LISTED_STATES) },
  [EXPIRING_WITHIN.param]: { title: EXPIRING_WITHIN.label, format: (v) => days(Number(v)) },
};

function InvitationResults({ q, page, viewer, fragment }: Props) {
  const head = (
    <>
      <ColumnHeaders list={invitationList} q={q} target={TARGET} />
      <th scope="col">Actions</th>
    </>
  );
  return (
    <ListResults
      list={invitationList}
      q={q}
      target={TARGET}
      page={page}
      canExport
      fragment={fragment}
      chips={{ labels: CHIP_LABELS, clear: '/invitations' }}
      empty={
        <p>
          No invitations yet. <a href="/invitations/new">Invite people</a> by email: they choose their own
          password when they accept.
        </p>
      }
      head={head}
    >
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

/** Pending invitations that expire within N days: the usual choices, and any other the URL named. */
function ExpiringMenu({ chosen }: { chosen: number | null }) {
  const choices: number[] = [...EXPIRING_WITHIN.choices];
  if (chosen !== null && !choices.includes(chosen)) choices.push(chosen);
  return (
    <Choices
      legend={EXPIRING_WITHIN.label}
      name={EXPIRING_WITHIN.param}
      anyLabel="Any time"
      options={choices.sort((a, b) => a - b).map((n) => [String(n), days(n)] as const)}
      chosen={chosen === null ? '' : String(chosen)}
    />
  );
}

function InvitationsPage(props: Props) {
  const { q } = props;
  return (
    <section class="list-page">
      <div class="page-header">
        <h1>Invitations</h1>
        <p class="page-actions">
          <DialogLink href="/invitations/new" class="button">
            Invite users
          </DialogLink>
        </p>
      </div>
      <UserTabs current="invitations" canInvite />
      <FilterForm
        list={invitationList}
        q={q}
        target={TARGET}
        search={{ label: 'Search email', value: q.q }}
        exportable
      >
        <Checkboxes
          legend="State"
          name="state"
          options={Object.entries(LISTED_STATES) as Array<[keyof typeof LISTED_STATES, string]>}
          chosen={q.states}
        />
        <ExpiringMenu chosen={q.expiringDays} />
        <FilterMenu label="Invited by" chosen={q.invitedBy ? 1 : 0}>
          <div class="field">
            <label for="invited_by">Invited by (email)</label>
            <input id="invited_by" name="invited_by" type="email" value={q.invitedBy} autocomplete="off" />
          </div>
        </FilterMenu>
      </FilterForm>
      <ListStatusRegion />
      <InvitationResults {...props} />
    </section>
  );
}

export const invitationsView: ListView<InvitationListQuery, ListedInvitation> = {
  target: TARGET,
  title: () => 'Invitations',
  Results: InvitationResults,
  Page: InvitationsPage,
};
