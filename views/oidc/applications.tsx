import type { Selectable } from 'kysely';
import type { ApplicationsTable } from '../../src/db/schema';
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

type Application = Selectable<ApplicationsTable>;
type Listed = Pick<
  Application,
  'id' | 'client_id' | 'name' | 'app_type' | 'project_ids' | 'first_party' | 'active' | 'created_at'
>;

const TYPES = {
  web: 'Web app with a server',
  spa: 'Single-page app',
  native: 'Native or desktop app',
} as const;

const projectNames = (ids: string[] | null, projects: Array<{ id: string; name: string }>) =>
  ids === null
    ? 'All projects'
    : projects
        .filter((p) => ids.includes(p.id))
        .map((p) => p.name)
        .join(', ');

export function ApplicationsPage({
  applications,
  projects,
}: {
  applications: Listed[];
  projects: Array<{ id: string; name: string }>;
}) {
  return (
    <section>
      <h1>Applications</h1>
      <p>
        The apps that sign people in through Gatehouse (OpenID Connect). Each gets the person's roles and
        permissions in the project it serves. <a href="/applications/new">Register an application</a>
      </p>
      {applications.length === 0 ? (
        <EmptyState id="no-applications">
          No applications yet. <a href="/applications/new">Register an application</a> to let it sign people
          in through Gatehouse.
        </EmptyState>
      ) : (
        <TableScroll captionId="applications-caption">
          <table>
            <caption id="applications-caption">Registered applications ({applications.length})</caption>
            <thead>
              <tr>
                <th scope="col">Application</th>
                <th scope="col">Client id</th>
                <th scope="col">Type</th>
                <th scope="col">Projects</th>
                <th scope="col">Status</th>
                <th scope="col">Registered</th>
              </tr>
            </thead>
            <tbody>
              {applications.map((a) => (
                <tr>
                  <th scope="row">
                    <a href={`/applications/${a.id}`}>{a.name}</a>
                  </th>
                  <td>
                    <code>{a.client_id}</code>
                  </td>
                  <td>
                    {TYPES[a.app_type]}
                    {a.first_party ? ', first-party' : ''}
                  </td>
                  <td>{projectNames(a.project_ids, projects)}</td>
                  <td>{a.active ? 'Active' : 'Deactivated'}</td>
                  <td>{day(a.created_at)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableScroll>
      )}
    </section>
  );
}

export interface ApplicationForm {
  name: string;
  type: string;
  redirectUris: string;
  postLogoutRedirectUris: string;
  backchannelLogoutUri: string;
  apiResources: string;
  projects: string[];
  firstParty: boolean;
}

export const EMPTY_APPLICATION: ApplicationForm = {
  name: '',
  type: 'web',
  redirectUris: '',
  postLogoutRedirectUris: '',
  backchannelLogoutUri: '',
  apiResources: '',
  projects: [],
  firstParty: false,
};

const LABELS = {
  name: 'Name',
  type: 'Type',
  redirectUris: 'Redirect URIs',
  postLogoutRedirectUris: 'Post-logout redirect URIs',
  backchannelLogoutUri: 'Back-channel logout URI',
  apiResources: 'API identifiers',
  projects: 'Projects',
};

export function NewApplicationPage({
  values,
  projects,
  errors = {},
}: {
  values: ApplicationForm;
  projects: Array<{ id: string; name: string }>;
  errors?: FieldErrors;
}) {
  return (
    <section class="narrow">
      <p>
        <a href="/applications">Applications</a>
      </p>
      <h1>Register an application</h1>
      <ErrorSummary errors={errors} labels={LABELS} />
      <form method="post" action="/applications" novalidate>
        <Field name="name" label={LABELS.name} value={values.name} required error={errors.name} />
        <SelectField
          name="type"
          label={LABELS.type}
          value={values.type}
          options={Object.entries(TYPES).map(([value, label]) => ({ value, label }))}
          hint="A web app with a server keeps a client secret; the others are public clients (PKCE alone)."
          error={errors.type}
        />
        <TextAreaField
          name="redirectUris"
          label={LABELS.redirectUris}
          value={values.redirectUris}
          rows={3}
          required
          hint="One per line, matched exactly: https, or http to 127.0.0.1, [::1] or localhost."
          error={errors.redirectUris}
        />
        <TextAreaField
          name="postLogoutRedirectUris"
          label={LABELS.postLogoutRedirectUris}
          value={values.postLogoutRedirectUris}
          rows={2}
          hint="Optional, one per line: where the app may send people after signing them out."
          error={errors.postLogoutRedirectUris}
        />
        <Field
          name="backchannelLogoutUri"
          label={LABELS.backchannelLogoutUri}
          value={values.backchannelLogoutUri}
          hint="Optional: Gatehouse posts a signed logout token here when someone's sessions end."
          error={errors.backchannelLogoutUri}
        />
        <TextAreaField
          name="apiResources"
          label={LABELS.apiResources}
          value={values.apiResources}
          rows={2}
          hint="Optional, one per line (its API's URL): an access token asked for one (resource=) is a JWT for it."
          error={errors.apiResources}
        />
        <fieldset aria-describedby="projects-hint">
          <legend>{LABELS.projects}</legend>
          <p class="hint" id="projects-hint">
            The projects it serves; none ticked: all of them.
          </p>
          {errors.projects ? <p class="error">{errors.projects}</p> : null}
          {projects.map((p) => (
            <div class="field">
              <label>
                <input
                  type="checkbox"
                  name="projects"
                  value={p.id}
                  checked={values.projects.includes(p.id)}
                />{' '}
                {p.name}
              </label>
            </div>
          ))}
        </fieldset>
        <CheckboxField
          name="firstParty"
          label="First-party"
          checked={values.firstParty}
          hint="Your own product: people are not asked to consent."
        />
        <div class="actions">
          <button type="submit">Register</button>
          <a href="/applications">Cancel</a>
        </div>
      </form>
    </section>
  );
}

/** The client secret, once: it is stored only as a hash. */
export function SecretPage({
  title,
  clientId,
  secret,
  appId,
}: {
  title: string;
  clientId: string;
  secret: string | null;
  appId: string;
}) {
  return (
    <section class="narrow">
      <h1>{title}</h1>
      <dl class="details">
        <dt>Client id</dt>
        <dd>
          <code>{clientId}</code>
        </dd>
        {secret ? (
          <>
            <dt>Client secret</dt>
            <dd>
              <code>{secret}</code>
            </dd>
          </>
        ) : null}
      </dl>
      {secret ? (
        <p role="status">Copy the client secret now: it is not shown again. Gatehouse keeps only its hash.</p>
      ) : (
        <p>A public client has no secret: it proves itself with PKCE.</p>
      )}
      <p>
        <a href={`/applications/${appId}`}>Go to the application</a>
      </p>
    </section>
  );
}

export function ApplicationPage({
  app,
  projects,
}: {
  app: Application;
  projects: Array<{ id: string; name: string }>;
}) {
  return (
    <section>
      <p>
        <a href="/applications">Applications</a>
      </p>
      <h1>{app.name}</h1>
      <dl class="details">
        <dt>Status</dt>
        <dd>{app.active ? 'Active' : 'Deactivated: it cannot sign anyone in'}</dd>
        <dt>Client id</dt>
        <dd>
          <code>{app.client_id}</code>
        </dd>
        <dt>Type</dt>
        <dd>
          {TYPES[app.app_type]}
          {app.secret_hash ? ' (confidential: client secret)' : ' (public: PKCE alone)'}
          {app.first_party ? ', first-party' : ''}
        </dd>
        <dt>Projects</dt>
        <dd>{projectNames(app.project_ids, projects)}</dd>
        <dt>Redirect URIs</dt>
        <dd>{app.redirect_uris.join(', ')}</dd>
        <dt>Post-logout redirect URIs</dt>
        <dd>{app.post_logout_redirect_uris.join(', ') || 'None'}</dd>
        <dt>Back-channel logout URI</dt>
        <dd>{app.backchannel_logout_uri ?? 'None'}</dd>
        <dt>API identifiers</dt>
        <dd>{app.api_resources.join(', ') || 'None'}</dd>
        <dt>Registered</dt>
        <dd>{day(app.created_at)}</dd>
      </dl>
      <h2>Actions</h2>
      <div class="actions">
        {app.secret_hash ? (
          <DialogLink href={`/applications/${app.id}/rotate-secret`}>Rotate the client secret</DialogLink>
        ) : null}
        <form method="post" action={`/applications/${app.id}/${app.active ? 'deactivate' : 'reactivate'}`}>
          <button type="submit" class="button-secondary">
            {app.active ? 'Deactivate' : 'Reactivate'}
          </button>
        </form>
        <DialogLink href={`/applications/${app.id}/delete`}>Delete</DialogLink>
      </div>
    </section>
  );
}

/** Rotating the secret or deleting the app: asked first (a dialog, or this page without JavaScript). */
export function ApplicationConfirmPage({
  app,
  what,
  inDialog,
  errors,
}: {
  app: Pick<Application, 'id' | 'name'>;
  what: 'rotate-secret' | 'delete';
  inDialog: boolean;
  errors?: FieldErrors;
}) {
  const rotate = what === 'rotate-secret';
  return (
    <ConfirmPage
      inDialog={inDialog}
      title={rotate ? `Rotate the secret of ${app.name}?` : `Delete ${app.name}?`}
      action={`/applications/${app.id}/${what}`}
      confirmLabel={rotate ? 'Rotate the secret' : 'Delete the application'}
      cancelHref={`/applications/${app.id}`}
      errors={errors}
    >
      <p>
        {rotate
          ? 'The current secret stops working at once: the app must be given the new one, shown once on the next page.'
          : 'It can no longer sign anyone in, and every session and token it holds ends now. This cannot be undone.'}
      </p>
    </ConfirmPage>
  );
}
