import type { Context } from 'hono';
import { Hono } from 'hono';
import {
  ChooseKindPage,
  ConnectionResult,
  type ConnectionTest,
  EMPTY_PROVIDER_FORM,
  ProviderConfirmPage,
  ProviderFormPage,
  type ProviderFormValues,
  ProviderPage,
  ProvidersPage,
} from '../../views/sso/providers';
import { controlCharacterIn } from '../core/validation';
import type { IdentityProviderKind } from '../db/schema';
import type { AppDeps, AppEnv } from '../web/env';
import { FormRefused, formFields } from '../web/form';
import { guard, type SignedInEnv } from '../web/guard';
import { type FormErrors, type PageStatus, renderRefusal } from '../web/refusal';
import { isHtmx, redirectWithFlash, renderFragment, renderPage, renderStatusPage } from '../web/render';
import { actionContext } from '../web/session';
import { SsoRefused } from './identity';
import { discover } from './oidc-client';
import {
  certificateInfo,
  createProvider,
  deleteProvider,
  getProvider,
  KIND_LABELS,
  listProviders,
  type ProviderDetails,
  type ProviderInput,
  setProviderEnabled,
  updateProvider,
} from './providers';
import { MAX_METADATA_BYTES } from './saml-metadata';

const SETTINGS = { permission: 'account.settings' } as const;

const SINGLE_LINE = [
  'name',
  'kind',
  'issuer',
  'clientId',
  'clientSecret',
  'groupsAttribute',
  'required',
  'jit',
  'jitRoleId',
  'jitProjectId',
] as const;
/** Textareas: line breaks are their text. */
const MULTI_LINE = { metadata: MAX_METADATA_BYTES, domains: 20_000, groupMappings: 20_000 } as const;

const isKind = (value: string | undefined): value is IdentityProviderKind =>
  value === 'oidc' || value === 'saml';

/**
 * The provider form. The single-line fields go through the console's form reader; the textareas
 * (pasted metadata, domains and mappings, one a line) are read here under the same rule with line
 * breaks allowed: the form reader keeps its list of multi-line fields to itself.
 */
async function readProviderForm(c: Context): Promise<ProviderFormValues & { clientSecret: string }> {
  const fields = await formFields(c, SINGLE_LINE);
  const body = await c.req.parseBody({ all: true });
  const multi = {} as Record<keyof typeof MULTI_LINE, string>;
  for (const [name, max] of Object.entries(MULTI_LINE) as Array<[keyof typeof MULTI_LINE, number]>) {
    const value = body[name];
    const first = Array.isArray(value) ? value[0] : value;
    const text = typeof first === 'string' ? first : '';
    const control = controlCharacterIn(text, true);
    if (control)
      throw new FormRefused(`The field “${name}” contains a control character (${control}); remove it.`);
    if (text.length > max)
      throw new FormRefused(`The field “${name}” is longer than ${max.toLocaleString('en')} characters.`);
    multi[name] = text;
  }
  return {
    name: fields.name ?? '',
    kind: fields.kind ?? '',
    issuer: fields.issuer ?? '',
    clientId: fields.clientId ?? '',
    clientSecret: fields.clientSecret ?? '',
    metadata: multi.metadata,
    domains: multi.domains,
    groupsAttribute: fields.groupsAttribute ?? '',
    groupMappings: multi.groupMappings,
    required: fields.required === 'on',
    jit: fields.jit === 'on',
    jitRoleId: fields.jitRoleId ?? '',
    jitProjectId: fields.jitProjectId ?? '',
  };
}

const toInput = (values: ProviderFormValues & { clientSecret: string }, kind: IdentityProviderKind) =>
  ({
    name: values.name,
    kind,
    issuer: values.issuer,
    clientId: values.clientId,
    clientSecret: values.clientSecret,
    metadata: values.metadata,
    domains: values.domains,
    groupsAttribute: values.groupsAttribute,
    groupMappings: values.groupMappings,
    required: values.required,
    jit: values.jit,
    jitRoleId: values.jitRoleId,
    jitProjectId: values.jitProjectId,
  }) satisfies ProviderInput;

/** The values shown again after a refusal: the secret typed is never sent back to the browser. */
const withoutSecret = ({ clientSecret: _, ...values }: ProviderFormValues & { clientSecret: string }) =>
  values;

/** The form as a provider fills it for editing: never its secret, nor its metadata (kept when blank). */
const formOf = (p: ProviderDetails): ProviderFormValues => ({
  name: p.name,
  kind: p.kind,
  issuer: p.issuer ?? '',
  clientId: p.client_id ?? '',
  metadata: '',
  domains: p.domains.join('\n'),
  groupsAttribute: p.groups_attribute,
  groupMappings: p.groupMappings.map((m) => `${m.groupName} = ${m.teamName}`).join('\n'),
  required: p.required,
  jit: p.jit,
  jitRoleId: p.jit_role_id ?? '',
  jitProjectId: p.jit_project_id ?? '',
});

/** The "Test connection" of a provider's page: what its saved settings give now. */
async function testConnection(deps: AppDeps, provider: ProviderDetails): Promise<ConnectionTest> {
  if (provider.kind === 'oidc') {
    try {
      const config = await discover(provider, deps.config.secretKey);
      const metadata = config.serverMetadata();
      return {
        kind: 'oidc',
        ok: true,
        issuer: metadata.issuer,
        authorizationEndpoint: metadata.authorization_endpoint ?? null,
        tokenEndpoint: metadata.token_endpoint ?? null,
      };
    } catch (error) {
      if (!(error instanceof SsoRefused)) throw error;
      return { kind: 'oidc', ok: false, problem: error.reason };
    }
  }
  const now = deps.clock.now();
  return {
    kind: 'saml',
    entityId: provider.saml_entity_id ?? '',
    ssoUrl: provider.saml_sso_url ?? '',
    certificates: (provider.saml_certificates ?? []).map((pem, index) => {
      try {
        const info = certificateInfo(pem);
        return { index, ...info, expired: info.validTo <= now, notYetValid: info.validFrom > now };
      } catch {
        return { index, unreadable: true as const };
      }
    }),
  };
}

/** The Single sign-on area: the account's identity providers. */
export function ssoProviderRoutes(deps: AppDeps) {
  const app = new Hono<AppEnv>();
  const choices = async () => ({
    roles: await deps.db.selectFrom('roles').select(['id', 'name']).orderBy('name').execute(),
    projects: await deps.db.selectFrom('projects').select(['id', 'name']).orderBy('name').execute(),
  });
  const found = (c: Context<SignedInEnv>) => getProvider(deps.db, c.req.param('id') ?? '');

  app.get('/', guard(deps, SETTINGS), async (c) =>
    renderPage(c, {
      title: 'Single sign-on',
      body: <ProvidersPage providers={await listProviders(deps.db)} />,
    }),
  );

  const formPage = async (
    c: Context<SignedInEnv>,
    options: {
      kind: IdentityProviderKind;
      values: ProviderFormValues;
      provider?: ProviderDetails;
      errors?: FormErrors;
      status?: PageStatus;
    },
  ) =>
    renderPage(c, {
      title: `${
        options.provider
          ? `Edit ${options.provider.name}`
          : `Add an identity provider (${KIND_LABELS[options.kind]})`
      } · Single sign-on`,
      status: options.status ?? 200,
      body: (
        <ProviderFormPage
          kind={options.kind}
          values={options.values}
          provider={options.provider}
          errors={options.errors ?? {}}
          {...(await choices())}
        />
      ),
    });

  const chooseKind = (c: Context<SignedInEnv>, error?: string) =>
    renderPage(c, {
      title: 'Add an identity provider · Single sign-on',
      status: error ? 422 : 200,
      body: <ChooseKindPage errors={error ? { kind: error } : {}} />,
    });

  // The kind first, on a step of its own: the form then shows that kind's fields alone.
  app.get('/new', guard(deps, SETTINGS), (c) => {
    const kind = c.req.query('kind');
    if (kind === undefined) return chooseKind(c);
    if (!isKind(kind)) return chooseKind(c, 'Choose OpenID Connect or SAML 2.0.');
    return formPage(c, { kind, values: { ...EMPTY_PROVIDER_FORM, kind } });
  });

  app.post('/new', guard(deps, SETTINGS), async (c) => {
    const values = await readProviderForm(c);
    if (!isKind(values.kind)) return chooseKind(c, 'Choose OpenID Connect or SAML 2.0.');
    const kind = values.kind;
    try {
      const id = await createProvider(actionContext(c, deps), toInput(values, kind));
      return redirectWithFlash(
        c,
        `/sso/${id}`,
        `${values.name.trim()} added. Give the identity provider the values below, then test the connection.`,
      );
    } catch (error) {
      return renderRefusal(c, error, (errors, status) =>
        formPage(c, { kind, values: withoutSecret(values), errors, status }),
      );
    }
  });

  const providerPage = (
    c: Context<SignedInEnv>,
    provider: ProviderDetails,
    options: { test?: ConnectionTest; errors?: FormErrors; status?: PageStatus } = {},
  ) =>
    renderPage(c, {
      title: `${provider.name} · Single sign-on`,
      status: options.status ?? 200,
      body: (
        <ProviderPage
          provider={provider}
          publicUrl={deps.config.publicUrl}
          test={options.test}
          errors={options.errors}
        />
      ),
    });

  app.get('/:id', guard(deps, SETTINGS), async (c) => {
    const provider = await found(c);
    if (!provider) return renderStatusPage(c, 404);
    return providerPage(c, provider);
  });

  app.get('/:id/edit', guard(deps, SETTINGS), async (c) => {
    const provider = await found(c);
    if (!provider) return renderStatusPage(c, 404);
    return formPage(c, { kind: provider.kind, values: formOf(provider), provider });
  });

  app.post('/:id/edit', guard(deps, SETTINGS), async (c) => {
    const provider = await found(c);
    if (!provider) return renderStatusPage(c, 404);
    const values = await readProviderForm(c);
    try {
      await updateProvider(actionContext(c, deps), provider.id, toInput(values, provider.kind));
      return redirectWithFlash(c, `/sso/${provider.id}`, `${values.name.trim()} saved.`);
    } catch (error) {
      return renderRefusal(c, error, (errors, status) =>
        formPage(c, { kind: provider.kind, values: withoutSecret(values), provider, errors, status }),
      );
    }
  });

  // Test connection: a POST (it reaches out to the provider); with htmx its result alone, into
  // the page's live region, the button keeping focus; without, the page with the result.
  app.post('/:id/test-connection', guard(deps, SETTINGS), async (c) => {
    const provider = await found(c);
    if (!provider) return renderStatusPage(c, 404);
    const test = await testConnection(deps, provider);
    if (isHtmx(c)) return renderFragment(c, <ConnectionResult test={test} />);
    return providerPage(c, provider, { test });
  });

  for (const [what, enabled] of [
    ['enable', true],
    ['disable', false],
  ] as const) {
    app.post(`/:id/${what}`, guard(deps, SETTINGS), async (c) => {
      const provider = await found(c);
      if (!provider) return renderStatusPage(c, 404);
      try {
        await setProviderEnabled(actionContext(c, deps), provider.id, enabled);
        return redirectWithFlash(
          c,
          `/sso/${provider.id}`,
          enabled
            ? `${provider.name} is enabled: people of its domains sign in through it.`
            : `${provider.name} is disabled: nobody signs in through it until it is enabled again.`,
        );
      } catch (error) {
        return renderRefusal(c, error, (errors, status) => providerPage(c, provider, { errors, status }));
      }
    });
  }

  app.get('/:id/delete', guard(deps, SETTINGS), async (c) => {
    const provider = await found(c);
    if (!provider) return renderStatusPage(c, 404);
    return renderPage(c, {
      title: `Delete ${provider.name}? · Single sign-on`,
      body: <ProviderConfirmPage provider={provider} inDialog={isHtmx(c)} />,
    });
  });

  app.post('/:id/delete', guard(deps, SETTINGS), async (c) => {
    const provider = await found(c);
    if (!provider) return renderStatusPage(c, 404);
    try {
      await deleteProvider(actionContext(c, deps), provider.id);
      return redirectWithFlash(
        c,
        '/sso',
        `${provider.name} deleted, with its domains and group mappings; the people it created keep their accounts.`,
      );
    } catch (error) {
      return renderRefusal(c, error, (errors, status) =>
        renderPage(c, {
          title: `Delete ${provider.name}? · Single sign-on`,
          status,
          body: <ProviderConfirmPage provider={provider} inDialog={false} errors={errors} />,
        }),
      );
    }
  });

  return app;
}
