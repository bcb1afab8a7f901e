import type { MyAccount } from '../../src/account/profile';
import { plural } from '../components/format';

/** My account's two-factor part: on (codes left, new codes, removal) or not set up. */
export function TwoFactorSection({ account }: { account: MyAccount }) {
  return (
    <section aria-labelledby="two-factor-title">
      <h2 id="two-factor-title">Two-factor authentication</h2>
      {account.twoFactor ? (
        <>
          <p>
            <strong>On.</strong> You sign in with your password and a code from your authenticator app.{' '}
            <span class={account.codesLeft <= 3 ? 'warning' : undefined}>
              {plural(account.codesLeft, 'recovery code')} left.
            </span>
          </p>
          <div class="row-actions">
            <a class="button button-secondary" href="/account/two-factor/recovery-codes">
              Make new recovery codes
            </a>
            {account.requireTwoFactor ? null : (
              <a class="button button-secondary" href="/account/two-factor/remove">
                Remove two-factor authentication
              </a>
            )}
          </div>
          {account.requireTwoFactor ? (
            <p class="hint">Your account requires two-factor authentication, so it cannot be removed.</p>
          ) : null}
        </>
      ) : (
        <>
          <p>
            <strong>Not set up.</strong>{' '}
            {account.requireTwoFactor
              ? 'Your account requires it.'
              : 'A code from your phone at sign-in keeps your account safe even if your password leaks.'}
          </p>
          <a class="button" href="/account/two-factor">
            Set up two-factor authentication
          </a>
        </>
      )}
    </section>
  );
}
