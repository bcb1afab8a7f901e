import type { Context } from 'hono';
import { Hono } from 'hono';
import { SetupLinkUnusablePage, SetupPage } from '../../../views/auth/setup';
import type { AppDeps, AppEnv } from '../../web/env';
import { formFields } from '../../web/form';
import { guard } from '../../web/guard';
import { type FormErrors, type PageStatus, renderRefusal } from '../../web/refusal';
import { redirectWithFlash, renderPage } from '../../web/render';
import { actionContext, setSessionCookie } from '../../web/session';
import { createFirstAdmin, setupPageFacts } from './first-admin';
import { SetupLinkUnusable } from './setup-link';

/**
 * `/setup/<token>`: the first run in the browser, the link the server prints while there is no
 * user (server.ts). Like the emailed links' pages it has no rate limit of its own: the token is 256
 * random bits compared by hash, and the costly work (hashing the password) starts only once it is
 * known good. The token is the only key, so the pages keep it out of Referer headers.
 */
export function setupRoutes(deps: AppDeps) {
  const app = new Hono<AppEnv>();
  const token = <E extends AppEnv>(c: Context<E>) => c.req.param('token') ?? '';

  /** 404 for a link never issued or replaced, 410 for one that is over (expired, or setup done). */
  const unusable = <E extends AppEnv>(c: Context<E>, error: SetupLinkUnusable) =>
    renderPage(c, {
      title: error.state === 'done' ? 'Already set up' : 'Setup link not usable',
      status: error.state === 'unknown' ? 404 : 410,
      body: <SetupLinkUnusablePage state={error.state} />,
    });

  const form = async <E extends AppEnv>(
    c: Context<E>,
    values?: { name?: string | undefined; email?: string | undefined },
    errors?: FormErrors,
    status: PageStatus = 200,
  ) => {
    const facts = await setupPageFacts(actionContext(c, deps), token(c));
    return renderPage(c, {
      title: 'Set up Gatehouse',
      status,
      body: <SetupPage action={`/setup/${token(c)}`} {...facts} values={values} errors={errors} />,
    });
  };

  /** Runs a step; a link that stopped working on the way shows its page instead. */
  const step = async <E extends AppEnv>(c: Context<E>, run: () => Promise<Response>) => {
    c.header('Referrer-Policy', 'no-referrer');
    try {
      return await run();
    } catch (error) {
      if (error instanceof SetupLinkUnusable) return unusable(c, error);
      throw error;
    }
  };

  app.get('/setup/:token', guard(deps, 'public'), (c) => step(c, () => form(c)));

  app.post('/setup/:token', guard(deps, 'public'), (c) =>
    step(c, async () => {
      const fields = await formFields(c, ['name', 'email', 'password', 'confirm']);
      try {
        const done = await createFirstAdmin(actionContext(c, deps), token(c), fields);
        setSessionCookie(c, done.sessionToken);
        const welcome = `Welcome, ${done.name}: you are the Account Admin.`;
        // The enrolment every signed-in user without 2FA is sent to; home once the codes are kept.
        if (done.mustEnrol)
          return redirectWithFlash(
            c,
            `/account/two-factor?next=${encodeURIComponent('/')}`,
            `${welcome} Set up two-factor authentication to continue.`,
          );
        return redirectWithFlash(c, '/', welcome);
      } catch (error) {
        if (error instanceof SetupLinkUnusable) throw error;
        return renderRefusal(c, error, (errors, status) =>
          form(c, { name: fields.name, email: fields.email }, errors, status),
        );
      }
    }),
  );

  return app;
}
