import type { InvitationSummary } from '../../src/invitations/details';
import { ErrorSummary, type FieldErrors, SelectField } from '../components/form';

export function InvitationEditPage({
  invitation: i,
  values,
  projects,
  roles,
  errors = {},
  inDialog = false,
}: {
  invitation: InvitationSummary;
  values: { projectId: string; roleId: string };
  projects: Array<{ id: string; name: string }>;
  roles: Array<{ id: string; name: string }>;
  errors?: FieldErrors;
  inDialog?: boolean;
}) {
  const title = `Edit the invitation for ${i.email}`;
  return (
    <section class="narrow">
      {inDialog ? <h2 id="dialog-title">{title}</h2> : <h1>{title}</h1>}
      <ErrorSummary errors={errors} labels={{ projectId: 'Project', roleId: 'Role' }} />
      <form method="post" action={`/invitations/${i.id}/edit`}>
        <SelectField
          name="projectId"
          label="Project"
          value={values.projectId}
          options={projects.map((p) => ({ value: p.id, label: p.name }))}
          error={errors.projectId}
        />
        <SelectField
          name="roleId"
          label="Role"
          value={values.roleId}
          options={roles.map((r) => ({ value: r.id, label: r.name }))}
          error={errors.roleId}
        />
        <div class="actions">
          <button type="submit">Save</button>
          <a href={`/invitations/${i.id}`} data-dialog-cancel="">
            Cancel
          </a>
        </div>
      </form>
    </section>
  );
}
