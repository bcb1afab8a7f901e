import { ErrorSummary, Field, type FieldErrors } from '../components/form';
import { plural } from '../components/format';

const LABELS = { email: 'Email address' };

export function ForgotPasswordPage({ email = '', errors = {} }: { email?: string; errors?: FieldErrors }) {
  return (
    <section class="narrow">
      <h1>Reset your password</h1>
      <p>Enter the email address you sign in with. We will email you a link to choose a new password.</p>
      <ErrorSummary errors={errors} labels={LABELS} />
      <form method="post" action="/forgot-password" novalidate>
        <Field
          name="email"
          label={LABELS.email}
          type="email"
          value={email}
          autocomplete="username"
          required
          error={errors.email}
        />
        <button type="submit">Email me a link</button>
      </form>
      <p>
        <a href="/login">Back to sign in</a>
      </p>
    </section>
  );
}

/** The same page whether or not the address has an account. */
export function ResetRequestedPage({ email, lifetimeMinutes }: { email: string; lifetimeMinutes: number }) {
  return (
    <section class="narrow">
      <h1>Check your email</h1>
      <p>
        If <strong>{email}</strong> belongs to an account, we have sent it a link to choose a new password.
        The link works once, for {plural(lifetimeMinutes, 'minute')}.
      </p>
      <p>
        Nothing arrived after a few minutes? Check your spam folder, or ask an administrator of your account.
      </p>
      <p>
        <a href="/login">Back to sign in</a>
      </p>
    </section>
  );
}
