// The frame around every screen: skip link, header with the navigation this user has, and the main region.
import { useEffect, useRef, useState, type ReactNode } from 'react';
import { NavLink, useLocation } from 'react-router';
import type { HumanName } from '@medplum/fhirtypes';
import { api } from '../api/http.ts';
import { personName } from './format.ts';
import { useSession } from '../auth/AuthContext.tsx';
import { isPatientSession } from '../auth/session.ts';
import { signOut } from '../auth/smart.ts';

const staffNav: { to: string; label: string; end?: boolean }[] = [
  { to: '/patients', label: 'Patients' },
  { to: '/alerts', label: 'Alerts' },
  { to: '/import', label: 'Import' },
];
const patientNav: { to: string; label: string; end?: boolean }[] = [
  { to: '/portal', label: 'My health', end: true },
  { to: '/portal/consents', label: 'Sharing' },
  { to: '/portal/access', label: 'Access log' },
  { to: '/portal/upload', label: 'Upload' },
];

/** The signed-in user's name from their own FHIR resource (fhirUser); the reference itself when it cannot be read. */
function useUserName(fhirUser: string | undefined): string | undefined {
  const [name, setName] = useState<string>();
  useEffect(() => {
    setName(undefined);
    if (!fhirUser || !/^(Patient|Practitioner|PractitionerRole|RelatedPerson|Person)\/[A-Za-z0-9\-.]+$/.test(fhirUser)) return;
    let live = true;
    api<{ name?: HumanName[] }>(`/fhir/${fhirUser}`).then(
      (r) => live && r.name && setName(personName(r.name)),
      () => undefined,
    );
    return () => {
      live = false;
    };
  }, [fhirUser]);
  return name ?? fhirUser;
}

export function Shell({ children }: { children: ReactNode }) {
  const session = useSession();
  const nav = session ? (isPatientSession(session) ? patientNav : staffNav) : [];
  const userName = useUserName(session?.fhirUser);
  const location = useLocation();
  const mainRef = useRef<HTMLElement>(null);
  const first = useRef(true);
  // After client-side navigation to another screen, move focus to the new content so screen readers announce it (not
  // on first load, and not when a chart tab changes: the tab keeps focus).
  const screen = location.pathname.split('/').slice(0, 3).join('/');
  useEffect(() => {
    if (first.current) {
      first.current = false;
      return;
    }
    mainRef.current?.focus({ preventScroll: false });
  }, [screen]);
  return (
    <>
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="topbar">
        <a className="brand" href="/" aria-label="Flaura home">
          <span className="brand-mark" aria-hidden="true" />
          Flaura
        </a>
        {nav.length > 0 && (
          <nav aria-label="Main">
            <ul className="nav">
              {nav.map((n) => (
                <li key={n.to}>
                  <NavLink to={n.to} end={n.end ?? false}>
                    {n.label}
                  </NavLink>
                </li>
              ))}
            </ul>
          </nav>
        )}
        {session && (
          <div className="user">
            <span className="user-name" title={session.fhirUser}>
              {userName ?? 'Signed in'}
            </span>
            <button
              type="button"
              className="btn btn-quiet"
              onClick={() => {
                void signOut(session).then(() => window.location.assign('/'));
              }}
            >
              Sign out
            </button>
          </div>
        )}
      </header>
      <main id="main" tabIndex={-1} ref={mainRef}>
        {children}
      </main>
    </>
  );
}
