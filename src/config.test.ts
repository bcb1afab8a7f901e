import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from './config';

const tmp = () => mkdtempSync(join(tmpdir(), 'gatehouse-config-'));

describe('loadConfig', () => {
  it('has working defaults for development and keeps a generated key in the data directory', () => {
    const dir = tmp();
    const config = loadConfig({ DATA_DIR: dir });
    expect(config).toMatchObject({
      env: 'development',
      port: 3000,
      host: '127.0.0.1',
      publicUrl: 'http://localhost:3000',
    });
    expect(config.databaseUrl).toBeUndefined();
    expect(config.secretKey.length).toBe(32);
    expect(statSync(join(dir, 'secret.key')).mode & 0o777).toBe(0o600);
    expect(loadConfig({ DATA_DIR: dir }).secretKey.equals(config.secretKey)).toBe(true);
    expect(readFileSync(join(dir, 'secret.key'), 'utf8').trim()).toBe(config.secretKey.toString('base64'));
  });

  it('names each bad value in one message', () => {
    expect(() =>
      loadConfig({ PORT: 'eighty', NODE_ENV: 'prod', DATABASE_URL: 'mysql://x', DATA_DIR: tmp() }),
    ).toThrow(
      /NODE_ENV: must be development, production or test\n {2}PORT: must be a number\n {2}DATABASE_URL: must be a postgres/,
    );
    expect(() => loadConfig({ DATABASE_URL: 'mysql://x', DATA_DIR: tmp() })).toThrow(
      'DATABASE_URL: must be a postgres:// or postgresql:// URL',
    );
    expect(() => loadConfig({ PORT: '70000', DATA_DIR: tmp() })).toThrow('PORT: must be between 0 and 65535');
    expect(() => loadConfig({ PUBLIC_URL: 'https://x.example/app', DATA_DIR: tmp() })).toThrow(
      'PUBLIC_URL: must be an origin only',
    );
    expect(() => loadConfig({ SECRET_KEY: 'short', DATA_DIR: tmp() })).toThrow(
      'SECRET_KEY: must be 32 bytes',
    );
    expect(() => loadConfig({ TRUST_PROXY: 'maybe', DATA_DIR: tmp() })).toThrow(
      'TRUST_PROXY: must be true or false',
    );
  });

  it('requires a key, an https public URL in production, and binds all interfaces there', () => {
    expect(() => loadConfig({ NODE_ENV: 'production', DATA_DIR: tmp() })).toThrow(
      /PUBLIC_URL: is required in production[\s\S]*SECRET_KEY: is required in production/,
    );
    expect(() =>
      loadConfig({
        NODE_ENV: 'production',
        PUBLIC_URL: 'http://gatehouse.example',
        SECRET_KEY: 'a'.repeat(64),
      }),
    ).toThrow('PUBLIC_URL: must use https in production');
    const config = loadConfig({
      NODE_ENV: 'production',
      PUBLIC_URL: 'https://gatehouse.example',
      SECRET_KEY: Buffer.alloc(32, 7).toString('base64'),
      DATABASE_URL: 'postgres://u:p@db/gatehouse',
      RESEND_API_KEY: 're_123',
      MAIL_FROM: 'Gatehouse <no-reply@example.com>',
    });
    expect(config).toMatchObject({
      host: '0.0.0.0',
      publicUrl: 'https://gatehouse.example',
      resendApiKey: 're_123',
    });
    expect(config.secretKey.equals(Buffer.alloc(32, 7))).toBe(true);
  });

  it('treats an empty variable as unset', () => {
    expect(loadConfig({ DATABASE_URL: '', PORT: '', DATA_DIR: tmp() })).toMatchObject({
      databaseUrl: undefined,
      port: 3000,
    });
  });
});
