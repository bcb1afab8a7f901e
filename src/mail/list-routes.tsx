import { mailView } from '../../views/mail/list';
import { listRoutes } from '../lists/routes';
import type { AppDeps } from '../web/env';
import { mailList } from './list';

/** The Email page: the list, its htmx fragment and its exports. */
export const mailListRoutes = (deps: AppDeps) => listRoutes(deps, mailList, mailView);
