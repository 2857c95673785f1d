// Sharing choices: for each data class and purpose, the patient shares or withholds. Each choice is a FHIR Consent
// in the patient's compartment (permit or deny, with the data class as a security label and the purpose of use);
// changing a choice ends the old Consent (status inactive) and records a new one, so the history stays.
import { useState } from 'react';
import type { Consent } from '@medplum/fhirtypes';
import { useSession } from '../../auth/AuthContext.tsx';
import { ownPatientId } from '../../auth/session.ts';
import { create, search, update } from '../../api/fhir.ts';
import { useLoad } from '../../components/useLoad.ts';
import { Loaded } from '../../components/States.tsx';
import { formatDate } from '../../components/format.ts';
import { dataClasses, purposes } from '../../data/sharing.ts';
import { consentFor, consentMatches, isShared, type DataClass, type Purpose } from '../../logic/consent.ts';
import { useTitle } from '../../components/useTitle.ts';

export default function Consents() {
  useTitle('Sharing');
  const session = useSession();
  const me = session ? ownPatientId(session) : undefined;
  const [load, retry] = useLoad(() => search<Consent>('Consent', { patient: me ?? '', status: 'active', _count: '100' }), [me]);
  const [busy, setBusy] = useState<string>();
  const [error, setError] = useState<string>();
  const [done, setDone] = useState<string>();
  if (!me) return null;

  const change = async (active: Consent[], dc: DataClass, p: Purpose, share: boolean) => {
    const key = `${dc.id}-${p.id}`;
    setBusy(key);
    setError(undefined);
    setDone(undefined);
    try {
      for (const old of active.filter((c) => consentMatches(c, dc, p))) await update<Consent>({ ...old, status: 'inactive' });
      // Going back to the default needs no Consent of its own; anything else is recorded.
      if (share !== p.defaultShared) await create(consentFor(me, dc, p, share));
      setDone(`${dc.label}: ${share ? 'now shared with' : 'no longer shared with'} ${p.label.toLowerCase()}.`);
      retry();
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    } finally {
      setBusy(undefined);
    }
  };

  return (
    <section className="page">
      <h1>Sharing</h1>
      <p className="muted">Choose who may see each kind of data. Your care team can still open withheld data in an emergency (“break the glass”); you will see that in your access log.</p>
      {error && (
        <p className="form-error" role="alert">
          {error}
        </p>
      )}
      {done && (
        <p className="success" role="status">
          {done}
        </p>
      )}
      <Loaded load={load} retry={retry} label="Loading your sharing choices">
        {(active) => (
          <div className="grid">
            {dataClasses.map((dc) => (
              <section key={dc.id} className="card" aria-labelledby={`dc-${dc.id}`}>
                <h2 id={`dc-${dc.id}`}>{dc.label}</h2>
                <p className="muted small">{dc.help}</p>
                <ul className="rows">
                  {purposes.map((p) => {
                    const { shared, since } = isShared(active, dc, p);
                    const key = `${dc.id}-${p.id}`;
                    return (
                      <li key={p.id} className="row">
                        <span>
                          {p.label}
                          <span className="muted small block">
                            {shared ? 'Shared' : 'Not shared'}
                            {since ? ` since ${formatDate(since)}` : ' (default)'}
                          </span>
                        </span>
                        <button
                          type="button"
                          role="switch"
                          aria-checked={shared}
                          aria-label={`Share ${dc.label.toLowerCase()} with ${p.label.toLowerCase()}`}
                          className={`switch ${shared ? 'on' : 'off'}`}
                          disabled={busy === key}
                          onClick={() => void change(active, dc, p, !shared)}
                        >
                          <span className="switch-thumb" aria-hidden="true" />
                          <span className="switch-text">{shared ? 'On' : 'Off'}</span>
                        </button>
                      </li>
                    );
                  })}
                </ul>
              </section>
            ))}
          </div>
        )}
      </Loaded>
    </section>
  );
}
