import type { Context } from 'hono';
import { Hono } from 'hono';
import {
  AccountPage,
  ConfirmPasswordPage,
  EnrolPage,
  NewRecoveryCodesPage,
} from '../../views/account/account';
import { ConfirmPage } from '../../views/components/confirm';
import {
  confirmTwoFactorEnrolment,
  pendingEnrolment,
  regenerateRecoveryCodes,
  removeTwoFactor,
  startTwoFactorEnrolment,
} from '../auth/two-factor/enrolment';
import type { AppDeps, AppEnv } from '../web/env';
import { formFields } from '../web/form';
import { guard, type SignedInEnv } from '../web/guard';
import { type FormErrors, renderRefusal } from '../web/refusal';
import { isHtmx, redirectWithFlash, renderPage } from '../web/render';
import { safeNext } from '../web/safe-next';
import { actionContext, clearSessionCookie } from '../web/session';
import {
  changePassword,
  endMySession,
  endOtherSessions,
  myAccount,
  mySecurityEvents,
  mySessions,
  reauthenticate,
  updateProfile,
} from './my-account';
import { getSettings } from './read-settings';

type Status = 200 | 401 | 403 | 409 | 422;

/** My account: every signed-in user, on their own account only (no id in these paths but sessions'). */
export function accountRoutes(deps: AppDeps) {
  const app = new Hono<AppEnv>();
  const ctxOf = (c: Context<SignedInEnv>) => actionContext(c, deps);

  const accountPage = async (
    c: Context<SignedInEnv>,
    errors: FormErrors = {},
    status: Status = 200,
    values?: { name?: string; language?: string },
  ) => {
    const ctx = ctxOf(c);
    const [account, sessions, events] = await Promise.all([
      myAccount(ctx),
      mySessions(ctx),
      mySecurityEvents(ctx),
    ]);
    return renderPage(c, {
      title: 'My account',
      status,
      body: (
        <AccountPage account={account} sessions={sessions} events={events} errors={errors} values={values} />
      ),
    });
  };

  app.get('/account', guard(deps, 'signed-in'), (c) => accountPage(c));

  app.post('/account/profile', guard(deps, 'signed-in'), async (c) => {
    const form = await formFields(c, ['name', 'language', 'time_zone']);
    try {
      const changed = await updateProfile(ctxOf(c), form);
      return redirectWithFlash(c, '/account', changed ? 'Profile saved.' : 'Nothing changed.');
    } catch (error) {
      return renderRefusal(c, error, (errors, status) => accountPage(c, errors, status as Status, form));
    }
  });

  app.post('/account/password', guard(deps, 'signed-in'), async (c) => {
    const form = await formFields(c, ['current', 'password', 'confirm']);
    try {
      const ended = await changePassword(ctxOf(c), form);
      const others = ended === 0 ? '' : ` ${ended} other session${ended === 1 ? '' : 's'} signed out.`;
      return redirectWithFlash(c, '/account', `Password changed.${others}`);
    } catch (error) {
      return renderRefusal(c, error, (errors, status) => accountPage(c, errors, status as Status));
    }
  });

  // Open during enrolment: the enrolment itself may need a fresh password.
  app.get('/account/confirm', guard(deps, 'enrolment'), (c) => confirmPage(c));
  app.post('/account/confirm', guard(deps, 'enrolment'), async (c) => {
    const next = safeNext(c.req.query('next')) ?? '/account';
    const form = await formFields(c, ['password']);
    try {
      if (await reauthenticate(ctxOf(c), form)) return c.redirect(next, 303);
      return confirmPage(c, { password: 'That password is not right.' }, 401);
    } catch (error) {
      return renderRefusal(c, error, (errors, status) => confirmPage(c, errors, status as Status));
    }
  });
  const confirmPage = (c: Context<SignedInEnv>, errors: FormErrors = {}, status: Status = 200) => {
    const next = safeNext(c.req.query('next')) ?? '/account';
    const actor = c.get('actor');
    return renderPage(c, {
      title: 'Confirm your password',
      status,
      body: (
        <ConfirmPasswordPage
          action={`/account/confirm?next=${encodeURIComponent(next)}`}
          email={actor.kind === 'user' ? actor.email : ''}
          errors={errors}
        />
      ),
    });
  };

  const enrolPage = async (c: Context<SignedInEnv>, errors: FormErrors = {}, status: Status = 200) => {
    const ctx = ctxOf(c);
    const account = await myAccount(ctx);
    if (account.twoFactor) return c.redirect('/account', 303);
    return renderPage(c, {
      title: 'Set up two-factor authentication',
      status,
      body: (
        <EnrolPage
          pending={await pendingEnrolment(ctx)}
          required={account.requireTwoFactor}
          errors={errors}
        />
      ),
    });
  };

  app.get('/account/two-factor', guard(deps, 'enrolment'), (c) => enrolPage(c));
  app.post('/account/two-factor', guard(deps, 'enrolment'), async (c) => {
    try {
      await startTwoFactorEnrolment(ctxOf(c));
      return c.redirect('/account/two-factor', 303);
    } catch (error) {
      return renderRefusal(c, error, (errors, status) => enrolPage(c, errors, status as Status));
    }
  });

  const showCodes = async (c: Context<SignedInEnv>, codes: string[]) => {
    const actor = c.get('actor');
    const settings = await getSettings(deps.db);
    return renderPage(c, {
      title: 'Your recovery codes',
      body: (
        <NewRecoveryCodesPage
          codes={codes}
          email={actor.kind === 'user' ? actor.email : ''}
          accountName={settings.account_name}
        />
      ),
    });
  };

  // Where "confirm your password" returns after a stale confirm: the code form again.
  app.get('/account/two-factor/confirm', guard(deps, 'enrolment'), (c) =>
    c.redirect('/account/two-factor', 303),
  );
  app.post('/account/two-factor/confirm', guard(deps, 'enrolment'), async (c) => {
    const form = await formFields(c, ['code']);
    try {
      const codes = await confirmTwoFactorEnrolment(ctxOf(c), form);
      c.set('flash', 'Two-factor authentication is on.');
      return showCodes(c, codes);
    } catch (error) {
      // The confirm page returns to the enrolment page, whose form posts here again.
      return renderRefusal(c, error, (errors, status) => enrolPage(c, errors, status as Status));
    }
  });

  /** A confirmation page (GET) for a sensitive POST, so "confirm your password" can come back to it. */
  const sensitive = (
    path: string,
    page: { title: string; body: string; confirm: string; danger: boolean },
    act: (c: Context<SignedInEnv>) => Promise<Response>,
  ) => {
    const show = (c: Context<SignedInEnv>, errors: FormErrors = {}, status: Status = 200) =>
      renderPage(c, {
        title: page.title,
        status,
        body: (
          <ConfirmPage
            inDialog={isHtmx(c)}
            title={page.title}
            action={path}
            confirmLabel={page.confirm}
            cancelHref="/account"
            errors={errors}
            danger={page.danger}
          >
            <p>{page.body}</p>
          </ConfirmPage>
        ),
      });
    app.get(path, guard(deps, 'signed-in'), (c) => show(c));
    app.post(path, guard(deps, 'signed-in'), async (c) => {
      try {
        return await act(c);
      } catch (error) {
        return renderRefusal(c, error, (errors, status) => show(c, errors, status as Status));
      }
    });
  };

  sensitive(
    '/account/two-factor/recovery-codes',
    {
      title: 'Make new recovery codes?',
      body: 'You get ten new codes, shown once. Your current codes stop working.',
      confirm: 'Make new recovery codes',
      danger: false,
    },
    async (c) => showCodes(c, await regenerateRecoveryCodes(ctxOf(c))),
  );

  sensitive(
    '/account/two-factor/remove',
    {
      title: 'Remove two-factor authentication?',
      body: 'Signing in will need only your password. Your authenticator key and recovery codes stop working.',
      confirm: 'Remove two-factor authentication',
      danger: true,
    },
    async (c) => {
      await removeTwoFactor(ctxOf(c));
      return redirectWithFlash(c, '/account', 'Two-factor authentication removed.');
    },
  );

  app.post('/account/sessions/end-others', guard(deps, 'signed-in'), async (c) => {
    const ended = await endOtherSessions(ctxOf(c));
    return redirectWithFlash(c, '/account', `${ended} other session${ended === 1 ? '' : 's'} signed out.`);
  });

  app.post('/account/sessions/:sessionId/end', guard(deps, 'signed-in'), async (c) => {
    const id = c.req.param('sessionId');
    try {
      await endMySession(ctxOf(c), id);
    } catch (error) {
      return renderRefusal(c, error, (errors, status) => accountPage(c, errors, status as Status));
    }
    if (id === c.get('session')?.sessionId) {
      clearSessionCookie(c);
      return c.redirect('/login?signed_out=1', 303);
    }
    return redirectWithFlash(c, '/account', 'Session signed out.');
  });

  return app;
}
