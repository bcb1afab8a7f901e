import type { Context } from 'hono';
import { Hono } from 'hono';
import { ResetAllPage } from '../../views/users/confirm';
import type { AppDeps, AppEnv } from '../web/env';
import { guard, type SignedInEnv } from '../web/guard';
import { type FormErrors, type PageStatus, renderRefusal } from '../web/refusal';
import { isHtmx, redirectWithFlash, renderPage } from '../web/render';
import { actionContext } from '../web/session';
import { runningLongAction } from './long-action-progress';
import { longActionRoutes } from './long-action-routes';
import { resetAllCount, startResetAllPasswords } from './reset-all';

const SETTINGS = { permission: 'account.settings' } as const;

/**
 * "Reset all passwords", an account action, asked first with the number of people it reaches;
 * it runs as a job, and its page shows the progress and then the report.
 */
export function resetAllRoutes(deps: AppDeps) {
  const app = new Hono<AppEnv>();

  const resetAllPage = async (c: Context<SignedInEnv>, errors: FormErrors = {}, status: PageStatus = 200) =>
    renderPage(c, {
      title: 'Reset all passwords · Users',
      status,
      body: (
        <ResetAllPage
          count={await resetAllCount(deps.db, c.var.user.id)}
          running={await runningLongAction(deps.db, 'reset_all_passwords')}
          errors={errors}
          inDialog={isHtmx(c)}
        />
      ),
    });

  app.get('/reset-all', guard(deps, SETTINGS), (c) => resetAllPage(c));
  app.post('/reset-all', guard(deps, SETTINGS), async (c) => {
    try {
      const id = await startResetAllPasswords(actionContext(c, deps));
      return redirectWithFlash(c, `/users/reset-all/${id}`, 'Reset all passwords has started.');
    } catch (error) {
      return renderRefusal(c, error, (errors, status) => resetAllPage(c, errors, status));
    }
  });

  app.route('/reset-all', longActionRoutes(deps, 'reset_all_passwords', SETTINGS));

  return app;
}
