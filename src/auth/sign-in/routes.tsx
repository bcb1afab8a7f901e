import type { Context } from 'hono';
import { Hono } from 'hono';
import { LoginPage } from '../../../views/auth/login';
import { SignInCodePage } from '../../../views/auth/sign-in-code';
import type { FieldErrors } from '../../../views/components/form';
import { RateLimitedError, ValidationError } from '../../core/errors';
import { plural } from '../../core/plural';
import { startSso } from '../../sso/flow-routes';
import { providerForEmail } from '../../sso/lookup';
import type { AppDeps, AppEnv } from '../../web/env';
import { formFields } from '../../web/form';
import { guard } from '../../web/guard';
import { secondsUntil, tooManyAttempts } from '../../web/refusal';
import { redirectWithFlash, renderPage } from '../../web/render';
import { safeNext } from '../../web/safe-next';
import { actionContext, clearSessionCookie, setSessionCookie } from '../../web/session';
import { SIGN_IN_PER_IP } from './rate-limit';
import {
  SIGN_IN_FAILED,
  type SignInApplication,
  type SignInResult,
  signIn,
  signInWithCode,
  signOut,
  spendOrRefuse,
} from './sign-in';

const withNext = (path: string, next: string | null) =>
  next ? `${path}?next=${encodeURIComponent(next)}` : path;

type LoginPageProps = { email: string; errors: FieldErrors };

/**
 * The password step of a sign-in form (the console's, an application's): signed in, with the
 * session cookie set, or the page that says why not (the form again, or too many attempts).
 */
export async function passwordStep<E extends AppEnv>(
  c: Context<E>,
  deps: AppDeps,
  page: (props: LoginPageProps, status: 401 | 422) => Response | Promise<Response>,
  application: SignInApplication | null = null,
  next: string | null = null,
): Promise<Extract<SignInResult, { ok: true }> | Response> {
  const form = await formFields(c, ['email', 'password', 'sso']);
  const email = form.email ?? '';
  // Email first: an address whose domain a provider claims goes to that provider when no
  // password comes with it (or "Sign in with single sign-on" was pressed).
  if (email.includes('@') && (!form.password || form.sso)) {
    const provider = await providerForEmail(deps.db, email.trim());
    if (provider) {
      // Each start keeps a pending request: the same per-address budget as password tries.
      try {
        await spendOrRefuse(actionContext(c, deps), SIGN_IN_PER_IP, c.get('meta').ip ?? 'unknown', {
          action: 'auth.sign_in',
        });
      } catch (error) {
        if (error instanceof RateLimitedError) return tooManyAttempts(c, error.retryAfter);
        throw error;
      }
      return startSso(c, deps, provider, { next, loginHint: email.trim() });
    }
    if (form.sso)
      return page(
        {
          email,
          errors: { email: 'Single sign-on is not set up for this address: sign in with your password.' },
        },
        422,
      );
  }
  try {
    const previousSessionId = c.get('session')?.sessionId ?? null;
    const result = await signIn(actionContext(c, deps), { ...form, previousSessionId, application });
    if (!result.ok && result.ssoRequired)
      return page(
        {
          email,
          errors: {
            credentials: `Sign in through ${result.ssoRequired}: your organisation requires single sign-on for this address. Choose “Sign in with single sign-on”.`,
          },
        },
        401,
      );
    if (!result.ok) return page({ email, errors: { credentials: SIGN_IN_FAILED } }, 401);
    setSessionCookie(c, result.token);
    return result;
  } catch (error) {
    if (error instanceof RateLimitedError) return tooManyAttempts(c, error.retryAfter);
    if (!(error instanceof ValidationError)) throw error;
    return page({ email, errors: error.fields }, 422);
  }
}

/** Signing in (password, then the code step when 2FA is on) and out. */
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
    const step = await passwordStep(
      c,
      deps,
      (props, status) =>
        renderPage(c, { title: 'Sign in', status, body: <LoginPage {...props} next={next ?? undefined} /> }),
      null,
      next,
    );
    if (step instanceof Response) return step;
    return c.redirect(step.needsCode ? withNext('/login/two-factor', next) : (next ?? '/'), 303);
  });

  app.get('/login/two-factor', guard(deps, 'second-factor'), (c) => {
    const next = safeNext(c.req.query('next'));
    return renderPage(c, {
      title: 'Two-factor authentication',
      body: <SignInCodePage action={withNext('/login/two-factor', next)} />,
    });
  });

  app.post('/login/two-factor', guard(deps, 'second-factor'), async (c) => {
    const next = safeNext(c.req.query('next'));
    const session = c.get('session');
    const form = await formFields(c, ['code']);
    if (!session) return c.redirect('/login', 303);
    const result = await signInWithCode(actionContext(c, deps), {
      sessionId: session.sessionId,
      code: form.code,
    });
    if (result.ok) {
      setSessionCookie(c, result.token);
      if (result.method === 'recovery') {
        const left = `${plural(result.codesLeft, 'recovery code')} left`;
        return redirectWithFlash(
          c,
          next ?? '/',
          `You signed in with a recovery code: ${left}. Make new ones in My account if you are running low.`,
        );
      }
      return c.redirect(next ?? '/', 303);
    }
    if (result.sessionGone) return redirectWithFlash(c, '/login', 'Sign in again: the code step timed out.');
    if (result.blockedUntil)
      c.header('Retry-After', String(Math.ceil(secondsUntil(result.blockedUntil, deps.clock.now()))));
    const message = result.blockedUntil
      ? 'Too many wrong codes: this step is blocked for 15 minutes.'
      : 'That code is not right, or was already used. Enter the current code from your app, or a recovery code.';
    return renderPage(c, {
      title: 'Two-factor authentication',
      status: result.blockedUntil ? 429 : 401,
      body: (
        <SignInCodePage
          action={withNext('/login/two-factor', next)}
          errors={{ code: message }}
          blockedUntil={result.blockedUntil}
        />
      ),
    });
  });

  // Open to a session at any stage (or none): leaving must always be possible.
  app.post('/logout', guard(deps, 'public'), async (c) => {
    const session = c.get('session');
    if (session) await signOut(actionContext(c, deps), session.sessionId);
    clearSessionCookie(c);
    c.header('Clear-Site-Data', '"cookies", "storage"');
    return c.redirect('/login?signed_out=1', 303);
  });

  return app;
}
