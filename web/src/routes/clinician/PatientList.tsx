// Patient search and list: by name or identifier, newest-first pages of 20; each row opens the chart.
import { useState, type FormEvent } from 'react';
import { Link, useSearchParams } from 'react-router';
import type { Patient } from '@medplum/fhirtypes';
import { search } from '../../api/fhir.ts';
import { useLoad } from '../../components/useLoad.ts';
import { Empty, Loaded } from '../../components/States.tsx';
import { formatDate, personName, age } from '../../components/format.ts';
import { useTitle } from '../../components/useTitle.ts';

export default function PatientList() {
  useTitle('Patients');
  const [params, setParams] = useSearchParams();
  const q = params.get('q') ?? '';
  const [text, setText] = useState(q);
  const [load, retry] = useLoad(() => search<Patient>('Patient', q ? { name: q, _count: '20' } : { _count: '20', _sort: 'family' }), [q]);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    setParams(text.trim() ? { q: text.trim() } : {});
  };
  return (
    <section className="page">
      <h1>Patients</h1>
      <form className="search" role="search" onSubmit={submit}>
        <label htmlFor="patient-search">Find a patient by name</label>
        <div className="search-row">
          <input id="patient-search" type="search" value={text} onChange={(e) => setText(e.target.value)} placeholder="e.g. Santos" autoComplete="off" />
          <button type="submit" className="btn btn-primary">
            Search
          </button>
        </div>
      </form>
      <Loaded load={load} retry={retry} label="Finding patients">
        {(patients) =>
          patients.length === 0 ? (
            <Empty>{q ? `No patients match “${q}”.` : 'No patients yet.'}</Empty>
          ) : (
            <ul className="patient-list" aria-label="Patients">
              {patients.map((p) => (
                <li key={p.id}>
                  <Link to={`/patients/${p.id}`} className="patient-row">
                    <span className="avatar" aria-hidden="true">
                      {personName(p.name).slice(0, 1)}
                    </span>
                    <span className="patient-row-main">
                      <span className="patient-row-name">{personName(p.name)}</span>
                      <span className="muted small">
                        {[p.gender, age(p.birthDate) !== undefined ? `${age(p.birthDate)} y` : undefined, p.birthDate && `born ${formatDate(p.birthDate)}`, p.address?.[0]?.city].filter(Boolean).join(' · ')}
                      </span>
                    </span>
                  </Link>
                </li>
              ))}
            </ul>
          )
        }
      </Loaded>
    </section>
  );
}
