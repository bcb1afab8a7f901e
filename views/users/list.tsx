import { PAGE_SIZES } from '../../src/lists/paging';
import {
  ACCESS_LEVELS,
  type ListedUser,
  listParams,
  type SortKey,
  STATUS_KEYS,
  type UserListQuery,
  type UserPage,
} from '../../src/users/list';
import { DialogLink } from '../components/dialog';
import { SelectField } from '../components/form';
import { day } from '../components/format';
import { ExportLinks, ListCaption, listAnnouncement, Pagination, rangeText } from '../components/pagination';
import { TableScroll } from '../components/table-scroll';
import { BulkForm } from './bulk';
import { UserTabs } from './tabs';

const COLUMNS = [
  { key: 'email', label: 'Email' },
  { key: 'roles', label: 'Roles' },
  { key: 'status', label: 'Status' },
  { key: 'teams', label: 'Teams' },
  { key: 'last_login', label: 'Last sign-in' },
  { key: 'created', label: 'Created' },
] as const;

const SORTABLE: Partial<Record<string, SortKey>> = {
  email: 'email',
  last_login: 'last_login',
  created: 'created',
};

export const usersRange = (page: UserPage) => rangeText(page, page.users.length, 'users');

const SORT_NAMES: Record<SortKey, string> = {
  name: 'name',
  email: 'email',
  last_login: 'last sign-in',
  created: 'date created',
};

const ORDER_NAMES = {
  dated: { asc: 'oldest first', desc: 'newest first' },
  text: { asc: 'A to Z', desc: 'Z to A' },
} as const;

/** "by last sign-in, newest first": dates read as time, names and emails as the alphabet. */
function sortOrderText(column: SortKey, dir: 'asc' | 'desc') {
  const kind = column === 'last_login' || column === 'created' ? 'dated' : 'text';
  return `by ${SORT_NAMES[column]}, ${ORDER_NAMES[kind][dir]}`;
}

export const usersAnnouncement = (q: UserListQuery, page: UserPage) =>
  listAnnouncement(sortOrderText(q.sort, q.dir), usersRange(page));

function statusText(u: ListedUser) {
  return u.status === 'Locked' && u.lockedUntil
    ? `Locked until ${u.lockedUntil.toISOString().slice(0, 16).replace('T', ' ')} UTC`
    : u.status;
}

/**
 * The link's name is the column's; the state is the header's aria-sort and what activating it
 * does is its description, so that a screen reader reads "Email, sorted ascending" first.
 */
function SortHeader({ q, column, label }: { q: UserListQuery; column: SortKey; label: string }) {
  const active = q.sort === column;
  const nextDir = active && q.dir === 'asc' ? 'desc' : 'asc';
  const href = `/users?${listParams({ ...q, sort: column, dir: nextDir })}`;
  const hint = `sort-${column}-hint`;
  return (
    <th
      scope="col"
      aria-sort={active ? (q.dir === 'asc' ? 'ascending' : 'descending') : undefined}
      data-column={column === 'name' ? undefined : column}
    >
      <a
        id={`sort-${column}`}
        href={href}
        hx-get={href}
        hx-target="#user-list"
        hx-swap="outerHTML"
        hx-push-url="true"
        aria-describedby={hint}
      >
        {label}
        {active ? <span aria-hidden="true">{q.dir === 'asc' ? ' ▲' : ' ▼'}</span> : null}
      </a>
      <span id={hint} hidden>
        Activate to sort {sortOrderText(column, nextDir)}
      </span>
    </th>
  );
}

/** The part that changes: the table, its count and the pagination. One component for page and fragment. */
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
  return (
    <div id="user-list">
      {/* Part of the filter form (by its id), so that htmx updates keep the sort and the exports current. */}
      {q.sort !== 'name' || q.dir !== 'asc' ? (
        <input type="hidden" name="sort" form="filters" value={`${q.dir === 'desc' ? '-' : ''}${q.sort}`} />
      ) : null}
      {canExport ? <ExportLinks base="/users/export" filter={listParams(q)} /> : null}
      <TableScroll captionId="user-list-caption">
        <table class="user-table">
          <ListCaption list="user-list" text={usersRange(page)} />
          <thead>
            <tr>
              {canManage ? (
                <th scope="col">
                  <span class="visually-hidden">Select</span>
                </th>
              ) : null}
              <SortHeader q={q} column="name" label="Name" />
              {COLUMNS.map((c) =>
                SORTABLE[c.key] ? (
                  <SortHeader q={q} column={SORTABLE[c.key] as SortKey} label={c.label} />
                ) : (
                  <th scope="col" data-column={c.key}>
                    {c.label}
                  </th>
                ),
              )}
            </tr>
          </thead>
          <tbody>
            {page.users.map((u) => (
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
                </th>
                <td data-column="email">{u.email}</td>
                <td data-column="roles">{u.roles.join(', ') || '—'}</td>
                <td data-column="status">
                  <span class={`badge badge-${u.status.toLowerCase().replaceAll(' ', '-')}`}>
                    {statusText(u)}
                  </span>
                </td>
                <td data-column="teams">{u.teams.join(', ') || '—'}</td>
                <td data-column="last_login">{u.lastLoginAt ? day(u.lastLoginAt) : 'Never'}</td>
                <td data-column="created">{day(u.createdAt)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </TableScroll>
      <Pagination
        page={page}
        shown={page.users.length}
        per={q.per}
        noun="users"
        target="user-list"
        href={(paging) => `/users?${listParams(q, paging)}`}
      />
    </div>
  );
}

export interface UsersPageProps {
  q: UserListQuery;
  page: UserPage;
  roles: Array<{ id: string; name: string }>;
  teams: Array<{ id: string; name: string }>;
  canManage: boolean;
  canExport: boolean;
  canResetAll: boolean;
  canInvite: boolean;
}

export function UsersPage({
  q,
  page,
  roles,
  teams,
  canManage,
  canExport,
  canResetAll,
  canInvite,
}: UsersPageProps) {
  return (
    <section>
      <h1>{q.tab === 'deactivated' ? 'Deactivated users' : 'Users'}</h1>
      <UserTabs current={q.tab} canInvite={canInvite} />
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
      <form
        method="get"
        action="/users"
        id="filters"
        class="filters"
        aria-label="Search and filter users"
        hx-get="/users"
        hx-target="#user-list"
        hx-swap="outerHTML"
        hx-push-url="true"
        hx-trigger="submit, change, input delay:400ms from:#q"
      >
        {q.tab === 'deactivated' ? <input type="hidden" name="tab" value="deactivated" /> : null}
        <div class="field">
          <label for="q">Search name or email</label>
          <input id="q" name="q" type="search" value={q.q} autocomplete="off" />
        </div>
        <fieldset>
          <legend>Role</legend>
          {roles.map((r) => (
            <label class="choice">
              <input type="checkbox" name="role" value={r.id} checked={q.roles.includes(r.id)} /> {r.name}
            </label>
          ))}
        </fieldset>
        {q.tab === 'users' ? (
          <fieldset>
            <legend>Status</legend>
            {(Object.entries(STATUS_KEYS) as Array<[keyof typeof STATUS_KEYS, string]>)
              .filter(([key]) => key !== 'deactivated')
              .map(([key, label]) => (
                <label class="choice">
                  <input type="checkbox" name="status" value={key} checked={q.statuses.includes(key)} />{' '}
                  {label}
                </label>
              ))}
          </fieldset>
        ) : null}
        <SelectField
          name="team"
          label="Team"
          value={q.team ?? ''}
          options={[{ value: '', label: 'Any team' }, ...teams.map((t) => ({ value: t.id, label: t.name }))]}
        />
        <SelectField
          name="access"
          label="Access level"
          value={q.access ?? ''}
          options={[
            { value: '', label: 'Any' },
            ...Object.entries(ACCESS_LEVELS).map(([value, label]) => ({ value, label })),
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
        <SelectField
          name="per"
          label="Rows per page"
          value={String(q.per)}
          options={PAGE_SIZES.map((n) => ({ value: String(n), label: String(n) }))}
        />

        <div class="actions">
          <button type="submit">Apply filters</button>
          <a href={q.tab === 'deactivated' ? '/users?tab=deactivated' : '/users'}>Clear filters</a>
        </div>
      </form>
      <div class="column-chooser" hidden>
        <fieldset>
          <legend>Columns</legend>
          {COLUMNS.map((c) => (
            <label class="choice">
              <input type="checkbox" data-column-toggle={c.key} checked /> {c.label}
            </label>
          ))}
        </fieldset>
      </div>
      <div id="list-status" class="visually-hidden" role="status" aria-live="polite" />
      <UserResults q={q} page={page} canManage={canManage} canExport={canExport} />
      {canManage ? <BulkForm roles={roles} /> : null}
    </section>
  );
}
