import { DialogLink } from '../components/dialog';
import { ErrorSummary, Field, type FieldErrors } from '../components/form';
import { plural } from '../components/format';
import { PermissionGlossary, PermissionMatrix } from '../components/permission-matrix';

export interface RoleEditorProps {
  mode: 'new' | 'edit' | 'view';
  id?: string;
  values: { name: string; description: string; permissions: ReadonlySet<string> };
  holders?: { people: number; teams: number };
  errors?: FieldErrors;
}

const LABELS = { name: 'Name', description: 'Description', permissions: 'Permissions' };

export function RoleEditor({ mode, id, values, holders, errors = {} }: RoleEditorProps) {
  const title = mode === 'new' ? 'Create role' : mode === 'edit' ? `Edit role ${values.name}` : values.name;
  const action = mode === 'new' ? '/roles' : `/roles/${id}`;
  return (
    <section>
      <h1>{title}</h1>
      <p>
        <a href="/roles">Back to roles</a>
      </p>
      {holders ? (
        <p>
          Held by {plural(holders.people, 'person', 'people')} and {plural(holders.teams, 'team')}.
        </p>
      ) : null}
      {mode === 'view' ? (
        <>
          <p>This is a built-in role: it cannot be changed or deleted.</p>
          <PermissionMatrix
            name="permissions"
            selected={values.permissions}
            disabled
            caption={`Permissions of ${values.name}`}
          />
        </>
      ) : (
        <>
          <ErrorSummary errors={errors} labels={LABELS} />
          <form method="post" action={action} novalidate>
            <Field name="name" label={LABELS.name} value={values.name} required error={errors.name} />
            <Field
              name="description"
              label={LABELS.description}
              value={values.description}
              error={errors.description}
            />
            <fieldset id="permissions" class={errors.permissions ? 'field-error' : undefined}>
              <legend>Permissions</legend>
              {errors.permissions ? (
                <p class="error-message" id="permissions-error">
                  {errors.permissions}
                </p>
              ) : null}
              <PermissionMatrix
                name="permissions"
                selected={values.permissions}
                caption="Choose the permissions this role grants"
                errorId={errors.permissions ? 'permissions-error' : undefined}
              />
            </fieldset>
            <div class="actions">
              <button type="submit">{mode === 'new' ? 'Create role' : 'Save role'}</button>
              {mode === 'edit' ? (
                <DialogLink href={`/roles/${id}/delete`}>Delete role {values.name}</DialogLink>
              ) : null}
            </div>
          </form>
        </>
      )}
      <PermissionGlossary id="glossary" />
    </section>
  );
}
