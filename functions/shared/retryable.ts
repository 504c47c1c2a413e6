/**
 * Throttling and server errors: the workflow retries the whole control on them
 * (workflows/resilience.ts `transientErrors`), so a control that otherwise keeps going past one
 * resource's failure throws these. The SDK marks them itself (`$retryable`, a 5xx status); the
 * throttling names are listed for an error that carries neither (a stand-in's, a test's).
 */
export function isRetryable(err: unknown): boolean {
  const e = err as { name?: string; $metadata?: { httpStatusCode?: number }; $retryable?: unknown };
  return (
    Boolean(e.$retryable) ||
    (e.$metadata?.httpStatusCode ?? 0) >= 500 ||
    [
      'ThrottlingException',
      'Throttling',
      'TooManyRequestsException',
      'RequestLimitExceeded',
      'ServiceUnavailableException',
    ].includes(e.name ?? '')
  );
}
