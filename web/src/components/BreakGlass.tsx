// Break-the-glass: a clinician states why they need data the patient's consent hides; the server grants it for a
// limited time and audits it (the patient sees it in their access log).
import { useState, type FormEvent } from 'react';
import { api } from '../api/http.ts';
import { loadSession, saveSession } from '../auth/session.ts';
import { Modal } from './Modal.tsx';

interface BreakGlassResponse {
  expiresAt?: string;
  access_token?: string;
  expires_in?: number;
}

export function BreakGlassButton({ patientId, onGranted }: { patientId: string; onGranted: (expiresAt?: string) => void }) {
  const [open, setOpen] = useState(false);
  const [reason, setReason] = useState('');
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (reason.trim().length < 10) {
      setError('Please give the clinical reason in a few words (at least 10 characters).');
      return;
    }
    setBusy(true);
    setError(undefined);
    try {
      const res = await api<BreakGlassResponse | undefined>('/security/break-glass', { method: 'POST', json: { patient: patientId, reason: reason.trim() } });
      // Some deployments answer with a new, emergency-scoped token: use it for the calls that follow.
      const session = loadSession();
      if (res?.access_token && session) saveSession({ ...session, accessToken: res.access_token, expiresAt: Date.now() + (res.expires_in ?? 900) * 1000 });
      setOpen(false);
      onGranted(res?.expiresAt);
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <>
      <button type="button" className="btn btn-danger-outline" onClick={() => setOpen(true)}>
        Break the glass…
      </button>
      <Modal open={open} onOpenChange={setOpen} title="Emergency access" description="Use only when the patient's care needs it now. Access is time-limited, recorded, and shown to the patient.">
        <form onSubmit={(e) => void submit(e)} className="stack">
          <label htmlFor="bg-reason">Clinical reason</label>
          <textarea id="bg-reason" value={reason} onChange={(e) => setReason(e.target.value)} rows={3} required aria-describedby={error ? 'bg-error' : undefined} />
          {error && (
            <p id="bg-error" className="form-error" role="alert">
              {error}
            </p>
          )}
          <div className="actions">
            <button type="button" className="btn btn-secondary" onClick={() => setOpen(false)}>
              Cancel
            </button>
            <button type="submit" className="btn btn-danger" disabled={busy}>
              {busy ? 'Requesting…' : 'Open the record'}
            </button>
          </div>
        </form>
      </Modal>
    </>
  );
}
