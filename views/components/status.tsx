export const STATUS_TEXT = {
  400: { title: 'Bad request', body: 'The form could not be read. Reload the page and try again.' },
  403: {
    title: 'Access denied',
    body: 'You do not have permission to do this. Ask an administrator of your account if you need it.',
  },
  404: {
    title: 'Page not found',
    body: 'There is no page at this address. Check the link, or go back home.',
  },
  413: { title: 'Request too large', body: 'What you sent is larger than this form accepts.' },
  429: {
    title: 'Too many attempts',
    body: 'Too many attempts came from your network in a short time. Wait a few minutes, then try again.',
  },
  503: {
    title: 'Busy',
    body: 'The server has more sign-ins to check than it can take right now. Try again in a few seconds.',
  },
  500: {
    title: 'Something went wrong',
    body: 'The server could not complete your request. It has been logged; try again in a moment.',
  },
} as const;

export type StatusCode = keyof typeof STATUS_TEXT;

/** `message`, when given, says what was wrong instead of the status's general text. */
export function StatusPage({
  status,
  requestId,
  message,
}: {
  status: StatusCode;
  requestId: string;
  message?: string | undefined;
}) {
  const text = STATUS_TEXT[status];
  return (
    <section class="narrow">
      <h1>{text.title}</h1>
      <p>{message ?? text.body}</p>
      {status === 500 ? (
        <p>
          If you contact support, quote the request id <code>{requestId}</code>.
        </p>
      ) : null}
      <p>
        <a href="/">Go to the home page</a>
      </p>
    </section>
  );
}
