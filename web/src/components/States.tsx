// The three states every data view has besides "here it is": loading, error (with retry) and empty.
import type { ReactNode } from 'react';
import type { Load } from './useLoad.ts';
import { ApiError } from '../api/http.ts';

export function Loading({ label = 'Loading' }: { label?: string }) {
  return (
    <div className="state state-loading" role="status" aria-live="polite">
      <span className="spinner" aria-hidden="true" />
      <span>{label}…</span>
    </div>
  );
}

export function ErrorState({ error, onRetry }: { error: Error; onRetry?: () => void }) {
  const denied = error instanceof ApiError && (error.status === 403 || error.status === 404);
  return (
    <div className="state state-error" role="alert">
      <p>{denied ? error.message || 'This is not available to you.' : `Something went wrong: ${error.message}`}</p>
      {onRetry && !denied && (
        <button type="button" className="btn btn-secondary" onClick={onRetry}>
          Try again
        </button>
      )}
    </div>
  );
}

export function Empty({ children }: { children: ReactNode }) {
  return <p className="state state-empty">{children}</p>;
}

/** Renders a Load: spinner, error with retry, or the children for the data. */
export function Loaded<T>({ load, retry, label, children }: { load: Load<T>; retry?: () => void; label?: string; children: (data: T) => ReactNode }) {
  if (load.status === 'loading') return <Loading label={label} />;
  if (load.status === 'error') return <ErrorState error={load.error} onRetry={retry} />;
  return <>{children(load.data)}</>;
}
