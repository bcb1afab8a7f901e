import { invitationsView } from '../../views/invitations/list';
import { listRoutes } from '../lists/routes';
import type { AppDeps } from '../web/env';
import { invitationList } from './list';

/** The Invitations tab: the list, its htmx fragment and its exports. */
export const invitationListRoutes = (deps: AppDeps) => listRoutes(deps, invitationList, invitationsView);
