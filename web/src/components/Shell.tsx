// The frame around every screen: skip link, header with the navigation this user has, and the main region.
import type { ReactNode } from 'react';
import { NavLink } from 'react-router';
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

export function Shell({ children }: { children: ReactNode }) {
  const session = useSession();
  const nav = session ? (isPatientSession(session) ? patientNav : staffNav) : [];
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
              {session.fhirUser ?? 'Signed in'}
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
      <main id="main" tabIndex={-1}>
        {children}
      </main>
    </>
  );
}
