import { readFileSync } from 'node:fs';
import { z } from 'zod';

/**
 * The permission catalog: Gatehouse's own permissions, fixed here, and the host product's areas,
 * read once from permissions.json (or PERMISSIONS_FILE) which a deploying team edits.
 */
export type Level = 'view' | 'edit' | 'publish' | 'admin';

export interface PermissionDefinition {
  key: string;
  area: string;
  areaLabel: string;
  action: string;
  label: string;
  description: string;
  level: Level;
}

const own = (
  key: string,
  areaLabel: string,
  label: string,
  description: string,
  level: Level = 'admin',
): PermissionDefinition => {
  const [area = key, action = key] = key.split('.');
  return { key, area, areaLabel, action, label, description, level };
};

export const GATEHOUSE_PERMISSIONS: readonly PermissionDefinition[] = [
  own('users.view', 'Users', 'View users', 'See users, their access and the roles page.'),
  own(
    'users.manage',
    'Users',
    'Manage users',
    'Create, edit, deactivate and delete users, and bind them to roles, within your own rank.',
  ),
  own('users.export', 'Users', 'Export users', 'Download the users list as CSV or JSON.'),
  own(
    'invitations.manage',
    'Invitations',
    'Manage invitations',
    'Invite people, resend and revoke invitations.',
  ),
  own('roles.manage', 'Roles', 'Manage roles', 'Create, edit and delete custom roles.'),
  own('teams.manage', 'Teams', 'Manage teams', 'Create and delete teams and manage any team’s members.'),
  own('projects.manage', 'Projects', 'Manage projects', 'Create, rename and delete projects.'),
  own('account.settings', 'Account', 'Account settings', 'Change security and account-wide settings.'),
  own('audit.view', 'Audit', 'View audit log', 'Read and export the audit trail.'),
  own(
    'applications.manage',
    'Applications',
    'Manage applications',
    'Register the apps that sign people in through Gatehouse, rotate their secrets, deactivate them.',
  ),
  own(
    'service_accounts.manage',
    'API',
    'Manage service accounts',
    'Create service accounts and their API tokens, and revoke anyone’s API tokens.',
  ),
  own(
    'directory.provision',
    'Directory',
    'Provision from a directory',
    'Create, change and deactivate people and push teams from the company directory (SCIM), for a service account’s token.',
  ),
  own(
    'access.evaluate',
    'API',
    'Ask permission checks',
    'Ask Gatehouse whether a person may do something in a project (the AuthZEN API), as the product’s backend does.',
  ),
];

const fileSchema = z.object({
  areas: z
    .array(
      z.object({
        key: z.string().regex(/^[a-z][a-z0-9_]*$/, 'area keys are lower case letters, digits and _'),
        label: z.string().min(1).max(60),
        permissions: z
          .array(
            z.object({
              key: z
                .string()
                .regex(/^[a-z][a-z0-9_]*\.[a-z][a-z0-9_]*$/, 'permission keys look like area.action'),
              label: z.string().min(1).max(80),
              description: z.string().max(300),
              level: z.enum(['view', 'edit', 'publish']),
            }),
          )
          .min(1),
      }),
    )
    .min(1),
});

export function loadProductPermissions(file: string | URL): PermissionDefinition[] {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new Error(`Cannot read the permission catalog ${file}: ${(error as Error).message}`);
  }
  const parsed = fileSchema.safeParse(raw);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new Error(`Invalid permission catalog ${file}:\n${lines.join('\n')}`);
  }
  const result: PermissionDefinition[] = [];
  for (const area of parsed.data.areas) {
    for (const p of area.permissions) {
      const [prefix, action = ''] = p.key.split('.');
      if (prefix !== area.key)
        throw new Error(`Invalid permission catalog ${file}: ${p.key} is not in area ${area.key}`);
      result.push({ ...p, area: area.key, areaLabel: area.label, action });
    }
  }
  return result;
}

const catalogFile = process.env.PERMISSIONS_FILE || new URL('../../permissions.json', import.meta.url);
export const PRODUCT_PERMISSIONS: readonly PermissionDefinition[] = loadProductPermissions(catalogFile);

export const PERMISSIONS: readonly PermissionDefinition[] = [
  ...GATEHOUSE_PERMISSIONS,
  ...PRODUCT_PERMISSIONS,
];
const BY_KEY = new Map(PERMISSIONS.map((p) => [p.key, p]));
if (BY_KEY.size !== PERMISSIONS.length) throw new Error('The permission catalog declares a key twice');

export type Permission = string;

export function isKnownPermission(key: string): boolean {
  return BY_KEY.has(key);
}

export function permissionDefinition(key: string): PermissionDefinition | undefined {
  return BY_KEY.get(key);
}

/** Catalog order, known keys only. */
export function sortPermissions(keys: Iterable<string>): string[] {
  const wanted = new Set(keys);
  return PERMISSIONS.filter((p) => wanted.has(p.key)).map((p) => p.key);
}

const product = (levels: Level[]) =>
  PRODUCT_PERMISSIONS.filter((p) => levels.includes(p.level)).map((p) => p.key);
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
    permissions: product(['view']),
  },
  {
    key: 'editor',
    name: 'Editor',
    description: 'Creates and edits in the product areas, without publishing.',
    permissions: product(['view', 'edit']),
  },
  {
    key: 'publisher',
    name: 'Publisher',
    description: 'Everything an Editor does, and publishes.',
    permissions: product(['view', 'edit', 'publish']),
  },
  {
    key: 'co_admin',
    name: 'Co-admin',
    description: 'Manages users and invitations below the admins; uses the product as a Publisher.',
    permissions: [
      ...product(['view', 'edit', 'publish']),
      'users.view',
      'users.manage',
      'invitations.manage',
    ],
  },
  {
    key: 'admin',
    name: 'Admin',
    description: 'Everything except account settings and applications.',
    permissions: all.filter((k) => k !== 'account.settings' && k !== 'applications.manage'),
  },
  {
    key: 'account_admin',
    name: 'Account Admin',
    description: 'Everything, including account settings.',
    permissions: all,
  },
];

const ROLE_BY_KEY = new Map(BUILTIN_ROLES.map((r) => [r.key, r]));

export function builtinRole(key: string): BuiltinRole | undefined {
  return ROLE_BY_KEY.get(key);
}
