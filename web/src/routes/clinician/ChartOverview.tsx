// Chart overview: problems, medications, allergies, recent observations and encounters, each its own search.
import type { AllergyIntolerance, Condition, Encounter, MedicationRequest, Observation, Resource } from '@medplum/fhirtypes';
import type { ReactNode } from 'react';
import { search, type SearchParams } from '../../api/fhir.ts';
import { recentResultsQuery } from '../../logic/observations.ts';
import { useLoad } from '../../components/useLoad.ts';
import { Empty, Loaded } from '../../components/States.tsx';
import { conceptText, formatDate, quantity } from '../../components/format.ts';

function Section<T extends Resource>({ title, type, params, empty, render }: { title: string; type: T['resourceType']; params: SearchParams; empty: string; render: (r: T) => ReactNode }) {
  const [load, retry] = useLoad(() => search<T>(type, params), [type, JSON.stringify(params)]);
  const headingId = `h-${type}`;
  return (
    <section className="card" aria-labelledby={headingId}>
      <h2 id={headingId}>{title}</h2>
      <Loaded load={load} retry={retry} label={`Loading ${title.toLowerCase()}`}>
        {(rows) =>
          rows.length === 0 ? (
            <Empty>{empty}</Empty>
          ) : (
            <ul className="rows">
              {rows.map((r) => (
                <li key={r.id}>{render(r)}</li>
              ))}
            </ul>
          )
        }
      </Loaded>
    </section>
  );
}

function status(code: string | undefined) {
  return code ? <span className={`pill pill-${code}`}>{code}</span> : null;
}

export function ChartOverview({ patientId }: { patientId: string }) {
  return (
    <div className="grid">
      <Section<Condition>
        title="Problems"
        type="Condition"
        params={{ patient: patientId, _count: '50' }}
        empty="No problems recorded."
        render={(c) => (
          <div className="row">
            <span>{conceptText(c.code)}</span>
            {status(c.clinicalStatus?.coding?.[0]?.code)}
          </div>
        )}
      />
      <Section<MedicationRequest>
        title="Medications"
        type="MedicationRequest"
        params={{ patient: patientId, _count: '50', _sort: '-authoredon' }}
        empty="No medications recorded."
        render={(m) => (
          <div className="row">
            <span>
              {conceptText(m.medicationCodeableConcept)}
              <span className="muted small block">{m.dosageInstruction?.[0]?.text ?? (m.authoredOn ? `ordered ${formatDate(m.authoredOn)}` : '')}</span>
            </span>
            {status(m.status)}
          </div>
        )}
      />
      <Section<AllergyIntolerance>
        title="Allergies"
        type="AllergyIntolerance"
        params={{ patient: patientId, _count: '50' }}
        empty="No known allergies recorded."
        render={(a) => (
          <div className="row">
            <span>
              {conceptText(a.code)}
              {a.reaction?.[0]?.manifestation?.[0] && <span className="muted small block">{conceptText(a.reaction[0].manifestation[0])}</span>}
            </span>
            {a.criticality && <span className={`pill pill-${a.criticality}`}>{a.criticality}</span>}
          </div>
        )}
      />
      <Section<Observation>
        title="Recent observations"
        type="Observation"
        params={recentResultsQuery(patientId, 20)}
        empty="No observations yet."
        render={(o) => (
          <div className="row">
            <span>
              {conceptText(o.code)}
              <span className="muted small block">{formatDate(o.effectiveDateTime ?? o.issued)}</span>
            </span>
            <strong>{o.valueQuantity ? quantity(o.valueQuantity) : o.valueCodeableConcept ? conceptText(o.valueCodeableConcept) : (o.valueString ?? '—')}</strong>
          </div>
        )}
      />
      <Section<Encounter>
        title="Encounters"
        type="Encounter"
        params={{ patient: patientId, _count: '10', _sort: '-date' }}
        empty="No encounters recorded."
        render={(e) => (
          <div className="row">
            <span>
              {e.type?.[0] ? conceptText(e.type[0]) : (e.class?.display ?? e.class?.code ?? 'Encounter')}
              <span className="muted small block">{formatDate(e.period?.start)}</span>
            </span>
            {status(e.status)}
          </div>
        )}
      />
    </div>
  );
}
