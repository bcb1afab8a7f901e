import { ErrorSummary, Field, type FieldErrors, SelectField } from '../components/form';
import { PermissionMatrix } from '../components/permission-matrix';

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

/** "Create role binding": a person or a team, a role or a manual set, here or everywhere, until a day. */
export function BindingForm({
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
