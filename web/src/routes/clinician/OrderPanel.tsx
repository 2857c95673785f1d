// Prescribing with decision support: the draft order goes to CDS Hooks order-sign before it is saved. Cards show
// inline, most severe first; a suggestion is accepted in one click (the draft becomes the alternative), an
// override needs a coded reason; both are sent back as feedback. Critical cards must be handled before signing.
import { useMemo, useState, type FormEvent } from 'react';
import { Link } from 'react-router';
import type { MedicationRequest } from '@medplum/fhirtypes';
import { callHook, sendFeedback, type CdsCoding, type CdsSuggestion, type ServiceCard } from '../../api/cds.ts';
import { create, search } from '../../api/fhir.ts';
import { useSession } from '../../auth/AuthContext.tsx';
import { formulary } from '../../data/formulary.ts';
import { applySuggestion, draftFor } from '../../logic/orders.ts';
import { Modal } from '../../components/Modal.tsx';
import { Markdown } from '../../components/Markdown.tsx';
import { conceptText, formatDate } from '../../components/format.ts';
import { useLoad } from '../../components/useLoad.ts';
import { Empty, Loaded } from '../../components/States.tsx';

type Handled = { kind: 'accepted'; label: string } | { kind: 'overridden'; reason: string };

function OverrideDialog({ card, open, onOpenChange, onDone }: { card: ServiceCard; open: boolean; onOpenChange: (o: boolean) => void; onDone: (reason: CdsCoding | undefined, comment: string) => Promise<void> }) {
  const reasons = card.overrideReasons ?? [];
  const [code, setCode] = useState('');
  const [comment, setComment] = useState('');
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const reason = reasons.find((r) => r.code === code);
    if (reasons.length > 0 && !reason) return setError('Choose a reason.');
    if (reasons.length === 0 && comment.trim().length < 5) return setError('Say why, in a few words.');
    setBusy(true);
    try {
      await onDone(reason, comment.trim());
      onOpenChange(false);
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <Modal open={open} onOpenChange={onOpenChange} title="Override this alert" description={card.summary}>
      <form className="stack" onSubmit={(e) => void submit(e)}>
        {reasons.length > 0 && (
          <fieldset>
            <legend>Reason</legend>
            {reasons.map((r) => (
              <label key={r.code} className="radio">
                <input type="radio" name="override-reason" value={r.code} checked={code === r.code} onChange={() => setCode(r.code)} />
                {r.display ?? r.code}
              </label>
            ))}
          </fieldset>
        )}
        <label htmlFor="override-comment">Comment{reasons.length > 0 ? ' (optional)' : ''}</label>
        <textarea id="override-comment" rows={2} value={comment} onChange={(e) => setComment(e.target.value)} />
        {error && (
          <p className="form-error" role="alert">
            {error}
          </p>
        )}
        <div className="actions">
          <button type="button" className="btn btn-secondary" onClick={() => onOpenChange(false)}>
            Cancel
          </button>
          <button type="submit" className="btn btn-primary" disabled={busy}>
            Override and record reason
          </button>
        </div>
      </form>
    </Modal>
  );
}

function CardView({ card, handled, onAccept, onOverride }: { card: ServiceCard; handled?: Handled; onAccept: (s: CdsSuggestion) => void; onOverride: () => void }) {
  return (
    <li className={`cds-card cds-${card.indicator}`} aria-label={`${card.indicator} alert: ${card.summary}`}>
      <div className="cds-head">
        <span className={`badge badge-${card.indicator}`}>{card.indicator}</span>
        <strong>{card.summary}</strong>
      </div>
      {handled ? (
        <p className="handled" role="status">
          {handled.kind === 'accepted' ? `Accepted: ${handled.label}` : `Overridden: ${handled.reason}`}
        </p>
      ) : (
        <div className="actions">
          {card.suggestions?.map((s, i) => (
            <button key={s.uuid ?? i} type="button" className={`btn suggestion ${i === 0 || s.isRecommended ? 'btn-primary' : 'btn-secondary'}`} onClick={() => onAccept(s)}>
              {s.label}
            </button>
          ))}
          <button type="button" className="btn btn-secondary" onClick={onOverride}>
            Override…
          </button>
        </div>
      )}
      {card.detail && (
        <details className="cds-detail" open>
          <summary>Why</summary>
          <Markdown text={card.detail} />
        </details>
      )}
      <p className="muted small">
        Source:{' '}
        {card.source.url ? (
          <a href={card.source.url} target="_blank" rel="noreferrer">
            {card.source.label}
          </a>
        ) : (
          card.source.label
        )}
        {card.links?.map((l) => (
          <span key={l.url}>
            {' · '}
            <a href={l.url} target="_blank" rel="noreferrer">
              {l.label}
            </a>
          </span>
        ))}
      </p>
    </li>
  );
}

function CurrentMedications({ patientId, version }: { patientId: string; version: number }) {
  const [load, retry] = useLoad(() => search<MedicationRequest>('MedicationRequest', { patient: patientId, _count: '20', _sort: '-authoredon' }), [patientId, version]);
  return (
    <section className="card" aria-labelledby="current-meds">
      <h2 id="current-meds">Medication orders</h2>
      <Loaded load={load} retry={retry}>
        {(meds) =>
          meds.length === 0 ? (
            <Empty>No medication orders.</Empty>
          ) : (
            <ul className="rows">
              {meds.map((m) => (
                <li key={m.id} className="row">
                  <span>
                    {conceptText(m.medicationCodeableConcept)}
                    <span className="muted small block">{[m.dosageInstruction?.[0]?.text, formatDate(m.authoredOn)].filter(Boolean).join(' · ')}</span>
                  </span>
                  <span className={`pill pill-${m.status}`}>{m.status}</span>
                </li>
              ))}
            </ul>
          )
        }
      </Loaded>
    </section>
  );
}

export default function OrderPanel({ patientId, patientName }: { patientId: string; patientName: string }) {
  const session = useSession();
  const [rxnorm, setRxnorm] = useState('');
  const [dose, setDose] = useState('');
  const [draft, setDraft] = useState<MedicationRequest>();
  /** True once a suggestion replaced the chosen medicine. */
  const [suggested, setSuggested] = useState(false);
  const [cards, setCards] = useState<ServiceCard[]>([]);
  const [handled, setHandled] = useState<Record<string, Handled>>({});
  const [checked, setChecked] = useState(false);
  const [busy, setBusy] = useState<string>();
  const [error, setError] = useState<string>();
  const [saved, setSaved] = useState<MedicationRequest>();
  const [notice, setNotice] = useState<string>();
  const [overriding, setOverriding] = useState<ServiceCard>();
  const [version, setVersion] = useState(0);

  const keyOf = (c: ServiceCard, i: number) => c.uuid ?? `${c.serviceId}-${i}`;
  const blocking = useMemo(() => cards.some((c, i) => c.indicator === 'critical' && !handled[keyOf(c, i)]), [cards, handled]);

  const choose = (code: string) => {
    setNotice(undefined);
    setRxnorm(code);
    setDose(formulary.find((f) => f.rxnorm === code)?.defaultDose ?? '');
    setDraft(undefined);
    setSuggested(false);
    setCards([]);
    setHandled({});
    setChecked(false);
    setSaved(undefined);
  };

  const currentDraft = (): MedicationRequest => {
    if (draft && (suggested || draft.medicationCodeableConcept?.coding?.[0]?.code === rxnorm)) return { ...draft, dosageInstruction: [{ text: dose }] };
    return draftFor(patientId, rxnorm, dose, session?.fhirUser);
  };

  const save = async (order: MedicationRequest) => {
    const { id: _draftId, ...rest } = order;
    const stored = await create<MedicationRequest>({ ...rest, status: 'active', authoredOn: new Date().toISOString() });
    setSaved(stored);
    setDraft(undefined);
    setSuggested(false);
    setCards([]);
    setHandled({});
    setChecked(false);
    setRxnorm('');
    setDose('');
    setVersion((v) => v + 1);
  };

  const sign = async (e: FormEvent) => {
    e.preventDefault();
    if (!rxnorm && !suggested) return setError('Choose a medicine first.');
    setError(undefined);
    setSaved(undefined);
    setBusy('Checking with decision support');
    try {
      const order = currentDraft();
      setDraft(order);
      if (checked && !blocking) {
        setBusy('Saving the order');
        await save(order);
        return;
      }
      const found = await callHook('order-sign', { patientId, userId: session?.fhirUser, draft: order });
      setCards(found);
      setHandled({});
      setChecked(true);
      if (found.length === 0) {
        setBusy('Saving the order');
        await save(order);
      }
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    } finally {
      setBusy(undefined);
    }
  };

  const accept = async (card: ServiceCard, index: number, s: CdsSuggestion) => {
    if (!draft) return;
    const next = applySuggestion(draft, s);
    const cancels = !next && !!s.actions?.length && s.actions.every((a) => a.type === 'delete');
    if (!next && !cancels) return setError('This suggestion does not change the order; override it or change the order yourself.');
    setError(undefined);
    try {
      await sendFeedback(card, { outcome: 'accepted', acceptedSuggestions: s.uuid ? [{ id: s.uuid }] : [] });
    } catch (err) {
      setError(`The choice was applied but the feedback was not recorded: ${err instanceof Error ? err.message : String(err)}`);
    }
    if (!next) {
      // The suggestion withdraws the order: nothing is saved.
      choose('');
      setNotice(`${s.label}: the order was withdrawn, nothing was saved.`);
      return;
    }
    setHandled((h) => ({ ...h, [keyOf(card, index)]: { kind: 'accepted', label: s.label } }));
    setDraft(next);
    setSuggested(true);
    setDose(next.dosageInstruction?.[0]?.text ?? dose);
    // The new order has not been checked yet: signing runs decision support again.
    setChecked(false);
  };

  const drugName = draft ? conceptText(draft.medicationCodeableConcept) : formulary.find((f) => f.rxnorm === rxnorm)?.name;
  return (
    <div className="grid grid-order">
      <section className="card" aria-labelledby="order-title">
        <h2 id="order-title">New medication order</h2>
        <p className="muted small">For {patientName}. Decision support checks the order (genes, other medicines) before it is saved.</p>
        <form className="stack" onSubmit={(e) => void sign(e)}>
          <label htmlFor="order-drug">Medicine</label>
          <select id="order-drug" value={suggested ? '' : rxnorm} onChange={(e) => choose(e.target.value)}>
            <option value="">{suggested ? `${drugName} (suggested)` : 'Choose a medicine…'}</option>
            {formulary.map((f) => (
              <option key={f.rxnorm} value={f.rxnorm}>
                {f.name}
              </option>
            ))}
          </select>
          <label htmlFor="order-dose">Dose and directions</label>
          <input id="order-dose" value={dose} onChange={(e) => setDose(e.target.value)} required />
          {suggested && (
            <p className="draft" role="status">
              Order: <strong>{drugName}</strong>
            </p>
          )}
          {error && (
            <p className="form-error" role="alert">
              {error}
            </p>
          )}
          <div className="actions">
            <button type="submit" className="btn btn-primary" disabled={!!busy || blocking}>
              {busy ? `${busy}…` : checked ? 'Sign order' : 'Check and sign'}
            </button>
          </div>
          {blocking && <p className="muted small">Handle the critical alert first: accept a suggestion or override with a reason.</p>}
        </form>
        {notice && (
          <p className="notice-text" role="status">
            {notice}
          </p>
        )}
        {saved && (
          <p className="success" role="status">
            Saved: <strong>{conceptText(saved.medicationCodeableConcept)}</strong> ({saved.dosageInstruction?.[0]?.text}) as{' '}
            <Link to={`/patients/${patientId}/overview`}>MedicationRequest/{saved.id}</Link>
          </p>
        )}
        {cards.length > 0 && (
          <section aria-labelledby="cds-title" className="cds">
            <h3 id="cds-title">Decision support ({cards.length})</h3>
            <ul className="cds-list">
              {cards.map((c, i) => (
                <CardView key={keyOf(c, i)} card={c} handled={handled[keyOf(c, i)]} onAccept={(s) => void accept(c, i, s)} onOverride={() => setOverriding(c)} />
              ))}
            </ul>
          </section>
        )}
        {overriding && (
          <OverrideDialog
            card={overriding}
            open={!!overriding}
            onOpenChange={(o) => !o && setOverriding(undefined)}
            onDone={async (reason, comment) => {
              await sendFeedback(overriding, { outcome: 'overridden', overrideReason: { ...(reason ? { reason } : {}), ...(comment ? { userComment: comment } : {}) } });
              const i = cards.indexOf(overriding);
              setHandled((h) => ({ ...h, [keyOf(overriding, i)]: { kind: 'overridden', reason: reason?.display ?? reason?.code ?? comment } }));
            }}
          />
        )}
      </section>
      <CurrentMedications patientId={patientId} version={version} />
    </div>
  );
}
