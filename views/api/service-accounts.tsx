import type { TokenListing } from '../../src/api/tokens';
import { EmptyState } from '../components/empty-state';
import { ErrorSummary, Field, type FieldErrors } from '../components/form';
import { TableScroll } from '../components/table-scroll';
import { Day } from '../components/time';
import { type TokenFormValues, TokensSection } from './tokens';

export interface ServiceAccountRow {
  id: string;
  name: string;
  email: string;
  createdAt: Date;
  deactivated: boolean;
  activeTokens: number;
}

export function ServiceAccountsPage({
  accounts,
  values = { name: '' },
  errors = {},
}: {
  accounts: ServiceAccountRow[];
  values?: { name: string };
  errors?: FieldErrors;
}) {
  return (
    <section>
      <h1>Service accounts</h1>
      <p>
        A service account is how a program (an HR sync, the product’s backend) uses the API: it never signs
        in, has role bindings like anyone, and acts through its API tokens.
      </p>
      {accounts.length > 0 ? (
        <TableScroll captionId="service-accounts-caption">
          <table>
            <caption id="service-accounts-caption" class="visually-hidden">
              Service accounts
            </caption>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Active tokens</th>
                <th scope="col">Created</th>
                <th scope="col">State</th>
              </tr>
            </thead>
            <tbody>
              {accounts.map((a) => (
                <tr>
                  <th scope="row">
                    <a href={`/service-accounts/${a.id}`}>{a.name}</a>
                  </th>
                  <td>{a.activeTokens}</td>
                  <td>
                    <Day at={a.createdAt} />
                  </td>
                  <td>{a.deactivated ? 'Deactivated' : 'Active'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableScroll>
      ) : (
        <EmptyState id="no-service-accounts">
          No service accounts yet. <a href="#new-service-account-title">Create a service account</a> below for
          each program that uses the API, then give it roles and a token.
        </EmptyState>
      )}
      <h2 id="new-service-account-title">New service account</h2>
      <ErrorSummary errors={errors} labels={{ name: 'Name' }} />
      <form method="post" action="/service-accounts" novalidate aria-labelledby="new-service-account-title">
        <Field
          name="name"
          label="Name"
          value={values.name}
          hint="What it is for, for example “HR sync”."
          required
          error={errors.name}
        />
        <button type="submit">Create service account</button>
      </form>
    </section>
  );
}

export function ServiceAccountPage({
  account,
  tokens,
}: {
  account: ServiceAccountRow;
  tokens: {
    list: TokenListing[];
    choosable: ReadonlyArray<readonly [string, string]>;
    mayNeverExpire: boolean;
    form?: { values: TokenFormValues; errors: FieldErrors } | undefined;
    now: Date;
  };
}) {
  return (
    <section>
      <p>
        <a href="/service-accounts">Service accounts</a>
      </p>
      <h1>{account.name}</h1>
      <dl class="details">
        <dt>Identifier</dt>
        <dd>
          <code>{account.id}</code>
        </dd>
        <dt>State</dt>
        <dd>{account.deactivated ? 'Deactivated: its tokens are refused' : 'Active'}</dd>
      </dl>
      <p>
        <a href={`/users/${account.id}`}>Roles and access of {account.name}</a> (bind it to roles, deactivate
        or delete it there, as any user).
      </p>
      <TokensSection
        tokens={tokens.list}
        base={`/service-accounts/${account.id}/tokens`}
        whose={account.name}
        choosable={tokens.choosable}
        mayNeverExpire={tokens.mayNeverExpire}
        values={tokens.form?.values}
        errors={tokens.form?.errors}
        now={tokens.now}
      />
    </section>
  );
}
