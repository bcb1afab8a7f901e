/**
 * The table of actions: every action the audit trail records, what it means, where it belongs,
 * and what performing it takes. `perform(ctx, action, body)` reads the entry, so a call site
 * names only the action; `AuditAction` is the type every writer uses, so nothing is written
 * without a line here. The audit page's filter and texts and My account's security events read
 * it too. A new audited action: a line here and the domain function that performs it
 * (actions.test.ts beside it checks that every line has a writer and every writer a line).
 */

interface ActionInfo {
  area: AuditArea;
  text: string;
  /** Shown to the person concerned under My account, Security events. */
  security?: true;
  /** The permission the actor needs (in their current project, or see `scope`); null: anyone may try. */
  permission: string | null;
  /**
   * Where the permission must be held: the current project (the default), or every project, for
   * account-level objects (roles, teams, projects, settings) that no single project owns.
   */
  scope?: 'project' | 'account';
  /**
   * Lock the account row first, before the permission is read: changes that could remove the
   * last account manager run one after the other (access/rules.ts).
   */
  serialize?: true;
  /** The actor must have proved their password in this session within the last 10 minutes. */
  recentAuth?: true;
  /**
   * Frequent, and changes no list's membership beyond what its cached counts may lag (30 s):
   * does not drop them. A sign-in moves `last_login_at` only; before this, every sign-in of a
   * storm cleared every count and the next requests recounted them all at once.
   */
  keepsCounts?: true;
  /**
   * May take someone's right to grant away: the open invitations of inviters who can no longer
   * grant them are revoked in the same transaction (invitations/validity.ts).
   */
  narrowsAccess?: true;
  /**
   * Recorded where it is observed (a lock, a spent code, a refusal, retention) by writeAudit,
   * never performed as a change of its own.
   */
  recordOnly?: true;
}

export const AUDIT_AREAS = {
  auth: 'Sign-in and passwords',
  user: 'Users',
  invitation: 'Invitations',
  access: 'Roles, teams, projects and access',
  account: 'Account',
  mail: 'Email',
  audit: 'Audit log',
  application: 'Applications',
  api: 'API tokens and service accounts',
  directory: 'Directory (SCIM) and single sign-on',
  http: 'Requests',
} as const;
export type AuditArea = keyof typeof AUDIT_AREAS;

export const AUDIT_ACTIONS = {
  'auth.sign_in': { area: 'auth', text: 'Sign-in', security: true, permission: null, keepsCounts: true },
  'auth.sign_in_code': {
    area: 'auth',
    text: 'Two-factor code at sign-in',
    security: true,
    permission: null,
    keepsCounts: true,
  },
  'auth.sign_out': { area: 'auth', text: 'Sign-out', security: true, permission: null, keepsCounts: true },
  'auth.lockout': {
    area: 'auth',
    text: 'Account locked after failed sign-ins',
    security: true,
    permission: null,
    recordOnly: true,
  },
  'auth.account_unlock': {
    area: 'auth',
    text: 'Lock ended by the emailed link',
    security: true,
    permission: null,
  },
  'auth.recovery_code_used': {
    area: 'auth',
    text: 'Recovery code used',
    security: true,
    permission: null,
    recordOnly: true,
  },
  'auth.reauthenticate': {
    area: 'auth',
    text: 'Password confirmed',
    security: true,
    permission: null,
    keepsCounts: true,
  },
  'auth.password_reset': {
    area: 'auth',
    text: 'Password reset by email link',
    security: true,
    permission: null,
  },
  'auth.password_reset_request': {
    area: 'auth',
    text: 'Password reset requested',
    security: true,
    permission: null,
  },
  'auth.password_link_code': {
    area: 'auth',
    text: 'Two-factor code for a password link',
    security: true,
    permission: null,
  },
  'user.password_change': { area: 'user', text: 'Password changed', security: true, permission: null },
  'user.password_set': { area: 'user', text: 'Password set', security: true, permission: null },
  'user.password_reset': {
    area: 'user',
    text: 'Password reset by an administrator',
    security: true,
    permission: 'users.manage',
    serialize: true,
    recentAuth: true,
  },
  'user.set_password_resent': {
    area: 'user',
    text: 'Set-password link sent again',
    permission: 'users.manage',
  },
  'user.two_factor_enrol_start': {
    area: 'user',
    text: 'Two-factor set-up started',
    permission: null,
    recentAuth: true,
  },
  'user.two_factor_enable': {
    area: 'user',
    text: 'Two-factor authentication turned on',
    security: true,
    permission: null,
    recentAuth: true,
  },
  'user.two_factor_remove': {
    area: 'user',
    text: 'Two-factor authentication removed',
    security: true,
    permission: null,
    recentAuth: true,
  },
  'user.two_factor_reset': {
    area: 'user',
    text: 'Two-factor authentication reset by an administrator',
    security: true,
    permission: 'users.manage',
    recentAuth: true,
  },
  'user.recovery_codes_regenerate': {
    area: 'user',
    text: 'New recovery codes made',
    security: true,
    permission: null,
    recentAuth: true,
  },
  'user.unlock': {
    area: 'user',
    text: 'Unlocked by an administrator',
    security: true,
    permission: 'users.manage',
  },
  'user.session_end': { area: 'user', text: 'A session signed out', security: true, permission: null },
  'user.sessions_end_others': {
    area: 'user',
    text: 'Other sessions signed out',
    security: true,
    permission: null,
  },
  'user.sign_out_everywhere': {
    area: 'user',
    text: 'Signed out everywhere by an administrator',
    security: true,
    permission: 'users.manage',
  },
  'user.deactivate': {
    area: 'user',
    text: 'Deactivated',
    security: true,
    permission: 'users.manage',
    serialize: true,
    narrowsAccess: true,
  },
  'user.reactivate': { area: 'user', text: 'Reactivated', security: true, permission: 'users.manage' },
  'user.create': { area: 'user', text: 'User created', permission: 'users.manage' },
  'user.create_admin': {
    area: 'user',
    text: 'Account Admin created (command line or setup link)',
    permission: 'account.settings',
    // The setup link's "no user yet" must see every admin made meanwhile (auth/setup/).
    serialize: true,
  },
  // Serialized by editUser itself, only when the edit may change access (src/users/edit.ts).
  'user.edit': {
    area: 'user',
    text: 'User edited',
    permission: 'users.manage',
    narrowsAccess: true,
  },
  'user.delete': { area: 'user', text: 'User deleted', permission: 'users.manage', serialize: true },
  'user.profile_update': { area: 'user', text: 'Own profile changed', permission: null },
  'users.export': { area: 'user', text: 'Users exported', permission: 'users.export' },
  'users.bulk': { area: 'user', text: 'Bulk action started', permission: 'users.manage' },
  'users.bulk_finished': {
    area: 'user',
    text: 'Bulk action finished',
    permission: null,
    recordOnly: true,
  },
  'invitation.create': { area: 'invitation', text: 'Invitation sent', permission: 'invitations.manage' },
  'invitation.edit': { area: 'invitation', text: 'Invitation changed', permission: 'invitations.manage' },
  'invitation.resend': {
    area: 'invitation',
    text: 'Invitation sent again',
    permission: 'invitations.manage',
  },
  'invitation.revoke': { area: 'invitation', text: 'Invitation revoked', permission: 'invitations.manage' },
  'invitation.open': { area: 'invitation', text: 'Invitation opened', permission: null },
  'invitation.decline': { area: 'invitation', text: 'Invitation declined', permission: null },
  'invitation.accept': { area: 'invitation', text: 'Invitation accepted', permission: null },
  'invitation.signup_start': { area: 'invitation', text: 'Sign-up started', permission: null },
  'invitation.signup_two_factor': { area: 'invitation', text: 'Sign-up two-factor step', permission: null },
  'invitation.signup_codes_renewed': {
    area: 'invitation',
    text: 'Sign-up recovery codes renewed',
    permission: null,
  },
  'invitations.export': {
    area: 'invitation',
    text: 'Invitations exported',
    permission: 'invitations.manage',
  },
  'role.create': { area: 'access', text: 'Role created', permission: 'roles.manage', scope: 'account' },
  'role.update': {
    area: 'access',
    text: 'Role changed',
    permission: 'roles.manage',
    scope: 'account',
    serialize: true,
    narrowsAccess: true,
  },
  'role.delete': {
    area: 'access',
    text: 'Role deleted',
    permission: 'roles.manage',
    scope: 'account',
    serialize: true,
  },
  'team.create': { area: 'access', text: 'Team created', permission: 'teams.manage', scope: 'account' },
  'team.update': { area: 'access', text: 'Team changed', permission: 'teams.manage', scope: 'account' },
  'team.delete': {
    area: 'access',
    text: 'Team deleted',
    permission: 'teams.manage',
    scope: 'account',
    serialize: true,
    narrowsAccess: true,
  },
  'team.member_add': { area: 'access', text: 'Team member added', permission: null },
  'team.member_remove': {
    area: 'access',
    text: 'Team member removed',
    permission: null,
    serialize: true,
    narrowsAccess: true,
  },
  'team.member_admin': {
    area: 'access',
    text: 'Team admin changed',
    permission: 'teams.manage',
    scope: 'account',
  },
  'project.create': {
    area: 'access',
    text: 'Project created',
    permission: 'projects.manage',
    scope: 'account',
  },
  'project.rename': {
    area: 'access',
    text: 'Project renamed',
    permission: 'projects.manage',
    scope: 'account',
  },
  'project.delete': {
    area: 'access',
    text: 'Project deleted',
    permission: 'projects.manage',
    scope: 'account',
    serialize: true,
  },
  // The directory (SCIM, src/scim/): its token's owner acts, labelled "directory: <token name>".
  'directory.user_create': {
    area: 'directory',
    text: 'User provisioned by the directory',
    permission: 'directory.provision',
    scope: 'account',
  },
  'directory.user_update': {
    area: 'directory',
    text: 'User changed by the directory',
    security: true,
    permission: 'directory.provision',
    scope: 'account',
    serialize: true,
    narrowsAccess: true,
  },
  'directory.user_remove': {
    area: 'directory',
    text: 'User removed by the directory (deactivated)',
    security: true,
    permission: 'directory.provision',
    scope: 'account',
    serialize: true,
    narrowsAccess: true,
  },
  'directory.team_create': {
    area: 'directory',
    text: 'Team pushed by the directory',
    permission: 'directory.provision',
    scope: 'account',
  },
  'directory.team_update': {
    area: 'directory',
    text: 'Team or its members changed by the directory',
    permission: 'directory.provision',
    scope: 'account',
    serialize: true,
    narrowsAccess: true,
  },
  'directory.team_delete': {
    area: 'directory',
    text: 'Team deleted by the directory',
    permission: 'directory.provision',
    scope: 'account',
    serialize: true,
    narrowsAccess: true,
  },
  // Single sign-on (src/sso/).
  'sso.provider_create': {
    area: 'directory',
    text: 'Identity provider added',
    permission: 'account.settings',
    scope: 'account',
  },
  'sso.provider_update': {
    area: 'directory',
    text: 'Identity provider changed',
    permission: 'account.settings',
    scope: 'account',
  },
  'sso.provider_delete': {
    area: 'directory',
    text: 'Identity provider deleted',
    permission: 'account.settings',
    scope: 'account',
  },
  // Not serialized for every sign-in: only one that removes memberships locks the account row
  // (sso/sign-in.ts), so a morning's sign-ins do not queue behind each other.
  'sso.sign_in': {
    area: 'auth',
    text: 'Single sign-on',
    security: true,
    permission: null,
    keepsCounts: true,
  },
  'sso.break_glass': {
    area: 'auth',
    text: 'Password sign-in where single sign-on is required (break-glass)',
    security: true,
    permission: null,
    recordOnly: true,
  },
  'binding.create': { area: 'access', text: 'Access granted', permission: 'users.manage', serialize: true },
  'binding.update': {
    area: 'access',
    text: 'Access changed',
    permission: 'users.manage',
    serialize: true,
    narrowsAccess: true,
  },
  'binding.delete': {
    area: 'access',
    text: 'Access removed',
    permission: 'users.manage',
    serialize: true,
    narrowsAccess: true,
  },
  'binding.set_project_role': {
    area: 'access',
    text: 'Project role set',
    permission: 'users.manage',
    serialize: true,
    narrowsAccess: true,
  },
  'binding.expired': { area: 'access', text: 'Access expired', permission: null, narrowsAccess: true },
  'session.switch_project': { area: 'access', text: 'Switched project', permission: null },
  'account.settings_update': {
    area: 'account',
    text: 'Account settings changed',
    permission: 'account.settings',
    scope: 'account',
  },
  'account.reset_all_passwords': {
    area: 'account',
    text: 'All passwords reset (started)',
    permission: 'account.settings',
    scope: 'account',
    serialize: true,
    recentAuth: true,
  },
  'account.reset_all_passwords_batch': {
    area: 'account',
    text: 'All passwords reset: a batch done',
    permission: null,
    recordOnly: true,
  },
  'account.seed': { area: 'account', text: 'Synthetic users added', permission: null },
  'application.create': {
    area: 'application',
    text: 'Application registered',
    permission: 'applications.manage',
    scope: 'account',
  },
  'application.rotate_secret': {
    area: 'application',
    text: 'Application secret rotated',
    permission: 'applications.manage',
    scope: 'account',
  },
  'application.deactivate': {
    area: 'application',
    text: 'Application deactivated',
    permission: 'applications.manage',
    scope: 'account',
  },
  'application.reactivate': {
    area: 'application',
    text: 'Application reactivated',
    permission: 'applications.manage',
    scope: 'account',
  },
  'application.delete': {
    area: 'application',
    text: 'Application deleted',
    permission: 'applications.manage',
    scope: 'account',
  },
  // Made with the password confirmed lately, as GitHub's sudo mode asks before a personal token:
  // a token then acts without asking again (auth/sessions/recent-auth.ts).
  'api_token.create': {
    area: 'api',
    text: 'API token created',
    security: true,
    permission: null,
    recentAuth: true,
  },
  'api_token.revoke': { area: 'api', text: 'API token revoked', security: true, permission: null },
  'api_token.refused': {
    area: 'api',
    text: 'API token refused (expired, revoked, wrong secret or owner unable)',
    security: true,
    permission: null,
    recordOnly: true,
  },
  'service_account.create': {
    area: 'api',
    text: 'Service account created',
    permission: 'service_accounts.manage',
    scope: 'account',
  },
  'mail.export': { area: 'mail', text: 'Email log exported', permission: 'users.manage', scope: 'account' },
  'mail.undelivered': {
    area: 'mail',
    text: 'Email not delivered (bounced, marked as spam or failed)',
    permission: null,
    recordOnly: true,
  },
  'audit.export': { area: 'audit', text: 'Audit log exported', permission: 'audit.view' },
  'audit.prune': {
    area: 'audit',
    text: 'Old events removed (retention)',
    permission: null,
    recordOnly: true,
  },
  'http.request': { area: 'http', text: 'Page or action refused', permission: null, recordOnly: true },
} as const satisfies Record<string, ActionInfo>;

export type AuditAction = keyof typeof AUDIT_ACTIONS;

/** What perform() may run: every action but those only recorded. */
export type PerformedAction = {
  [A in AuditAction]: (typeof AUDIT_ACTIONS)[A] extends { recordOnly: true } ? never : A;
}[AuditAction];

/** An action's line, as the general shape (the table's literal types are narrower). */
export const actionInfo = (action: AuditAction): ActionInfo => AUDIT_ACTIONS[action];

export const isAuditAction = (name: string): name is AuditAction => Object.hasOwn(AUDIT_ACTIONS, name);

/** What an action means, in words; an action from an older version shows its name. */
export const actionText = (name: string): string => (isAuditAction(name) ? AUDIT_ACTIONS[name].text : name);

/** The actions shown to the person concerned (My account). */
export const SECURITY_ACTIONS = (Object.keys(AUDIT_ACTIONS) as AuditAction[]).filter(
  (a) => actionInfo(a).security,
);

export const OUTCOME_TEXT = { success: 'Succeeded', failed: 'Failed', denied: 'Refused' } as const;
