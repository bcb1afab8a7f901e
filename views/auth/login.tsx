import { ErrorSummary, Field, type FieldErrors } from '../components/form';

export interface LoginProps {
  email?: string;
  next?: string;
  /** Where the form goes, when not the console's /login (an application's sign-in). */
  action?: string;
  errors?: FieldErrors;
}

const LABELS = { email: 'Email address', password: 'Password' };

export function LoginPage({ email = '', next, action, errors = {} }: LoginProps) {
  const to = action ?? (next ? `/login?next=${encodeURIComponent(next)}` : '/login');
  return (
    <section class="narrow">
      <h1>Sign in to Gatehouse</h1>
      <ErrorSummary errors={errors} labels={LABELS} />
      <form method="post" action={to} novalidate>
        <Field
          name="email"
          label={LABELS.email}
          type="email"
          value={email}
          autocomplete="username"
          required
          error={errors.email}
        />
        <Field
          name="password"
          label={LABELS.password}
          type="password"
          autocomplete="current-password"
          hint="Signing in with your company’s single sign-on? Leave it empty."
          error={errors.password}
        />
        <div class="actions">
          <button type="submit">Sign in</button>
          <button type="submit" name="sso" value="1" class="button-secondary">
            Sign in with single sign-on
          </button>
        </div>
      </form>
      <p>
        <a href="/forgot-password">Forgot your password?</a>
      </p>
    </section>
  );
}
