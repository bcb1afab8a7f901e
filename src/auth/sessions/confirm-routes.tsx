import type { Context } from 'hono';
import { Hono } from 'hono';
import { ConfirmPasswordPage } from '../../../views/auth/confirm-password';
import type { AppDeps, AppEnv } from '../../web/env';
import { formFields } from '../../web/form';
import { guard, type SignedInEnv } from '../../web/guard';
import { type FormErrors, type PageStatus, renderRefusal } from '../../web/refusal';
import { renderPage } from '../../web/render';
import { safeNext } from '../../web/safe-next';
import { actionContext } from '../../web/session';
import { reauthenticate } from './reauthenticate';

/**
 * "Confirm your password": where an action that needs a recent sign-in sends the user, and back
 * to `next` (the action's own page) once it is confirmed.
 */
export function confirmPasswordRoutes(deps: AppDeps) {
  const app = new Hono<AppEnv>();

  const confirmPage = (c: Context<SignedInEnv>, errors: FormErrors = {}, status: PageStatus | 401 = 200) => {
    const next = safeNext(c.req.query('next')) ?? '/account';
    return renderPage(c, {
      title: 'Confirm your password',
      status,
      body: (
        <ConfirmPasswordPage
          action={`/account/confirm?next=${encodeURIComponent(next)}`}
          email={c.var.user.email}
          errors={errors}
        />
      ),
    });
  };

  // Open during enrolment: the enrolment itself may need a fresh password.
  app.get('/confirm', guard(deps, 'enrolment'), (c) => confirmPage(c));
  app.post('/confirm', guard(deps, 'enrolment'), async (c) => {
    const next = safeNext(c.req.query('next')) ?? '/account';
    const form = await formFields(c, ['password']);
    try {
      if (await reauthenticate(actionContext(c, deps), form)) return c.redirect(next, 303);
      return confirmPage(c, { password: 'That password is not right.' }, 401);
    } catch (error) {
      return renderRefusal(c, error, (errors, status) => confirmPage(c, errors, status));
    }
  });

  return app;
}
