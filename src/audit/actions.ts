/**
 * Every action the audit trail records, what it means, and where it belongs. `AuditAction` is the
 * type every writer must use, so an action cannot be written without being listed (and named)
 * here: the audit page's action filter and texts, and My account's security events, read this.
 */

interface ActionInfo {
  area: AuditArea;
  text: string;
  /** Shown to the person concerned under My account, Security events. */
  security?: true;
}

export const AUDIT_AREAS = {
  auth: 'Sign-in and passwords',
  user: 'Users',
  invitation: 'Invitations',
  access: 'Roles, teams, projects and access',
  account: 'Account',
  audit: 'Audit log',
  http: 'Requests',
} as const;
export type AuditArea = keyof typeof AUDIT_AREAS;

export const AUDIT_ACTIONS = {
  'auth.sign_in': { area: 'auth', text: 'Sign-in', security: true },
  'auth.sign_in_code': { area: 'auth', text: 'Two-factor code at sign-in', security: true },
  'auth.sign_out': { area: 'auth', text: 'Sign-out', security: true },
  'auth.lockout': { area: 'auth', text: 'Account locked after failed sign-ins', security: true },
  'auth.account_unlock': { area: 'auth', text: 'Lock ended by the emailed link', security: true },
  'auth.recovery_code_used': { area: 'auth', text: 'Recovery code used', security: true },
  'auth.reauthenticate': { area: 'auth', text: 'Password confirmed', security: true },
  'auth.password_reset': { area: 'auth', text: 'Password reset by email link', security: true },
  'auth.password_reset_request': { area: 'auth', text: 'Password reset requested', security: true },
  'auth.password_link_code': { area: 'auth', text: 'Two-factor code for a password link', security: true },
  'user.password_change': { area: 'user', text: 'Password changed', security: true },
  'user.password_set': { area: 'user', text: 'Password set', security: true },
  'user.password_reset': { area: 'user', text: 'Password reset by an administrator', security: true },
  'user.set_password_resent': { area: 'user', text: 'Set-password link sent again' },
  'user.two_factor_enrol_start': { area: 'user', text: 'Two-factor set-up started' },
  'user.two_factor_enable': { area: 'user', text: 'Two-factor authentication turned on', security: true },
  'user.two_factor_remove': { area: 'user', text: 'Two-factor authentication removed', security: true },
  'user.two_factor_reset': {
    area: 'user',
    text: 'Two-factor authentication reset by an administrator',
    security: true,
  },
  'user.recovery_codes_regenerate': { area: 'user', text: 'New recovery codes made', security: true },
  'user.unlock': { area: 'user', text: 'Unlocked by an administrator', security: true },
  'user.session_end': { area: 'user', text: 'A session signed out', security: true },
  'user.sessions_end_others': { area: 'user', text: 'Other sessions signed out', security: true },
  'user.sign_out_everywhere': {
    area: 'user',
    text: 'Signed out everywhere by an administrator',
    security: true,
  },
  'user.deactivate': { area: 'user', text: 'Deactivated', security: true },
  'user.reactivate': { area: 'user', text: 'Reactivated', security: true },
  'user.create': { area: 'user', text: 'User created' },
  'user.create_admin': { area: 'user', text: 'Account Admin created from the command line' },
  'user.edit': { area: 'user', text: 'User edited' },
  'user.delete': { area: 'user', text: 'User deleted' },
  'user.profile_update': { area: 'user', text: 'Own profile changed' },
  'users.export': { area: 'user', text: 'Users exported' },
  'invitation.create': { area: 'invitation', text: 'Invitation sent' },
  'invitation.edit': { area: 'invitation', text: 'Invitation changed' },
  'invitation.resend': { area: 'invitation', text: 'Invitation sent again' },
  'invitation.revoke': { area: 'invitation', text: 'Invitation revoked' },
  'invitation.open': { area: 'invitation', text: 'Invitation opened' },
  'invitation.decline': { area: 'invitation', text: 'Invitation declined' },
  'invitation.accept': { area: 'invitation', text: 'Invitation accepted' },
  'invitation.signup_start': { area: 'invitation', text: 'Sign-up started' },
  'invitation.signup_two_factor': { area: 'invitation', text: 'Sign-up two-factor step' },
  'invitation.signup_codes_renewed': { area: 'invitation', text: 'Sign-up recovery codes renewed' },
  'invitations.export': { area: 'invitation', text: 'Invitations exported' },
  'role.create': { area: 'access', text: 'Role created' },
  'role.update': { area: 'access', text: 'Role changed' },
  'role.delete': { area: 'access', text: 'Role deleted' },
  'team.create': { area: 'access', text: 'Team created' },
  'team.update': { area: 'access', text: 'Team changed' },
  'team.delete': { area: 'access', text: 'Team deleted' },
  'team.member_add': { area: 'access', text: 'Team member added' },
  'team.member_remove': { area: 'access', text: 'Team member removed' },
  'team.member_admin': { area: 'access', text: 'Team admin changed' },
  'project.create': { area: 'access', text: 'Project created' },
  'project.rename': { area: 'access', text: 'Project renamed' },
  'project.delete': { area: 'access', text: 'Project deleted' },
  'binding.create': { area: 'access', text: 'Access granted' },
  'binding.update': { area: 'access', text: 'Access changed' },
  'binding.delete': { area: 'access', text: 'Access removed' },
  'binding.set_project_role': { area: 'access', text: 'Project role set' },
  'binding.expired': { area: 'access', text: 'Access expired' },
  'session.switch_project': { area: 'access', text: 'Switched project' },
  'account.settings_update': { area: 'account', text: 'Account settings changed' },
  'account.reset_all_passwords': { area: 'account', text: 'All passwords reset' },
  'account.seed': { area: 'account', text: 'Synthetic users added' },
  'audit.export': { area: 'audit', text: 'Audit log exported' },
  'audit.prune': { area: 'audit', text: 'Old events removed (retention)' },
  'http.request': { area: 'http', text: 'Page or action refused' },
} as const satisfies Record<string, ActionInfo>;

export type AuditAction = keyof typeof AUDIT_ACTIONS;

export const isAuditAction = (name: string): name is AuditAction => Object.hasOwn(AUDIT_ACTIONS, name);

/** What an action means, in words; an action from an older version shows its name. */
export const actionText = (name: string): string => (isAuditAction(name) ? AUDIT_ACTIONS[name].text : name);

/** The actions shown to the person concerned (My account). */
export const SECURITY_ACTIONS = (Object.keys(AUDIT_ACTIONS) as AuditAction[]).filter(
  (a) => (AUDIT_ACTIONS[a] as ActionInfo).security,
);

export const OUTCOME_TEXT = { success: 'Succeeded', failed: 'Failed', denied: 'Refused' } as const;
