// "Who looked at my record": the AuditEvents about the signed-in patient, newest first; emergency
// (break-the-glass) access stands out with the reason given.
import type { AuditEvent } from '@medplum/fhirtypes';
import { useSession } from '../../auth/AuthContext.tsx';
import { ownPatientId } from '../../auth/session.ts';
import { search } from '../../api/fhir.ts';
import { useLoad } from '../../components/useLoad.ts';
import { Empty, Loaded } from '../../components/States.tsx';
import { formatDate } from '../../components/format.ts';
import { auditWhat, auditWho, isBreakGlass } from '../../logic/audit.ts';
import { useTitle } from '../../components/useTitle.ts';

export default function AccessLog() {
  useTitle('Access log');
  const session = useSession();
  const me = session ? ownPatientId(session) : undefined;
  const isMe = (e: AuditEvent) => (e.agent ?? []).some((a) => a.requestor && a.who?.reference === session?.fhirUser);
  const [load, retry] = useLoad(() => search<AuditEvent>('AuditEvent', { patient: me ?? '', _sort: '-date', _count: '50' }), [me]);
  return (
    <section className="page">
      <h1>Access log</h1>
      <p className="muted">Everyone who opened or changed your record, newest first. Emergency access is marked.</p>
      <Loaded load={load} retry={retry} label="Loading your access log">
        {(events) =>
          events.length === 0 ? (
            <Empty>No one has accessed your record yet.</Empty>
          ) : (
            <ul className="rows access-log">
              {events.map((e) => {
                const btg = isBreakGlass(e);
                return (
                  <li key={e.id} className={`row ${btg ? 'row-btg' : ''}`}>
                    <span>
                      {btg && <span className="badge badge-critical">Emergency access</span>} <strong>{isMe(e) ? 'You' : auditWho(e)}</strong> {auditWhat(e)}
                      <span className="muted small block">
                        {formatDate(e.recorded)}
                        {e.purposeOfEvent?.[0] && ` · purpose: ${e.purposeOfEvent[0].coding?.[0]?.display ?? e.purposeOfEvent[0].text ?? e.purposeOfEvent[0].coding?.[0]?.code}`}
                        {e.outcome && e.outcome !== '0' && ' · refused'}
                        {e.outcomeDesc && ` · ${e.outcomeDesc}`}
                      </span>
                      {btg && e.entity?.find((x) => x.description) && <span className="block">Reason given: {e.entity.find((x) => x.description)!.description}</span>}
                    </span>
                  </li>
                );
              })}
            </ul>
          )
        }
      </Loaded>
    </section>
  );
}
