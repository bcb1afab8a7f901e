import { ErrorSummary, Field, type FieldErrors, SelectField } from '../components/form';

export function NewUserPage({
  roles,
  projectName,
  values = { name: '', email: '', roleId: '' },
  errors = {},
  inDialog = false,
}: {
  roles: Array<{ id: string; name: string }>;
  projectName: string;
  values?: { name: string; email: string; roleId: string };
  errors?: FieldErrors;
  /** Opened from the users list with JavaScript: in the page's dialog, answered there too. */
  inDialog?: boolean;
}) {
  return (
    <section class="narrow">
      {inDialog ? <h2 id="dialog-title">Create user</h2> : <h1>Create user</h1>}
      <p>
        They get an email with a link to set their password, and show "Password not set" until they do. Their
        role applies in {projectName}.
      </p>
      <ErrorSummary errors={errors} labels={{ name: 'Name', email: 'Email address', roleId: 'Role' }} />
      <form
        method="post"
        action="/users"
        novalidate
        hx-post={inDialog ? '/users' : undefined}
        hx-target={inDialog ? '#dialog-body' : undefined}
      >
        <Field name="name" label="Name" value={values.name} required error={errors.name} autocomplete="off" />
        <Field
          name="email"
          label="Email address"
          type="email"
          value={values.email}
          required
          error={errors.email}
          autocomplete="off"
        />
        <SelectField
          name="roleId"
          label="Role"
          value={values.roleId}
          error={errors.roleId}
          options={[
            { value: '', label: 'Choose a role' },
            ...roles.map((r) => ({ value: r.id, label: r.name })),
          ]}
        />
        <div class="actions">
          <button type="submit">Create user</button>
          {inDialog ? (
            <button type="button" class="button-secondary" data-dialog-cancel="">
              Cancel
            </button>
          ) : null}
        </div>
      </form>
    </section>
  );
}
