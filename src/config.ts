import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { z } from 'zod';

export type Environment = 'development' | 'production' | 'test';

export interface Config {
  env: Environment;
  host: string;
  port: number;
  /** Absent: the embedded database (PGlite) in `dataDir`. */
  databaseUrl: string | undefined;
  dataDir: string;
  /** Origin the app is reached at, e.g. https://gatehouse.example.com. Links and CSRF use it. */
  publicUrl: string;
  /** 32 bytes: encrypts secrets at rest (TOTP keys). Never stored in the database. */
  secretKey: Buffer;
  resendApiKey: string | undefined;
  resendBaseUrl: string | undefined;
  mailFrom: string;
  /**
   * Emails sent per second across all instances (Resend's default limit is 2 requests a second
   * per team; raise it with the provider's limit).
   */
  mailRatePerSecond: number;
  /** REST API requests a minute per token and instance (the AuthZEN check is not limited). */
  apiRatePerMinute: number;
  /** Resend's webhook signing secret (`whsec_…`): delivery events are refused without it. */
  resendWebhookSecret: string | undefined;
  /** Run the job workers in this process (`npm start`); false for instances that only serve. */
  runWorkers: boolean;
  /** Take the client IP from the last X-Forwarded-For entry, the one our trusted proxy appended. */
  trustProxy: boolean;
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

const LOCAL_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

const boolean = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'], { error: 'must be true or false' })
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

const schema = z.object({
  NODE_ENV: z
    .enum(['development', 'production', 'test'], {
      error: 'must be development, production or test',
    })
    .default('development'),
  HOST: z.string().min(1).optional(),
  PORT: z.coerce
    .number({ error: 'must be a number' })
    .int('must be a whole number')
    .min(0, 'must be between 0 and 65535')
    .max(65535, 'must be between 0 and 65535')
    .default(3000),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\/.+/, 'must be a postgres:// or postgresql:// URL')
    .optional(),
  DATA_DIR: z.string().min(1).default('./data'),
  PUBLIC_URL: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).optional(),
  SECRET_KEY: z.string().optional(),
  RESEND_API_KEY: z.string().min(1).optional(),
  RESEND_BASE_URL: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).optional(),
  MAIL_FROM: z.string().min(3).default('Gatehouse <gatehouse@localhost>'),
  TRUST_PROXY: boolean.default(false),
  MAIL_RATE_PER_SECOND: z.coerce
    .number({ error: 'must be a number' })
    .positive('must be more than 0')
    .max(1000, 'must be at most 1000')
    .default(2),
  API_RATE_PER_MINUTE: z.coerce
    .number({ error: 'must be a number' })
    .int('must be a whole number')
    .min(1, 'must be at least 1')
    .max(1_000_000, 'must be at most 1000000')
    .default(600),
  RESEND_WEBHOOK_SECRET: z
    .string()
    .regex(/^whsec_[A-Za-z0-9+/=]+$/, 'must be the whsec_… signing secret Resend shows for the webhook')
    .optional(),
  WORKERS: boolean.default(true),
});

/** Reads and checks the environment once; every problem is reported in one message. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  // An empty variable means "not set", as in most shells' `FOO= cmd`.
  const present = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== ''));
  const parsed = schema.safeParse(present);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
  }
  const v = parsed.data;
  const problems: string[] = [];
  const port = v.PORT;
  const publicUrl = new URL(v.PUBLIC_URL ?? `http://localhost:${port}`);
  if (publicUrl.pathname !== '/' || publicUrl.search || publicUrl.hash) {
    problems.push('  PUBLIC_URL: must be an origin only, e.g. https://gatehouse.example.com');
  }
  if (
    v.NODE_ENV === 'production' &&
    publicUrl.protocol !== 'https:' &&
    !LOCAL_HOSTS.has(publicUrl.hostname)
  ) {
    problems.push('  PUBLIC_URL: must use https in production (plain http only on localhost)');
  }
  if (v.NODE_ENV === 'production' && !v.PUBLIC_URL) {
    problems.push('  PUBLIC_URL: is required in production');
  }
  if (v.NODE_ENV === 'production' && !v.SECRET_KEY) {
    problems.push('  SECRET_KEY: is required in production (openssl rand -base64 32)');
  }
  let secretKey: Buffer | undefined;
  if (v.SECRET_KEY) {
    secretKey = decodeKey(v.SECRET_KEY);
    if (!secretKey) {
      problems.push('  SECRET_KEY: must be 32 bytes as base64 or 64 hex characters');
    }
  }
  if (problems.length > 0) {
    throw new ConfigError(`Invalid configuration:\n${problems.join('\n')}`);
  }
  const dataDir = resolve(v.DATA_DIR);
  return {
    env: v.NODE_ENV,
    host: v.HOST ?? (v.NODE_ENV === 'production' ? '0.0.0.0' : '127.0.0.1'),
    port,
    databaseUrl: v.DATABASE_URL,
    dataDir,
    publicUrl: publicUrl.origin,
    secretKey: secretKey ?? developmentKey(dataDir),
    resendApiKey: v.RESEND_API_KEY,
    resendBaseUrl: v.RESEND_BASE_URL,
    mailFrom: v.MAIL_FROM,
    mailRatePerSecond: v.MAIL_RATE_PER_SECOND,
    apiRatePerMinute: v.API_RATE_PER_MINUTE,
    resendWebhookSecret: v.RESEND_WEBHOOK_SECRET,
    runWorkers: v.WORKERS,
    trustProxy: v.TRUST_PROXY,
  };
}

function decodeKey(text: string): Buffer | undefined {
  const key = /^[0-9a-f]{64}$/i.test(text) ? Buffer.from(text, 'hex') : Buffer.from(text, 'base64');
  return key.length === 32 ? key : undefined;
}

/** Outside production a missing key is generated once and kept beside the embedded data. */
function developmentKey(dataDir: string): Buffer {
  const file = join(dataDir, 'secret.key');
  try {
    const key = decodeKey(readFileSync(file, 'utf8').trim());
    if (key) return key;
    throw new ConfigError(`${file} does not hold a 32-byte key; remove it to generate a new one`);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  mkdirSync(dataDir, { recursive: true });
  const key = randomBytes(32);
  writeFileSync(file, `${key.toString('base64')}\n`, { mode: 0o600, flag: 'wx' });
  return key;
}
