import { describe, expect, it } from 'vitest';
import { safeNext } from './safe-next';

describe('safeNext', () => {
  it('keeps same-origin paths only', () => {
    expect(safeNext('/users?page=2')).toBe('/users?page=2');
    for (const bad of [
      '//evil.example',
      '/\\evil.example',
      'https://evil.example',
      'evil',
      '/a\nb',
      '',
      undefined,
    ]) {
      expect(safeNext(bad)).toBeNull();
    }
  });
});
