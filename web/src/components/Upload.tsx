// A file upload with a progress bar and the server's summary or error; the caller names the endpoint.
import { useId, useState, type FormEvent, type ReactNode } from 'react';
import { upload } from '../api/http.ts';

/** `options`: extra fields of this upload (e.g. a checkbox the endpoint reads), shown above the button. */
export function UploadForm({ label, hint, accept, endpoint, contentType, describe, options }: { label: string; hint: string; accept: string; endpoint: (file: File) => string | undefined; contentType: (file: File) => string; describe: (result: unknown) => string; options?: ReactNode }) {
  const id = useId();
  const [file, setFile] = useState<File>();
  const [progress, setProgress] = useState<number>();
  const [message, setMessage] = useState<{ kind: 'ok' | 'error'; text: string }>();
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!file) return setMessage({ kind: 'error', text: 'Choose a file first.' });
    const url = endpoint(file);
    if (!url) return setMessage({ kind: 'error', text: 'Fill in the fields above first.' });
    setMessage(undefined);
    setProgress(0);
    try {
      const result = await upload<unknown>(url, file, contentType(file), setProgress);
      setMessage({ kind: 'ok', text: describe(result) });
    } catch (err) {
      setMessage({ kind: 'error', text: err instanceof Error ? err.message : String(err) });
    } finally {
      setProgress(undefined);
    }
  };
  return (
    <form className="stack" onSubmit={(e) => void submit(e)}>
      <label htmlFor={`${id}-file`}>{label}</label>
      <input id={`${id}-file`} type="file" accept={accept} aria-describedby={`${id}-hint`} onChange={(e) => setFile(e.target.files?.[0])} />
      <p id={`${id}-hint`} className="muted small">
        {hint}
      </p>
      {options}
      {progress !== undefined && (
        <div className="progress-wrap">
          <progress max={1} value={progress} aria-label="Upload progress" />
          <span className="small">{progress < 1 ? `${Math.round(progress * 100)} % sent` : 'Processing on the server…'}</span>
        </div>
      )}
      {message && (
        <p className={message.kind === 'ok' ? 'success' : 'form-error'} role={message.kind === 'ok' ? 'status' : 'alert'}>
          {message.text}
        </p>
      )}
      <div className="actions">
        <button type="submit" className="btn btn-primary" disabled={progress !== undefined}>
          Upload
        </button>
      </div>
    </form>
  );
}

export { describeImport } from '../logic/importSummary.ts';
