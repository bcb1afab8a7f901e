import type { Context } from 'hono';
import { Hono } from 'hono';
import { ResetAllPage } from '../../views/users/confirm';
import type { AppDeps, AppEnv } from '../web/env';
import { guard, type SignedInEnv } from '../web/guard';
import { type FormErrors, type PageStatus, renderRefusal } from '../web/refusal';
import { isHtmx, redirectWithFlash, renderPage } from '../web/render';
import { actionContext } from '../web/session';
import { resetAllCount, resetAllPasswords } from './reset-all';

const SETTINGS = { permission: 'account.settings' } as const;

/** "Reset all passwords", an account action, asked first with the number of people it reaches. */
export function resetAllRoutes(deps: AppDeps) {
  const app = new Hono<AppEnv>();

  const resetAllPage = async (c: Context<SignedInEnv>, errors: FormErrors = {}, status: PageStatus = 200) =>
    renderPage(c, {
      title: 'Reset all passwords',
      status,
      body: (
        <ResetAllPage
          count={await resetAllCount(deps.db, c.var.user.id)}
          errors={errors}
          inDialog={isHtmx(c)}
        />
      ),
    });

  app.get('/reset-all', guard(deps, SETTINGS), (c) => resetAllPage(c));
  app.post('/reset-all', guard(deps, SETTINGS), async (c) => {
    try {
      const count = await resetAllPasswords(actionContext(c, deps));
      return redirectWithFlash(c, '/users', `${count} passwords were reset; each person was emailed a link.`);
    } catch (error) {
      return renderRefusal(c, error, (errors, status) => resetAllPage(c, errors, status));
    }
  });

  return app;
}
