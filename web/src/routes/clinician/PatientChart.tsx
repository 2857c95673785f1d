// The patient chart: a header with demographics, then tabs (overview, genomics, prescribe, lifestyle) in the URL.
import { lazy, Suspense } from 'react';
import { useNavigate, useParams } from 'react-router';
import * as Tabs from '@radix-ui/react-tabs';
import type { Patient } from '@medplum/fhirtypes';
import { read } from '../../api/fhir.ts';
import { useLoad } from '../../components/useLoad.ts';
import { Loaded, Loading } from '../../components/States.tsx';
import { patientSummary, personName } from '../../components/format.ts';
import { ChartOverview } from './ChartOverview.tsx';
import { useTitle } from '../../components/useTitle.ts';

const PgxPanel = lazy(() => import('./PgxPanel.tsx'));
const OrderPanel = lazy(() => import('./OrderPanel.tsx'));
const LifestylePanel = lazy(() => import('./LifestylePanel.tsx'));

const tabs = [
  { id: 'overview', label: 'Overview' },
  { id: 'genomics', label: 'Genomics' },
  { id: 'prescribe', label: 'Prescribe' },
  { id: 'lifestyle', label: 'Lifestyle' },
] as const;

export default function PatientChart() {
  const { id = '', tab = 'overview' } = useParams();
  const navigate = useNavigate();
  const [load, retry] = useLoad(() => read<Patient>('Patient', id), [id]);
  useTitle(load.status === 'done' ? personName(load.data.name) : 'Chart', tabs.find((t) => t.id === tab)?.label);
  return (
    <section className="page chart">
      <Loaded load={load} retry={retry} label="Opening the chart">
        {(patient) => (
          <>
            <header className="chart-header">
              <span className="avatar avatar-large" aria-hidden="true">
                {personName(patient.name).slice(0, 1)}
              </span>
              <div>
                <h1>{personName(patient.name)}</h1>
                <p className="muted">
                  {patientSummary(patient)}
                  {patient.address?.[0] && ` · ${[patient.address[0].city, patient.address[0].country].filter(Boolean).join(', ')}`}
                  {` · ID ${patient.id}`}
                </p>
              </div>
            </header>
            <Tabs.Root value={tab} onValueChange={(v) => navigate(`/patients/${id}/${v}`)} activationMode="manual">
              <Tabs.List className="tabs" aria-label="Chart sections">
                {tabs.map((t) => (
                  <Tabs.Trigger key={t.id} value={t.id} className="tab">
                    {t.label}
                  </Tabs.Trigger>
                ))}
              </Tabs.List>
              <Suspense fallback={<Loading />}>
                <Tabs.Content value="overview" className="tab-panel">
                  {tab === 'overview' && <ChartOverview patientId={id} />}
                </Tabs.Content>
                <Tabs.Content value="genomics" className="tab-panel">
                  {tab === 'genomics' && <PgxPanel patientId={id} />}
                </Tabs.Content>
                <Tabs.Content value="prescribe" className="tab-panel">
                  {tab === 'prescribe' && <OrderPanel patientId={id} patientName={personName(patient.name)} />}
                </Tabs.Content>
                <Tabs.Content value="lifestyle" className="tab-panel">
                  {tab === 'lifestyle' && <LifestylePanel patientId={id} />}
                </Tabs.Content>
              </Suspense>
            </Tabs.Root>
          </>
        )}
      </Loaded>
    </section>
  );
}
