import { Hono } from 'hono';
import { LoginPage } from '../../views/pages/login';
import { LinkNotUsablePage, SetPasswordPage } from '../../views/pages/set-password';
import { ValidationError } from '../domain/errors';
import {
  describeSetPasswordLink,
  LinkNotUsableError,
  SIGN_IN_FAILED,
  setPasswordWithLink,
  signIn,
  signOut,
} from '../domain/sign-in';
import type { AppDeps, AppEnv } from '../http/env';
import { formFields } from '../http/form';
import { guard } from '../http/guard';
import { redirectWithFlash, renderPage } from '../http/render';
import { actionContext, clearSessionCookie, setSessionCookie } from '../http/session';

/** Only a same-origin path may follow sign-in: never `//host`, `/\host` or a full URL. */
export function safeNext(value: string | undefined): string | null {
  if (!value || value.length > 2000) return null;
  if (!value.startsWith('/') || value.startsWith('//') || value.startsWith('/\\')) return null;
  // Control characters and backslashes could turn into another host in some browsers.
  if ([...value].some((ch) => ch.charCodeAt(0) < 0x20 || ch === '\\')) return null;
  return value;
}

export function authRoutes(deps: AppDeps) {
  const app = new Hono<AppEnv>();

  app.get('/login', guard(deps, 'public'), (c) => {
    const next = safeNext(c.req.query('next'));
    if (c.get('actor').kind === 'user') return c.redirect(next ?? '/', 303);
    const signedOut = c.req.query('signed_out') === '1';
    if (signedOut) c.set('flash', 'You have signed out.');
    return renderPage(c, { title: 'Sign in', body: <LoginPage next={next ?? undefined} /> });
  });

  app.post('/login', guard(deps, 'public'), async (c) => {
    const next = safeNext(c.req.query('next'));
    const form = await formFields(c, ['email', 'password']);
    const email = form.email ?? '';
    try {
      const previousSessionId = c.get('session')?.sessionId ?? null;
      const result = await signIn(actionContext(c, deps), { ...form, previousSessionId });
      if (result.ok) {
        setSessionCookie(c, result.token);
        return c.redirect(next ?? '/', 303);
      }
      return renderPage(c, {
        title: 'Sign in',
        status: 401,
        body: <LoginPage email={email} next={next ?? undefined} errors={{ credentials: SIGN_IN_FAILED }} />,
      });
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      return renderPage(c, {
        title: 'Sign in',
        status: 422,
        body: <LoginPage email={email} next={next ?? undefined} errors={error.fields} />,
      });
    }
  });

  app.post('/logout', guard(deps, 'signed-in'), async (c) => {
    const session = c.get('session');
    if (session) await signOut(actionContext(c, deps), session.sessionId);
    clearSessionCookie(c);
    c.header('Clear-Site-Data', '"cookies", "storage"');
    return c.redirect('/login?signed_out=1', 303);
  });

  // Token pages keep the token out of Referer headers.
  app.get('/set-password/:token', guard(deps, 'public'), async (c) => {
    c.header('Referrer-Policy', 'no-referrer');
    const token = c.req.param('token');
    const target = await describeSetPasswordLink(actionContext(c, deps), token);
    if (!target) return renderPage(c, { title: 'Link not usable', status: 404, body: <LinkNotUsablePage /> });
    return renderPage(c, {
      title: 'Set your password',
      body: <SetPasswordPage action={c.req.path} {...target} />,
    });
  });

  app.post('/set-password/:token', guard(deps, 'public'), async (c) => {
    c.header('Referrer-Policy', 'no-referrer');
    const token = c.req.param('token');
    const form = await formFields(c, ['password', 'confirm']);
    const ctx = actionContext(c, deps);
    try {
      await setPasswordWithLink(ctx, { token, ...form });
      return redirectWithFlash(c, '/login', 'Your password is set. Sign in with it now.');
    } catch (error) {
      if (error instanceof LinkNotUsableError) {
        return renderPage(c, { title: 'Link not usable', status: 404, body: <LinkNotUsablePage /> });
      }
      if (!(error instanceof ValidationError)) throw error;
      const target = await describeSetPasswordLink(ctx, token);
      if (!target)
        return renderPage(c, { title: 'Link not usable', status: 404, body: <LinkNotUsablePage /> });
      return renderPage(c, {
        title: 'Set your password',
        status: 422,
        body: <SetPasswordPage action={c.req.path} {...target} errors={error.fields} />,
      });
    }
  });

  return app;
}
