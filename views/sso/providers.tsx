import type { IdentityProviderKind } from '../../src/db/schema';
import type { CertificateInfo, ListedProvider, ProviderDetails } from '../../src/sso/providers';
import { samlServiceProvider } from '../../src/sso/saml-metadata';
import { ConfirmPage } from '../components/confirm';
import { DialogLink } from '../components/dialog';
import { EmptyState } from '../components/empty-state';
import {
  CheckboxField,
  ErrorSummary,
  Field,
  type FieldErrors,
  SelectField,
  TextAreaField,
} from '../components/form';
import { day } from '../components/format';
import { TableScroll } from '../components/table-scroll';

const KINDS: Record<IdentityProviderKind, string> = { oidc: 'OpenID Connect', saml: 'SAML 2.0' };

const yesNo = (value: boolean) => (value ? 'Yes' : 'No');

export function ProvidersPage({ providers }: { providers: ListedProvider[] }) {
  return (
    <section>
      <h1>Single sign-on</h1>
      <p>
        The identity providers through which people sign in to Gatehouse: each claims email domains, and the
        people of those domains sign in there. <a href="/sso/new">Add an identity provider</a>
      </p>
      {providers.length === 0 ? (
        <EmptyState id="no-providers">
          No identity providers yet: everyone signs in with a password.{' '}
          <a href="/sso/new">Add an identity provider</a> to let people sign in with their company’s login.
        </EmptyState>
      ) : (
        <TableScroll captionId="providers-caption">
          <table>
            <caption id="providers-caption">Identity providers ({providers.length})</caption>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Protocol</th>
                <th scope="col">Domains</th>
                <th scope="col">Required</th>
                <th scope="col">Creates accounts</th>
                <th scope="col">Status</th>
              </tr>
            </thead>
            <tbody>
              {providers.map((p) => (
                <tr>
                  <th scope="row">
                    <a href={`/sso/${p.id}`}>{p.name}</a>
                  </th>
                  <td>{KINDS[p.kind]}</td>
                  <td>{p.domains.length > 0 ? p.domains.join(', ') : 'None'}</td>
                  <td>{yesNo(p.required)}</td>
                  <td>{yesNo(p.jit)}</td>
                  <td>{p.enabled ? 'Enabled' : 'Disabled'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableScroll>
      )}
    </section>
  );
}

/** The first step of "Add": the protocol, so that the form shows only its fields (no script needed). */
export function ChooseKindPage({ errors }: { errors: FieldErrors }) {
  return (
    <section class="narrow">
      <p>
        <a href="/sso">Single sign-on</a>
      </p>
      <h1>Add an identity provider</h1>
      <ErrorSummary errors={errors} labels={{ kind: 'Protocol' }} />
      <form method="get" action="/sso/new">
        <fieldset
          class={errors.kind ? 'field-error' : undefined}
          aria-describedby={errors.kind ? 'kind-error' : undefined}
        >
          <legend>Protocol</legend>
          {errors.kind ? (
            <p class="error-message" id="kind-error">
              {errors.kind}
            </p>
          ) : null}
          <label class="choice">
            <input type="radio" id="kind" name="kind" value="oidc" checked /> OpenID Connect (Okta, Microsoft
            Entra ID, Google Workspace, Keycloak…)
          </label>
          <label class="choice">
            <input type="radio" name="kind" value="saml" /> SAML 2.0 (AD FS, Shibboleth, or any provider with
            SAML metadata)
          </label>
        </fieldset>
        <div class="actions">
          <button type="submit">Continue</button>
          <a href="/sso">Cancel</a>
        </div>
      </form>
    </section>
  );
}

export interface ProviderFormValues {
  name: string;
  kind: string;
  issuer: string;
  clientId: string;
  metadata: string;
  domains: string;
  groupsAttribute: string;
  groupMappings: string;
  required: boolean;
  jit: boolean;
  jitRoleId: string;
  jitProjectId: string;
}

export const EMPTY_PROVIDER_FORM: ProviderFormValues = {
  name: '',
  kind: 'oidc',
  issuer: '',
  clientId: '',
  metadata: '',
  domains: '',
  groupsAttribute: 'groups',
  groupMappings: '',
  required: false,
  jit: false,
  jitRoleId: '',
  jitProjectId: '',
};

const LABELS = {
  name: 'Name',
  kind: 'Protocol',
  issuer: 'Issuer URL',
  clientId: 'Client id',
  clientSecret: 'Client secret',
  metadata: 'Identity provider metadata (XML)',
  domains: 'Email domains',
  groupsAttribute: 'Groups claim or attribute',
  groupMappings: 'Group mappings',
  required: 'Require single sign-on',
  jit: 'Create accounts at first sign-in',
  jitRoleId: 'Role of the accounts it creates',
  jitProjectId: 'Project of that role',
};

/** Add (one kind's fields) or edit a provider: the same form. */
export function ProviderFormPage({
  kind,
  values,
  provider,
  errors,
  roles,
  projects,
}: {
  kind: IdentityProviderKind;
  values: ProviderFormValues;
  /** Editing this one; adding when absent. */
  provider?: ProviderDetails | undefined;
  errors: FieldErrors;
  roles: Array<{ id: string; name: string }>;
  projects: Array<{ id: string; name: string }>;
}) {
  const editing = provider !== undefined;
  const action = editing ? `/sso/${provider.id}/edit` : '/sso/new';
  const back = editing ? `/sso/${provider.id}` : '/sso';
  return (
    <section class="narrow">
      <p>
        <a href="/sso">Single sign-on</a>
        {editing ? (
          <>
            {' › '}
            <a href={back}>{provider.name}</a>
          </>
        ) : null}
      </p>
      <h1>{editing ? `Edit ${provider.name}` : `Add an identity provider: ${KINDS[kind]}`}</h1>
      <ErrorSummary errors={errors} labels={LABELS} />
      {editing ? null : (
        <p>
          <a href="/sso/new">Choose another protocol</a>
        </p>
      )}
      <form method="post" action={action} enctype="multipart/form-data" novalidate>
        {editing ? null : <input type="hidden" name="kind" value={kind} />}
        <Field
          name="name"
          label={LABELS.name}
          value={values.name}
          required
          hint="As people will see it: “Sign in with …”."
          error={errors.name}
          autocomplete="off"
        />
        {kind === 'oidc' ? (
          <fieldset>
            <legend>OpenID Connect</legend>
            <Field
              name="issuer"
              label={LABELS.issuer}
              value={values.issuer}
              required
              hint="As the provider gives it, such as https://login.example.com: Gatehouse reads its discovery document (/.well-known/openid-configuration). https only (http for 127.0.0.1 or localhost)."
              error={errors.issuer}
              autocomplete="off"
            />
            <Field
              name="clientId"
              label={LABELS.clientId}
              value={values.clientId}
              required
              hint="The id of the application registered for Gatehouse at the provider."
              error={errors.clientId}
              autocomplete="off"
            />
            {/* new-password: a password manager must not fill in the admin's own password here. */}
            <Field
              name="clientSecret"
              label={LABELS.clientSecret}
              type="password"
              value=""
              required={!editing}
              hint={
                editing
                  ? 'Leave blank to keep the current secret. Gatehouse keeps it encrypted and never shows it.'
                  : 'Gatehouse keeps it encrypted and never shows it again.'
              }
              error={errors.clientSecret}
              autocomplete="new-password"
            />
          </fieldset>
        ) : (
          <fieldset>
            <legend>SAML 2.0</legend>
            <TextAreaField
              name="metadata"
              label={LABELS.metadata}
              value={values.metadata}
              rows={8}
              required={!editing}
              hint={
                editing && provider.saml_entity_id
                  ? `Leave blank to keep the current metadata (entity id ${provider.saml_entity_id}); paste the new one when the provider changes its certificate or address.`
                  : 'Paste the metadata the provider publishes: its entity id, sign-in URL and signing certificates are read from it.'
              }
              error={errors.metadata}
            />
          </fieldset>
        )}
        <fieldset>
          <legend>Who signs in here</legend>
          <TextAreaField
            name="domains"
            label={LABELS.domains}
            value={values.domains}
            rows={3}
            hint="One per line, or separated by commas, such as example.com: people whose email address is at one of these domains sign in through this provider. A domain belongs to one provider."
            error={errors.domains}
          />
          <CheckboxField
            name="required"
            label={LABELS.required}
            checked={values.required}
            hint="The people of these domains can no longer sign in with a password. Account Admins keep theirs, as a way in when the provider fails."
          />
        </fieldset>
        <fieldset>
          <legend>Accounts made at first sign-in</legend>
          <CheckboxField
            name="jit"
            label={LABELS.jit}
            checked={values.jit}
            hint="Someone of these domains without an account gets one when they first sign in, with the role below."
          />
          <SelectField
            name="jitRoleId"
            label={LABELS.jitRoleId}
            value={values.jitRoleId}
            options={[
              { value: '', label: 'Choose a role' },
              ...roles.map((r) => ({ value: r.id, label: r.name })),
            ]}
            error={errors.jitRoleId}
          />
          <SelectField
            name="jitProjectId"
            label={LABELS.jitProjectId}
            value={values.jitProjectId}
            options={[
              { value: '', label: 'Choose a project' },
              ...projects.map((p) => ({ value: p.id, label: p.name })),
            ]}
            error={errors.jitProjectId}
          />
        </fieldset>
        <fieldset>
          <legend>Groups and teams</legend>
          <Field
            name="groupsAttribute"
            label={LABELS.groupsAttribute}
            value={values.groupsAttribute}
            hint={
              kind === 'oidc'
                ? 'The ID token or user info claim that lists the person’s groups; groups when left blank.'
                : 'The name of the assertion’s attribute that lists the person’s groups; groups when left blank.'
            }
            error={errors.groupsAttribute}
            autocomplete="off"
          />
          <TextAreaField
            name="groupMappings"
            label={LABELS.groupMappings}
            value={values.groupMappings}
            rows={4}
            hint="One per line: group name = Team name (a group can go to several teams, a line each). At each sign-in, the person joins the teams of their groups and leaves those of groups they left."
            error={errors.groupMappings}
          />
        </fieldset>
        <div class="actions">
          <button type="submit">{editing ? 'Save' : 'Add the identity provider'}</button>
          <a href={back}>Cancel</a>
        </div>
      </form>
    </section>
  );
}

export type CertificateCheck =
  | { index: number; unreadable: true }
  | (CertificateInfo & { index: number; expired: boolean; notYetValid: boolean; unreadable?: undefined });

/** What "Test connection" found, with the provider's saved settings. */
export type ConnectionTest =
  | {
      kind: 'oidc';
      ok: true;
      issuer: string;
      authorizationEndpoint: string | null;
      tokenEndpoint: string | null;
    }
  | { kind: 'oidc'; ok: false; problem: string }
  | { kind: 'saml'; entityId: string; ssoUrl: string; certificates: CertificateCheck[] };

/** The test's result: the fragment htmx puts in the page's live region, or part of the page. */
export function ConnectionResult({ test }: { test: ConnectionTest }) {
  if (test.kind === 'oidc') {
    if (!test.ok)
      return (
        <div class="callout" data-result="failed">
          <h3>The connection failed</h3>
          <p>Gatehouse could not use the provider’s discovery document: {test.problem}.</p>
          <p>Check the issuer URL (and that this server can reach it), then test again.</p>
        </div>
      );
    return (
      <div class="callout" data-result="ok">
        <h3>The connection works</h3>
        <p>The provider answered with its discovery document.</p>
        <dl class="details">
          <dt>Issuer</dt>
          <dd>
            <code>{test.issuer}</code>
          </dd>
          <dt>Authorization endpoint</dt>
          <dd>
            <code>{test.authorizationEndpoint ?? 'None given'}</code>
          </dd>
          <dt>Token endpoint</dt>
          <dd>
            <code>{test.tokenEndpoint ?? 'None given'}</code>
          </dd>
        </dl>
      </div>
    );
  }
  const usable = test.certificates.filter((c) => !c.unreadable && !c.expired && !c.notYetValid);
  const problems = test.certificates.length === 0 || usable.length < test.certificates.length;
  return (
    <div class="callout" data-result={usable.length === 0 ? 'failed' : problems ? 'warning' : 'ok'}>
      <h3>
        {usable.length === 0
          ? 'No certificate can check this provider’s answers'
          : problems
            ? 'Settings read, with a warning'
            : 'Settings read'}
      </h3>
      <dl class="details">
        <dt>Entity id</dt>
        <dd>
          <code>{test.entityId}</code>
        </dd>
        <dt>Sign-in URL</dt>
        <dd>
          <code>{test.ssoUrl}</code>
        </dd>
      </dl>
      <h4>Signing certificates ({test.certificates.length})</h4>
      {test.certificates.length === 0 ? (
        <EmptyState>
          The metadata holds no signing certificate: edit the provider and paste its full metadata.
        </EmptyState>
      ) : (
        <ul>
          {test.certificates.map((c) =>
            c.unreadable ? (
              <li>
                <strong>Warning:</strong> certificate {c.index + 1} cannot be read.
              </li>
            ) : (
              <li>
                {c.subject}: valid from {day(c.validFrom)} until {day(c.validTo)}
                {c.expired ? (
                  <>
                    {' '}
                    <strong>Warning: expired on {day(c.validTo)}.</strong> Answers signed with it are refused:
                    paste the provider’s new metadata.
                  </>
                ) : c.notYetValid ? (
                  <>
                    {' '}
                    <strong>Warning: not valid before {day(c.validFrom)}.</strong>
                  </>
                ) : null}
              </li>
            ),
          )}
        </ul>
      )}
      <p>A SAML provider is not called until someone signs in: try a sign-in to check the whole way.</p>
    </div>
  );
}

/** What the identity provider's administrator needs from Gatehouse. */
function ValuesForProvider({ provider, publicUrl }: { provider: ProviderDetails; publicUrl: string }) {
  if (provider.kind === 'oidc')
    return (
      <dl class="details">
        <dt>Redirect URI</dt>
        <dd>
          <code>{`${publicUrl}/sso/${provider.id}/oidc/callback`}</code>
        </dd>
        <dt>Scopes</dt>
        <dd>
          <code>openid email profile</code>, and the groups claim if teams are mapped
        </dd>
      </dl>
    );
  const sp = samlServiceProvider({ publicUrl }, provider);
  return (
    <>
      <dl class="details">
        <dt>Entity id (audience)</dt>
        <dd>
          <code>{sp.entityId}</code>
        </dd>
        <dt>Assertion consumer service URL</dt>
        <dd>
          <code>{sp.acsUrl}</code>
        </dd>
      </dl>
      <p>
        <a href={`/sso/${provider.id}/saml/metadata`}>Gatehouse’s SAML metadata for this provider</a> (to
        import at the identity provider instead of typing the values).
      </p>
    </>
  );
}

export function ProviderPage({
  provider,
  publicUrl,
  test,
  errors = {},
}: {
  provider: ProviderDetails;
  publicUrl: string;
  test?: ConnectionTest | undefined;
  errors?: FieldErrors | undefined;
}) {
  const certificates = provider.saml_certificates ?? [];
  return (
    <section>
      <p>
        <a href="/sso">Single sign-on</a>
      </p>
      <h1>{provider.name}</h1>
      <ErrorSummary errors={errors} labels={{}} />
      <dl class="details">
        <dt>Status</dt>
        <dd>{provider.enabled ? 'Enabled' : 'Disabled: nobody signs in through it'}</dd>
        <dt>Protocol</dt>
        <dd>{KINDS[provider.kind]}</dd>
        {provider.kind === 'oidc' ? (
          <>
            <dt>Issuer</dt>
            <dd>
              <code>{provider.issuer}</code>
            </dd>
            <dt>Client id</dt>
            <dd>
              <code>{provider.client_id}</code>
            </dd>
            <dt>Client secret</dt>
            <dd>{provider.client_secret_sealed ? 'Set (kept encrypted, never shown)' : 'None'}</dd>
          </>
        ) : (
          <>
            <dt>Entity id</dt>
            <dd>
              <code>{provider.saml_entity_id}</code>
            </dd>
            <dt>Sign-in URL</dt>
            <dd>
              <code>{provider.saml_sso_url}</code>
            </dd>
            <dt>Signing certificates</dt>
            <dd>{certificates.length}</dd>
          </>
        )}
        <dt>Email domains</dt>
        <dd>
          {provider.domains.length > 0 ? (
            provider.domains.join(', ')
          ) : (
            <EmptyState id="no-domains">
              None: no address is sent to this provider. <a href={`/sso/${provider.id}/edit`}>Edit it</a> to
              claim your company’s email domains.
            </EmptyState>
          )}
        </dd>
        <dt>Single sign-on required</dt>
        <dd>
          {provider.required
            ? 'Yes: the people of its domains cannot sign in with a password (Account Admins can)'
            : 'No: a password works too'}
        </dd>
        <dt>Accounts made at first sign-in</dt>
        <dd>{provider.jit ? 'Yes' : 'No'}</dd>
        <dt>Groups claim or attribute</dt>
        <dd>
          <code>{provider.groups_attribute}</code>
        </dd>
        <dt>Group mappings</dt>
        <dd>
          {provider.groupMappings.length > 0 ? (
            <ul class="plain">
              {provider.groupMappings.map((m) => (
                <li>
                  {m.groupName} → <a href={`/teams/${m.teamId}`}>{m.teamName}</a>
                </li>
              ))}
            </ul>
          ) : (
            <EmptyState id="no-group-mappings">
              None: signing in through it adds nobody to a team.{' '}
              <a href={`/sso/${provider.id}/edit`}>Edit it</a> to map the provider’s groups to teams.
            </EmptyState>
          )}
        </dd>
        <dt>Added</dt>
        <dd>{day(provider.created_at)}</dd>
      </dl>

      <h2>Values for the identity provider</h2>
      <p>Register Gatehouse at the identity provider with these:</p>
      <ValuesForProvider provider={provider} publicUrl={publicUrl} />

      <h2>Check the connection</h2>
      <form
        method="post"
        action={`/sso/${provider.id}/test-connection`}
        hx-post={`/sso/${provider.id}/test-connection`}
        hx-target="#connection-result"
        hx-swap="innerHTML"
      >
        <div class="actions">
          <button type="submit" class="button-secondary">
            Test connection
          </button>
          <span class="htmx-indicator">Testing…</span>
          <a href={`/sso/${provider.id}/test`} target="_blank" rel="noopener">
            Try a sign-in in a new window
          </a>
        </div>
      </form>
      <div id="connection-result" role="status">
        {test ? <ConnectionResult test={test} /> : null}
      </div>

      <h2>Actions</h2>
      <div class="actions">
        <a href={`/sso/${provider.id}/edit`}>Edit</a>
        <form method="post" action={`/sso/${provider.id}/${provider.enabled ? 'disable' : 'enable'}`}>
          <button type="submit" class="button-secondary">
            {provider.enabled ? 'Disable' : 'Enable'}
          </button>
        </form>
        <DialogLink href={`/sso/${provider.id}/delete`}>Delete</DialogLink>
      </div>
    </section>
  );
}

/** Deleting a provider: asked first (the dialog, or this page without JavaScript). */
export function ProviderConfirmPage({
  provider,
  inDialog,
  errors,
}: {
  provider: Pick<ProviderDetails, 'id' | 'name'>;
  inDialog: boolean;
  errors?: FieldErrors;
}) {
  return (
    <ConfirmPage
      inDialog={inDialog}
      title={`Delete ${provider.name}?`}
      action={`/sso/${provider.id}/delete`}
      confirmLabel="Delete the identity provider"
      cancelHref={`/sso/${provider.id}`}
      errors={errors}
    >
      <p>
        Nobody can sign in through it any more: its domains, group mappings and the links between people and
        their identity there go with it. The people it created keep their accounts, teams and access. This
        cannot be undone.
      </p>
    </ConfirmPage>
  );
}
