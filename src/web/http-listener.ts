import type { IncomingMessage, ServerResponse } from 'node:http';
import { getRequestListener } from '@hono/node-server';
import { isApiPath } from '../api/app';
import { isProviderPath, type OidcProvider } from '../oidc/provider';

type Fetch = (request: Request, env: unknown) => Response | Promise<Response>;

/**
 * One origin, three handlers: the machine interface (/api/v1, /access/v1) to its own Hono app;
 * the OpenID provider's endpoints (discovery, /oidc/auth, /oidc/token,
 * …) go to oidc-provider, a Koa application that reads its own request bodies, as raw Node
 * requests; everything else, our interaction pages under /oidc/interaction/ included, to Hono.
 */
export function httpListener(fetch: Fetch, oidc: OidcProvider | null, apiFetch?: Fetch) {
  const hono = getRequestListener(fetch);
  // The machine interface straight to its own app: the permission check is the hottest path.
  const api = apiFetch ? getRequestListener(apiFetch) : null;
  return (req: IncomingMessage, res: ServerResponse) => {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    if (api && isApiPath(path)) {
      void api(req, res);
      return;
    }
    if (oidc && isProviderPath(path)) {
      oidc
        .current()
        .then((provider) => provider.callback()(req, res))
        .catch((error) => {
          console.error('openid provider failed', error);
          if (!res.headersSent) {
            res.statusCode = 503;
            res.setHeader('Content-Type', 'application/json');
            res.end(JSON.stringify({ error: 'temporarily_unavailable' }));
          }
        });
      return;
    }
    void hono(req, res);
  };
}
