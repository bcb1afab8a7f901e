import type { BindingRow } from '../../src/access/bindings';
import { ErrorSummary, Field, type FieldErrors } from '../components/form';
import { AccessChoice } from './binding-form';

export function BindingEditPage({
  binding,
  roles,
  values,
  errors = {},
}: {
  binding: BindingRow;
  roles: Array<{ id: string; name: string }>;
  values: { access: string; permissions: ReadonlySet<string>; until: string };
  errors?: FieldErrors;
}) {
  const who = binding.subject.kind === 'user' ? binding.subject.name : `team ${binding.subject.name}`;
  return (
    <section>
      <h1>Change access of {who}</h1>
      <p>
        {binding.projectId ? `In ${binding.projectName}.` : 'In every project (the whole account).'}{' '}
        <a href="/access">Back to access</a>
      </p>
      <ErrorSummary
        errors={errors}
        labels={{ access: 'Access', permissions: 'Permissions', until: 'Until' }}
      />
      <form method="post" action={`/access/bindings/${binding.id}`} novalidate>
        <AccessChoice roles={roles} values={values} errors={errors} />
        <Field
          name="until"
          label="Until (last day, optional)"
          type="date"
          value={values.until}
          error={errors.until}
          hint="Leave empty for access with no end."
        />
        <button type="submit">Save access</button>
      </form>
    </section>
  );
}
