import { Hono } from 'hono';
import type { AppDeps, AppEnv } from '../web/env';
import { userActionRoutes } from './action-routes';
import { bulkRoutes } from './bulk-routes';
import { createUserRoutes } from './create-routes';
import { userListRoutes } from './list-routes';
import { resetAllRoutes } from './reset-all-routes';
import { userPageRoutes } from './user-routes';

/**
 * The users area, mounted on /users: the list first, then the fixed paths (/users/new,
 * /users/reset-all, /users/bulk) before /users/:id, whose guard would answer 404 to them.
 */
export function userRoutes(deps: AppDeps) {
  const app = new Hono<AppEnv>();
  app.route('/', userListRoutes(deps));
  app.route('/', createUserRoutes(deps));
  app.route('/', bulkRoutes(deps));
  app.route('/', resetAllRoutes(deps));
  app.route('/', userPageRoutes(deps));
  app.route('/', userActionRoutes(deps));
  return app;
}
