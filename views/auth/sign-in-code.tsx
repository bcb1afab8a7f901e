import { ErrorSummary, type FieldErrors } from '../components/form';
import { Time } from '../components/time';
import { AuthenticationCodeField, CODE_LABELS } from '../components/two-factor';

/** The second sign-in step; the same field takes a recovery code. */
export function SignInCodePage({
  action,
  errors = {},
  blockedUntil,
}: {
  action: string;
  errors?: FieldErrors;
  blockedUntil?: Date | null;
}) {
  return (
    <section class="narrow">
      <h1>Two-factor authentication</h1>
      <ErrorSummary errors={errors} labels={CODE_LABELS} />
      {blockedUntil ? (
        <p>
          Too many wrong codes. You can try again after{' '}
          <strong>
            <Time at={blockedUntil} />
          </strong>
          . If you have lost your authenticator, use a recovery code then, or ask an administrator to reset
          your two-factor authentication.
        </p>
      ) : null}
      <p>Enter the 6-digit code your authenticator app shows, or one of your recovery codes.</p>
      <form method="post" action={action} novalidate>
        <AuthenticationCodeField error={errors.code} />
        <button type="submit">Verify</button>
      </form>
      <form method="post" action="/logout">
        <button type="submit" class="button-link">
          Cancel and sign out
        </button>
      </form>
    </section>
  );
}
