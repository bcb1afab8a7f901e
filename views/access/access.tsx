import type { BindingRow } from '../../src/access/bindings';
import { ConfirmPage } from '../components/confirm';
import { DialogLink } from '../components/dialog';
import { ErrorSummary, Field, type FieldErrors, SelectField } from '../components/form';
import { lastDay } from '../components/format';
import { PermissionMatrix } from '../components/permission-matrix';
import { TableScroll } from '../components/table-scroll';

export interface BindingFormValues {
  subject: string;
  email: string;
  teamId: string;
  access: string;
  permissions: ReadonlySet<string>;
  scope: string;
  until: string;
}

export const EMPTY_BINDING: BindingFormValues = {
  subject: 'user',
  email: '',
  teamId: '',
  access: '',
  permissions: new Set(),
  scope: 'project',
  until: '',
};

const LABELS = {
  subject: 'Who',
  email: 'Email of an existing user',
  teamId: 'Team',
  access: 'Access',
  permissions: 'Manual permissions',
  scope: 'Where',
  until: 'Until (last day, optional)',
};

function accessLabel(b: BindingRow) {
  return b.role ? b.role.name : `Manual set (${b.permissions.length} permissions)`;
}

function subjectLabel(b: BindingRow) {
  return b.subject.kind === 'user' ? b.subject.name : `Team ${b.subject.name}`;
}

/** The confirmation before a binding goes: a page of its own, and the dialog's content. */
export function RemoveBindingPage({
  binding: b,
  errors,
  inDialog,
}: {
  binding: BindingRow;
  errors?: FieldErrors;
  inDialog: boolean;
}) {
  const where = b.projectId ? `in ${b.projectName}` : 'in every project';
  return (
    <ConfirmPage
      inDialog={inDialog}
      title={`Remove ${accessLabel(b)} from ${subjectLabel(b)}?`}
      action={`/access/bindings/${b.id}/delete`}
      confirmLabel="Remove role binding"
      cancelHref="/access"
      errors={errors}
    >
      <p>
        {b.subject.kind === 'user' ? 'They lose' : "The team's members lose"} what it grants {where}, on their
        next request. Access they hold through other bindings stays.
      </p>
    </ConfirmPage>
  );
}

export interface AccessPageProps {
  projectName: string;
  bindings: BindingRow[];
  roles: Array<{ id: string; name: string }>;
  teams: Array<{ id: string; name: string }>;
  canManage: boolean;
  values?: BindingFormValues;
  errors?: FieldErrors;
}

export function AccessPage({
  projectName,
  bindings,
  roles,
  teams,
  canManage,
  values = EMPTY_BINDING,
  errors = {},
}: AccessPageProps) {
  return (
    <section>
      <h1>Access in {projectName}</h1>
      <p>
        Role bindings that apply in this project: its own, and those for the whole account. Expired bindings
        no longer grant anything.
      </p>
      {canManage ? (
        <p>
          <a class="button" href="/users/new">
            Create user
          </a>
        </p>
      ) : null}
      <TableScroll captionId="bindings-caption">
        <table>
          <caption id="bindings-caption">Role bindings ({bindings.length})</caption>
          <thead>
            <tr>
              <th scope="col">Who</th>
              <th scope="col">Access</th>
              <th scope="col">Where</th>
              <th scope="col">Until</th>
              {canManage ? <th scope="col">Actions</th> : null}
            </tr>
          </thead>
          <tbody>
            {bindings.map((b) => (
              <tr>
                <th scope="row">
                  {b.subject.kind === 'user' ? (
                    <a href={`/users/${b.subject.id}`}>{b.subject.name}</a>
                  ) : (
                    <a href={`/teams/${b.subject.id}`}>Team {b.subject.name}</a>
                  )}
                  {b.subject.kind === 'user' ? <span class="secondary"> {b.subject.email}</span> : null}
                </th>
                <td>{accessLabel(b)}</td>
                <td>{b.projectId ? 'This project' : 'Whole account'}</td>
                <td>
                  {b.expiresAt
                    ? b.expired
                      ? `Expired ${lastDay(b.expiresAt)}`
                      : lastDay(b.expiresAt)
                    : 'No end'}
                </td>
                {canManage ? (
                  <td>
                    <div class="row-actions">
                      <a href={`/access/bindings/${b.id}`}>
                        Change<span class="visually-hidden"> access of {subjectLabel(b)}</span>
                      </a>
                      <DialogLink href={`/access/bindings/${b.id}/delete`}>
                        Remove
                        <span class="visually-hidden">
                          {' '}
                          {accessLabel(b)} from {subjectLabel(b)}
                        </span>
                      </DialogLink>
                    </div>
                  </td>
                ) : null}
              </tr>
            ))}
          </tbody>
        </table>
      </TableScroll>
      {canManage ? (
        <BindingForm projectName={projectName} roles={roles} teams={teams} values={values} errors={errors} />
      ) : null}
    </section>
  );
}

function BindingForm({
  projectName,
  roles,
  teams,
  values,
  errors,
}: {
  projectName: string;
  roles: Array<{ id: string; name: string }>;
  teams: Array<{ id: string; name: string }>;
  values: BindingFormValues;
  errors: FieldErrors;
}) {
  return (
    <section aria-labelledby="create-binding">
      <h2 id="create-binding">Create role binding</h2>
      <ErrorSummary errors={errors} labels={LABELS} />
      <form method="post" action="/access/bindings" novalidate>
        <fieldset>
          <legend>{LABELS.subject}</legend>
          <label class="choice">
            <input type="radio" name="subject" value="user" checked={values.subject !== 'team'} /> A person
          </label>
          <label class="choice">
            <input type="radio" name="subject" value="team" checked={values.subject === 'team'} /> A team
          </label>
        </fieldset>
        <Field
          name="email"
          label={LABELS.email}
          type="email"
          value={values.email}
          error={errors.email}
          autocomplete="off"
        />
        <SelectField
          name="teamId"
          label={LABELS.teamId}
          value={values.teamId}
          error={errors.teamId}
          options={[{ value: '', label: 'No team' }, ...teams.map((t) => ({ value: t.id, label: t.name }))]}
        />
        <AccessChoice roles={roles} values={values} errors={errors} />
        <fieldset>
          <legend>{LABELS.scope}</legend>
          <label class="choice">
            <input type="radio" name="scope" value="project" checked={values.scope !== 'account'} /> In{' '}
            {projectName}
          </label>
          <label class="choice">
            <input type="radio" name="scope" value="account" checked={values.scope === 'account'} /> In every
            project (the whole account)
          </label>
        </fieldset>
        <Field
          name="until"
          label={LABELS.until}
          type="date"
          value={values.until}
          error={errors.until}
          hint="Leave empty for access with no end."
        />
        <button type="submit">Create role binding</button>
      </form>
    </section>
  );
}

/** Role or manual permission set: shared by the create and change forms. */
export function AccessChoice({
  roles,
  values,
  errors,
}: {
  roles: Array<{ id: string; name: string }>;
  values: Pick<BindingFormValues, 'access' | 'permissions'>;
  errors: FieldErrors;
}) {
  return (
    <>
      <SelectField
        name="access"
        label={LABELS.access}
        value={values.access}
        error={errors.access}
        options={[
          { value: '', label: 'Choose a role' },
          ...roles.map((r) => ({ value: r.id, label: r.name })),
          { value: 'manual', label: 'Manual permission set (choose below)' },
        ]}
      />
      <details
        id="permissions"
        class={errors.permissions ? 'manual-permissions field-error' : 'manual-permissions'}
        open={values.access === 'manual' || errors.permissions ? true : undefined}
      >
        <summary>Manual permissions</summary>
        {errors.permissions ? (
          <p class="error-message" id="permissions-error">
            {errors.permissions}
          </p>
        ) : null}
        <PermissionMatrix
          name="permissions"
          selected={values.permissions}
          caption="Permissions of a manual set"
          errorId={errors.permissions ? 'permissions-error' : undefined}
        />
      </details>
    </>
  );
}
