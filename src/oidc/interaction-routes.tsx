import type { HttpBindings } from '@hono/node-server';
import type { Context } from 'hono';
import { Hono } from 'hono';
import { LoginPage } from '../../views/auth/login';
import type { FieldErrors } from '../../views/components/form';
import { ConsentPage, ContinuePage } from '../../views/oidc/interaction';
import { grantsOf } from '../access/grants';
import { type AuditRecord, writeAudit } from '../audit/write';
import type { SessionStage } from '../auth/sessions/sessions';
import { passwordStep } from '../auth/sign-in/routes';
import type { AppDeps, AppEnv } from '../web/env';
import { guard } from '../web/guard';
import { renderPage, renderStatusPage } from '../web/render';
import { policyWithFormTarget } from '../web/security-headers';
import { hasAccessIn, projectFor } from './claims';
import type { OidcProvider } from './provider';
import { INTERACTION_PREFIX } from './provider';

type Provider = Awaited<ReturnType<OidcProvider['current']>>;
type Details = Awaited<ReturnType<Provider['interactionDetails']>>;
type Application = { id: string; name: string; first_party: boolean };

/**
 * The provider's interactions, on our pages: sign-in is the console's own (the same form, code
 * step, lockout, rate limits and 2FA enrolment), so a person signed in to the console is not
 * asked again; consent is skipped for first-party applications and asked for the others.
 */
export function interactionRoutes(deps: AppDeps & { oidc: OidcProvider }) {
  const app = new Hono<AppEnv>();

  const nodeOf = <E extends AppEnv>(c: Context<E>) => c.env as unknown as HttpBindings;

  /** The interaction this browser is in, or null (expired, another browser's, no cookie). */
  const detailsOf = async <E extends AppEnv>(c: Context<E>, provider: Provider) => {
    const { incoming, outgoing } = nodeOf(c);
    try {
      const details = await provider.interactionDetails(incoming, outgoing);
      return details.uid === c.req.param('uid') ? details : null;
    } catch {
      return null;
    }
  };

  const expired = <E extends AppEnv>(c: Context<E>) =>
    renderStatusPage(
      c,
      400,
      'This sign-in request has expired or is not this browser’s. Start again from the application.',
    );

  /** Where the browser goes on with the interaction's result: the provider, then the app. */
  const resultUrl = async <E extends AppEnv>(
    c: Context<E>,
    provider: Provider,
    result: Record<string, unknown>,
  ) => {
    const { incoming, outgoing } = nodeOf(c);
    return provider.interactionResult(incoming, outgoing, result, { mergeWithLastSubmission: true });
  };

  /**
   * A page that moves on by itself (and a link, without it), rather than a redirect: after a
   * form of ours other than the application's sign-in (the code step, 2FA enrolment, consent),
   * the browser would hold the redirects to the application against our CSP's form-action
   * 'self'; a page's own navigation is not a form's.
   */
  const continueTo = <E extends AppEnv>(c: Context<E>, href: string) => {
    c.header('Refresh', `0; url=${href}`);
    return renderPage(c, { title: 'Signing you in', body: <ContinuePage href={href} /> });
  };

  const finish = async <E extends AppEnv>(
    c: Context<E>,
    provider: Provider,
    result: Record<string, unknown>,
  ) => continueTo(c, await resultUrl(c, provider, result));

  /**
   * The application's sign-in form, at the interaction's own address. Its policy lets the form
   * lead on to the app's redirect URI, so that a password sign-in goes straight back to the app
   * (sign-in, provider, app: three redirects, no continue page; see policyWithFormTarget).
   */
  const signInPage = <E extends AppEnv>(
    c: Context<E>,
    details: Details,
    props: { email?: string; errors?: FieldErrors } = {},
    status?: 401 | 422,
  ) => {
    c.header('Content-Security-Policy', policyWithFormTarget(String(details.params.redirect_uri ?? '')));
    return renderPage(c, {
      title: 'Sign in',
      status,
      body: <LoginPage {...props} action={`${INTERACTION_PREFIX}${details.uid}`} />,
    });
  };

  /**
   * A person signed in to the console reaches the application: enrolment first where the
   * account requires 2FA, then the project's access checked, the sign-in audited and the
   * interaction finished. Returns where the browser goes next.
   */
  const signedInTo = async <E extends AppEnv>(
    c: Context<E>,
    provider: Provider,
    details: Details,
    who: { userId: string; email: string; stage: SessionStage; twoFactor: boolean },
    app: Application | undefined,
    /** The sign-in's own event named the application already (a password sign-in on its form). */
    audited = false,
  ) => {
    const here = `${INTERACTION_PREFIX}${details.uid}`;
    // The account requires 2FA and this person has none yet: the console's enrolment first.
    // Its last page leads back here.
    if (who.stage !== 'full') return `/account/two-factor?next=${encodeURIComponent(here)}`;
    const clientId = String(details.params.client_id ?? '');
    const audit = (entry: Pick<AuditRecord, 'outcome' | 'reason' | 'after'>) =>
      writeAudit(
        deps.db,
        { meta: c.get('meta'), clock: deps.clock, config: deps.config },
        {
          action: 'auth.sign_in',
          actor: { id: who.userId, label: who.email },
          target: app ? { type: 'application', id: app.id, label: app.name } : null,
          projectId: null,
          ...entry,
        },
      );
    // Someone without any access in the project the app serves is not signed in to it: the
    // app hears access_denied now rather than a refused token later (provider.ts, account()).
    const project = await projectFor(deps.db, clientId, String(details.params.scope ?? ''));
    if (project && !hasAccessIn(await grantsOf(deps.db, who.userId, deps.clock.now()), project)) {
      const reason = `You have no access in ${project.name}, the project this application serves.`;
      await audit({ outcome: 'failed', reason, after: { application: app?.name ?? clientId, clientId } });
      return resultUrl(c, provider, { error: 'access_denied', error_description: reason });
    }
    // The console sign-in was audited when it happened; this records the application reached.
    if (!audited)
      await audit({
        outcome: 'success',
        after: { application: app?.name ?? clientId, clientId, secondFactor: who.twoFactor },
      });
    return resultUrl(c, provider, {
      // remember: false: the provider's session cookie ends with the browser, as the console's.
      login: {
        accountId: who.userId,
        amr: who.twoFactor ? ['pwd', 'otp', 'mfa'] : ['pwd'],
        acr: who.twoFactor ? 'mfa' : 'pwd',
        remember: false,
      },
      // A first-party app asks no consent: granted with the sign-in, the provider does not come
      // back for it (two requests fewer a flow). What this cannot cover (an API's scopes) still
      // comes back as a consent prompt, granted below.
      ...(app?.first_party
        ? { consent: { grantId: await firstPartyGrant(provider, who.userId, clientId, details.params) } }
        : {}),
    });
  };

  const applicationOf = (details: Details) =>
    deps.db
      .selectFrom('applications')
      .select(['id', 'name', 'first_party'])
      .where('client_id', '=', String(details.params.client_id ?? ''))
      .executeTakeFirst();

  /** Every scope and claim the application asked for, granted on this account. */
  const grantAll = async (provider: Provider, details: Details) => {
    const accountId = details.session?.accountId as string;
    const clientId = details.params.client_id as string;
    const grant = details.grantId
      ? ((await provider.Grant.find(details.grantId)) ?? new provider.Grant({ accountId, clientId }))
      : new provider.Grant({ accountId, clientId });
    const missing = details.prompt.details as {
      missingOIDCScope?: string[];
      missingOIDCClaims?: string[];
      missingResourceScopes?: Record<string, string[]>;
    };
    if (missing.missingOIDCScope) grant.addOIDCScope(missing.missingOIDCScope.join(' '));
    if (missing.missingOIDCClaims) grant.addOIDCClaims(missing.missingOIDCClaims);
    for (const [indicator, scopes] of Object.entries(missing.missingResourceScopes ?? {}))
      grant.addResourceScope(indicator, scopes.join(' '));
    return grant.save();
  };

  /** The OpenID scopes and claims the request asks for, granted to a first-party app. */
  const firstPartyGrant = async (
    provider: Provider,
    accountId: string,
    clientId: string,
    params: Record<string, unknown>,
  ) => {
    const grant = new provider.Grant({ accountId, clientId });
    const scope = String(params.scope ?? '');
    if (scope) grant.addOIDCScope(scope);
    if (typeof params.claims === 'string') {
      try {
        const asked = JSON.parse(params.claims) as Record<string, Record<string, unknown> | undefined>;
        const names = [...Object.keys(asked.id_token ?? {}), ...Object.keys(asked.userinfo ?? {})];
        if (names.length > 0) grant.addOIDCClaims(names);
      } catch {
        // The provider has already refused a claims parameter that is not JSON.
      }
    }
    return grant.save();
  };

  app.get('/:uid', guard(deps, 'public'), async (c) => {
    const provider = await deps.oidc.current();
    const details = await detailsOf(c, provider);
    if (!details) return expired(c);
    const here = `${INTERACTION_PREFIX}${details.uid}`;
    if (details.prompt.name === 'login') {
      const actor = c.get('actor');
      const session = c.get('session');
      if (actor.kind !== 'user' || !session) {
        if (c.req.header('sec-fetch-site') === 'cross-site' && c.req.query('hop') === undefined)
          return continueTo(c, `${here}?hop=1`);
        return signInPage(c, details);
      }
      const twoFactor =
        (
          await deps.db
            .selectFrom('sessions')
            .select('two_factor_verified')
            .where('id', '=', session.sessionId)
            .executeTakeFirst()
        )?.two_factor_verified ?? false;
      const next = await signedInTo(
        c,
        provider,
        details,
        { userId: actor.id, email: actor.email, stage: session.stage, twoFactor },
        await applicationOf(details),
      );
      // Enrolment is ours: a redirect. The app is reached through a continue page, as this
      // request may follow one of our forms (the code step, enrolment).
      return next.startsWith('/account/') ? c.redirect(next, 303) : continueTo(c, next);
    }
    if (details.prompt.name === 'consent') {
      const client = await provider.Client.find(details.params.client_id as string);
      const firstParty = client
        ? ((
            await deps.db
              .selectFrom('applications')
              .select('first_party')
              .where('client_id', '=', client.clientId)
              .executeTakeFirst()
          )?.first_party ?? false)
        : false;
      if (firstParty) return finish(c, provider, { consent: { grantId: await grantAll(provider, details) } });
      const scopes = String(details.params.scope ?? '')
        .split(' ')
        .filter(Boolean);
      return renderPage(c, {
        title: 'Allow access?',
        body: (
          <ConsentPage uid={details.uid} appName={client?.clientName ?? 'This application'} scopes={scopes} />
        ),
      });
    }
    return expired(c);
  });

  // The application's sign-in form: the console's password step (the same domain function, rate
  // limits, lockout and audit), then straight on to the code step or the application.
  app.post('/:uid', guard(deps, 'public'), async (c) => {
    const provider = await deps.oidc.current();
    const details = await detailsOf(c, provider);
    if (details?.prompt.name !== 'login') return expired(c);
    const app = await applicationOf(details);
    const step = await passwordStep(
      c,
      deps,
      (props, status) => signInPage(c, details, props, status),
      app ? { id: app.id, name: app.name, clientId: String(details.params.client_id) } : null,
      // Through single sign-on, the browser comes back to this interaction signed in.
      `${INTERACTION_PREFIX}${details.uid}`,
    );
    if (step instanceof Response) return step;
    const here = `${INTERACTION_PREFIX}${details.uid}`;
    if (step.needsCode) return c.redirect(`/login/two-factor?next=${encodeURIComponent(here)}`, 303);
    const who = {
      userId: step.userId,
      email: step.email,
      stage: step.mustEnrol ? ('enrol' as const) : ('full' as const),
      twoFactor: false,
    };
    return c.redirect(await signedInTo(c, provider, details, who, app, true), 303);
  });

  app.post('/:uid/consent', guard(deps, 'signed-in'), async (c) => {
    const provider = await deps.oidc.current();
    const details = await detailsOf(c, provider);
    if (details?.prompt.name !== 'consent') return expired(c);
    return finish(c, provider, { consent: { grantId: await grantAll(provider, details) } });
  });

  app.post('/:uid/abort', guard(deps, 'public'), async (c) => {
    const provider = await deps.oidc.current();
    const details = await detailsOf(c, provider);
    if (!details) return expired(c);
    return finish(c, provider, { error: 'access_denied', error_description: 'The person did not allow it.' });
  });

  return app;
}
