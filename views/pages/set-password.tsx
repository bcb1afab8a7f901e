import { ErrorSummary, Field, type FieldErrors } from '../components/form';

export interface SetPasswordProps {
  action: string;
  email: string;
  name: string;
  minLength: number;
  errors?: FieldErrors;
}

const LABELS = { password: 'New password', confirm: 'Confirm new password' };

export function SetPasswordPage({ action, email, name, minLength, errors = {} }: SetPasswordProps) {
  return (
    <section class="narrow">
      <h1>Set your password</h1>
      <p>
        Hello {name}. Choose the password you will sign in with as <strong>{email}</strong>.
      </p>
      <ErrorSummary errors={errors} labels={LABELS} />
      <form method="post" action={action} novalidate>
        {/* Lets password managers file the new password under the right account. */}
        <input type="hidden" name="username" value={email} autocomplete="username" />
        <Field
          name="password"
          label={LABELS.password}
          type="password"
          autocomplete="new-password"
          required
          hint={`At least ${minLength} characters. A few unrelated words make a strong password; paste is fine.`}
          error={errors.password}
        />
        <Field
          name="confirm"
          label={LABELS.confirm}
          type="password"
          autocomplete="new-password"
          required
          error={errors.confirm}
        />
        <button type="submit">Set password</button>
      </form>
    </section>
  );
}

export function LinkNotUsablePage() {
  return (
    <section class="narrow">
      <h1>This link cannot be used</h1>
      <p>
        The link is unknown, has already been used, or has expired (links to set a password last one hour).
        Ask an administrator of your account to send you a new one.
      </p>
      <p>
        <a href="/login">Go to the sign-in page</a>
      </p>
    </section>
  );
}
