import { BULK_ACTIONS, BULK_ALL_MAX, type BulkAction, type BulkItem } from '../../src/users/bulk';
import { type UserListQuery, type UserPage, userList } from '../../src/users/list';
import { ErrorSummary, type FieldErrors } from '../components/form';
import { TableScroll } from '../components/table-scroll';

const count = (n: number) => n.toLocaleString('en-US');

/**
 * Above the users table: what to do with the rows whose boxes are ticked. Without JavaScript it
 * is a plain form, always shown ("With the selected users: Deactivate…"); public/js/app.js
 * shows it only while rows are selected, says how many in a live region, and after "Select all
 * on this page" offers every user the filters match (`filter`, the list's own query, sent
 * instead of the ids), which runs as a long action. Each button previews before anything changes.
 */
export function SelectionBar({
  q,
  page,
  roles,
  deactivated,
}: {
  q: UserListQuery;
  page: UserPage;
  roles: Array<{ id: string; name: string }>;
  deactivated: boolean;
}) {
  const total = page.total.value;
  const all = page.total.exact && total > page.rows.length && total <= BULK_ALL_MAX;
  return (
    <>
      {/* Outside the bar, which is hidden while nothing is selected: a hidden live region says nothing. */}
      <p id="selection-status" class="visually-hidden" role="status" />
      <form
        id="bulk-form"
        method="post"
        action="/users/bulk/preview"
        class="selection-bar"
        aria-label="Actions on selected users"
        data-selection-bar=""
        data-total={String(total)}
      >
        {/* Enabled by "Select all N matching": every user the list's filters match, not the ticked ids. */}
        <input type="hidden" name="back" value={`/users?${userList.write(q)}`} />
        <input type="hidden" name="all" value="matching" disabled data-select-all="" />
        <input
          type="hidden"
          name="filter"
          value={userList.exportFilter(q).toString()}
          disabled
          data-select-all=""
        />
        <p id="selection-count" class="selection-count">
          With the selected users:
        </p>
        {deactivated ? (
          <button type="submit" name="action" value="reactivate" class="button-secondary">
            Reactivate
          </button>
        ) : (
          <>
            <button type="submit" name="action" value="deactivate" class="button-secondary">
              Deactivate
            </button>
            <details class="menu" data-menu="">
              <summary class="button button-secondary">Change role</summary>
              <div class="menu-panel">
                {/* Its own id: the "Create user" dialog on the same page has a roleId field too. */}
                <div class="field">
                  <label for="bulk-role">New role in this project</label>
                  <select id="bulk-role" name="roleId">
                    <option value="">Choose a role</option>
                    {roles.map((r) => (
                      <option value={r.id}>{r.name}</option>
                    ))}
                  </select>
                </div>
                <button type="submit" name="action" value="change_role">
                  Preview role change
                </button>
              </div>
            </details>
            <button type="submit" name="action" value="resend" class="button-secondary">
              Resend set-password email
            </button>
          </>
        )}
        <button type="submit" name="action" value="delete" class="button-danger">
          Delete
        </button>
        <button type="button" class="button-link" data-clear-selection="" hidden>
          Clear selection
        </button>
        {all ? (
          <button type="button" class="button-link" data-select-matching="" hidden>
            Select all {count(total)} matching
          </button>
        ) : null}
        {page.total.exact && total > BULK_ALL_MAX ? (
          <p class="hint" data-too-many="" hidden>
            To act on every match, narrow the filters to {count(BULK_ALL_MAX)} users or fewer.
          </p>
        ) : null}
      </form>
    </>
  );
}

function Items({ items, caption, kind }: { items: BulkItem[]; caption: string; kind: string }) {
  return (
    <TableScroll captionId={`bulk-${kind}-caption`}>
      <table>
        <caption id={`bulk-${kind}-caption`}>{caption}</caption>
        <thead>
          <tr>
            <th scope="col">User</th>
            <th scope="col">Email</th>
            <th scope="col">What happens</th>
          </tr>
        </thead>
        <tbody>
          {items.map((item) => (
            <tr>
              <th scope="row">{item.name}</th>
              <td>{item.email}</td>
              <td>{item.outcome}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </TableScroll>
  );
}

export function BulkPreviewPage({
  action,
  roleId,
  items,
  all,
  back = '/users',
  errors = {},
}: {
  action: BulkAction;
  roleId: string;
  items: BulkItem[];
  /** "All matching": the list's filter and how many it matched; items are the first of them. */
  all: { filter: string; total: number } | null;
  /** The list as it was left: Cancel and a refusal go back there. */
  back?: string;
  errors?: FieldErrors;
}) {
  const toDo = items.filter((i) => !i.skipped);
  const skipped = items.length - toDo.length;
  const users = (n: number) => (n === 1 ? '1 user' : `${count(n)} users`);
  return (
    <section>
      <h1>{BULK_ACTIONS[action]}: check before you confirm</h1>
      <ErrorSummary errors={errors} labels={{}} />
      {all ? (
        <p>
          {users(all.total)} match the filters.{' '}
          {all.total > items.length ? `The first ${count(items.length)} by name are listed below; ` : ''}
          each one is checked again as the action runs, and the report says what happened to everyone.
        </p>
      ) : (
        <p>
          {toDo.length} of {count(items.length)} selected {items.length === 1 ? 'user' : 'users'} will be
          changed
          {skipped > 0 ? `; ${skipped} skipped` : ''}.
        </p>
      )}
      <Items items={items} caption={all ? 'Matching users' : 'Selected users'} kind="selected" />
      {toDo.length > 0 || all ? (
        <form method="post" action="/users/bulk">
          <input type="hidden" name="action" value={action} />
          <input type="hidden" name="roleId" value={roleId} />
          <input type="hidden" name="back" value={back} />
          {all ? (
            <>
              <input type="hidden" name="all" value="matching" />
              <input type="hidden" name="filter" value={all.filter} />
              <input type="hidden" name="expected" value={String(all.total)} />
            </>
          ) : (
            toDo.map((i) => <input type="hidden" name="ids" value={i.id} />)
          )}
          <div class="actions">
            <button type="submit" class={action === 'delete' ? 'button-danger' : undefined}>
              {BULK_ACTIONS[action]} {all ? `all ${users(all.total)}` : users(toDo.length)}
            </button>
            <a href={back}>Cancel</a>
          </div>
        </form>
      ) : (
        <p>
          <a href={back}>Back to users</a>
        </p>
      )}
    </section>
  );
}
