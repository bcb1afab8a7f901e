import type { ProjectSummary } from '../../src/access/projects';
import { ConfirmPage } from '../components/confirm';
import { DialogLink } from '../components/dialog';
import { EmptyState } from '../components/empty-state';
import { ErrorSummary, Field, type FieldErrors } from '../components/form';
import { day, plural } from '../components/format';
import { TableScroll } from '../components/table-scroll';

export function ProjectsPage({
  projects,
  values = { name: '' },
  errors = {},
}: {
  projects: ProjectSummary[];
  values?: { name: string };
  errors?: FieldErrors;
}) {
  return (
    <section>
      <h1>Projects</h1>
      <p>Projects partition the account: a role binding applies in one project or in all of them.</p>
      {projects.length === 0 ? (
        <EmptyState id="no-projects">
          No projects yet. <a href="#create-project">Create a project</a> to give people access to part of the
          account.
        </EmptyState>
      ) : (
        <TableScroll captionId="projects-caption">
          <table>
            <caption id="projects-caption">All projects ({projects.length})</caption>
            <thead>
              <tr>
                <th scope="col">Project</th>
                <th scope="col">Role bindings</th>
                <th scope="col">Created</th>
                <th scope="col">Actions</th>
              </tr>
            </thead>
            <tbody>
              {projects.map((p) => (
                <tr>
                  <th scope="row">{p.name}</th>
                  <td>{p.bindings}</td>
                  <td>{day(p.createdAt)}</td>
                  <td>
                    <div class="row-actions">
                      <a href={`/projects/${p.id}`}>
                        Rename<span class="visually-hidden"> {p.name}</span>
                      </a>
                      {projects.length > 1 ? (
                        <DialogLink href={`/projects/${p.id}/delete`}>
                          Delete<span class="visually-hidden"> {p.name}</span>
                        </DialogLink>
                      ) : null}
                    </div>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableScroll>
      )}
      <section aria-labelledby="create-project">
        <h2 id="create-project">Create project</h2>
        <ErrorSummary errors={errors} labels={{ name: 'Name' }} />
        <form method="post" action="/projects" novalidate>
          <Field name="name" label="Name" value={values.name} required error={errors.name} />
          <button type="submit">Create project</button>
        </form>
      </section>
    </section>
  );
}

export function RenameProjectPage({
  project,
  values,
  errors = {},
}: {
  project: { id: string; name: string };
  values: { name: string };
  errors?: FieldErrors;
}) {
  return (
    <section class="narrow">
      <h1>Rename project {project.name}</h1>
      <ErrorSummary errors={errors} labels={{ name: 'New name' }} />
      <form method="post" action={`/projects/${project.id}`} novalidate>
        <Field name="name" label="New name" value={values.name} required error={errors.name} />
        <div class="actions">
          <button type="submit">Rename project</button>
          <a href="/projects">Cancel</a>
        </div>
      </form>
    </section>
  );
}

/** Deleting a project: its role bindings go with it only when that is ticked. */
export function DeleteProjectPage({
  project,
  bindings,
  errors,
  inDialog,
}: {
  project: { id: string; name: string };
  bindings: number;
  errors?: FieldErrors;
  inDialog: boolean;
}) {
  return (
    <ConfirmPage
      inDialog={inDialog}
      title={`Delete project ${project.name}?`}
      action={`/projects/${project.id}/delete`}
      confirmLabel={`Delete project ${project.name}`}
      cancelHref="/projects"
      errors={errors}
    >
      {bindings === 0 ? (
        <p>Nobody has access bound to this project.</p>
      ) : (
        <>
          <p>
            {project.name} has {plural(bindings, 'role binding')}. Deleting the project removes{' '}
            {bindings === 1 ? 'it' : 'them'}:{' '}
            {bindings === 1 ? 'that person or team loses' : 'those people and teams lose'} the access they had
            here.
          </p>
          <label class="choice">
            <input type="checkbox" name="removeBindings" value="yes" /> Remove its{' '}
            {plural(bindings, 'role binding')} too
          </label>
        </>
      )}
    </ConfirmPage>
  );
}
