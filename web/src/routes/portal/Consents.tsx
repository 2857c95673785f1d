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
import { ACT_REASON, dataClasses, purposes } from '../../data/sharing.ts';

type DataClass = (typeof dataClasses)[number];
type Purpose = (typeof purposes)[number];

function matches(c: Consent, dc: DataClass, p: Purpose): boolean {
  const prov = c.provision;
  return !!prov?.securityLabel?.some((l) => l.system === dc.system && l.code === dc.code) && !!prov.purpose?.some((x) => x.code === p.code);
}

export function consentFor(patientId: string, dc: DataClass, p: Purpose, share: boolean): Consent {
  return {
    resourceType: 'Consent',
    status: 'active',
    scope: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/consentscope', code: 'patient-privacy' }] },
    category: [{ coding: [{ system: 'http://loinc.org', code: '59284-0', display: 'Patient Consent' }] }],
    patient: { reference: `Patient/${patientId}` },
    dateTime: new Date().toISOString(),
    policyRule: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: share ? 'OPTIN' : 'OPTOUT' }] },
    provision: {
      type: share ? 'permit' : 'deny',
      purpose: [{ system: ACT_REASON, code: p.code }],
      securityLabel: [{ system: dc.system, code: dc.code }],
    },
  };
}

export default function Consents() {
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
      for (const old of active.filter((c) => matches(c, dc, p))) await update<Consent>({ ...old, status: 'inactive' });
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
                    const current = active.filter((c) => matches(c, dc, p)).sort((a, b) => (b.dateTime ?? '').localeCompare(a.dateTime ?? ''))[0];
                    const shared = current ? current.provision?.type === 'permit' : p.defaultShared;
                    const key = `${dc.id}-${p.id}`;
                    return (
                      <li key={p.id} className="row">
                        <span>
                          {p.label}
                          <span className="muted small block">
                            {shared ? 'Shared' : 'Not shared'}
                            {current?.dateTime ? ` since ${formatDate(current.dateTime)}` : ' (default)'}
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
