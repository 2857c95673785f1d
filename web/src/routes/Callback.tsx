// /callback: the authorization server sends the browser back here with a code; swap it and go on.
import { useEffect, useRef, useState } from 'react';
import { useNavigate } from 'react-router';
import { completeSignIn } from '../auth/smart.ts';
import { isPatientSession } from '../auth/session.ts';
import { Loading } from '../components/States.tsx';

export function Callback() {
  const navigate = useNavigate();
  const [error, setError] = useState<string>();
  const started = useRef(false);
  useEffect(() => {
    if (started.current) return; // the code is single-use: never swap it twice (StrictMode runs effects twice)
    started.current = true;
    const url = new URL(window.location.href);
    const denied = url.searchParams.get('error');
    if (denied) {
      setError(url.searchParams.get('error_description') ?? denied);
      return;
    }
    completeSignIn(url).then(
      ({ session, returnTo }) => navigate(returnTo !== '/' ? returnTo : isPatientSession(session) ? '/portal' : '/patients', { replace: true }),
      (e: unknown) => setError(e instanceof Error ? e.message : String(e)),
    );
  }, [navigate]);
  if (!error) return <Loading label="Signing you in" />;
  return (
    <section className="page">
      <h1>Sign-in did not complete</h1>
      <p role="alert">{error}</p>
      <a className="btn btn-primary" href="/">
        Back to sign-in
      </a>
    </section>
  );
}
