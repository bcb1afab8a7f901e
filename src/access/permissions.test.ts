import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadProductPermissions, PRODUCT_PERMISSIONS } from './permissions';

const write = (content: unknown) => {
  const file = join(mkdtempSync(join(tmpdir(), 'gatehouse-catalog-')), 'permissions.json');
  writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content));
  return file;
};

describe('the permission catalog file', () => {
  it('ships the default product areas: reports, content (view, edit, publish) and code', () => {
    expect(PRODUCT_PERMISSIONS.map((p) => p.key)).toEqual(
      expect.arrayContaining([
        'reports.view',
        'content.view',
        'content.edit',
        'content.publish',
        'code.edit',
      ]),
    );
  });

  it('loads a team’s own areas', () => {
    const file = write({
      areas: [
        {
          key: 'billing',
          label: 'Billing',
          permissions: [{ key: 'billing.view', label: 'See invoices', description: 'x', level: 'view' }],
        },
      ],
    });
    expect(loadProductPermissions(file)).toEqual([
      {
        key: 'billing.view',
        label: 'See invoices',
        description: 'x',
        level: 'view',
        area: 'billing',
        areaLabel: 'Billing',
        action: 'view',
      },
    ]);
  });

  it('explains what is wrong with a bad file', () => {
    expect(() => loadProductPermissions(write('{ not json'))).toThrow('Cannot read the permission catalog');
    expect(() =>
      loadProductPermissions(
        write({
          areas: [
            {
              key: 'x',
              label: 'X',
              permissions: [{ key: 'nodot', label: 'L', description: '', level: 'view' }],
            },
          ],
        }),
      ),
    ).toThrow('permission keys look like area.action');
    expect(() =>
      loadProductPermissions(
        write({
          areas: [
            {
              key: 'x',
              label: 'X',
              permissions: [{ key: 'y.view', label: 'L', description: '', level: 'view' }],
            },
          ],
        }),
      ),
    ).toThrow('y.view is not in area x');
    expect(() =>
      loadProductPermissions(
        write({
          areas: [
            {
              key: 'x',
              label: 'X',
              permissions: [{ key: 'x.view', label: 'L', description: '', level: 'admin' }],
            },
          ],
        }),
      ),
    ).toThrow('areas.0.permissions.0.level');
  });
});
