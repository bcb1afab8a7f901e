/*
 * What the SCIM endpoint says about itself (RFC 7643 §5-7): the features it supports, its two
 * resource types and the attributes of their schemas that Gatehouse keeps. Attributes a client
 * sends that are not listed here (title, phoneNumbers, the enterprise extension…) are accepted
 * and not kept, so a directory's default attribute mappings do not fail.
 */

export const USER_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:User';
export const GROUP_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:Group';
export const LIST_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:ListResponse';
export const PATCH_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
export const SEARCH_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:SearchRequest';
const CONFIG_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig';
const RESOURCE_TYPE_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:ResourceType';
const SCHEMA_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:Schema';

/** At most this many resources in one page, whatever `count` asks. */
export const MAX_RESULTS = 200;
export const DEFAULT_COUNT = 100;

interface Attribute {
  name: string;
  type: 'string' | 'boolean' | 'complex' | 'reference' | 'dateTime';
  multiValued: boolean;
  description: string;
  required: boolean;
  caseExact: boolean;
  mutability: 'readOnly' | 'readWrite' | 'immutable' | 'writeOnly';
  returned: 'always' | 'never' | 'default' | 'request';
  uniqueness: 'none' | 'server' | 'global';
  referenceTypes?: string[];
  subAttributes?: Attribute[];
}

const attribute = (
  name: string,
  description: string,
  options: Partial<Omit<Attribute, 'name' | 'description'>> = {},
): Attribute => ({
  name,
  type: 'string',
  multiValued: false,
  description,
  required: false,
  caseExact: false,
  mutability: 'readWrite',
  returned: 'default',
  uniqueness: 'none',
  ...options,
});

const reference = (description: string, types: string[]) =>
  attribute('$ref', description, { type: 'reference', referenceTypes: types, mutability: 'immutable' });

const USER_ATTRIBUTES: Attribute[] = [
  attribute('userName', 'The person’s email address: how they sign in. Unique, compared without case.', {
    required: true,
    uniqueness: 'server',
  }),
  attribute('name', 'The parts of the person’s name.', {
    type: 'complex',
    subAttributes: [
      attribute('formatted', 'The full name (given and family name).'),
      attribute('familyName', 'The family name (at most 100 characters).'),
      attribute('givenName', 'The given name (at most 100 characters).'),
    ],
  }),
  attribute(
    'displayName',
    'The name Gatehouse shows. Without it: name.formatted, else the given and family names, else userName.',
  ),
  attribute('emails', 'The work email: always userName (an email sent here is not kept).', {
    type: 'complex',
    multiValued: true,
    mutability: 'readOnly',
    subAttributes: [
      attribute('value', 'The address.', { mutability: 'readOnly' }),
      attribute('type', 'Always "work".', { mutability: 'readOnly' }),
      attribute('primary', 'Always true.', { type: 'boolean', mutability: 'readOnly' }),
    ],
  }),
  attribute('externalId', 'The directory’s own id for the person. Unique.', {
    caseExact: true,
    uniqueness: 'server',
  }),
  attribute('active', 'False: deactivated (their sessions end); true: active again.', { type: 'boolean' }),
  attribute(
    'preferredLanguage',
    'Sets the console’s language when it names one Gatehouse has (en, fr, de, es).',
  ),
  attribute('locale', 'The person’s locale, as the directory sends it.'),
  attribute('groups', 'The directory’s groups (teams) the person is in.', {
    type: 'complex',
    multiValued: true,
    mutability: 'readOnly',
    subAttributes: [
      attribute('value', 'The group’s id.', { mutability: 'readOnly' }),
      reference('The group’s URI.', ['Group']),
      attribute('display', 'The group’s name.', { mutability: 'readOnly' }),
      attribute('type', 'Always "direct".', { mutability: 'readOnly' }),
    ],
  }),
];

const GROUP_ATTRIBUTES: Attribute[] = [
  attribute('displayName', 'The team’s name: unique among all of Gatehouse’s teams, compared without case.', {
    required: true,
    uniqueness: 'server',
  }),
  attribute('externalId', 'The directory’s own id for the group. Unique.', {
    caseExact: true,
    uniqueness: 'server',
  }),
  attribute('members', 'The people in the team (Users only).', {
    type: 'complex',
    multiValued: true,
    subAttributes: [
      attribute('value', 'The User’s id.', { mutability: 'immutable' }),
      reference('The User’s URI.', ['User']),
      attribute('display', 'The User’s displayName.', { mutability: 'readOnly' }),
      attribute('type', 'Always "User".', { mutability: 'immutable' }),
    ],
  }),
];

export function serviceProviderConfig(base: string) {
  return {
    schemas: [CONFIG_SCHEMA],
    documentationUri: `${base}/ServiceProviderConfig`,
    patch: { supported: true },
    bulk: { supported: false, maxOperations: 0, maxPayloadSize: 0 },
    filter: { supported: true, maxResults: MAX_RESULTS },
    changePassword: { supported: false },
    sort: { supported: false },
    etag: { supported: false },
    authenticationSchemes: [
      {
        type: 'oauthbearertoken',
        name: 'OAuth Bearer Token',
        description:
          'A Gatehouse API token of a service account that holds directory.provision account-wide: Authorization: Bearer gh_…',
        primary: true,
      },
    ],
    meta: { resourceType: 'ServiceProviderConfig', location: `${base}/ServiceProviderConfig` },
  };
}

export function resourceTypes(base: string) {
  return [
    {
      schemas: [RESOURCE_TYPE_SCHEMA],
      id: 'User',
      name: 'User',
      endpoint: '/Users',
      description: 'A person of the account (service accounts are not shown).',
      schema: USER_SCHEMA,
      schemaExtensions: [],
      meta: { resourceType: 'ResourceType', location: `${base}/ResourceTypes/User` },
    },
    {
      schemas: [RESOURCE_TYPE_SCHEMA],
      id: 'Group',
      name: 'Group',
      endpoint: '/Groups',
      description: 'A team the directory pushed (teams made in Gatehouse are not shown).',
      schema: GROUP_SCHEMA,
      schemaExtensions: [],
      meta: { resourceType: 'ResourceType', location: `${base}/ResourceTypes/Group` },
    },
  ];
}

export function schemaDocuments(base: string) {
  return [
    {
      schemas: [SCHEMA_SCHEMA],
      id: USER_SCHEMA,
      name: 'User',
      description: 'User Account',
      attributes: USER_ATTRIBUTES,
      meta: { resourceType: 'Schema', location: `${base}/Schemas/${USER_SCHEMA}` },
    },
    {
      schemas: [SCHEMA_SCHEMA],
      id: GROUP_SCHEMA,
      name: 'Group',
      description: 'Group',
      attributes: GROUP_ATTRIBUTES,
      meta: { resourceType: 'Schema', location: `${base}/Schemas/${GROUP_SCHEMA}` },
    },
  ];
}

/** A ListResponse of everything (the discovery endpoints take no filter or paging). */
export function listOf(resources: unknown[]) {
  return {
    schemas: [LIST_SCHEMA],
    totalResults: resources.length,
    itemsPerPage: resources.length,
    startIndex: 1,
    Resources: resources,
  };
}
