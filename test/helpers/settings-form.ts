/** The settings form as a browser sends it, with the defaults of a test account (2FA not required). */
export function settingsForm(overrides: Record<string, string> = {}) {
  return {
    account_name: 'Gatehouse',
    password_min_length: '12',
    invitation_lifetime_hours: '168',
    reset_lifetime_minutes: '60',
    lockout_threshold: '10',
    lockout_minutes: '15',
    lockout_account_threshold: '100',
    session_idle_minutes: '30',
    session_absolute_hours: '12',
    invitations_per_day: '50',
    audit_retention_days: '400',
    access_token_minutes: '5',
    require_two_factor: '',
    allow_manual_links: 'on',
    ...overrides,
  };
}
