import { usersView } from '../../views/users/list';
import { roleAndTeamChoices } from '../access/choices';
import { listRoutes } from '../lists/routes';
import type { AppDeps } from '../web/env';
import { userList } from './list';

/** The users list (both tabs), its htmx fragment and its exports; the filters offer roles and teams. */
export const userListRoutes = (deps: AppDeps) =>
  listRoutes(deps, userList, usersView, () => roleAndTeamChoices(deps.db, deps.accessCache));
