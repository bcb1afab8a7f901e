import type { ListView, ListViewProps } from '../../src/lists/routes';
import {
  ACCESS_LEVELS,
  type ListedUser,
  STATUS_KEYS,
  USER_SOURCES,
  type UserListQuery,
  type UserPage,
  userList,
} from '../../src/users/list';
import { DialogLink } from '../components/dialog';
import { SelectField } from '../components/form';
import {
  Checkboxes,
  ColumnHeaders,
  FilterForm,
  ListResults,
  ListStatusRegion,
  SearchField,
} from '../components/list';
import { Day, Time } from '../components/time';
import { BulkForm } from './bulk';
import { UserTabs } from './tabs';

const TARGET = 'user-list';

/** The badge beside a person's name: where they came from, when not made in Gatehouse. */
const SOURCE_BADGES = { scim: 'Directory', sso: 'SSO' } as const;

const title = (q: UserListQuery) => (q.tab === 'deactivated' ? 'Deactivated users' : 'Users');

/** The table, its count and the pagination; the select boxes belong to the bulk form. */
export function UserResults({
  q,
  page,
  canManage,
  canExport,
}: {
  q: UserListQuery;
  page: UserPage;
  canManage: boolean;
  canExport: boolean;
}) {
  const head = (
    <>
      {canManage ? (
        <th scope="col">
          <span class="visually-hidden">Select</span>
        </th>
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
      canExport={canExport}
      tableClass="user-table"
      head={head}
    >
      {page.rows.map((u) => (
        <tr>
          {canManage ? (
            <td>
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
          <td data-column="last_login">{u.lastLoginAt ? <Day at={u.lastLoginAt} /> : 'Never'}</td>
          <td data-column="created">
            <Day at={u.createdAt} />
          </td>
        </tr>
      ))}
    </ListResults>
  );
}

type Choices = { roles: Array<{ id: string; name: string }>; teams: Array<{ id: string; name: string }> };

function UsersPage({
  q,
  page,
  viewer,
  extra: { roles, teams },
}: ListViewProps<UserListQuery, ListedUser> & { extra: Choices }) {
  const can = (permission: string) => viewer.permissions.has(permission);
  const canManage = can('users.manage');
  const canResetAll = can('account.settings');
  return (
    <section>
      <h1>{title(q)}</h1>
      <UserTabs current={q.tab} canInvite={can('invitations.manage')} />
      {canManage || canResetAll ? (
        <p class="actions">
          {canManage ? (
            <a class="button" href="/users/new">
              Create user
            </a>
          ) : null}
          {canResetAll ? <DialogLink href="/users/reset-all">Reset all passwords</DialogLink> : null}
        </p>
      ) : null}
      <FilterForm
        list={userList}
        q={q}
        target={TARGET}
        clear={q.tab === 'deactivated' ? '/users?tab=deactivated' : '/users'}
      >
        {q.tab === 'deactivated' ? <input type="hidden" name="tab" value="deactivated" /> : null}
        <SearchField label="Search name or email" value={q.q} />
        <Checkboxes
          legend="Role"
          name="role"
          options={roles.map((r) => [r.id, r.name] as const)}
          chosen={q.roles}
        />
        {q.tab === 'users' ? (
          <Checkboxes
            legend="Status"
            name="status"
            options={
              Object.entries(STATUS_KEYS).filter(([key]) => key !== 'deactivated') as Array<
                [keyof typeof STATUS_KEYS, string]
              >
            }
            chosen={q.statuses}
          />
        ) : null}
        <SelectField
          name="team"
          label="Team"
          value={q.team}
          options={[{ value: '', label: 'Any team' }, ...teams.map((t) => ({ value: t.id, label: t.name }))]}
        />
        <SelectField
          name="access"
          label="Access level"
          value={q.access}
          options={[
            { value: '', label: 'Any' },
            ...Object.entries(ACCESS_LEVELS).map(([value, label]) => ({ value, label })),
          ]}
        />
        <SelectField
          name="source"
          label="Source"
          value={q.source}
          options={[
            { value: '', label: 'Any' },
            ...Object.entries(USER_SOURCES).map(([value, label]) => ({ value, label })),
          ]}
        />
        <div class="field">
          <label for="inactive">Not signed in for at least (days)</label>
          <input
            id="inactive"
            name="inactive"
            type="number"
            min="1"
            max="36500"
            value={q.inactiveDays ? String(q.inactiveDays) : ''}
          />
        </div>
      </FilterForm>
      <div class="column-chooser" hidden>
        <fieldset>
          <legend>Columns</legend>
          {userList.columns.slice(1).map((c) => (
            <label class="choice">
              <input type="checkbox" data-column-toggle={c.key} checked /> {c.label}
            </label>
          ))}
        </fieldset>
      </div>
      <ListStatusRegion />
      <UserResults q={q} page={page} canManage={canManage} canExport={can('users.export')} />
      {canManage ? <BulkForm roles={roles} /> : null}
    </section>
  );
}

export const usersView: ListView<UserListQuery, ListedUser, Choices> = {
  target: TARGET,
  title,
  Results: ({ q, page, viewer }) => (
    <UserResults
      q={q}
      page={page}
      canManage={viewer.permissions.has('users.manage')}
      canExport={viewer.permissions.has('users.export')}
    />
  ),
  Page: UsersPage,
};
