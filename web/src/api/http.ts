// One way to call Flaura's public APIs: bearer token, one refresh on 401, errors read from OperationOutcome.
import { loadSession, clearSession, type Session } from '../auth/session.ts';
import { refresh } from '../auth/smart.ts';

export class ApiError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly code?: string,
  ) {
    super(message);
  }
}

interface OperationOutcomeLike {
  resourceType?: string;
  issue?: { diagnostics?: string; details?: { text?: string; coding?: { code?: string }[] } }[];
}

async function errorFrom(res: Response): Promise<ApiError> {
  let message = `${res.status} ${res.statusText}`;
  let code: string | undefined;
  try {
    const body = (await res.json()) as OperationOutcomeLike & { error?: string; error_description?: string; message?: string };
    const issue = body.issue?.[0];
    message = issue?.diagnostics ?? issue?.details?.text ?? body.error_description ?? body.message ?? message;
    code = issue?.details?.coding?.[0]?.code ?? body.error;
  } catch {
    // not JSON: keep the status line
  }
  if (res.status === 401) message = 'Your session has ended. Please sign in again.';
  if (res.status === 403 && !message) message = 'You do not have access to this.';
  return new ApiError(message, res.status, code);
}

let refreshing: Promise<Session | undefined> | undefined;

async function freshSession(): Promise<Session | undefined> {
  const s = loadSession();
  if (!s) return undefined;
  if (s.expiresAt - Date.now() > 15_000) return s;
  refreshing ??= refresh(s).finally(() => (refreshing = undefined));
  return refreshing;
}

export interface ApiInit extends Omit<RequestInit, 'body'> {
  /** Sent as JSON with this content type (default application/json). */
  json?: unknown;
  contentType?: string;
  body?: BodyInit;
}

/** Calls an API path on this origin; returns the parsed JSON body (or undefined for 204). */
export async function api<T>(path: string, init: ApiInit = {}): Promise<T> {
  const send = async (session: Session | undefined) => {
    const headers = new Headers(init.headers);
    if (!headers.has('accept')) headers.set('accept', 'application/fhir+json, application/json');
    if (session) headers.set('authorization', `Bearer ${session.accessToken}`);
    let body = init.body;
    if (init.json !== undefined) {
      headers.set('content-type', init.contentType ?? 'application/json');
      body = JSON.stringify(init.json);
    }
    return fetch(path, { ...init, headers, body });
  };
  let session = await freshSession();
  let res = await send(session);
  if (res.status === 401 && session?.refreshToken) {
    session = await refresh(session);
    if (session) res = await send(session);
  }
  if (res.status === 401) clearSession();
  if (!res.ok) throw await errorFrom(res);
  if (res.status === 204) return undefined as T;
  const text = await res.text();
  return (text ? JSON.parse(text) : undefined) as T;
}

/** Sends a file with upload progress (fetch has no upload progress; XMLHttpRequest does). */
export async function upload<T>(path: string, file: Blob, contentType: string, onProgress: (fraction: number) => void): Promise<T> {
  const session = await freshSession();
  return new Promise<T>((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', path);
    xhr.setRequestHeader('content-type', contentType);
    xhr.setRequestHeader('accept', 'application/json, application/fhir+json');
    if (session) xhr.setRequestHeader('authorization', `Bearer ${session.accessToken}`);
    xhr.upload.onprogress = (e) => {
      if (e.lengthComputable) onProgress(e.loaded / e.total);
    };
    xhr.onerror = () => reject(new ApiError('The upload failed: the server could not be reached.', 0));
    xhr.onload = () => {
      const res = new Response(xhr.responseText || null, { status: xhr.status, statusText: xhr.statusText });
      if (xhr.status >= 200 && xhr.status < 300) {
        onProgress(1);
        resolve((xhr.responseText ? JSON.parse(xhr.responseText) : undefined) as T);
      } else void errorFrom(res).then(reject);
    };
    xhr.send(file);
  });
}
