import type { Context } from 'hono';
import { Hono } from 'hono';
import { z } from 'zod';
import {
  ServiceAccountPage,
  type ServiceAccountRow,
  ServiceAccountsPage,
} from '../../views/api/service-accounts';
import type { TokenFormValues } from '../../views/api/tokens';
import type { AppDeps, AppEnv } from '../web/env';
import { formFields } from '../web/form';
import { guard, type SignedInEnv } from '../web/guard';
import { type FormErrors, type PageStatus, renderRefusal } from '../web/refusal';
import { redirectWithFlash, renderPage, renderStatusPage } from '../web/render';
import { actionContext } from '../web/session';
import { createServiceAccount } from './service-accounts';
import { mountTokenPages, tokenChoices } from './token-routes';
import { tokensOf } from './tokens';

const MANAGE = { permission: 'service_accounts.manage' } as const;

/** The Service accounts area: list and create them, and each one's API tokens. */
export function serviceAccountRoutes(deps: AppDeps) {
  const app = new Hono<AppEnv>();

  const accounts = async (id?: string): Promise<ServiceAccountRow[]> => {
    let query = deps.db
      .selectFrom('users as u')
      .select((eb) => [
        'u.id',
        'u.name',
        'u.email',
        'u.created_at',
        'u.deactivated_at',
        eb
          .selectFrom('api_tokens as t')
          .select(eb.fn.countAll<number>().as('n'))
          .whereRef('t.owner_id', '=', 'u.id')
          .where('t.revoked_at', 'is', null)
          .where((w) => w.or([w('t.expires_at', 'is', null), w('t.expires_at', '>', deps.clock.now())]))
          .as('tokens'),
      ])
      .where('u.service_account', '=', true)
      .orderBy('u.name');
    if (id !== undefined) query = query.where('u.id', '=', id);
    return (await query.execute()).map((r) => ({
      id: r.id,
      name: r.name,
      email: r.email,
      createdAt: r.created_at,
      deactivated: r.deactivated_at !== null,
      activeTokens: Number(r.tokens ?? 0),
    }));
  };

  const one = async (c: Context<SignedInEnv>) => {
    const id = c.req.param('owner') ?? '';
    return z.uuid().safeParse(id).success ? ((await accounts(id))[0] ?? null) : null;
  };

  const listPage = async (
    c: Context<SignedInEnv>,
    values = { name: '' },
    errors: FormErrors = {},
    status: PageStatus = 200,
  ) =>
    renderPage(c, {
      title: 'Service accounts',
      status,
      body: <ServiceAccountsPage accounts={await accounts()} values={values} errors={errors} />,
    });

  const accountPage = async (
    c: Context<SignedInEnv>,
    account: ServiceAccountRow,
    form?: { values: TokenFormValues; errors: FormErrors; status: PageStatus },
  ) => {
    const now = deps.clock.now();
    const [list, choices] = await Promise.all([
      tokensOf(deps.db, account.id),
      tokenChoices(deps.db, account.id, c.get('user').id, now),
    ]);
    return renderPage(c, {
      title: `${account.name} · Service accounts`,
      status: form?.status ?? 200,
      body: <ServiceAccountPage account={account} tokens={{ list, ...choices, form, now }} />,
    });
  };

  app.get('/', guard(deps, MANAGE), (c) => listPage(c));

  app.post('/', guard(deps, MANAGE), async (c) => {
    const form = await formFields(c, ['name']);
    try {
      const created = await createServiceAccount(actionContext(c, deps), form);
      return redirectWithFlash(
        c,
        `/service-accounts/${created.id}`,
        `Service account ${created.name} created.`,
      );
    } catch (error) {
      return renderRefusal(c, error, (errors, status) =>
        listPage(c, { name: form.name ?? '' }, errors, status),
      );
    }
  });

  app.get('/:owner', guard(deps, MANAGE), async (c) => {
    const account = await one(c);
    return account ? accountPage(c, account) : renderStatusPage(c, 404);
  });

  mountTokenPages(app, deps, {
    path: '/:owner/tokens',
    guard: guard(deps, MANAGE),
    ownerOf: one,
    back: (owner) => `/service-accounts/${owner.id}`,
    base: (owner) => `/service-accounts/${owner.id}/tokens`,
    section: (owner) => `${owner.name} · Service accounts`,
    page: async (c, _owner, form) => {
      const account = await one(c);
      return account ? accountPage(c, account, form) : renderStatusPage(c, 404);
    },
  });

  return app;
}
