// The PGx panel: a card per gene that needs attention (diplotype, phenotype, caveats, source, date, data version), the
// medicines it affects with the guidance, and the evidence one click away; the typical results in a compact table.
// A typical phenotype with a caveat (CYP2D6 called from a VCF without copy number) gets a card: read alone in the
// table, a "Normal Metabolizer" would look as if copy number had been checked.
// Hidden by the patient's consent -> break the glass (audited, visible to the patient).
import { useState } from 'react';
import type { DiagnosticReport, Observation } from '@medplum/fhirtypes';
import { pgxSummary, type PgxGeneResult } from '../../api/pgx.ts';
import { needsAttention } from '../../logic/pgx.ts';
import { ApiError } from '../../api/http.ts';
import { read } from '../../api/fhir.ts';
import { useLoad } from '../../components/useLoad.ts';
import { Empty, ErrorState, Loaded, Loading } from '../../components/States.tsx';
import { conceptText, formatDate } from '../../components/format.ts';
import { BreakGlassButton } from '../../components/BreakGlass.tsx';
import { phenotypeTone } from '../../components/pgxWords.ts';

function componentValue(c: NonNullable<Observation['component']>[number]): string {
  return c.valueCodeableConcept ? conceptText(c.valueCodeableConcept) : (c.valueString ?? (c.valueQuantity?.value !== undefined ? String(c.valueQuantity.value) : '—'));
}

/** The stored FHIR resources behind a result, loaded when the disclosure opens. */
function Evidence({ g }: { g: PgxGeneResult }) {
  const [load, retry] = useLoad(async () => {
    const [report, ...observations] = await Promise.all([read<DiagnosticReport>('DiagnosticReport', g.reportId), ...g.observationIds.map((id) => read<Observation>('Observation', id))]);
    return { report: report!, observations: observations as Observation[] };
  }, [g.reportId, g.observationIds.join(',')]);
  return (
    <Loaded load={load} retry={retry} label="Loading the evidence">
      {({ report, observations }) => (
        <div className="stack small">
          <p>
            Report <code>DiagnosticReport/{report.id}</code> ({report.status}, issued {formatDate(report.issued)}){report.conclusion ? `: ${report.conclusion}` : ''}
          </p>
          {g.lookupKeys.length > 0 && <p>Guidance looked up with: {g.lookupKeys.join(', ')}</p>}
          <CallNotes g={g} />
          {observations.map((o) => (
            <div key={o.id}>
              <p>
                <strong>{conceptText(o.code)}</strong> <code>Observation/{o.id}</code>
                {o.method && ` · method: ${conceptText(o.method)}`}
              </p>
              {o.component && o.component.length > 0 && (
                <ul>
                  {o.component.map((c, i) => (
                    <li key={i}>
                      {conceptText(c.code)}: {componentValue(c)}
                    </li>
                  ))}
                </ul>
              )}
              {o.derivedFrom && o.derivedFrom.length > 0 && <p className="muted">Derived from: {o.derivedFrom.map((d) => d.reference).join(', ')}</p>}
            </div>
          ))}
        </div>
      )}
    </Loaded>
  );
}

/** Every warning stored with the call, the technical matcher notes included, under their codes. */
function CallNotes({ g }: { g: PgxGeneResult }) {
  const notes = [...g.caveats, ...g.technicalNotes];
  if (notes.length === 0) return null;
  return (
    <div>
      <p>
        <strong>Call notes ({notes.length})</strong>
      </p>
      <ul className="call-notes">
        {notes.map((w, i) => (
          <li key={`${w.code}-${i}`}>
            <code>{w.code}</code>: {w.message}
          </li>
        ))}
      </ul>
    </div>
  );
}

/** The caveats to read the result with (logic/pgx.ts isClinicalWarning), in full: there are few, and they matter. */
function Caveats({ g }: { g: PgxGeneResult }) {
  if (g.caveats.length === 0) return null;
  return (
    <ul className="caveats" aria-label={`Caveats for ${g.gene}`}>
      {g.caveats.map((w, i) => (
        <li key={`${w.code}-${i}`} data-code={w.code}>
          {w.message}
        </li>
      ))}
    </ul>
  );
}

function EvidenceDisclosure({ g }: { g: PgxGeneResult }) {
  const [open, setOpen] = useState(false);
  return (
    <details className="evidence" onToggle={(e) => setOpen((e.target as HTMLDetailsElement).open)}>
      <summary>Evidence for {g.gene}</summary>
      {open && <Evidence g={g} />}
    </details>
  );
}

function GeneCard({ g }: { g: PgxGeneResult }) {
  const id = `gene-${g.gene}`;
  // A typical phenotype that still has to be confirmed is not shown in the all-clear colour.
  const tone = phenotypeTone(g.phenotype);
  const border = tone === 'normal' && g.caveats.length > 0 ? 'warning' : tone;
  return (
    <article className={`card gene gene-${border}`} aria-labelledby={id} data-gene={g.gene}>
      <header className="gene-head">
        <h3 id={id}>{g.gene}</h3>
        <span className="diplotype">{g.diplotype}</span>
      </header>
      <p className="phenotype">
        {g.phenotype}
        {g.caveats.length > 0 && (
          <span className="badge badge-warning caveat-count">
            <span aria-hidden="true">⚠ </span>
            {g.caveats.length === 1 ? '1 caveat' : `${g.caveats.length} caveats`}
          </span>
        )}
      </p>
      <Caveats g={g} />
      <dl className="facts">
        {g.activityScore && (
          <>
            <dt>Activity score</dt>
            <dd>{g.activityScore}</dd>
          </>
        )}
        <dt>Source</dt>
        <dd>{g.source}</dd>
        <dt>Date</dt>
        <dd>{formatDate(g.date)}</dd>
        <dt>Data version</dt>
        <dd>{g.dataVersion || '—'}</dd>
      </dl>
      {g.drugs.length > 0 && (
        <>
          <h4>Medicines affected ({g.drugs.length})</h4>
          <ul className="drugs">
            {g.drugs.map((d) => (
              <li key={d.drug}>
                <details>
                  <summary>
                    <strong>{d.drug}</strong>
                    {d.items.map((x, i) => (
                      <span key={i} className="pill">
                        {x.source}
                        {x.strength ? ` · ${x.strength}` : ''}
                      </span>
                    ))}
                    {d.withGenes.length > 0 && <span className="muted small"> with {d.withGenes.join(', ')}</span>}
                  </summary>
                  {d.items.map((x, i) => (
                    <div key={i} className="guidance">
                      <p>
                        <strong>{x.source}</strong>
                        {x.population && <span className="muted small"> · {x.population}</span>}
                      </p>
                      <p>{x.text}</p>
                      {x.implications.length > 0 && <p className="muted small">{x.implications.join(' ')}</p>}
                    </div>
                  ))}
                </details>
              </li>
            ))}
          </ul>
        </>
      )}
      <EvidenceDisclosure g={g} />
    </article>
  );
}

export default function PgxPanel({ patientId }: { patientId: string }) {
  const [load, retry] = useLoad(() => pgxSummary(patientId), [patientId]);
  const [emergencyUntil, setEmergencyUntil] = useState<string>();
  const granted = (expiresAt?: string) => {
    setEmergencyUntil(expiresAt ?? '');
    retry();
  };
  if (load.status === 'loading') return <Loading label="Loading pharmacogenomic results" />;
  if (load.status === 'error') {
    const hidden = load.error instanceof ApiError && (load.error.status === 403 || load.error.status === 404);
    if (!hidden) return <ErrorState error={load.error} onRetry={retry} />;
    const byConsent = /Consent\//.test(load.error.message);
    return (
      <section className="card notice" aria-labelledby="pgx-hidden">
        <h2 id="pgx-hidden">Genomic results are not available to you</h2>
        <p>{byConsent ? 'The patient has chosen not to share genetic results with the care team.' : load.error.message}</p>
        {byConsent && <p className="muted small">{load.error.message}</p>}
        <p className="muted">In an emergency you can break the glass: access is time-limited, recorded, and the patient will see it.</p>
        <BreakGlassButton patientId={patientId} onGranted={granted} />
      </section>
    );
  }
  const { genes } = load.data;
  const attention = genes.filter(needsAttention);
  const others = genes.filter((g) => !attention.includes(g));
  return (
    <section aria-labelledby="pgx-title" className="pgx stack-lg">
      <div className="section-head">
        <h2 id="pgx-title">Pharmacogenomics</h2>
        <span className="muted small">{genes.length} genes tested</span>
      </div>
      {emergencyUntil !== undefined && (
        <p className="notice-text emergency" role="status">
          Opened under emergency access{emergencyUntil ? ` until ${new Date(emergencyUntil).toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit' })}` : ''}. This access is recorded and shown to the patient.
        </p>
      )}
      {genes.length === 0 ? (
        <div className="card notice">
          <Empty>No pharmacogenomic results are on record, or none are shared with you.</Empty>
          <p className="muted small">If the patient's sharing choices withhold genomic data and care needs it now, you can break the glass; the patient will see it.</p>
          <BreakGlassButton patientId={patientId} onGranted={granted} />
        </div>
      ) : (
        <>
          {attention.length > 0 && (
            <div className="grid">
              {attention.map((g) => (
                <GeneCard key={g.gene} g={g} />
              ))}
            </div>
          )}
          {others.length > 0 && (
            <section className="card" aria-labelledby="pgx-others">
              <h3 id="pgx-others">Other genes tested</h3>
              <div className="table-wrap">
                <table className="table">
                  <thead>
                    <tr>
                      <th scope="col">Gene</th>
                      <th scope="col">Result</th>
                      <th scope="col">Phenotype</th>
                      <th scope="col">Medicines</th>
                    </tr>
                  </thead>
                  <tbody>
                    {others.map((g) => (
                      <tr key={g.gene}>
                        <th scope="row">{g.gene}</th>
                        <td className="diplotype">{g.diplotype}</td>
                        <td>{g.phenotype}</td>
                        <td>{g.drugs.map((d) => d.drug).join(', ') || '—'}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
              <p className="muted small">
                {others[0]!.source} · {formatDate(others[0]!.date)} · {others[0]!.dataVersion}
              </p>
            </section>
          )}
        </>
      )}
    </section>
  );
}
