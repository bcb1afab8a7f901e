import type { TokenListing } from '../../src/api/tokens';
import { ConfirmPage } from '../components/confirm';
import { DialogLink } from '../components/dialog';
import { EmptyState } from '../components/empty-state';
import { ErrorSummary, Field, type FieldErrors, SelectField } from '../components/form';
import { TableScroll } from '../components/table-scroll';
import { Time } from '../components/time';

/** Field names of their own: the token form shares My account's page with the profile's `name`. */
export const TOKEN_LABELS = { token_name: 'Token name', expiresDays: 'Expires', permissions: 'Permissions' };

export interface TokenFormValues {
  name: string;
  expiresDays: string;
  permissions: string[];
}

export const EMPTY_TOKEN: TokenFormValues = { name: '', expiresDays: '90', permissions: [] };

const EXPIRY = [
  ['7', 'In 7 days'],
  ['30', 'In 30 days'],
  ['90', 'In 90 days'],
  ['180', 'In 180 days'],
  ['366', 'In a year'],
] as const;

/**
 * A person's or a service account's API tokens: the list (never a secret), revoke, and the form
 * for a new one. `base`: /account/tokens, or /service-accounts/<id>/tokens.
 */
export function TokensSection({
  tokens,
  base,
  whose,
  choosable,
  mayNeverExpire,
  values = EMPTY_TOKEN,
  errors = {},
  now,
}: {
  tokens: TokenListing[];
  base: string;
  whose: string;
  /** The permissions the owner holds, [key, label]: a token may have some of them. */
  choosable: ReadonlyArray<readonly [string, string]>;
  mayNeverExpire: boolean;
  values?: TokenFormValues;
  errors?: FieldErrors;
  now: Date;
}) {
  const state = (t: TokenListing) =>
    t.revokedAt ? 'Revoked' : t.expiresAt && t.expiresAt <= now ? 'Expired' : 'Active';
  return (
    <section aria-labelledby="tokens-title">
      <h2 id="tokens-title">API tokens</h2>
      <p>
        A token lets a program use the API as {whose}, limited to the permissions you choose (never more than{' '}
        {whose === 'you' ? 'yours' : 'its'}, and less when those change). Send it as{' '}
        <code>Authorization: Bearer gh_…</code>.
      </p>
      {tokens.length > 0 ? (
        <TableScroll captionId="tokens-caption">
          <table>
            <caption id="tokens-caption" class="visually-hidden">
              API tokens
            </caption>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Permissions</th>
                <th scope="col">Expires</th>
                <th scope="col">Last used</th>
                <th scope="col">State</th>
                <th scope="col">
                  <span class="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {tokens.map((t) => (
                <tr>
                  <th scope="row">{t.name}</th>
                  <td>
                    {t.permissions ? t.permissions.join(', ') : `All of ${whose === 'you' ? 'yours' : 'its'}`}
                  </td>
                  <td>{t.expiresAt ? <Time at={t.expiresAt} /> : 'Never'}</td>
                  <td>
                    {t.lastUsedAt ? (
                      <>
                        <Time at={t.lastUsedAt} />
                        {t.lastUsedIp ? ` from ${t.lastUsedIp}` : ''}
                      </>
                    ) : (
                      'Never'
                    )}
                  </td>
                  <td>{state(t)}</td>
                  <td>
                    {state(t) === 'Active' ? (
                      <DialogLink href={`${base}/${t.id}/revoke`}>
                        Revoke<span class="visually-hidden"> {t.name}</span>
                      </DialogLink>
                    ) : null}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableScroll>
      ) : (
        <EmptyState id="no-tokens">
          No API tokens yet. <a href="#new-token-title">Create a token</a> below for each program that uses
          the API as {whose}.
        </EmptyState>
      )}
      <h3 id="new-token-title">New token</h3>
      <ErrorSummary errors={errors} labels={TOKEN_LABELS} />
      <form method="post" action={base} novalidate aria-labelledby="new-token-title">
        <Field
          name="token_name"
          label={TOKEN_LABELS.token_name}
          value={values.name}
          hint="What uses it, for example “HR sync”."
          required
          error={errors.token_name}
        />
        <SelectField
          name="expiresDays"
          label={TOKEN_LABELS.expiresDays}
          options={[
            ...EXPIRY.map(([value, label]) => ({ value, label })),
            ...(mayNeverExpire ? [{ value: 'never', label: 'Never' }] : []),
          ]}
          value={values.expiresDays}
          error={errors.expiresDays}
        />
        <fieldset aria-describedby="permissions-hint">
          <legend>{TOKEN_LABELS.permissions}</legend>
          <p id="permissions-hint" class="hint">
            None chosen: everything {whose === 'you' ? 'you' : 'it'} may do.
          </p>
          {errors.permissions ? (
            <p class="error" id="permissions-error">
              <span class="visually-hidden">Error: </span>
              {errors.permissions}
            </p>
          ) : null}
          {choosable.length === 0 ? (
            <EmptyState id="no-permissions">
              {whose === 'you'
                ? 'You hold no permission yet, so a token could do nothing: ask an administrator for a role first.'
                : `${whose} holds no permission yet, so a token could do nothing: give it a role first, on its roles and access page.`}
            </EmptyState>
          ) : null}
          {choosable.map(([key, label]) => (
            <label class="choice">
              <input
                type="checkbox"
                name="permissions"
                value={key}
                checked={values.permissions.includes(key)}
              />{' '}
              {label} <code>{key}</code>
            </label>
          ))}
        </fieldset>
        <button type="submit">Create token</button>
      </form>
    </section>
  );
}

/** The new token, shown once. */
export function NewTokenPage({ name, token, back }: { name: string; token: string; back: string }) {
  return (
    <section class="narrow">
      <h1>Token “{name}” created</h1>
      <p role="status">Copy it now: it is not shown again. Gatehouse keeps only its hash.</p>
      <p>
        <code class="secret">{token}</code>
      </p>
      <p>
        <a href={back}>Done</a>
      </p>
    </section>
  );
}

export function RevokeTokenPage({
  token,
  base,
  back,
  inDialog,
  errors,
}: {
  token: Pick<TokenListing, 'id' | 'name'>;
  base: string;
  back: string;
  inDialog: boolean;
  errors?: FieldErrors;
}) {
  return (
    <ConfirmPage
      inDialog={inDialog}
      title={`Revoke the token “${token.name}”?`}
      action={`${base}/${token.id}/revoke`}
      confirmLabel="Revoke the token"
      cancelHref={back}
      errors={errors}
    >
      <p>Programs using it are refused from the next request. This cannot be undone.</p>
    </ConfirmPage>
  );
}
