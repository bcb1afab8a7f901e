import { ErrorSummary, Field, type FieldErrors, SelectField } from '../components/form';

export function NewUserPage({
  roles,
  projectName,
  values = { name: '', email: '', roleId: '' },
  errors = {},
}: {
  roles: Array<{ id: string; name: string }>;
  projectName: string;
  values?: { name: string; email: string; roleId: string };
  errors?: FieldErrors;
}) {
  return (
    <section class="narrow">
      <h1>Create user</h1>
      <p>
        They get an email with a link to set their password, and show "Password not set" until they do. Their
        role applies in {projectName}.
      </p>
      <ErrorSummary errors={errors} labels={{ name: 'Name', email: 'Email address', roleId: 'Role' }} />
      <form method="post" action="/users" novalidate>
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
        <button type="submit">Create user</button>
      </form>
    </section>
  );
}
