import { describe, expect, it } from 'vitest';
import { auditDiff } from './diff';

describe('the before/after diff', () => {
  it('lists each field once with both values, and says which changed', () => {
    expect(auditDiff({ name: 'Ana', roles: ['a'] }, { name: 'Ana B', roles: ['a'], team: 'x' })).toEqual([
      { field: 'name', before: 'Ana', after: 'Ana B', changed: true },
      { field: 'roles', before: '["a"]', after: '["a"]', changed: false },
      { field: 'team', before: '', after: 'x', changed: true },
    ]);
    expect(auditDiff(null, { enabled: null })).toEqual([
      { field: 'enabled', before: '', after: 'none', changed: true },
    ]);
    expect(auditDiff('one', ['two'])).toEqual([
      { field: 'value', before: 'one', after: '["two"]', changed: true },
    ]);
    expect(auditDiff(null, undefined)).toEqual([]);
  });
});
