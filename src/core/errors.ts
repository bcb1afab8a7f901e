/** Errors the domain raises for the routes and the CLI to explain; anything else is a 500. */
export class DomainError extends Error {
  override name = 'DomainError';
}

/** Bad input: each field's message, keyed by form field name. Nothing was changed. */
export class ValidationError extends DomainError {
  override name = 'ValidationError';
  constructor(readonly fields: Record<string, string>) {
    super(Object.values(fields).join(' '));
  }
}

export class ForbiddenError extends DomainError {
  override name = 'ForbiddenError';
  constructor(readonly permission: string) {
    super(`This needs the permission ${permission}.`);
  }
}

export class ConflictError extends DomainError {
  override name = 'ConflictError';
}

export class NotFoundError extends DomainError {
  override name = 'NotFoundError';
}

/** Too many tries from one address or for one email: the answer is 429 with Retry-After. */
export class RateLimitedError extends DomainError {
  override name = 'RateLimitedError';
  constructor(readonly retryAfter: number) {
    super('Too many attempts. Wait a little and try again.');
  }
}

/**
 * The server is too busy to take this request in time (the password-hashing queue is full):
 * the answer is 503 with Retry-After. Not a DomainError: no form shows it as a field's fault.
 */
export class BusyError extends Error {
  override name = 'BusyError';
  constructor(readonly retryAfter: number) {
    super('The server is busy. Try again in a moment.');
  }
}

/** The action needs a password confirmed within the last 10 minutes. */
export class ReauthenticationRequired extends DomainError {
  override name = 'ReauthenticationRequired';
  constructor() {
    super('Confirm your password to continue.');
  }
}
