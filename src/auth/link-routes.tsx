import type { Context } from 'hono';
import { Hono } from 'hono';
import type { JSX } from 'hono/jsx/jsx-runtime';
import { ForgotPasswordPage, ResetRequestedPage } from '../../views/auth/forgot-password';
import { LinkCodePage, LinkNotUsablePage, SetPasswordPage, UnlockPage } from '../../views/auth/links';
import { getSettings } from '../account/read-settings';
import type { ActionContext } from '../core/context';
import { RateLimitedError, ValidationError } from '../core/errors';
import type { AppDeps, AppEnv } from '../web/env';
import { formFields } from '../web/form';
import { guard } from '../web/guard';
import { secondsUntil, tooManyAttempts } from '../web/refusal';
import { redirectWithFlash, renderPage } from '../web/render';
import { actionContext } from '../web/session';
import {
  CodeFirstError,
  confirmLinkCode,
  describePasswordLink,
  LinkNotUsableError,
  type LinkPurpose,
  type PasswordLinkTarget,
  requestPasswordReset,
  setPasswordWithLink,
  unlockWithLink,
} from './links';

/** "Forgot your password?" and the pages of every emailed link: set or reset a password, end a lock. */
export function linkRoutes(deps: AppDeps) {
  const app = new Hono<AppEnv>();

  app.get('/forgot-password', guard(deps, 'public'), (c) =>
    renderPage(c, { title: 'Reset your password', body: <ForgotPasswordPage /> }),
  );

  app.post('/forgot-password', guard(deps, 'public'), async (c) => {
    const form = await formFields(c, ['email']);
    try {
      await requestPasswordReset(actionContext(c, deps), form);
      const settings = await getSettings(deps.db);
      return renderPage(c, {
        title: 'Check your email',
        body: (
          <ResetRequestedPage
            email={form.email?.trim() ?? ''}
            lifetimeMinutes={settings.reset_lifetime_minutes}
          />
        ),
      });
    } catch (error) {
      if (error instanceof RateLimitedError) return tooManyAttempts(c, error.retryAfter);
      if (!(error instanceof ValidationError)) throw error;
      return renderPage(c, {
        title: 'Reset your password',
        status: 422,
        body: <ForgotPasswordPage email={form.email ?? ''} errors={error.fields} />,
      });
    }
  });

  for (const purpose of ['set_password', 'reset_password'] as const) {
    const reset = purpose === 'reset_password';
    emailedLinkRoutes(app, deps, reset ? '/reset-password' : '/set-password', purpose, {
      title: reset ? 'Choose a new password' : 'Set your password',
      page: (action, target, errors) => (
        <SetPasswordPage action={action} {...target} reset={reset} errors={errors} />
      ),
      fields: ['password', 'confirm'],
      submit: async (ctx, token, form) => {
        await setPasswordWithLink(ctx, { token, purpose, ...form });
        return reset
          ? 'Your password has been changed and every session has ended. Sign in with the new password.'
          : 'Your password is set. Sign in with it now.';
      },
    });
  }
  emailedLinkRoutes(app, deps, '/unlock', 'unlock_account', {
    title: 'End the lock on your account',
    codeBefore: 'before you end the lock',
    page: (action, target) => <UnlockPage action={action} email={target.email} />,
    fields: [],
    submit: async (ctx, token) => {
      await unlockWithLink(ctx, token);
      return 'The lock on your account has ended. Sign in with your password.';
    },
  });
  return app;
}

/** What an emailed link leads to once its holder is known (and has given a code where 2FA is on). */
interface LinkFinal {
  title: string;
  /** What the code step comes before, in words (the code page's default: the new password). */
  codeBefore?: string;
  page(action: string, target: PasswordLinkTarget, errors: Record<string, string>): JSX.Element;
  fields: readonly string[];
  /** Acts on the link; the flash shown on the sign-in page after. */
  submit(ctx: ActionContext, token: string, form: Record<string, string | undefined>): Promise<string>;
}

/**
 * An emailed link's pages (set or reset a password, end a lock): the code step when the user has
 * 2FA, then the link's own page and action. Token pages keep the token out of Referer headers.
 */
function emailedLinkRoutes(
  app: Hono<AppEnv>,
  deps: AppDeps,
  base: string,
  purpose: LinkPurpose,
  final: LinkFinal,
) {
  const notUsable = (c: Context<AppEnv>) =>
    renderPage(c, { title: 'Link not usable', status: 404, body: <LinkNotUsablePage /> });

  const show = async (
    c: Context<AppEnv>,
    errors: Record<string, string> = {},
    status: 200 | 401 | 422 | 429 = 200,
    blockedUntil: Date | null = null,
  ) => {
    const token = c.req.param('token') ?? '';
    const target = await describePasswordLink(actionContext(c, deps), token, purpose);
    if (!target) return notUsable(c);
    const action = `${base}/${token}`;
    if (target.needsCode)
      return renderPage(c, {
        title: 'Confirm it is you',
        status,
        body: (
          <LinkCodePage
            action={`${action}/code`}
            email={target.email}
            errors={errors}
            blockedUntil={blockedUntil}
            before={final.codeBefore}
          />
        ),
      });
    return renderPage(c, { title: final.title, status, body: final.page(action, target, errors) });
  };

  app.get(`${base}/:token`, guard(deps, 'public'), (c) => {
    c.header('Referrer-Policy', 'no-referrer');
    return show(c);
  });

  app.post(`${base}/:token/code`, guard(deps, 'public'), async (c) => {
    c.header('Referrer-Policy', 'no-referrer');
    const token = c.req.param('token');
    const form = await formFields(c, ['code']);
    try {
      const result = await confirmLinkCode(actionContext(c, deps), { token, purpose, code: form.code });
      if (result.ok) return c.redirect(`${base}/${token}`, 303);
      if (result.blockedUntil)
        c.header('Retry-After', String(Math.ceil(secondsUntil(result.blockedUntil, deps.clock.now()))));
      const message = result.blockedUntil
        ? 'Too many wrong codes: this step is blocked for 15 minutes.'
        : 'That code is not right, or was already used.';
      return show(c, { code: message }, result.blockedUntil ? 429 : 401, result.blockedUntil);
    } catch (error) {
      if (error instanceof LinkNotUsableError) return notUsable(c);
      if (!(error instanceof ValidationError)) throw error;
      return show(c, error.fields, 422);
    }
  });

  app.post(`${base}/:token`, guard(deps, 'public'), async (c) => {
    c.header('Referrer-Policy', 'no-referrer');
    const form = await formFields(c, final.fields);
    try {
      const done = await final.submit(actionContext(c, deps), c.req.param('token'), form);
      return redirectWithFlash(c, '/login', done);
    } catch (error) {
      if (error instanceof LinkNotUsableError) return notUsable(c);
      if (error instanceof CodeFirstError) return show(c, {}, 422);
      if (!(error instanceof ValidationError)) throw error;
      return show(c, error.fields, 422);
    }
  });
}
