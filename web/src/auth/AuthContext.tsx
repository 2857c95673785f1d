// The session as React state, and route guards: staff screens for staff, portal screens for patients.
import { createContext, useContext, useEffect, useState, type ReactNode } from 'react';
import { Navigate, Outlet, useLocation } from 'react-router';
import { isPatientSession, loadSession, onSessionChange, type Session } from './session.ts';

const SessionContext = createContext<Session | undefined>(undefined);

export function AuthProvider({ children }: { children: ReactNode }) {
  const [session, setSession] = useState<Session | undefined>(() => loadSession());
  useEffect(() => onSessionChange(setSession), []);
  return <SessionContext.Provider value={session}>{children}</SessionContext.Provider>;
}

export function useSession(): Session | undefined {
  return useContext(SessionContext);
}

/** Renders the nested routes only for a signed-in user of the right kind; others go to sign-in or their home. */
export function RequireSession({ kind }: { kind: 'staff' | 'patient' }) {
  const session = useSession();
  const location = useLocation();
  if (!session) return <Navigate to="/" replace state={{ returnTo: location.pathname + location.search }} />;
  const patient = isPatientSession(session);
  if (kind === 'patient' && !patient) return <Navigate to="/patients" replace />;
  if (kind === 'staff' && patient) return <Navigate to="/portal" replace />;
  return <Outlet />;
}
