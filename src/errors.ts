// FlauraError: the one error type domain code throws. The FHIR layer renders it as an OperationOutcome.

/** FHIR IssueType codes (https://hl7.org/fhir/R4/valueset-issue-type.html) that Flaura uses. */
export type IssueType =
  | 'invalid' | 'structure' | 'required' | 'value' | 'invariant' | 'security' | 'login' | 'unknown' | 'expired'
  | 'forbidden' | 'suppressed' | 'processing' | 'not-supported' | 'duplicate' | 'multiple-matches' | 'not-found'
  | 'deleted' | 'too-long' | 'code-invalid' | 'extension' | 'too-costly' | 'business-rule' | 'conflict'
  | 'transient' | 'lock-error' | 'no-store' | 'exception' | 'timeout' | 'incomplete' | 'throttled' | 'informational';

export interface ErrorIssue {
  severity?: 'fatal' | 'error' | 'warning' | 'information';
  type: IssueType;
  diagnostics: string;
  /** FHIRPath expression(s) of the offending element, e.g. `Patient.gender`. */
  expression?: string[];
}

/**
 * An expected failure with a stable code (documented in docs/errors.md), the HTTP status it maps to
 * and one or more FHIR issues. Unexpected errors are anything that is not a FlauraError.
 */
export class FlauraError extends Error {
  readonly code: string;
  readonly status: number;
  readonly issues: ErrorIssue[];
  /** Extra response headers (e.g. Retry-After, Location of the existing resource). */
  readonly headers: Record<string, string>;

  constructor(code: string, status: number, message: string, options?: { type?: IssueType; expression?: string[]; issues?: ErrorIssue[]; headers?: Record<string, string>; cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'FlauraError';
    this.code = code;
    this.status = status;
    this.headers = options?.headers ?? {};
    this.issues = options?.issues ?? [
      { severity: 'error', type: options?.type ?? defaultIssueType(status), diagnostics: message, ...(options?.expression ? { expression: options.expression } : {}) },
    ];
  }
}

function defaultIssueType(status: number): IssueType {
  switch (status) {
    case 400: return 'invalid';
    case 401: return 'login';
    case 403: return 'forbidden';
    case 404: return 'not-found';
    case 405: return 'not-supported';
    case 409: return 'conflict';
    case 410: return 'deleted';
    case 412: return 'conflict';
    case 413: return 'too-costly';
    case 415: return 'not-supported';
    case 422: return 'processing';
    case 429: return 'throttled';
    default: return status >= 500 ? 'exception' : 'invalid';
  }
}

/** Shorthands for the most common failures. */
export const errors = {
  badRequest: (code: string, message: string, expression?: string[]) => new FlauraError(code, 400, message, { expression }),
  notFound: (message: string) => new FlauraError('NOT_FOUND', 404, message),
  gone: (message: string) => new FlauraError('GONE', 410, message),
  conflict: (code: string, message: string) => new FlauraError(code, 409, message),
  preconditionFailed: (message: string) => new FlauraError('PRECONDITION_FAILED', 412, message),
  unprocessable: (code: string, message: string, expression?: string[]) => new FlauraError(code, 422, message, { expression }),
  notSupported: (code: string, message: string) => new FlauraError(code, 405, message),
  unauthorized: (message: string) => new FlauraError('UNAUTHORIZED', 401, message, { type: 'login' }),
  forbidden: (message: string) => new FlauraError('FORBIDDEN', 403, message),
};
