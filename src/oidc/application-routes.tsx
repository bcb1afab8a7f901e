import type { Context } from 'hono';
import { Hono } from 'hono';
import {
  ApplicationConfirmPage,
  type ApplicationForm,
  ApplicationPage,
  ApplicationsPage,
  EMPTY_APPLICATION,
  NewApplicationPage,
  SecretPage,
} from '../../views/oidc/applications';
import type { AppDeps, AppEnv } from '../web/env';
import { formValues } from '../web/form';
import { guard, type SignedInEnv } from '../web/guard';
import { type FormErrors, type PageStatus, renderRefusal } from '../web/refusal';
import { isHtmx, redirectWithFlash, renderPage, renderStatusPage } from '../web/render';
import { actionContext } from '../web/session';
import {
  createApplication,
  deleteApplication,
  findApplication,
  listApplications,
  rotateApplicationSecret,
  setApplicationActive,
} from './applications';

const MANAGE = { permission: 'applications.manage' } as const;

/** The asking page's title: the question its heading asks (views/oidc/applications.tsx). */
const confirmTitle = (what: 'rotate-secret' | 'delete', name: string) =>
  `${what === 'rotate-secret' ? `Rotate the secret of ${name}?` : `Delete ${name}?`} · Applications`;

const lines = (text: string | undefined) =>
  (text ?? '')
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter(Boolean);

/** The Applications area: register, look at, rotate, deactivate and delete the apps. */
export function applicationRoutes(deps: AppDeps) {
  const app = new Hono<AppEnv>();
  const projects = () => deps.db.selectFrom('projects').select(['id', 'name']).orderBy('name').execute();

  app.get('/', guard(deps, MANAGE), async (c) =>
    renderPage(c, {
      title: 'Applications',
      body: <ApplicationsPage applications={await listApplications(deps.db)} projects={await projects()} />,
    }),
  );

  const newPage = async (
    c: Context<SignedInEnv>,
    values: ApplicationForm,
    errors: FormErrors = {},
    status: PageStatus = 200,
  ) =>
    renderPage(c, {
      title: 'Register an application · Applications',
      status,
      body: <NewApplicationPage values={values} projects={await projects()} errors={errors} />,
    });

  app.get('/new', guard(deps, MANAGE), (c) => newPage(c, EMPTY_APPLICATION));

  app.post('/', guard(deps, MANAGE), async (c) => {
    const { fields, lists } = await formValues(
      c,
      [
        'name',
        'type',
        'redirectUris',
        'postLogoutRedirectUris',
        'backchannelLogoutUri',
        'apiResources',
        'firstParty',
      ] as const,
      ['projects'] as const,
    );
    const values: ApplicationForm = {
      name: fields.name ?? '',
      type: fields.type ?? 'web',
      redirectUris: fields.redirectUris ?? '',
      postLogoutRedirectUris: fields.postLogoutRedirectUris ?? '',
      backchannelLogoutUri: fields.backchannelLogoutUri ?? '',
      apiResources: fields.apiResources ?? '',
      projects: lists.projects,
      firstParty: fields.firstParty === 'on',
    };
    try {
      const created = await createApplication(actionContext(c, deps), {
        name: values.name,
        type: values.type as 'web',
        redirectUris: lines(values.redirectUris),
        postLogoutRedirectUris: lines(values.postLogoutRedirectUris),
        backchannelLogoutUri: values.backchannelLogoutUri.trim() || undefined,
        apiResources: lines(values.apiResources),
        projects: values.projects,
        firstParty: values.firstParty,
      });
      // The secret is shown in this answer only: never in a URL, a flash or a log.
      return renderPage(c, {
        title: `${values.name.trim()} registered · Applications`,
        body: (
          <SecretPage
            title={`${values.name.trim()} registered`}
            clientId={created.clientId}
            secret={created.clientSecret}
            appId={created.id}
          />
        ),
      });
    } catch (error) {
      return renderRefusal(c, error, (errors, status) => newPage(c, values, errors, status));
    }
  });

  app.get('/:id', guard(deps, MANAGE), async (c) => {
    const found = await findApplication(deps.db, c.req.param('id'));
    if (!found) return renderStatusPage(c, 404);
    return renderPage(c, {
      title: `${found.name} · Applications`,
      body: <ApplicationPage app={found} projects={await projects()} />,
    });
  });

  for (const what of ['rotate-secret', 'delete'] as const) {
    app.get(`/:id/${what}`, guard(deps, MANAGE), async (c) => {
      const found = await findApplication(deps.db, c.req.param('id'));
      if (!found) return renderStatusPage(c, 404);
      return renderPage(c, {
        title: confirmTitle(what, found.name),
        body: <ApplicationConfirmPage app={found} what={what} inDialog={isHtmx(c)} />,
      });
    });
  }

  app.post('/:id/rotate-secret', guard(deps, MANAGE), async (c) => {
    const found = await findApplication(deps.db, c.req.param('id'));
    if (!found) return renderStatusPage(c, 404);
    try {
      const secret = await rotateApplicationSecret(actionContext(c, deps), found.client_id);
      return renderPage(c, {
        title: `New secret for ${found.name} · Applications`,
        body: (
          <SecretPage
            title={`New secret for ${found.name}`}
            clientId={found.client_id}
            secret={secret}
            appId={found.id}
          />
        ),
      });
    } catch (error) {
      return renderRefusal(c, error, (errors, status) =>
        renderPage(c, {
          title: confirmTitle('rotate-secret', found.name),
          status,
          body: <ApplicationConfirmPage app={found} what="rotate-secret" inDialog={false} errors={errors} />,
        }),
      );
    }
  });

  app.post('/:id/delete', guard(deps, MANAGE), async (c) => {
    const found = await findApplication(deps.db, c.req.param('id'));
    if (!found) return renderStatusPage(c, 404);
    try {
      await deleteApplication(actionContext(c, deps), found.client_id);
      return redirectWithFlash(c, '/applications', `${found.name} deleted; its sessions and tokens ended.`);
    } catch (error) {
      return renderRefusal(c, error, (errors, status) =>
        renderPage(c, {
          title: confirmTitle('delete', found.name),
          status,
          body: <ApplicationConfirmPage app={found} what="delete" inDialog={false} errors={errors} />,
        }),
      );
    }
  });

  for (const [what, active] of [
    ['deactivate', false],
    ['reactivate', true],
  ] as const) {
    app.post(`/:id/${what}`, guard(deps, MANAGE), async (c) => {
      const found = await findApplication(deps.db, c.req.param('id'));
      if (!found) return renderStatusPage(c, 404);
      try {
        await setApplicationActive(actionContext(c, deps), found.client_id, active);
        return redirectWithFlash(
          c,
          `/applications/${found.id}`,
          active
            ? `${found.name} is active again.`
            : `${found.name} is deactivated; its tokens stopped working.`,
        );
      } catch (error) {
        return renderRefusal(c, error, (errors) =>
          redirectWithFlash(c, `/applications/${found.id}`, Object.values(errors).join(' ')),
        );
      }
    });
  }

  return app;
}
