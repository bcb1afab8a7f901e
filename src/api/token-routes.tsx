import type { Context, Hono, MiddlewareHandler } from 'hono';
import { EMPTY_TOKEN, NewTokenPage, RevokeTokenPage, type TokenFormValues } from '../../views/api/tokens';
import { grantsOf } from '../access/grants';
import { PERMISSIONS } from '../access/permissions';
import type { Db } from '../db/connect';
import type { AppDeps, AppEnv } from '../web/env';
import { formValues } from '../web/form';
import type { SignedInEnv } from '../web/guard';
import { type FormErrors, type PageStatus, renderRefusal } from '../web/refusal';
import { isHtmx, redirectWithFlash, renderPage, renderStatusPage } from '../web/render';
import { actionContext } from '../web/session';
import { createApiToken, revokeApiToken, tokensOf } from './tokens';

export interface TokenOwner {
  id: string;
  name: string;
}

/** What the token form offers an owner: the permissions they hold now, anywhere. */
export async function tokenChoices(db: Db, ownerId: string, viewerId: string, now: Date) {
  const held = new Set((await grantsOf(db, ownerId, now)).flatMap((g) => g.permissions));
  const viewer =
    ownerId === viewerId ? held : new Set((await grantsOf(db, viewerId, now)).flatMap((g) => g.permissions));
  return {
    choosable: PERMISSIONS.filter((p) => held.has(p.key)).map((p) => [p.key, p.label] as const),
    mayNeverExpire: viewer.has('account.settings'),
  };
}

/**
 * The token pages of one kind of owner (oneself on My account, a service account on its page):
 * create (the token shown once), and revoke after a confirmation. `page` renders the owner's page
 * with the token form's values and errors.
 */
export function mountTokenPages(
  app: Hono<AppEnv>,
  deps: AppDeps,
  spec: {
    /** Route prefix within `app`, with the owner's id as :owner where there is one. */
    path: string;
    guard: MiddlewareHandler<SignedInEnv>;
    ownerOf(c: Context<SignedInEnv>): Promise<TokenOwner | null>;
    /** The owner's page (the form's errors go there), and the URL base of its token routes. */
    back(owner: TokenOwner): string;
    base(owner: TokenOwner): string;
    /** Where the pages are, for their titles ("My account", "HR sync · Service accounts"). */
    section(owner: TokenOwner): string;
    page(
      c: Context<SignedInEnv>,
      owner: TokenOwner,
      form: { values: TokenFormValues; errors: FormErrors; status: PageStatus },
    ): Promise<Response>;
  },
) {
  const found = async (c: Context<SignedInEnv>) => {
    const owner = await spec.ownerOf(c);
    if (!owner) return null;
    const token = c.req.param('tokenId')
      ? (await tokensOf(deps.db, owner.id)).find((t) => t.id === c.req.param('tokenId'))
      : undefined;
    return { owner, token };
  };

  // Where confirming the password leads back to (web/refusal.ts): the owner's page, form and all.
  app.get(spec.path, spec.guard, async (c) => {
    const owner = await spec.ownerOf(c);
    return owner ? c.redirect(spec.back(owner), 303) : renderStatusPage(c, 404);
  });

  app.post(spec.path, spec.guard, async (c) => {
    const ctx = actionContext(c, deps);
    const owner = await spec.ownerOf(c);
    if (!owner) return renderStatusPage(c, 404);
    const { fields, lists } = await formValues(
      c,
      ['token_name', 'expiresDays'] as const,
      ['permissions'] as const,
    );
    const values: TokenFormValues = {
      name: fields.token_name ?? '',
      expiresDays: fields.expiresDays ?? EMPTY_TOKEN.expiresDays,
      permissions: lists.permissions,
    };
    try {
      const created = await createApiToken(ctx, {
        ownerId: owner.id,
        name: values.name,
        permissions: values.permissions,
        expiresDays: values.expiresDays,
      });
      // The secret is in this page only: no referrer leaves it, no cache keeps it.
      c.header('Referrer-Policy', 'no-referrer');
      return renderPage(c, {
        title: `Token “${values.name.trim()}” created · ${spec.section(owner)}`,
        body: <NewTokenPage name={values.name.trim()} token={created.token} back={spec.back(owner)} />,
      });
    } catch (error) {
      return renderRefusal(c, error, (errors, status) => spec.page(c, owner, { values, errors, status }));
    }
  });

  app.get(`${spec.path}/:tokenId/revoke`, spec.guard, async (c) => {
    const hit = await found(c);
    if (!hit?.token || hit.token.revokedAt) return renderStatusPage(c, 404);
    return renderPage(c, {
      title: `Revoke the token “${hit.token.name}” · ${spec.section(hit.owner)}`,
      body: (
        <RevokeTokenPage
          token={hit.token}
          base={spec.base(hit.owner)}
          back={spec.back(hit.owner)}
          inDialog={isHtmx(c)}
        />
      ),
    });
  });

  app.post(`${spec.path}/:tokenId/revoke`, spec.guard, async (c) => {
    const hit = await found(c);
    if (!hit?.token) return renderStatusPage(c, 404);
    const { owner, token } = hit;
    try {
      await revokeApiToken(actionContext(c, deps), token.id);
      return redirectWithFlash(c, spec.back(owner), `Token “${token.name}” revoked.`);
    } catch (error) {
      return renderRefusal(c, error, (errors, status) =>
        renderPage(c, {
          title: `Revoke the token “${token.name}” · ${spec.section(owner)}`,
          status,
          body: (
            <RevokeTokenPage
              token={token}
              base={spec.base(owner)}
              back={spec.back(owner)}
              inDialog={false}
              errors={errors}
            />
          ),
        }),
      );
    }
  });
}
