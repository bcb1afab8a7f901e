import type { Context } from 'hono';
import { Hono } from 'hono';
import {
  DeclinedPage,
  InvitationUnusablePage,
  InvitePage,
  RecoveryCodesPage,
  SignupPage,
  TwoFactorPage,
  unusableTitle,
} from '../../views/invitations/invitee';
import { messages } from '../i18n/messages';
import type { AppDeps, AppEnv } from '../web/env';
import { formFields } from '../web/form';
import { guard } from '../web/guard';
import { type FormErrors, type PageStatus, renderRefusal } from '../web/refusal';
import { redirectWithFlash, renderPage } from '../web/render';
import { actionContext, setSessionCookie } from '../web/session';
import { acceptAsSignedInUser } from './accept';
import { declineInvitation } from './decline';
import { describeInvitation, InvitationUnusable, type InvitationView, openInvitation } from './invitee-link';
import {
  confirmSignupTwoFactor,
  finishSignup,
  renewSignupCodes,
  signupTwoFactorSetup,
  startSignup,
} from './signup';

/**
 * `/invite/<token>`: the invitee's pages, in the invitation's language. The token is the only
 * key, so every page keeps it out of Referer headers, and every step checks it is still usable.
 */
export function inviteeRoutes(deps: AppDeps) {
  const app = new Hono<AppEnv>();
  const now = () => deps.clock.now();

  const signedInEmail = <E extends AppEnv>(c: Context<E>) => {
    const actor = c.get('actor');
    return actor.kind === 'user' ? actor.email : null;
  };

  /** The page for a link that cannot be used: 404 for an unknown one, 410 for one that is over. */
  const unusable = <E extends AppEnv>(c: Context<E>, error: InvitationUnusable) =>
    renderPage(c, {
      title: unusableTitle(error),
      status: error.state === 'unknown' ? 404 : 410,
      lang: error.language,
      body: <InvitationUnusablePage error={error} />,
    });

  /** Runs a step; a link that stopped working on the way shows its page instead. */
  const step = async <E extends AppEnv>(c: Context<E>, run: () => Promise<Response>) => {
    c.header('Referrer-Policy', 'no-referrer');
    try {
      return await run();
    } catch (error) {
      if (error instanceof InvitationUnusable) return unusable(c, error);
      throw error;
    }
  };

  const token = <E extends AppEnv>(c: Context<E>) => c.req.param('token') ?? '';

  app.get('/:token', guard(deps, 'public'), (c) =>
    step(c, async () => {
      const invitation = await openInvitation(actionContext(c, deps), token(c));
      return renderPage(c, {
        title: messages(invitation.language).inviteTitle(invitation.accountName),
        lang: invitation.language,
        body: <InvitePage invitation={invitation} token={token(c)} signedInAs={signedInEmail(c)} />,
      });
    }),
  );

  app.post('/:token/decline', guard(deps, 'public'), (c) =>
    step(c, async () => {
      const { language, accountName } = await declineInvitation(actionContext(c, deps), token(c));
      return renderPage(c, {
        title: messages(language).declinedTitle,
        lang: language,
        body: <DeclinedPage language={language} accountName={accountName} />,
      });
    }),
  );

  app.post('/:token/accept', guard(deps, 'signed-in'), (c) =>
    step(c, async () => {
      try {
        await acceptAsSignedInUser(actionContext(c, deps), token(c));
      } catch (error) {
        return renderRefusal(c, error, async (errors, status) => {
          const invitation = await describeInvitation(deps.db, token(c), now());
          return renderPage(c, {
            title: messages(invitation.language).inviteTitle(invitation.accountName),
            status,
            lang: invitation.language,
            body: (
              <>
                <p class="flash" role="alert">
                  {Object.values(errors).join(' ')}
                </p>
                <InvitePage invitation={invitation} token={token(c)} signedInAs={signedInEmail(c)} />
              </>
            ),
          });
        });
      }
      return redirectWithFlash(c, '/', 'Invitation accepted: your new access is ready.');
    }),
  );

  const signupPage = <E extends AppEnv>(
    c: Context<E>,
    invitation: InvitationView,
    values?: { name?: string },
    errors?: FormErrors,
    status: PageStatus = 200,
  ) =>
    renderPage(c, {
      title: messages(invitation.language).createAccount,
      status,
      lang: invitation.language,
      body: <SignupPage invitation={invitation} token={token(c)} values={values} errors={errors} />,
    });

  /** Someone with an account accepts by signing in; a sign-up already past this step goes on. */
  const toRightStep = <E extends AppEnv>(c: Context<E>, invitation: InvitationView) => {
    if (invitation.hasAccount) return c.redirect(`/invite/${token(c)}`, 303);
    if (invitation.stage !== 'none') return c.redirect(`/invite/${token(c)}/two-factor`, 303);
    return null;
  };

  app.get('/:token/sign-up', guard(deps, 'public'), (c) =>
    step(c, async () => {
      const invitation = await describeInvitation(deps.db, token(c), now());
      return toRightStep(c, invitation) ?? signupPage(c, invitation);
    }),
  );

  app.post('/:token/sign-up', guard(deps, 'public'), (c) =>
    step(c, async () => {
      const invitation = await describeInvitation(deps.db, token(c), now());
      const redirect = toRightStep(c, invitation);
      if (redirect) return redirect;
      const form = await formFields(c, ['name', 'password', 'confirm']);
      try {
        const result = await startSignup(actionContext(c, deps), token(c), form);
        if (result.sessionToken) return signedIn(c, result.sessionToken);
        return c.redirect(`/invite/${token(c)}/two-factor`, 303);
      } catch (error) {
        return renderRefusal(c, error, (errors, status) =>
          signupPage(c, invitation, { name: form.name }, errors, status),
        );
      }
    }),
  );

  const signedIn = <E extends AppEnv>(c: Context<E>, sessionToken: string) => {
    setSessionCookie(c, sessionToken);
    return redirectWithFlash(c, '/', 'Welcome! Your account is ready.');
  };

  const twoFactorPage = async <E extends AppEnv>(
    c: Context<E>,
    errors?: FormErrors,
    status: PageStatus = 200,
  ) => {
    const invitation = await describeInvitation(deps.db, token(c), now());
    if (invitation.stage === 'codes') return codesPage(c, invitation, null);
    const setup = await signupTwoFactorSetup(actionContext(c, deps), token(c));
    if (!setup) return c.redirect(`/invite/${token(c)}/sign-up`, 303);
    return renderPage(c, {
      title: messages(invitation.language).twoFactorTitle,
      status,
      lang: invitation.language,
      body: <TwoFactorPage language={invitation.language} token={token(c)} setup={setup} errors={errors} />,
    });
  };

  const codesPage = <E extends AppEnv>(c: Context<E>, invitation: InvitationView, codes: string[] | null) =>
    renderPage(c, {
      title: messages(invitation.language).codesTitle,
      lang: invitation.language,
      body: (
        <RecoveryCodesPage
          language={invitation.language}
          token={token(c)}
          codes={codes}
          accountName={invitation.accountName}
          email={invitation.email}
        />
      ),
    });

  app.get('/:token/two-factor', guard(deps, 'public'), (c) => step(c, () => twoFactorPage(c)));

  app.post('/:token/two-factor', guard(deps, 'public'), (c) =>
    step(c, async () => {
      const form = await formFields(c, ['code']);
      try {
        const codes = await confirmSignupTwoFactor(actionContext(c, deps), token(c), form);
        if (!codes) return c.redirect(`/invite/${token(c)}/two-factor`, 303);
        return codesPage(c, await describeInvitation(deps.db, token(c), now()), codes);
      } catch (error) {
        return renderRefusal(c, error, (errors, status) => twoFactorPage(c, errors, status));
      }
    }),
  );

  app.post('/:token/recovery-codes', guard(deps, 'public'), (c) =>
    step(c, async () => {
      const codes = await renewSignupCodes(actionContext(c, deps), token(c));
      if (!codes) return c.redirect(`/invite/${token(c)}/two-factor`, 303);
      return codesPage(c, await describeInvitation(deps.db, token(c), now()), codes);
    }),
  );

  app.post('/:token/finish', guard(deps, 'public'), (c) =>
    step(c, async () => {
      const result = await finishSignup(actionContext(c, deps), token(c));
      if (!result?.sessionToken) return c.redirect(`/invite/${token(c)}/two-factor`, 303);
      return signedIn(c, result.sessionToken);
    }),
  );

  return app;
}
