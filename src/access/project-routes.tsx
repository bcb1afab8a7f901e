import type { Context } from 'hono';
import { Hono } from 'hono';
import { ProjectsPage, RenameProjectPage } from '../../views/access/projects';
import { ConfirmPage } from '../../views/components/confirm';
import { NotFoundError } from '../core/errors';
import type { AppDeps, AppEnv } from '../web/env';
import { formFields } from '../web/form';
import { guard, type SignedInEnv } from '../web/guard';
import { type FormErrors, renderRefusal } from '../web/refusal';
import { isHtmx, redirectWithFlash, renderPage, renderStatusPage } from '../web/render';
import { actionContext } from '../web/session';
import { createProject, deleteProject, listProjects, projectBindingCount, renameProject } from './projects';

type Status = 200 | 403 | 409 | 422;
const MANAGE = { permission: 'projects.manage' } as const;

export function projectRoutes(deps: AppDeps) {
  const app = new Hono<AppEnv>();

  const findProject = async (id: string) => (await listProjects(deps.db)).find((p) => p.id === id);

  app.get('/projects', guard(deps, MANAGE), async (c) =>
    renderPage(c, { title: 'Projects', body: <ProjectsPage projects={await listProjects(deps.db)} /> }),
  );

  app.post('/projects', guard(deps, MANAGE), async (c) => {
    const form = await formFields(c, ['name']);
    try {
      await createProject(actionContext(c, deps), form);
      return redirectWithFlash(c, '/projects', `Project ${form.name?.trim()} created.`);
    } catch (error) {
      return renderRefusal(c, error, async (errors, status) =>
        renderPage(c, {
          title: 'Projects',
          status,
          body: (
            <ProjectsPage
              projects={await listProjects(deps.db)}
              values={{ name: form.name ?? '' }}
              errors={errors}
            />
          ),
        }),
      );
    }
  });

  const renamePage = async (
    c: Context<SignedInEnv>,
    id: string,
    name?: string,
    errors?: FormErrors,
    status: Status = 200,
  ) => {
    const project = await findProject(id);
    if (!project) return renderStatusPage(c, 404);
    return renderPage(c, {
      title: `Rename ${project.name}`,
      status,
      body: <RenameProjectPage project={project} values={{ name: name ?? project.name }} errors={errors} />,
    });
  };

  app.get('/projects/:id', guard(deps, MANAGE), (c) => renamePage(c, c.req.param('id')));

  app.post('/projects/:id', guard(deps, MANAGE), async (c) => {
    const id = c.req.param('id');
    const form = await formFields(c, ['name']);
    try {
      await renameProject(actionContext(c, deps), id, form);
      return redirectWithFlash(c, '/projects', `Project renamed to ${form.name?.trim()}.`);
    } catch (error) {
      return renderRefusal(c, error, (errors, status) =>
        renamePage(c, id, form.name, errors, status as Status),
      );
    }
  });

  const deletePage = async (
    c: Context<SignedInEnv>,
    id: string,
    errors: FormErrors = {},
    status: Status = 200,
  ) => {
    const project = await findProject(id);
    if (!project) return renderStatusPage(c, 404);
    const bindings = await projectBindingCount(deps.db, id);
    return renderPage(c, {
      title: `Delete ${project.name}`,
      status,
      body: (
        <ConfirmPage
          inDialog={isHtmx(c)}
          title={`Delete project ${project.name}?`}
          action={`/projects/${id}/delete`}
          confirmLabel={`Delete project ${project.name}`}
          cancelHref="/projects"
          errors={errors}
        >
          {bindings === 0 ? (
            <p>Nobody has access bound to this project.</p>
          ) : (
            <>
              <p>
                {project.name} has {bindings} role {bindings === 1 ? 'binding' : 'bindings'}. Deleting the
                project removes them: those people and teams lose the access they had here.
              </p>
              <label class="choice">
                <input type="checkbox" name="removeBindings" value="yes" /> Remove its {bindings} role{' '}
                {bindings === 1 ? 'binding' : 'bindings'} too
              </label>
            </>
          )}
        </ConfirmPage>
      ),
    });
  };

  app.get('/projects/:id/delete', guard(deps, MANAGE), (c) => deletePage(c, c.req.param('id')));

  app.post('/projects/:id/delete', guard(deps, MANAGE), async (c) => {
    const id = c.req.param('id');
    const form = await formFields(c, ['removeBindings']);
    try {
      const project = await findProject(id);
      if (!project) throw new NotFoundError('There is no such project.');
      const { removedBindings } = await deleteProject(actionContext(c, deps), id, {
        removeBindings: form.removeBindings === 'yes',
      });
      const extra = removedBindings > 0 ? ` ${removedBindings} role bindings were removed with it.` : '';
      return redirectWithFlash(c, '/projects', `Project ${project.name} deleted.${extra}`);
    } catch (error) {
      return renderRefusal(c, error, (errors, status) => deletePage(c, id, errors, status as Status));
    }
  });

  return app;
}
