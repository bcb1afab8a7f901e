import type { SsoIdentity } from '../../src/sso/identity';
import type { MembershipPlan } from '../../src/sso/sign-in';

/**
 * After a sign-in through a provider the browser has come from the provider's site, so the
 * session cookie (SameSite=Strict) would not travel with a redirect: this page, on our own
 * origin, moves on by itself (a meta refresh, no script) or by its link.
 */
export function SsoContinuePage({ to }: { to: string }) {
  return (
    <section class="narrow">
      <h1>Signed in</h1>
      <p>
        <a href={to}>Continue to Gatehouse</a>
      </p>
    </section>
  );
}

/** On the way to the provider (see onToProvider in src/sso/flow-routes.tsx). */
export function SsoOnwardPage({ providerName, url }: { providerName: string; url: string }) {
  return (
    <section class="narrow">
      <h1>Signing in through {providerName}</h1>
      <p>
        <a href={url}>Continue to {providerName}</a>
      </p>
    </section>
  );
}

export function SsoFailedPage({ message }: { message: string }) {
  return (
    <section class="narrow">
      <h1>Single sign-on did not sign you in</h1>
      <p role="alert">{message}</p>
      <p>
        <a href="/login">Back to sign-in</a>
      </p>
    </section>
  );
}

/** The administrator's trial sign-in (from the provider's page): what came back, nothing signed in. */
export function SsoTestPage({
  providerName,
  identity,
  account,
  plan,
}: {
  providerName: string;
  identity: SsoIdentity;
  account: string;
  plan: MembershipPlan;
}) {
  const rows: Array<[string, string]> = [
    ['Subject', identity.subject],
    ['Email', identity.email],
    ['Name', identity.name ?? '—'],
    ['Groups', identity.groups.length ? identity.groups.join(', ') : 'none'],
    ['Second factor asserted', identity.mfa ? 'Yes' : 'No'],
    ['Gatehouse account', account],
    ['Teams it would join', plan.add.map((t) => t.name).join(', ') || 'none'],
    ['Teams it would leave', plan.remove.map((t) => t.name).join(', ') || 'none'],
  ];
  return (
    <section>
      <h1>The connection to {providerName} works</h1>
      <p role="status">
        The provider signed the person in and Gatehouse accepted its answer. Nobody was signed in to Gatehouse
        by this test.
      </p>
      <dl>
        {rows.map(([term, value]) => (
          <>
            <dt>{term}</dt>
            <dd>{value}</dd>
          </>
        ))}
      </dl>
    </section>
  );
}
