import { callSiteOf } from './clients';

/** The exit codes docs/operating.md documents. */
export const exitCode = {
  ok: 0,
  /** --wait: the execution failed, or a control in it failed. */
  failed: 1,
  /** A mistake in the command line or the config: fix the argument named. */
  usage: 2,
  /** Something logwarden needs is not in that account or region (state machine, ledger table…). */
  notFound: 3,
  /** The endpoint could not be reached, or did not answer in time. */
  unreachable: 4,
  /** No credentials, or credentials AWS does not accept (expired, unknown). */
  credentials: 5,
  /** The credentials are valid but not allowed to make the call. */
  accessDenied: 6,
  /** Any other error AWS answered with (after the SDK's retries). */
  aws: 7,
  /** A bug in logwarden: one line, and the stack with LOGWARDEN_DEBUG=1. */
  internal: 70,
} as const;

/** A user mistake: printed as one clear line, never with a stack trace. */
export class UsageError extends Error {
  override name = 'UsageError';
}

export type ErrorKind = 'notFound' | 'unreachable' | 'credentials' | 'accessDenied' | 'aws' | 'internal';

export interface Explained {
  kind: ErrorKind;
  code: number;
  line: string;
}

/** Where the CLI was pointed: the message says which account and region it looked in. */
export interface Target {
  account: string;
  region: string;
}

// Error names from the services' API references: Step Functions (StateMachineDoesNotExist,
// ExecutionDoesNotExist, InvalidArn), DynamoDB (ResourceNotFoundException), Organizations
// (AWSOrganizationsNotInUseException); the common errors of every AWS API (AccessDenied…,
// ExpiredToken…, InvalidClientTokenId, UnrecognizedClientException, ThrottlingException).
const notFoundNames = new Set([
  'ResourceNotFoundException',
  'StateMachineDoesNotExist',
  'StateMachineDeleting',
  'ExecutionDoesNotExist',
  'ResourceNotFound',
  'AWSOrganizationsNotInUseException',
]);
const credentialNames = new Set([
  'CredentialsProviderError',
  'ExpiredToken',
  'ExpiredTokenException',
  'InvalidClientTokenId',
  'UnrecognizedClientException',
  'InvalidSignatureException',
  'SignatureDoesNotMatch',
  'IncompleteSignature',
  'MissingAuthenticationToken',
  'TokenRefreshRequired',
]);
const accessDeniedNames = new Set([
  'AccessDenied',
  'AccessDeniedException',
  'UnauthorizedOperation',
  'AuthorizationError',
]);
/** Node's socket errors for an endpoint that cannot be reached. */
const networkCodes = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ETIMEDOUT',
  'EPIPE',
  'ECONNABORTED',
]);
const networkWords: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset',
  ENOTFOUND: 'host not found',
  EAI_AGAIN: 'DNS lookup failed',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  ETIMEDOUT: 'timed out',
  EPIPE: 'connection closed',
  ECONNABORTED: 'connection aborted',
};

const oneLine = (s: string, max = 300) => {
  const flat = s.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
};

/**
 * The socket error code, on the error or its causes; else in its message, because the SDK's
 * retry middleware wraps a non-Error value (an error from another realm, say) as
 * "AWS SDK error wrapper for Error: connect ECONNREFUSED …", which keeps only the text.
 */
function networkCode(err: unknown): string | undefined {
  for (
    let e = err as { code?: unknown; cause?: unknown; message?: unknown } | undefined, i = 0;
    e && i < 5;
    i++
  ) {
    if (typeof e.code === 'string' && networkCodes.has(e.code)) return e.code;
    const inMessage = typeof e.message === 'string' ? /\b(E[A-Z_]{4,})\b/.exec(e.message)?.[1] : undefined;
    if (inMessage && networkCodes.has(inMessage)) return inMessage;
    e = e.cause as typeof e;
  }
  return undefined;
}

/**
 * What went wrong with the credentials, from the credential provider's own words: an SSO session
 * to log in again, a credential_process that failed, or none found at all.
 */
function credentialsLine(name: string, message: string): string {
  if (/\bSSO\b|sso_session|sso login/i.test(message))
    return `the AWS SSO session of this profile cannot give credentials (${message}): run aws sso login --profile <the profile> and try again`;
  if (/credential_process|Command failed/i.test(message))
    return `the profile's credential_process failed (${message}): run it by hand to see why`;
  if (name === 'CredentialsProviderError' || /Could not load credentials/i.test(message)) {
    return /Could not load credentials|Unable to locate credentials/i.test(message)
      ? 'no AWS credentials: configure credentials for the security-tooling account (AWS_PROFILE, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY)'
      : `AWS credentials could not be loaded (${message}): check the profile (AWS_PROFILE) for the security-tooling account`;
  }
  return `AWS does not accept these credentials (${name}: ${message}): refresh them (aws sso login, or new keys) for the security-tooling account`;
}

/** One clear line and an exit code for any error that reaches the top of the CLI. */
export function explain(err: unknown, target: Target): Explained {
  const e = (err ?? {}) as Error & { $metadata?: { httpStatusCode?: number } };
  const name = e.name ?? 'Error';
  const message = oneLine(e.message ?? String(err));
  const site = callSiteOf(err);
  const call = site ? `${site.service} ${site.operation}` : 'the AWS call';
  const where = `account ${target.account}, region ${target.region}`;

  const code = networkCode(err);
  if (name === 'TimeoutError' || code) {
    const endpoint = site?.endpoint ?? 'the AWS endpoint';
    const ms = /(\d+) ?ms/.exec(message)?.[1];
    const what =
      name === 'TimeoutError'
        ? `no answer${ms ? ` within ${ms} ms` : ' in time'}`
        : networkWords[code as string];
    return {
      kind: 'unreachable',
      code: exitCode.unreachable,
      line: `cannot reach ${endpoint} for ${call}: ${what}. Check the network, a proxy, or AWS_ENDPOINT_URL.`,
    };
  }
  if (credentialNames.has(name) || /Could not load credentials|Unable to locate credentials/i.test(message)) {
    return { kind: 'credentials', code: exitCode.credentials, line: credentialsLine(name, message) };
  }
  // A status with no error body (a proxy, a VPC endpoint policy, a load balancer): the SDK calls
  // it "Unknown: UnknownError"; the status is what says what happened.
  const status = e.$metadata?.httpStatusCode;
  if ((name === 'Unknown' || name === 'UnknownError') && status !== undefined) {
    const empty = `${call} in ${where} answered HTTP ${status} with no error in the body`;
    if (status === 401)
      return {
        kind: 'credentials',
        code: exitCode.credentials,
        line: `${empty}: the credentials were refused`,
      };
    if (status === 403)
      return {
        kind: 'accessDenied',
        code: exitCode.accessDenied,
        line: `access denied: ${empty}, as a proxy or a VPC endpoint policy refuses a call. Check both, and that the role may make the call.`,
      };
    if (status === 404)
      return {
        kind: 'notFound',
        code: exitCode.notFound,
        line: `not found: ${empty}. Is AWS_ENDPOINT_URL or a proxy sending the call somewhere else?`,
      };
    return {
      kind: 'aws',
      code: exitCode.aws,
      line: `${empty}${status >= 500 ? ': the service or a proxy on the way is failing; try again later' : ''}.`,
    };
  }
  if (accessDeniedNames.has(name)) {
    return {
      kind: 'accessDenied',
      code: exitCode.accessDenied,
      line: `access denied: ${call} in ${where} (${message}). Use a role of the security-tooling account that may read the ledger and start the workflows.`,
    };
  }
  if (notFoundNames.has(name)) {
    return {
      kind: 'notFound',
      code: exitCode.notFound,
      line: `not found in ${where}: ${call} answered ${name} (${message}). Is LogwardenControlPlane deployed there?`,
    };
  }
  if (e.$metadata?.httpStatusCode !== undefined || site) {
    return {
      kind: 'aws',
      code: exitCode.aws,
      line: `${call} failed in ${where}: ${name}: ${message}`,
    };
  }
  return {
    kind: 'internal',
    code: exitCode.internal,
    line: `internal error (${name}: ${message}); run again with LOGWARDEN_DEBUG=1 for the stack trace`,
  };
}
