import type { SettingsValues } from '../../src/account/settings';
import { CheckboxField, ErrorSummary, Field, type FieldErrors } from '../components/form';

type NumberKey = {
  [K in keyof SettingsValues]: SettingsValues[K] extends number ? K : never;
}[keyof SettingsValues];

type Group = 'sign-in' | 'links' | 'audit';

const NUMBERS: Array<{ name: NumberKey; label: string; hint: string; group: Group }> = [
  {
    name: 'password_min_length',
    label: 'Minimum password length',
    hint: '8 to 128 characters. 15 is advised if 2FA is not required.',
    group: 'sign-in',
  },
  {
    name: 'lockout_threshold',
    label: 'Failed sign-ins from one address before it is locked out',
    hint: '3 to 100 in a row. Locks the account for that address only.',
    group: 'sign-in',
  },
  {
    name: 'lockout_minutes',
    label: 'First lock lasts (minutes)',
    hint: 'Doubles with each further lock, up to 24 hours.',
    group: 'sign-in',
  },
  {
    name: 'lockout_account_threshold',
    label: 'Failed sign-ins from all addresses before the account locks',
    hint: '10 to 100 in a row. The owner is emailed a link that ends the lock.',
    group: 'sign-in',
  },
  {
    name: 'session_idle_minutes',
    label: 'Sign out after inactivity (minutes)',
    hint: '5 to 1,440.',
    group: 'sign-in',
  },
  {
    name: 'session_absolute_hours',
    label: 'Sign out after (hours)',
    hint: 'However active the session, 1 to 720.',
    group: 'sign-in',
  },
  {
    name: 'access_token_minutes',
    label: 'Applications’ access tokens last (minutes)',
    hint: '1 to 60. An app’s API may see a revoked token as valid this long.',
    group: 'sign-in',
  },
  {
    name: 'invitation_lifetime_hours',
    label: 'Invitations and set-password links last (hours)',
    hint: '1 to 720; 168 is a week.',
    group: 'links',
  },
  {
    name: 'reset_lifetime_minutes',
    label: 'Password reset links last (minutes)',
    hint: '5 to 1,440.',
    group: 'links',
  },
  {
    name: 'invitations_per_day',
    label: 'Invitations per person per day',
    hint: '1 to 10,000.',
    group: 'links',
  },
  {
    name: 'audit_retention_days',
    label: 'Keep audit events for (days)',
    hint: '30 to 3,650. Older events are removed daily; the removal is itself recorded.',
    group: 'audit',
  },
];

export const SETTING_LABELS: Record<string, string> = {
  account_name: 'Account name',
  require_two_factor: 'Require two-factor authentication',
  allow_manual_links: 'Show links to send by hand',
  ...Object.fromEntries(NUMBERS.map((n) => [n.name, n.label])),
  confirm_password: 'Your password',
};

/**
 * `askPassword`: the changes weaken security and the password was not confirmed lately, so the
 * form comes back with what was typed and asks for it here (not on another page, which would
 * lose the changes).
 */
export function SettingsPage({
  values,
  errors = {},
  askPassword = false,
}: {
  values: Record<keyof SettingsValues, string | number | boolean>;
  errors?: FieldErrors;
  askPassword?: boolean;
}) {
  const group = (g: Group) => NUMBERS.filter((n) => n.group === g).map(numberField);
  const numberField = (n: (typeof NUMBERS)[number]) => (
    <Field
      name={n.name}
      label={n.label}
      value={String(values[n.name])}
      inputmode="numeric"
      hint={n.hint}
      required
      error={errors[n.name]}
    />
  );
  return (
    <section class="narrow">
      <h1>Account settings</h1>
      <ErrorSummary errors={errors} labels={SETTING_LABELS} />
      <form method="post" action="/settings" novalidate>
        <Field
          name="account_name"
          label={SETTING_LABELS.account_name as string}
          value={String(values.account_name)}
          hint="Shown in emails and authenticator apps."
          required
          error={errors.account_name}
        />
        <fieldset>
          <legend>Sign-in</legend>
          <CheckboxField
            name="require_two_factor"
            label={SETTING_LABELS.require_two_factor as string}
            checked={values.require_two_factor === true}
            hint="Everyone without it must set it up before anything else, from their next request."
          />
          {group('sign-in')}
        </fieldset>
        <fieldset>
          <legend>Invitations and links</legend>
          {group('links')}
          <CheckboxField
            name="allow_manual_links"
            label={SETTING_LABELS.allow_manual_links as string}
            checked={values.allow_manual_links === true}
            hint="Admins see each set-password and invitation link, to send it another way if the email does not arrive."
          />
        </fieldset>
        <fieldset>
          <legend>Audit log</legend>
          {group('audit')}
        </fieldset>
        {askPassword && (
          <Field
            name="confirm_password"
            type="password"
            label={SETTING_LABELS.confirm_password as string}
            autocomplete="current-password"
            hint="Some of these changes weaken security, so saving them needs your password."
            required
            error={errors.confirm_password}
          />
        )}
        <button type="submit">Save settings</button>
      </form>
    </section>
  );
}
