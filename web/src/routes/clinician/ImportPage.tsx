// Staff imports: a VCF or lab PGx result for a patient, or a wearable export, with upload progress.
import { useState } from 'react';
import { describeImport, UploadForm } from '../../components/Upload.tsx';
import { wearableEndpoint } from '../../api/wearables.ts';
import { useTitle } from '../../components/useTitle.ts';

function wearableType(f: File): string {
  if (f.name.endsWith('.zip')) return 'application/zip';
  if (f.name.endsWith('.xml')) return 'application/xml';
  if (f.name.endsWith('.ndjson')) return 'application/x-ndjson';
  return 'application/json';
}

export default function ImportPage() {
  useTitle('Import');
  const [patient, setPatient] = useState('');
  const [cyp2d6, setCyp2d6] = useState(false);
  const id = patient.trim().replace(/^Patient\//, '');
  return (
    <section className="page">
      <h1>Import</h1>
      <div className="card stack">
        <label htmlFor="import-patient">Patient ID</label>
        <input id="import-patient" value={patient} onChange={(e) => setPatient(e.target.value)} placeholder="e.g. demo-maria" autoComplete="off" />
      </div>
      <div className="grid">
        <section className="card" aria-labelledby="imp-pgx">
          <h2 id="imp-pgx">Genomic result</h2>
          <UploadForm
            label="VCF or lab PGx result"
            hint="GRCh38 VCF (.vcf or .vcf.gz) or a lab's result file. Stored encrypted; genotypes are called on the server."
            accept=".vcf,.gz,.json,.txt,.tsv"
            endpoint={(f) => (id ? `/pgx/patients/${encodeURIComponent(id)}/results?filename=${encodeURIComponent(f.name)}${cyp2d6 ? '&cyp2d6FromVcf=true' : ''}` : undefined)}
            contentType={(f) => (f.name.endsWith('.gz') ? 'application/gzip' : f.name.endsWith('.json') ? 'application/json' : 'text/plain')}
            describe={describeImport}
            options={
              <>
                <p className="check">
                  <input id="import-cyp2d6" type="checkbox" checked={cyp2d6} onChange={(e) => setCyp2d6(e.target.checked)} aria-describedby="import-cyp2d6-hint" />
                  <label htmlFor="import-cyp2d6">Call CYP2D6 from the VCF (no copy number)</label>
                </p>
                <p id="import-cyp2d6-hint" className="muted small">
                  For a VCF only. CYP2D6 is read from its SNVs and indels; gene deletions (*5) and extra copies are not seen, so the result is marked for confirmation. A lab's CYP2D6 result on record stays the one used.
                </p>
              </>
            }
          />
        </section>
        <section className="card" aria-labelledby="imp-wear">
          <h2 id="imp-wear">Wearable data</h2>
          <UploadForm
            label="Wearable export"
            hint="Apple Health export (.zip or export.xml), Fitbit or Open mHealth JSON."
            accept=".zip,.xml,.json,.ndjson"
            endpoint={(f) => (id ? wearableEndpoint(f, id) : undefined)}
            contentType={wearableType}
            describe={describeImport}
          />
        </section>
      </div>
    </section>
  );
}
