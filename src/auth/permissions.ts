/**
 * The permission catalog. Gatehouse's own keys are fixed; the host product's areas are the
 * defaults an adopting team replaces (the Access model issue moves them to a config file).
 */
export interface PermissionDefinition {
  key: string;
  area: string;
  label: string;
  description: string;
}

export const GATEHOUSE_PERMISSIONS = [
  {
    key: 'users.view',
    area: 'Users',
    label: 'View users',
    description: 'See the users list and user pages.',
  },
  {
    key: 'users.manage',
    area: 'Users',
    label: 'Manage users',
    description: 'Create, edit, deactivate and delete users below your own rank.',
  },
  {
    key: 'users.export',
    area: 'Users',
    label: 'Export users',
    description: 'Download the users list as CSV or JSON.',
  },
  {
    key: 'invitations.manage',
    area: 'Users',
    label: 'Manage invitations',
    description: 'Invite people, resend and revoke invitations.',
  },
  {
    key: 'roles.manage',
    area: 'Access',
    label: 'Manage roles',
    description: 'Create, edit and delete custom roles.',
  },
  {
    key: 'teams.manage',
    area: 'Access',
    label: 'Manage teams',
    description: 'Create teams and manage their members.',
  },
  {
    key: 'projects.manage',
    area: 'Access',
    label: 'Manage projects',
    description: 'Create, rename and delete projects.',
  },
  {
    key: 'account.settings',
    area: 'Account',
    label: 'Account settings',
    description: 'Change security and account-wide settings.',
  },
  {
    key: 'audit.view',
    area: 'Account',
    label: 'View audit log',
    description: 'Read and export the audit trail.',
  },
] as const satisfies readonly PermissionDefinition[];

export const PRODUCT_PERMISSIONS: readonly PermissionDefinition[] = [
  {
    key: 'reports.view',
    area: 'Reports',
    label: 'View reports',
    description: 'Open dashboards and reports.',
  },
  { key: 'content.view', area: 'Content', label: 'View content', description: 'Read content and drafts.' },
  { key: 'content.edit', area: 'Content', label: 'Edit content', description: 'Create and edit content.' },
  {
    key: 'content.publish',
    area: 'Content',
    label: 'Publish content',
    description: 'Publish and unpublish content.',
  },
  { key: 'code.edit', area: 'Code', label: 'Edit code', description: 'Edit templates and custom code.' },
];

export type GatehousePermission = (typeof GATEHOUSE_PERMISSIONS)[number]['key'];
export type Permission = string;

export const PERMISSIONS: readonly PermissionDefinition[] = [
  ...GATEHOUSE_PERMISSIONS,
  ...PRODUCT_PERMISSIONS,
];
const KNOWN = new Set(PERMISSIONS.map((p) => p.key));

export function isKnownPermission(key: string): boolean {
  return KNOWN.has(key);
}

const productKeys = PRODUCT_PERMISSIONS.map((p) => p.key);
const isRead = (key: string) => key.endsWith('.view');
const isPublish = (key: string) => key.endsWith('.publish');
const all = PERMISSIONS.map((p) => p.key);

export interface BuiltinRole {
  key: string;
  name: string;
  description: string;
  permissions: readonly string[];
}

/** Built-in roles are read-only and derived from the catalog, so new product areas are covered. */
export const BUILTIN_ROLES: readonly BuiltinRole[] = [
  {
    key: 'viewer',
    name: 'Viewer',
    description: 'Reads everything in the product areas; changes nothing.',
    permissions: productKeys.filter(isRead),
  },
  {
    key: 'editor',
    name: 'Editor',
    description: 'Creates and edits in the product areas, without publishing.',
    permissions: productKeys.filter((k) => !isPublish(k)),
  },
  {
    key: 'publisher',
    name: 'Publisher',
    description: 'Everything an Editor does, and publishes.',
    permissions: productKeys,
  },
  {
    key: 'co_admin',
    name: 'Co-admin',
    description: 'Manages users and invitations below the admins; uses the product as a Publisher.',
    permissions: [...productKeys, 'users.view', 'users.manage', 'invitations.manage'],
  },
  {
    key: 'admin',
    name: 'Admin',
    description: 'Everything except account settings.',
    permissions: all.filter((k) => k !== 'account.settings'),
  },
  {
    key: 'account_admin',
    name: 'Account Admin',
    description: 'Everything, including account settings.',
    permissions: all,
  },
];

const BY_KEY = new Map(BUILTIN_ROLES.map((r) => [r.key, r]));

export function builtinRole(key: string): BuiltinRole | undefined {
  return BY_KEY.get(key);
}
