import type { Context } from 'hono';
import { Hono } from 'hono';
import { AccountPage } from '../../views/account/account';
import type { TokenFormValues } from '../../views/api/tokens';
import { mountTokenPages, tokenChoices } from '../api/token-routes';
import { tokensOf } from '../api/tokens';
import { changePassword } from '../auth/passwords/own-password';
import { plural } from '../core/plural';
import type { AppDeps, AppEnv } from '../web/env';
import { formFields } from '../web/form';
import { guard, type SignedInEnv } from '../web/guard';
import { type FormErrors, type PageStatus, renderRefusal } from '../web/refusal';
import { redirectWithFlash, renderPage } from '../web/render';
import { actionContext, clearSessionCookie } from '../web/session';
import { endMySession, endOtherSessions, mySessions } from './my-sessions';
import { myAccount, updateProfile } from './profile';
import { mySecurityEvents } from './security-events';

/** My account: every signed-in user, on their own account only (no id in these paths but sessions'). */
export function accountRoutes(deps: AppDeps) {
  const app = new Hono<AppEnv>();
  const ctxOf = (c: Context<SignedInEnv>) => actionContext(c, deps);

  const accountPage = async (
    c: Context<SignedInEnv>,
    errors: FormErrors = {},
    status: PageStatus = 200,
    values?: { name?: string; language?: string },
    tokenForm?: { values: TokenFormValues; errors: FormErrors },
  ) => {
    const ctx = ctxOf(c);
    const me = c.get('user').id;
    const [account, sessions, events, tokens, choices] = await Promise.all([
      myAccount(ctx),
      mySessions(ctx),
      mySecurityEvents(ctx),
      tokensOf(deps.db, me),
      tokenChoices(deps.db, me, me, deps.clock.now()),
    ]);
    return renderPage(c, {
      title: 'My account',
      status,
      body: (
        <AccountPage
          account={account}
          sessions={sessions}
          events={events}
          errors={errors}
          values={values}
          tokens={{ list: tokens, ...choices, form: tokenForm, now: deps.clock.now() }}
        />
      ),
    });
  };

  // Personal API tokens (api/token-routes.tsx): one's own, on this page.
  mountTokenPages(app, deps, {
    path: '/tokens',
    guard: guard(deps, 'signed-in'),
    ownerOf: async (c) => ({ id: c.get('user').id, name: c.get('user').name }),
    back: () => '/account#tokens-title',
    base: () => '/account/tokens',
    section: () => 'My account',
    page: (c, _owner, form) => accountPage(c, {}, form.status, undefined, form),
  });

  app.get('/', guard(deps, 'signed-in'), (c) => accountPage(c));

  app.post('/profile', guard(deps, 'signed-in'), async (c) => {
    const form = await formFields(c, ['name', 'language', 'time_zone']);
    try {
      const changed = await updateProfile(ctxOf(c), form);
      return redirectWithFlash(c, '/account', changed ? 'Profile saved.' : 'Nothing changed.');
    } catch (error) {
      return renderRefusal(c, error, (errors, status) => accountPage(c, errors, status, form));
    }
  });

  app.post('/password', guard(deps, 'signed-in'), async (c) => {
    const form = await formFields(c, ['current', 'password', 'confirm']);
    try {
      const ended = await changePassword(ctxOf(c), form);
      const others = ended === 0 ? '' : ` ${plural(ended, 'other session')} signed out.`;
      return redirectWithFlash(c, '/account', `Password changed.${others}`);
    } catch (error) {
      return renderRefusal(c, error, (errors, status) => accountPage(c, errors, status));
    }
  });

  app.post('/sessions/end-others', guard(deps, 'signed-in'), async (c) => {
    const ended = await endOtherSessions(ctxOf(c));
    return redirectWithFlash(c, '/account', `${plural(ended, 'other session')} signed out.`);
  });

  app.post('/sessions/:sessionId/end', guard(deps, 'signed-in'), async (c) => {
    const id = c.req.param('sessionId');
    try {
      await endMySession(ctxOf(c), id);
    } catch (error) {
      return renderRefusal(c, error, (errors, status) => accountPage(c, errors, status));
    }
    if (id === c.get('session')?.sessionId) {
      clearSessionCookie(c);
      return c.redirect('/login?signed_out=1', 303);
    }
    return redirectWithFlash(c, '/account', 'Session signed out.');
  });

  return app;
}
