import type { Context } from 'hono';
import { Hono } from 'hono';
import { SETTING_LABELS, SettingsPage } from '../../views/pages/settings';
import {
  SETTING_FIELDS,
  type SettingsValues,
  settingsValues,
  updateSettings,
} from '../domain/account-settings';
import { getSettings } from '../domain/settings';
import type { AppDeps, AppEnv } from '../http/env';
import { formFields } from '../http/form';
import { guard } from '../http/guard';
import { type FormErrors, renderRefusal } from '../http/refusal';
import { redirectWithFlash, renderPage } from '../http/render';
import { actionContext } from '../http/session';

const SETTINGS = { permission: 'account.settings' };

export function settingsRoutes(deps: AppDeps) {
  const app = new Hono<AppEnv>();

  const page = (
    c: Context<AppEnv>,
    values: Record<keyof SettingsValues, string | number | boolean>,
    errors: FormErrors = {},
    status: 200 | 403 | 409 | 422 = 200,
  ) =>
    renderPage(c, {
      title: 'Account settings',
      status,
      body: <SettingsPage values={values} errors={errors} />,
    });

  app.get('/settings', guard(deps, SETTINGS), async (c) =>
    page(c, settingsValues(await getSettings(deps.db))),
  );

  app.post('/settings', guard(deps, SETTINGS), async (c) => {
    const form = await formFields(c, SETTING_FIELDS);
    try {
      const changed = await updateSettings(actionContext(c, deps), form);
      const names = changed.map((key) => SETTING_LABELS[key] ?? key);
      return redirectWithFlash(
        c,
        '/settings',
        changed.length ? `Saved: ${names.join(', ')}.` : 'Nothing changed.',
      );
    } catch (error) {
      const values = {
        ...Object.fromEntries(SETTING_FIELDS.map((key) => [key, form[key] ?? ''])),
        require_two_factor: form.require_two_factor === 'on',
        allow_manual_links: form.allow_manual_links === 'on',
      } as Record<keyof SettingsValues, string | number | boolean>;
      return renderRefusal(c, error, (errors, status) => page(c, values, errors, status as 422));
    }
  });

  return app;
}
