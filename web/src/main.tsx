// Entry: the router, with every screen split into its own chunk so the first load stays small.
import { StrictMode, Suspense, lazy } from 'react';
import { createRoot } from 'react-dom/client';
import { BrowserRouter, Navigate, Route, Routes } from 'react-router';
import './styles.css';
import { AuthProvider, RequireSession, useSession } from './auth/AuthContext.tsx';
import { isPatientSession } from './auth/session.ts';
import { Shell } from './components/Shell.tsx';
import { Loading } from './components/States.tsx';
import { SignIn } from './routes/SignIn.tsx';
import { Callback } from './routes/Callback.tsx';

const PatientList = lazy(() => import('./routes/clinician/PatientList.tsx'));
const PatientChart = lazy(() => import('./routes/clinician/PatientChart.tsx'));
const AlertsInbox = lazy(() => import('./routes/clinician/AlertsInbox.tsx'));
const ImportPage = lazy(() => import('./routes/clinician/ImportPage.tsx'));
const PortalHome = lazy(() => import('./routes/portal/PortalHome.tsx'));
const Consents = lazy(() => import('./routes/portal/Consents.tsx'));
const AccessLog = lazy(() => import('./routes/portal/AccessLog.tsx'));
const PortalUpload = lazy(() => import('./routes/portal/PortalUpload.tsx'));

function Home() {
  const session = useSession();
  if (!session) return <SignIn />;
  return <Navigate to={isPatientSession(session) ? '/portal' : '/patients'} replace />;
}

function NotFound() {
  return (
    <section className="page">
      <h1>Page not found</h1>
      <p>
        <a href="/">Go to the start page</a>
      </p>
    </section>
  );
}

function App() {
  return (
    <BrowserRouter>
      <AuthProvider>
        <Shell>
          <Suspense fallback={<Loading />}>
            <Routes>
              <Route path="/" element={<Home />} />
              <Route path="/callback" element={<Callback />} />
              <Route element={<RequireSession kind="staff" />}>
                <Route path="/patients" element={<PatientList />} />
                <Route path="/patients/:id/:tab?" element={<PatientChart />} />
                <Route path="/alerts" element={<AlertsInbox />} />
                <Route path="/import" element={<ImportPage />} />
              </Route>
              <Route element={<RequireSession kind="patient" />}>
                <Route path="/portal" element={<PortalHome />} />
                <Route path="/portal/consents" element={<Consents />} />
                <Route path="/portal/access" element={<AccessLog />} />
                <Route path="/portal/upload" element={<PortalUpload />} />
              </Route>
              <Route path="*" element={<NotFound />} />
            </Routes>
          </Suspense>
        </Shell>
      </AuthProvider>
    </BrowserRouter>
  );
}

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
