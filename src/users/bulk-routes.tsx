import type { Context } from 'hono';
import { Hono } from 'hono';
import { BulkPreviewPage } from '../../views/users/bulk';
import type { AppDeps, AppEnv } from '../web/env';
import { formValues } from '../web/form';
import { guard, type SignedInEnv } from '../web/guard';
import { renderRefusal } from '../web/refusal';
import { redirectWithFlash, renderPage } from '../web/render';
import { safeNext } from '../web/safe-next';
import { actionContext } from '../web/session';
import { previewBulk } from './bulk';
import { startBulk } from './bulk-run';
import { longActionRoutes } from './long-action-routes';

const MANAGE = { permission: 'users.manage' } as const;

/** Bulk actions on the users selected in the list: a preview of what happens to each, then the run. */
export function bulkRoutes(deps: AppDeps) {
  const app = new Hono<AppEnv>();

  const bulkInput = async (c: Context<SignedInEnv>) => {
    const { fields, lists } = await formValues(
      c,
      ['action', 'roleId', 'all', 'filter', 'expected', 'back'] as const,
      ['ids'],
    );
    return { ...fields, ids: lists.ids };
  };
  /** The list as the person left it (its filters, its tab): only a users list path. */
  const backOf = (input: { back?: string }) => {
    const back = safeNext(input.back);
    return back && /^\/users(\?|$)/.test(back) ? back : '/users';
  };

  /** A refused bulk request goes back to the list, saying why. */
  const backToList = (c: Context<SignedInEnv>, back: string, error: unknown) =>
    renderRefusal(c, error, (errors) =>
      redirectWithFlash(c, back, Object.values(errors).join(' ') || 'Nothing to do.'),
    );

  app.post('/bulk/preview', guard(deps, MANAGE), async (c) => {
    const input = await bulkInput(c);
    try {
      const preview = await previewBulk(actionContext(c, deps), c.var.user.projectId, input);
      return renderPage(c, {
        title: 'Check before you confirm · Users',
        body: <BulkPreviewPage {...preview} back={backOf(input)} />,
      });
    } catch (error) {
      return backToList(c, backOf(input), error);
    }
  });

  // It runs as a job (bulk-run.ts): the request starts it and goes to its page.
  app.post('/bulk', guard(deps, MANAGE), async (c) => {
    const input = await bulkInput(c);
    try {
      const id = await startBulk(actionContext(c, deps), c.var.user.projectId, input);
      return redirectWithFlash(c, `/users/bulk/${id}`, 'The bulk action has started.');
    } catch (error) {
      return backToList(c, backOf(input), error);
    }
  });

  app.route('/bulk', longActionRoutes(deps, 'bulk_users', MANAGE));

  return app;
}
