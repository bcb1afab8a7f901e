import { BULK_ACTIONS, type BulkAction, type BulkItem } from '../../src/users/bulk';
import { ErrorSummary, type FieldErrors, SelectField } from '../components/form';
import { TableScroll } from '../components/table-scroll';

/** Under the users table: what to do with the rows whose checkboxes are ticked. */
export function BulkForm({ roles }: { roles: Array<{ id: string; name: string }> }) {
  return (
    <form id="bulk-form" method="post" action="/users/bulk/preview" class="bulk-form">
      <fieldset>
        <legend>With the selected users</legend>
        <SelectField
          name="action"
          label="Action"
          value="deactivate"
          options={Object.entries(BULK_ACTIONS).map(([value, label]) => ({ value, label }))}
        />
        <SelectField
          name="roleId"
          label="New role (for a role change)"
          value=""
          options={[{ value: '', label: 'No change' }, ...roles.map((r) => ({ value: r.id, label: r.name }))]}
        />
        <button type="submit">Preview</button>
      </fieldset>
    </form>
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
  errors = {},
}: {
  action: BulkAction;
  roleId: string;
  items: BulkItem[];
  errors?: FieldErrors;
}) {
  const toDo = items.filter((i) => !i.skipped);
  const skipped = items.length - toDo.length;
  return (
    <section>
      <h1>{BULK_ACTIONS[action]}: check before you confirm</h1>
      <ErrorSummary errors={errors} labels={{}} />
      <p>
        {toDo.length} of {items.length} selected {items.length === 1 ? 'user' : 'users'} will be changed
        {skipped > 0 ? `; ${skipped} skipped` : ''}.
      </p>
      <Items items={items} caption="Selected users" kind="selected" />
      {toDo.length > 0 ? (
        <form method="post" action="/users/bulk">
          <input type="hidden" name="action" value={action} />
          <input type="hidden" name="roleId" value={roleId} />
          {toDo.map((i) => (
            <input type="hidden" name="ids" value={i.id} />
          ))}
          <div class="actions">
            <button type="submit" class={action === 'delete' ? 'button-danger' : undefined}>
              {BULK_ACTIONS[action]} {toDo.length} {toDo.length === 1 ? 'user' : 'users'}
            </button>
            <a href="/users">Cancel</a>
          </div>
        </form>
      ) : (
        <p>
          <a href="/users">Back to users</a>
        </p>
      )}
    </section>
  );
}
