// "Who looked at my record": the AuditEvents about the signed-in patient, newest first, in plain words with the
// staff member's name; emergency (break-the-glass) access stands out with the reason given. The patient's own
// activity is hidden unless asked for.
import { useId, useState } from 'react';
import type { AuditEvent, Practitioner } from '@medplum/fhirtypes';
import { useSession } from '../../auth/AuthContext.tsx';
import { ownPatientId } from '../../auth/session.ts';
import { search } from '../../api/fhir.ts';
import { useLoad } from '../../components/useLoad.ts';
import { Empty, Loaded } from '../../components/States.tsx';
import { formatDate, personName } from '../../components/format.ts';
import { auditPurpose, auditReason, auditRefusal, auditWhat, auditWho, auditWhoRef, groupAuditEvents, isBreakGlass } from '../../logic/audit.ts';
import { useTitle } from '../../components/useTitle.ts';

/** The log and the names of the staff it mentions (one search for all of them). */
async function loadLog(me: string): Promise<{ events: AuditEvent[]; names: Map<string, string> }> {
  const events = await search<AuditEvent>('AuditEvent', { patient: me, _sort: '-date', _count: '100' });
  const ids = [...new Set(events.map(auditWhoRef).filter((r): r is string => !!r?.startsWith('Practitioner/')).map((r) => r.slice('Practitioner/'.length)))];
  const names = new Map<string, string>();
  if (ids.length > 0) {
    // Names only make the log easier to read: without them it still shows the references.
    const people = await search<Practitioner>('Practitioner', { _id: ids.join(','), _count: String(ids.length) }).catch(() => []);
    for (const p of people) names.set(`Practitioner/${p.id}`, personName(p.name));
  }
  return { events, names };
}

export default function AccessLog() {
  useTitle('Access log');
  const session = useSession();
  const me = session ? ownPatientId(session) : undefined;
  const [showOwn, setShowOwn] = useState(false);
  const ownId = useId();
  const isMe = (e: AuditEvent) => (e.agent ?? []).some((a) => a.requestor && a.who?.reference === session?.fhirUser);
  const [load, retry] = useLoad(() => loadLog(me ?? ''), [me]);
  return (
    <section className="page">
      <h1>Access log</h1>
      <p className="muted">Everyone who opened or changed your record, newest first. Emergency access is marked.</p>
      <div className="section-head">
        <p className="check">
          <input id={ownId} type="checkbox" checked={showOwn} onChange={(e) => setShowOwn(e.target.checked)} />
          <label htmlFor={ownId}>Include my own activity</label>
        </p>
        <button type="button" className="btn btn-secondary" onClick={retry} disabled={load.status === 'loading'}>
          Refresh
        </button>
      </div>
      <Loaded load={load} retry={retry} label="Loading your access log">
        {({ events, names }) => {
          const rows = groupAuditEvents(showOwn ? events : events.filter((e) => !isMe(e)));
          return rows.length === 0 ? (
            <Empty>{showOwn ? 'No one has accessed your record yet.' : 'No one else has accessed your record yet.'}</Empty>
          ) : (
            <ul className="rows access-log">
              {rows.map(({ event: e, count }) => {
                const btg = isBreakGlass(e);
                const purpose = auditPurpose(e);
                const refusal = auditRefusal(e);
                const reason = auditReason(e);
                return (
                  <li key={e.id} className={`row ${btg ? 'row-btg' : ''}`}>
                    <span>
                      {btg && <span className="badge badge-critical">Emergency access</span>} <strong>{isMe(e) ? 'You' : auditWho(e, names)}</strong> {auditWhat(e)}
                      {count > 1 && <span className="muted"> ({count} times)</span>}
                      <span className="muted small block">
                        {formatDate(e.recorded)}
                        {purpose && ` · for ${purpose}`}
                        {refusal && ` · ${refusal}`}
                      </span>
                      {btg && reason && <span className="block">Reason given: {reason}</span>}
                    </span>
                  </li>
                );
              })}
            </ul>
          );
        }}
      </Loaded>
    </section>
  );
}
