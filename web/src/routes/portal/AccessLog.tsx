// "Who looked at my record": the AuditEvents about the signed-in patient, newest first; emergency
// (break-the-glass) access stands out with the reason given.
import type { AuditEvent } from '@medplum/fhirtypes';
import { useSession } from '../../auth/AuthContext.tsx';
import { ownPatientId } from '../../auth/session.ts';
import { search } from '../../api/fhir.ts';
import { useLoad } from '../../components/useLoad.ts';
import { Empty, Loaded } from '../../components/States.tsx';
import { formatDate } from '../../components/format.ts';

export function isBreakGlass(e: AuditEvent): boolean {
  const codes = [...(e.purposeOfEvent ?? []).flatMap((p) => p.coding ?? []), ...(e.subtype ?? []), e.type].map((c) => c?.code?.toLowerCase() ?? '');
  return codes.some((c) => c === 'etreat' || c === 'btg' || c.includes('break-glass') || c.includes('break-the-glass'));
}

function who(e: AuditEvent): string {
  const agent = e.agent?.find((a) => a.requestor) ?? e.agent?.[0];
  return agent?.who?.display ?? agent?.name ?? agent?.who?.reference ?? agent?.who?.identifier?.value ?? 'Unknown';
}

function what(e: AuditEvent): string {
  const action = { C: 'created', R: 'viewed', U: 'changed', D: 'deleted', E: 'used' }[e.action ?? 'R'] ?? 'accessed';
  const types = [...new Set((e.entity ?? []).map((x) => x.what?.reference?.split('/')[0] ?? x.type?.display ?? x.type?.code).filter(Boolean))];
  return `${action} ${types.length ? types.join(', ') : 'your record'}`;
}

export default function AccessLog() {
  const session = useSession();
  const me = session ? ownPatientId(session) : undefined;
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
                      {btg && <span className="badge badge-critical">Emergency access</span>} <strong>{who(e)}</strong> {what(e)}
                      <span className="muted small block">
                        {formatDate(e.recorded)}
                        {e.purposeOfEvent?.[0] && ` · purpose: ${e.purposeOfEvent[0].coding?.[0]?.display ?? e.purposeOfEvent[0].text ?? e.purposeOfEvent[0].coding?.[0]?.code}`}
                        {e.outcome && e.outcome !== '0' && ' · refused'}
                        {e.outcomeDesc && ` · ${e.outcomeDesc}`}
                      </span>
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
