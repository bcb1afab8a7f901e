import type { Context } from 'hono';
import { Hono } from 'hono';
import { DeleteProjectPage, ProjectsPage, RenameProjectPage } from '../../views/access/projects';
import { NotFoundError } from '../core/errors';
import { plural } from '../core/plural';
import type { AppDeps, AppEnv } from '../web/env';
import { formFields } from '../web/form';
import { guard, type SignedInEnv } from '../web/guard';
import { type FormErrors, type PageStatus, renderRefusal } from '../web/refusal';
import { isHtmx, redirectWithFlash, renderPage, renderStatusPage } from '../web/render';
import { actionContext } from '../web/session';
import { createProject, deleteProject, listProjects, projectBindingCount, renameProject } from './projects';

const MANAGE = { permission: 'projects.manage' } as const;

export function projectRoutes(deps: AppDeps) {
  const app = new Hono<AppEnv>();

  const findProject = async (id: string) => (await listProjects(deps.db)).find((p) => p.id === id);

  app.get('/', guard(deps, MANAGE), async (c) =>
    renderPage(c, { title: 'Projects', body: <ProjectsPage projects={await listProjects(deps.db)} /> }),
  );

  app.post('/', guard(deps, MANAGE), async (c) => {
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
    status: PageStatus = 200,
  ) => {
    const project = await findProject(id);
    if (!project) return renderStatusPage(c, 404);
    return renderPage(c, {
      title: `Rename project ${project.name} · Projects`,
      status,
      body: <RenameProjectPage project={project} values={{ name: name ?? project.name }} errors={errors} />,
    });
  };

  app.get('/:id', guard(deps, MANAGE), (c) => renamePage(c, c.req.param('id')));

  app.post('/:id', guard(deps, MANAGE), async (c) => {
    const id = c.req.param('id');
    const form = await formFields(c, ['name']);
    try {
      await renameProject(actionContext(c, deps), id, form);
      return redirectWithFlash(c, '/projects', `Project renamed to ${form.name?.trim()}.`);
    } catch (error) {
      return renderRefusal(c, error, (errors, status) => renamePage(c, id, form.name, errors, status));
    }
  });

  const deletePage = async (
    c: Context<SignedInEnv>,
    id: string,
    errors: FormErrors = {},
    status: PageStatus = 200,
  ) => {
    const project = await findProject(id);
    if (!project) return renderStatusPage(c, 404);
    const bindings = await projectBindingCount(deps.db, id);
    return renderPage(c, {
      title: `Delete project ${project.name} · Projects`,
      status,
      body: <DeleteProjectPage project={project} bindings={bindings} errors={errors} inDialog={isHtmx(c)} />,
    });
  };

  app.get('/:id/delete', guard(deps, MANAGE), (c) => deletePage(c, c.req.param('id')));

  app.post('/:id/delete', guard(deps, MANAGE), async (c) => {
    const id = c.req.param('id');
    const form = await formFields(c, ['removeBindings']);
    try {
      const project = await findProject(id);
      if (!project) throw new NotFoundError('There is no such project.');
      const { removedBindings } = await deleteProject(actionContext(c, deps), id, {
        removeBindings: form.removeBindings === 'yes',
      });
      const extra =
        removedBindings > 0
          ? ` ${plural(removedBindings, 'role binding')} ${removedBindings === 1 ? 'was' : 'were'} removed with it.`
          : '';
      return redirectWithFlash(c, '/projects', `Project ${project.name} deleted.${extra}`);
    } catch (error) {
      return renderRefusal(c, error, (errors, status) => deletePage(c, id, errors, status));
    }
  });

  return app;
}
