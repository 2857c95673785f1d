// OperationOutcome helpers: turn any thrown value into an outcome plus an HTTP status, in one place.
import type { OperationOutcome } from '@medplum/fhirtypes';
import { FlauraError, type ErrorIssue } from '../errors.ts';

export function operationOutcome(issues: readonly ErrorIssue[]): OperationOutcome {
  return {
    resourceType: 'OperationOutcome',
    issue: issues.map((i) => ({
      severity: i.severity ?? 'error',
      code: i.type,
      diagnostics: i.diagnostics,
      ...(i.expression ? { expression: i.expression } : {}),
    })),
  };
}

export function informationOutcome(message: string): OperationOutcome {
  return operationOutcome([{ severity: 'information', type: 'informational', diagnostics: message }]);
}

/** Status, headers and outcome for an error. Unexpected errors say nothing internal; the caller logs them. */
export function outcomeForError(err: unknown): { status: number; outcome: OperationOutcome; headers: Record<string, string>; expected: boolean } {
  if (err instanceof FlauraError) {
    const issues = err.issues.map((i) => ({ ...i, diagnostics: i.diagnostics }));
    const outcome = operationOutcome(issues);
    outcome.issue[0]!.details = { coding: [{ system: 'https://flaura.dev/fhir/CodeSystem/error-code', code: err.code }], text: err.code };
    return { status: err.status, outcome, headers: err.headers, expected: true };
  }
  return {
    status: 500,
    outcome: operationOutcome([{ severity: 'fatal', type: 'exception', diagnostics: 'Internal server error; the request id identifies it in the server log' }]),
    headers: {},
    expected: false,
  };
}
