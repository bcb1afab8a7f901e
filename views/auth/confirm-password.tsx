import { ErrorSummary, Field, type FieldErrors } from '../components/form';

/** Sensitive actions ask for the password again when the last proof is over 10 minutes old. */
export function ConfirmPasswordPage({
  action,
  email,
  errors = {},
}: {
  action: string;
  email: string;
  errors?: FieldErrors;
}) {
  return (
    <section class="narrow">
      <h1>Confirm your password</h1>
      <p>This action changes how you or others sign in, so confirm it is you first.</p>
      <ErrorSummary errors={errors} labels={{ password: 'Password' }} />
      <form method="post" action={action} novalidate>
        <input type="hidden" name="username" value={email} autocomplete="username" />
        <Field
          name="password"
          label="Password"
          type="password"
          autocomplete="current-password"
          required
          autofocus
          error={errors.password}
        />
        <button type="submit">Confirm</button>
      </form>
    </section>
  );
}
