// The patient's own record in plain words: medicines, genetic results explained, this week's lifestyle summary
// with charts, and recent results. Everything is fetched for the signed-in patient only.
import { useState } from 'react';
import type { MedicationRequest, Observation } from '@medplum/fhirtypes';
import { useSession } from '../../auth/AuthContext.tsx';
import { ownPatientId } from '../../auth/session.ts';
import { search } from '../../api/fhir.ts';
import { recentResultsQuery } from '../../logic/observations.ts';
import { pgxSummary } from '../../api/pgx.ts';
import { patientNotes, shownToPatient } from '../../logic/pgx.ts';
import { metrics, weeklySummary, type MetricId } from '../../api/wearables.ts';
import { useLoad } from '../../components/useLoad.ts';
import { Empty, Loaded } from '../../components/States.tsx';
import { conceptText, formatDate, quantity } from '../../components/format.ts';
import { MetricChart, MetricPicker } from '../clinician/LifestylePanel.tsx';
import { explainForPatient } from '../../components/pgxWords.ts';
import { useTitle } from '../../components/useTitle.ts';

function GeneticsExplained({ me }: { me: string }) {
  const [load, retry] = useLoad(() => pgxSummary(me), [me]);
  return (
    <section className="card" aria-labelledby="my-genes">
      <h2 id="my-genes">Your genes and your medicines</h2>
      <Loaded load={load} retry={retry} label="Loading your genetic results">
        {(s) => {
          // Results that change medicine choices, and results with a note for her (e.g. copy number not counted).
          const notable = s.genes.filter(shownToPatient);
          if (s.genes.length === 0) return <Empty>You have no genetic (pharmacogenomic) test results on record.</Empty>;
          return (
            <div className="stack">
              <p>
                A genetic test looked at {s.genes.length} genes that change how your body handles some medicines.{' '}
                {notable.length === 0 ? 'All results were typical.' : `${notable.length} result${notable.length > 1 ? 's need' : ' needs'} attention when medicines are chosen:`}
              </p>
              {notable.map((g) => (
                <article key={g.gene} className="explain-gene">
                  <h3>
                    {g.gene}: {g.phenotype}
                  </h3>
                  <p>{explainForPatient(g.gene, g.phenotype, g.drugs.map((d) => d.drug))}</p>
                  {patientNotes(g).map((text) => (
                    <p key={text} className="explain-note">
                      {text}
                    </p>
                  ))}
                  <p className="muted small">
                    Test result {g.diplotype} · {g.source} · {formatDate(g.date)}
                  </p>
                </article>
              ))}
            </div>
          );
        }}
      </Loaded>
    </section>
  );
}

function WeeklySummary({ me }: { me: string }) {
  // Written by the server from the same daily values, baselines and alert rules the care team sees.
  const [load, retry] = useLoad(() => weeklySummary(me), [me]);
  return (
    <section className="card" aria-labelledby="my-week">
      <h2 id="my-week">Your week</h2>
      <Loaded load={load} retry={retry} label="Summarising your week">
        {(w) => (
          <>
            <p className="muted small">
              {formatDate(w.weekStart)} to {formatDate(w.weekEnd)}
            </p>
            <ul className="plain">{w.lines.map((l) => <li key={l}>{l}</li>)}</ul>
          </>
        )}
      </Loaded>
    </section>
  );
}

function MyTrends({ me }: { me: string }) {
  const [metric, setMetric] = useState<MetricId>('steps');
  const [days, setDays] = useState(30);
  return (
    <section className="card" aria-labelledby="my-trends">
      <h2 id="my-trends">Your trends</h2>
      <MetricPicker metric={metric} days={days} onMetric={setMetric} onDays={setDays} />
      <MetricChart patientId={me} metric={metric} days={days} />
      <p className="muted small">The shaded band is your own usual range, learned from your past weeks. {metrics.find((m) => m.id === metric)?.label}.</p>
    </section>
  );
}

function MyMedicines({ me }: { me: string }) {
  const [load, retry] = useLoad(() => search<MedicationRequest>('MedicationRequest', { patient: me, status: 'active', _count: '50' }), [me]);
  return (
    <section className="card" aria-labelledby="my-meds">
      <h2 id="my-meds">Your medicines</h2>
      <Loaded load={load} retry={retry} label="Loading your medicines">
        {(meds) =>
          meds.length === 0 ? (
            <Empty>No current medicines on record.</Empty>
          ) : (
            <ul className="rows">
              {meds.map((m) => (
                <li key={m.id} className="row">
                  <span>
                    {conceptText(m.medicationCodeableConcept)}
                    <span className="muted small block">{m.dosageInstruction?.[0]?.text ?? `since ${formatDate(m.authoredOn)}`}</span>
                  </span>
                </li>
              ))}
            </ul>
          )
        }
      </Loaded>
    </section>
  );
}

function plainResult(o: Observation): string {
  const v = o.valueQuantity;
  const range = o.referenceRange?.[0];
  if (v?.value !== undefined && range?.low?.value !== undefined && range.high?.value !== undefined) {
    const where = v.value < range.low.value ? 'below' : v.value > range.high.value ? 'above' : 'within';
    return `${quantity(v)}, ${where} the usual range (${range.low.value}–${range.high.value}).`;
  }
  const interp = o.interpretation?.[0] ? conceptText(o.interpretation[0]) : undefined;
  return [v ? quantity(v) : o.valueCodeableConcept ? conceptText(o.valueCodeableConcept) : o.valueString, interp].filter(Boolean).join(' — ') || 'Result recorded';
}

function MyResults({ me }: { me: string }) {
  const [load, retry] = useLoad(() => search<Observation>('Observation', recentResultsQuery(me, 10)), [me]);
  return (
    <section className="card" aria-labelledby="my-results">
      <h2 id="my-results">Recent results</h2>
      <Loaded load={load} retry={retry} label="Loading your results">
        {(obs) =>
          obs.length === 0 ? (
            <Empty>No results yet.</Empty>
          ) : (
            <ul className="rows">
              {obs.map((o) => (
                <li key={o.id} className="row">
                  <span>
                    <strong>{conceptText(o.code)}</strong>
                    <span className="block">{plainResult(o)}</span>
                    <span className="muted small block">{formatDate(o.effectiveDateTime ?? o.issued)}</span>
                  </span>
                </li>
              ))}
            </ul>
          )
        }
      </Loaded>
    </section>
  );
}

export default function PortalHome() {
  useTitle('My health');
  const session = useSession();
  const me = session ? ownPatientId(session) : undefined;
  if (!me) return <p className="state state-error">Your account is not linked to a patient record. Please contact your clinic.</p>;
  return (
    <section className="page">
      <h1>My health</h1>
      <div className="grid">
        <GeneticsExplained me={me} />
        <WeeklySummary me={me} />
        <MyMedicines me={me} />
        <MyResults me={me} />
      </div>
      <MyTrends me={me} />
    </section>
  );
}
