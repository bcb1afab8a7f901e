import type { Context } from 'hono';
import { Hono } from 'hono';
import {
  EnrolPage,
  NewRecoveryCodesPage,
  TWO_FACTOR_CHANGES,
  type TwoFactorChange,
  TwoFactorChangePage,
} from '../../../views/auth/two-factor';
import { myAccount } from '../../account/profile';
import { getSettings } from '../../account/read-settings';
import type { AppDeps, AppEnv } from '../../web/env';
import { formFields } from '../../web/form';
import { guard, type SignedInEnv } from '../../web/guard';
import { type FormErrors, type PageStatus, renderRefusal } from '../../web/refusal';
import { isHtmx, redirectWithFlash, renderPage } from '../../web/render';
import { safeNext } from '../../web/safe-next';
import { actionContext } from '../../web/session';
import {
  confirmTwoFactorEnrolment,
  pendingEnrolment,
  regenerateRecoveryCodes,
  removeTwoFactor,
  startTwoFactorEnrolment,
} from './enrolment';

/** The user's own two-factor authentication, from My account: enrol, new recovery codes, remove. */
export function twoFactorRoutes(deps: AppDeps) {
  const app = new Hono<AppEnv>();
  const ctxOf = (c: Context<SignedInEnv>) => actionContext(c, deps);

  const enrolPage = async (c: Context<SignedInEnv>, errors: FormErrors = {}, status: PageStatus = 200) => {
    const ctx = ctxOf(c);
    const account = await myAccount(ctx);
    if (account.twoFactor) return c.redirect('/account', 303);
    return renderPage(c, {
      title: 'Set up two-factor authentication · My account',
      status,
      body: (
        <EnrolPage
          pending={await pendingEnrolment(ctx)}
          required={account.requireTwoFactor}
          errors={errors}
          next={safeNext(c.req.query('next'))}
        />
      ),
    });
  };

  app.get('/two-factor', guard(deps, 'enrolment'), (c) => enrolPage(c));
  app.post('/two-factor', guard(deps, 'enrolment'), async (c) => {
    try {
      await startTwoFactorEnrolment(ctxOf(c));
      const next = safeNext(c.req.query('next'));
      return c.redirect(`/account/two-factor${next ? `?next=${encodeURIComponent(next)}` : ''}`, 303);
    } catch (error) {
      return renderRefusal(c, error, (errors, status) => enrolPage(c, errors, status));
    }
  });

  const showCodes = async (c: Context<SignedInEnv>, codes: string[], next: string | null = null) => {
    const settings = await getSettings(deps.db);
    return renderPage(c, {
      title: 'Your recovery codes · My account',
      body: (
        <NewRecoveryCodesPage
          codes={codes}
          email={c.var.user.email}
          accountName={settings.account_name}
          next={next}
        />
      ),
    });
  };

  // Where "confirm your password" returns after a stale confirm: the code form again.
  app.get('/two-factor/confirm', guard(deps, 'enrolment'), (c) => c.redirect('/account/two-factor', 303));
  app.post('/two-factor/confirm', guard(deps, 'enrolment'), async (c) => {
    const form = await formFields(c, ['code']);
    try {
      const codes = await confirmTwoFactorEnrolment(ctxOf(c), form);
      c.set('flash', 'Two-factor authentication is on.');
      return showCodes(c, codes, safeNext(c.req.query('next')));
    } catch (error) {
      // The confirm page returns to the enrolment page, whose form posts here again.
      return renderRefusal(c, error, (errors, status) => enrolPage(c, errors, status));
    }
  });

  /** A confirmation page (GET) for a sensitive POST, so "confirm your password" can come back to it. */
  const sensitive = (change: TwoFactorChange, act: (c: Context<SignedInEnv>) => Promise<Response>) => {
    const show = (c: Context<SignedInEnv>, errors: FormErrors = {}, status: PageStatus = 200) =>
      renderPage(c, {
        title: `${TWO_FACTOR_CHANGES[change].title} · My account`,
        status,
        body: <TwoFactorChangePage change={change} errors={errors} inDialog={isHtmx(c)} />,
      });
    const path = `/two-factor/${change}`;
    app.get(path, guard(deps, 'signed-in'), (c) => show(c));
    app.post(path, guard(deps, 'signed-in'), async (c) => {
      try {
        return await act(c);
      } catch (error) {
        return renderRefusal(c, error, (errors, status) => show(c, errors, status));
      }
    });
  };

  sensitive('recovery-codes', async (c) => showCodes(c, await regenerateRecoveryCodes(ctxOf(c))));

  sensitive('remove', async (c) => {
    await removeTwoFactor(ctxOf(c));
    return redirectWithFlash(c, '/account', 'Two-factor authentication removed.');
  });

  return app;
}
