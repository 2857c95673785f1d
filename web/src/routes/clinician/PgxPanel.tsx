// The PGx panel: one card per gene (diplotype, phenotype, source, date, data version), the medicines it affects
// with the guidance, and the evidence one click away (a disclosure). Hidden by consent -> break the glass.
import { pgxSummary, type PgxGeneResult } from '../../api/pgx.ts';
import { ApiError } from '../../api/http.ts';
import { useLoad } from '../../components/useLoad.ts';
import { ErrorState, Loading } from '../../components/States.tsx';
import { formatDate } from '../../components/format.ts';
import { BreakGlassButton } from '../../components/BreakGlass.tsx';

function phenotypeTone(phenotype: string): string {
  const p = phenotype.toLowerCase();
  if (p.includes('poor') || p.includes('positive') || p.includes('deficien') || p.includes('no function')) return 'critical';
  if (p.includes('intermediate') || p.includes('decreased') || p.includes('rapid') || p.includes('possible')) return 'warning';
  return 'normal';
}

function GeneCard({ g }: { g: PgxGeneResult }) {
  const id = `gene-${g.gene}`;
  return (
    <article className={`card gene gene-${phenotypeTone(g.phenotype)}`} aria-labelledby={id}>
      <header className="gene-head">
        <h3 id={id}>{g.gene}</h3>
        <span className="diplotype">{g.diplotype}</span>
      </header>
      <p className="phenotype">{g.phenotype}</p>
      <dl className="facts">
        {g.activityScore && (
          <>
            <dt>Activity score</dt>
            <dd>{g.activityScore}</dd>
          </>
        )}
        <dt>Source</dt>
        <dd>{g.source ?? '—'}</dd>
        <dt>Date</dt>
        <dd>{formatDate(g.date)}</dd>
        <dt>Data version</dt>
        <dd>{g.dataVersion ?? '—'}</dd>
      </dl>
      {g.drugs.length > 0 && (
        <>
          <h4>Medicines affected</h4>
          <ul className="drugs">
            {g.drugs.map((d) => (
              <li key={d.drug}>
                <strong>{d.drug}</strong>
                {d.strength && <span className="pill">{d.strength}</span>}
                {d.guidance && <p>{d.guidance}</p>}
                {(d.source || d.url) && (
                  <p className="muted small">
                    {d.source}
                    {d.url && (
                      <>
                        {' · '}
                        <a href={d.url} target="_blank" rel="noreferrer">
                          guideline<span className="visually-hidden"> for {d.drug} (opens in a new tab)</span>
                        </a>
                      </>
                    )}
                  </p>
                )}
              </li>
            ))}
          </ul>
        </>
      )}
      <details className="evidence">
        <summary>Evidence for {g.gene}</summary>
        {g.evidence.length === 0 ? (
          <p className="muted">The server gave no further evidence for this result.</p>
        ) : (
          <ul>
            {g.evidence.map((e, i) => (
              <li key={i}>
                {e.href ? (
                  <a href={e.href} target="_blank" rel="noreferrer">
                    {e.label}
                  </a>
                ) : (
                  <strong>{e.label}</strong>
                )}
                {e.text && <span>: {e.text}</span>}
              </li>
            ))}
          </ul>
        )}
      </details>
    </article>
  );
}

export default function PgxPanel({ patientId }: { patientId: string }) {
  const [load, retry] = useLoad(() => pgxSummary(patientId), [patientId]);
  if (load.status === 'loading') return <Loading label="Loading pharmacogenomic results" />;
  if (load.status === 'error') {
    const hidden = load.error instanceof ApiError && (load.error.status === 403 || load.error.status === 404);
    if (!hidden) return <ErrorState error={load.error} onRetry={retry} />;
    return (
      <section className="card notice" aria-labelledby="pgx-hidden">
        <h2 id="pgx-hidden">Genomic results are not available to you</h2>
        <p>{load.error.message}</p>
        <p className="muted">The patient's sharing choices may hide genomic data. In an emergency you can break the glass; the patient will see it.</p>
        <BreakGlassButton patientId={patientId} onGranted={retry} />
      </section>
    );
  }
  const { genes, dataVersion } = load.data;
  return (
    <section aria-labelledby="pgx-title" className="pgx">
      <div className="section-head">
        <h2 id="pgx-title">Pharmacogenomics</h2>
        {dataVersion && <span className="muted small">Knowledge: {dataVersion}</span>}
      </div>
      {genes.length === 0 ? (
        <div className="card notice">
          <p>No pharmacogenomic results are on record for this patient, or none are shared with you.</p>
          <BreakGlassButton patientId={patientId} onGranted={retry} />
        </div>
      ) : (
        <div className="grid">
          {genes.map((g) => (
            <GeneCard key={g.gene} g={g} />
          ))}
        </div>
      )}
    </section>
  );
}
