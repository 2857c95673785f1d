// The care team's alerts inbox: open wearable alerts, each acknowledged with a note.
import { useState, type FormEvent } from 'react';
import { Link } from 'react-router';
import { acknowledge, alerts, type WearableAlert } from '../../api/wearables.ts';
import { useLoad } from '../../components/useLoad.ts';
import { Empty, Loaded } from '../../components/States.tsx';
import { Modal } from '../../components/Modal.tsx';
import { formatDate } from '../../components/format.ts';
import { useTitle } from '../../components/useTitle.ts';

function AckDialog({ alert, onClose, onDone }: { alert: WearableAlert; onClose: () => void; onDone: () => void }) {
  const [note, setNote] = useState('');
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    try {
      await acknowledge(alert.id, note.trim());
      onDone();
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
      setBusy(false);
    }
  };
  return (
    <Modal open onOpenChange={(o) => !o && onClose()} title="Acknowledge alert" description={alert.title}>
      <form className="stack" onSubmit={(e) => void submit(e)}>
        <label htmlFor="ack-note">Note for the care team</label>
        <textarea id="ack-note" rows={3} value={note} onChange={(e) => setNote(e.target.value)} placeholder="e.g. Called the patient; feeling well, will recheck in 2 days" />
        {error && (
          <p className="form-error" role="alert">
            {error}
          </p>
        )}
        <div className="actions">
          <button type="button" className="btn btn-secondary" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" className="btn btn-primary" disabled={busy}>
            Acknowledge
          </button>
        </div>
      </form>
    </Modal>
  );
}

export function AlertList({ patientId }: { patientId?: string }) {
  const [load, retry] = useLoad(() => alerts('active', patientId), [patientId]);
  const [acking, setAcking] = useState<WearableAlert>();
  return (
    <Loaded load={load} retry={retry} label="Loading alerts">
      {(list) =>
        list.length === 0 ? (
          <Empty>No open alerts.</Empty>
        ) : (
          <>
            <ul className="rows alerts">
              {list.map((a) => (
                <li key={a.id} className={`row alert-row alert-${a.severity}`}>
                  <span>
                    <span className={`badge badge-${a.severity === 'critical' ? 'critical' : 'warning'}`}>{a.severity}</span> <strong>{a.title}</strong>
                    <span className="muted small block">
                      {!patientId && a.patientId && (
                        <>
                          <Link to={`/patients/${a.patientId}/lifestyle`}>Patient/{a.patientId}</Link>
                          {' · '}
                        </>
                      )}
                      {formatDate(a.start)}
                    </span>
                    {a.detail && (
                      <details className="small">
                        <summary>Details</summary>
                        <p>{a.detail}</p>
                      </details>
                    )}
                  </span>
                  <button type="button" className="btn btn-secondary" onClick={() => setAcking(a)}>
                    Acknowledge<span className="visually-hidden">: {a.title}</span>
                  </button>
                </li>
              ))}
            </ul>
            {acking && (
              <AckDialog
                alert={acking}
                onClose={() => setAcking(undefined)}
                onDone={() => {
                  setAcking(undefined);
                  retry();
                }}
              />
            )}
          </>
        )
      }
    </Loaded>
  );
}

export default function AlertsInbox() {
  useTitle('Alerts');
  return (
    <section className="page">
      <h1>Alerts</h1>
      <p className="muted">Changes in patients' wearable data against their own baseline. Acknowledge with a note once handled.</p>
      <div className="card">
        <AlertList />
      </div>
    </section>
  );
}
