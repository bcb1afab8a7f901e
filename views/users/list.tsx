import type { ListView, ListViewProps } from '../../src/lists/routes';
import {
  ACCESS_LEVELS,
  ENDING_WITHIN,
  type ListedUser,
  STATUS_KEYS,
  TWO_FACTOR_STATES,
  USER_SOURCES,
  type UserListQuery,
  userList,
} from '../../src/users/list';
import { DialogLink } from '../components/dialog';
import {
  Checkboxes,
  type ChipLabels,
  ChoiceList,
  Choices,
  ColumnHeaders,
  FilterForm,
  FilterMenu,
  ListResults,
  ListStatusRegion,
  SelectMenu,
} from '../components/list';
import { Ago, Day, Time } from '../components/time';
import { SelectionBar } from './bulk';
import { UserTabs } from './tabs';

const TARGET = 'user-list';

/** The badge beside a person's name: where they came from, when not made in Gatehouse. */
const SOURCE_BADGES = { scim: 'Directory', sso: 'SSO' } as const;

const title = (q: UserListQuery) => (q.tab === 'deactivated' ? 'Deactivated users' : 'Users');

type UserChoices = { roles: Array<{ id: string; name: string }>; teams: Array<{ id: string; name: string }> };

const STATUS_OPTIONS = Object.entries(STATUS_KEYS).filter(([key]) => key !== 'deactivated') as Array<
  [keyof typeof STATUS_KEYS, string]
>;

/** "Inactive for…": the usual spans, and whatever a link asked for. */
const INACTIVE_PRESETS = [30, 60, 90, 180, 365];
const days = (n: number) => (n === 1 ? '1 day' : `${n.toLocaleString('en-US')} days`);
const inactiveOptions = (chosen: number | null) =>
  [...new Set([...INACTIVE_PRESETS, ...(chosen ? [chosen] : [])])]
    .sort((a, b) => a - b)
    .map((n) => [String(n), `${days(n)} or more`] as const);

/** "Access ends…": within the usual spans (the person's access, or one of their roles), or what a link asked for. */
const endingOptions = (chosen: number | null) =>
  [...new Set([...ENDING_WITHIN.choices, ...(chosen ? [chosen] : [])])]
    .sort((a, b) => a - b)
    .map((n) => [String(n), `Within ${days(n)}`] as const);

/** What the chips call each chosen value. */
function chipLabels({ roles, teams }: UserChoices): ChipLabels {
  return {
    role: { title: 'Role', options: roles.map((r) => [r.id, r.name] as const) },
    status: { title: 'Status', options: Object.entries(STATUS_KEYS) },
    team: { title: 'Team', options: teams.map((t) => [t.id, t.name] as const) },
    access: { title: 'Access level', options: Object.entries(ACCESS_LEVELS) },
    source: { title: 'Source', options: Object.entries(USER_SOURCES) },
    inactive: { title: 'Inactive for', format: (v) => `${days(Number(v))} or more` },
    [ENDING_WITHIN.param]: { title: 'Access ends within', format: (v) => days(Number(v)) },
    two_factor: { title: '2FA', options: Object.entries(TWO_FACTOR_STATES) },
  };
}

const clearHref = (q: UserListQuery) => (q.tab === 'deactivated' ? '/users?tab=deactivated' : '/users');

/** The chips, the selection bar, the table, its count and the pagination; the row boxes belong to the bar's form. */
export function UserResults({
  q,
  page,
  viewer,
  fragment,
  extra,
}: ListViewProps<UserListQuery, ListedUser> & { extra: UserChoices }) {
  const canManage = viewer.permissions.has('users.manage');
  const head = (
    <>
      {canManage ? (
        <td class="select-cell">
          {/* Ticks every row of this page; only with JavaScript (public/js/app.js shows it). */}
          <input type="checkbox" id="select-page" aria-label="Select all on this page" hidden />
        </td>
      ) : null}
      <ColumnHeaders list={userList} q={q} target={TARGET} chooser />
    </>
  );
  return (
    <ListResults
      list={userList}
      q={q}
      target={TARGET}
      page={page}
      fragment={fragment}
      canExport={viewer.permissions.has('users.export')}
      chips={{ labels: chipLabels(extra), clear: clearHref(q) }}
      empty={
        q.tab === 'deactivated' ? (
          <p>No one is deactivated. People you deactivate appear here, and can be reactivated.</p>
        ) : (
          <p>No users yet. Invite people or create a user to give them access.</p>
        )
      }
      before={
        canManage && page.rows.length > 0 ? (
          <SelectionBar q={q} page={page} roles={extra.roles} deactivated={q.tab === 'deactivated'} />
        ) : null
      }
      tableClass="user-table"
      head={head}
    >
      {page.rows.map((u) => (
        <UserRow u={u} canManage={canManage} now={viewer.now} />
      ))}
    </ListResults>
  );
}

function UserRow({ u, canManage, now }: { u: ListedUser; canManage: boolean; now: Date }) {
  return (
    <tr>
      {canManage ? (
        <td class="select-cell">
          <input
            type="checkbox"
            name="ids"
            value={u.id}
            form="bulk-form"
            id={`select-${u.id}`}
            aria-label={`Select ${u.name}`}
          />
        </td>
      ) : null}
      <th scope="row">
        <a href={`/users/${u.id}`}>{u.name}</a>
        {u.serviceAccount ? (
          <>
            {' '}
            <span class="badge">Service account</span>
          </>
        ) : null}
        {u.source ? (
          <>
            {' '}
            <span class="badge">{SOURCE_BADGES[u.source]}</span>
          </>
        ) : null}
      </th>
      <td data-column="email">{u.email}</td>
      <td data-column="roles">{u.roles.join(', ') || '—'}</td>
      <td data-column="status">
        <span class={`badge badge-${u.status.toLowerCase().replaceAll(' ', '-')}`}>
          {u.status === 'Locked' && u.lockedUntil ? (
            <>
              Locked until <Time at={u.lockedUntil} />
            </>
          ) : (
            u.status
          )}
        </span>
        {u.directoryRemovedAt ? (
          <>
            {' '}
            Removed by the directory on <Day at={u.directoryRemovedAt} />
          </>
        ) : null}
      </td>
      <td data-column="teams">{u.teams.join(', ') || '—'}</td>
      <td data-column="last_login">{u.lastLoginAt ? <Ago at={u.lastLoginAt} now={now} /> : 'Never'}</td>
      <td data-column="created">
        <Ago at={u.createdAt} now={now} />
      </td>
    </tr>
  );
}

function UsersPage(props: ListViewProps<UserListQuery, ListedUser> & { extra: UserChoices }) {
  const { q, viewer, extra } = props;
  const { roles, teams } = extra;
  const can = (permission: string) => viewer.permissions.has(permission);
  return (
    <section class="list-page">
      <div class="page-header">
        <h1>{title(q)}</h1>
        <p class="page-actions">
          {can('invitations.manage') ? (
            <DialogLink href="/invitations/new" class="button">
              Invite users
            </DialogLink>
          ) : null}
          {can('users.manage') ? (
            <DialogLink href="/users/new" class="button button-secondary">
              Create user
            </DialogLink>
          ) : null}
          {can('account.settings') ? (
            <DialogLink href="/users/reset-all" class="button button-secondary">
              Reset all passwords
            </DialogLink>
          ) : null}
        </p>
      </div>
      <UserTabs current={q.tab} canInvite={can('invitations.manage')} />
      <FilterForm
        list={userList}
        q={q}
        target={TARGET}
        search={{ label: 'Search name or email', value: q.q }}
        columns={userList.columns.slice(1)}
        exportable={can('users.export')}
      >
        {q.tab === 'deactivated' ? <input type="hidden" name="tab" value="deactivated" /> : null}
        <Checkboxes
          legend="Role"
          name="role"
          options={roles.map((r) => [r.id, r.name] as const)}
          chosen={q.roles}
        />
        {q.tab === 'users' ? (
          <Checkboxes legend="Status" name="status" options={STATUS_OPTIONS} chosen={q.statuses} />
        ) : null}
        <SelectMenu
          legend="Team"
          name="team"
          anyLabel="Any team"
          options={teams.map((t) => [t.id, t.name] as const)}
          chosen={q.team}
        />
        <Choices
          legend="Access level"
          name="access"
          options={Object.entries(ACCESS_LEVELS) as Array<[keyof typeof ACCESS_LEVELS, string]>}
          chosen={q.access}
        />
        <Choices
          legend="Inactive for…"
          name="inactive"
          anyLabel="Any time"
          options={inactiveOptions(q.inactiveDays)}
          chosen={q.inactiveDays ? String(q.inactiveDays) : ''}
        />
        {/* The rarer filters share one menu, so that the toolbar stays one row on a laptop. */}
        <FilterMenu
          label="More filters"
          chosen={[q.source, q.endingDays, q.twoFactor].filter((v) => v !== '' && v !== null).length}
        >
          <ChoiceList
            legend="Source"
            name="source"
            showLegend
            options={Object.entries(USER_SOURCES) as Array<[keyof typeof USER_SOURCES, string]>}
            chosen={q.source}
          />
          <ChoiceList
            legend="Access or a role ends"
            name={ENDING_WITHIN.param}
            anyLabel="Any time, or never"
            showLegend
            options={endingOptions(q.endingDays)}
            chosen={q.endingDays ? String(q.endingDays) : ''}
          />
          <ChoiceList
            legend="Two-factor authentication"
            name="two_factor"
            showLegend
            options={Object.entries(TWO_FACTOR_STATES) as Array<[keyof typeof TWO_FACTOR_STATES, string]>}
            chosen={q.twoFactor}
          />
        </FilterMenu>
      </FilterForm>
      <ListStatusRegion />
      <UserResults {...props} />
    </section>
  );
}

export const usersView: ListView<UserListQuery, ListedUser, UserChoices> = {
  target: TARGET,
  title,
  Results: UserResults,
  Page: UsersPage,
};
