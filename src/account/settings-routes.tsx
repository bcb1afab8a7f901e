import type { Context } from 'hono';
import { Hono } from 'hono';
import { SETTING_LABELS, SettingsPage } from '../../views/account/settings';
import { reauthenticate } from '../auth/sessions/reauthenticate';
import { ReauthenticationRequired } from '../core/errors';
import type { AppDeps, AppEnv } from '../web/env';
import { formFields } from '../web/form';
import { guard, type SignedInEnv } from '../web/guard';
import { type FormErrors, type PageStatus, renderRefusal } from '../web/refusal';
import { redirectWithFlash, renderPage } from '../web/render';
import { actionContext } from '../web/session';
import { getSettings } from './read-settings';
import { SETTING_FIELDS, type SettingsValues, settingsValues, updateSettings } from './settings';

const SETTINGS = { permission: 'account.settings' };

export function settingsRoutes(deps: AppDeps) {
  const app = new Hono<AppEnv>();

  const page = (
    c: Context<SignedInEnv>,
    values: Record<keyof SettingsValues, string | number | boolean>,
    errors: FormErrors = {},
    status: PageStatus | 401 = 200,
    askPassword = false,
  ) =>
    renderPage(c, {
      title: 'Account settings',
      status,
      body: <SettingsPage values={values} errors={errors} askPassword={askPassword} />,
    });

  app.get('/', guard(deps, SETTINGS), async (c) => page(c, settingsValues(await getSettings(deps.db))));

  app.post('/', guard(deps, SETTINGS), async (c) => {
    const form = await formFields(c, [...SETTING_FIELDS, 'confirm_password']);
    const values = {
      ...Object.fromEntries(SETTING_FIELDS.map((key) => [key, form[key] ?? ''])),
      require_two_factor: form.require_two_factor === 'on',
      allow_manual_links: form.allow_manual_links === 'on',
    } as Record<keyof SettingsValues, string | number | boolean>;
    try {
      const ctx = actionContext(c, deps);
      // The password asked for on this form when the changes weaken security (below).
      if (form.confirm_password && !(await reauthenticate(ctx, { password: form.confirm_password })))
        return page(c, values, { confirm_password: 'That password is not right.' }, 401, true);
      const changed = await updateSettings(ctx, form);
      const names = changed.map((key) => SETTING_LABELS[key] ?? key);
      return redirectWithFlash(
        c,
        '/settings',
        changed.length ? `Saved: ${names.join(', ')}.` : 'Nothing changed.',
      );
    } catch (error) {
      if (error instanceof ReauthenticationRequired)
        return page(
          c,
          values,
          { confirm_password: 'These changes weaken security: enter your password to save them.' },
          403,
          true,
        );
      return renderRefusal(c, error, (errors, status) => page(c, values, errors, status));
    }
  });

  return app;
}
