// A patient adds their own wearable data from a file (e.g. the Apple Health export from their phone).
import { useSession } from '../../auth/AuthContext.tsx';
import { ownPatientId } from '../../auth/session.ts';
import { describeImport, UploadForm } from '../../components/Upload.tsx';
import { wearableEndpoint } from '../../api/wearables.ts';
import { useTitle } from '../../components/useTitle.ts';

export default function PortalUpload() {
  useTitle('Upload');
  const session = useSession();
  const me = session ? ownPatientId(session) : undefined;
  return (
    <section className="page">
      <h1>Add your health data</h1>
      <div className="card">
        <p>
          On your iPhone, open Health, tap your picture, then <strong>Export All Health Data</strong>. Upload the <code>export.zip</code> file here. Your care team will see the
          trends you choose to share (see <a href="/portal/consents">Sharing</a>).
        </p>
        <UploadForm
          label="Apple Health export or data file"
          hint="export.zip or export.xml from Apple Health, or an Open mHealth JSON file."
          accept=".zip,.xml,.json,.ndjson"
          endpoint={(f) => (me ? wearableEndpoint(f, me) : undefined)}
          contentType={(f) => (f.name.endsWith('.zip') ? 'application/zip' : f.name.endsWith('.xml') ? 'application/xml' : 'application/json')}
          describe={describeImport}
        />
      </div>
    </section>
  );
}
