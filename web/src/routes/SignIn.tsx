// The front door: one button into Flaura's SMART sign-in page (the password form lives on the server, not here).
import { useState } from 'react';
import { useLocation } from 'react-router';
import { beginSignIn } from '../auth/smart.ts';
import { useTitle } from '../components/useTitle.ts';

export function SignIn() {
  useTitle('Sign in');
  const location = useLocation();
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const returnTo = (location.state as { returnTo?: string } | null)?.returnTo ?? '/';
  const start = () => {
    setBusy(true);
    setError(undefined);
    beginSignIn(returnTo).catch((e: unknown) => {
      setBusy(false);
      setError(e instanceof Error ? e.message : String(e));
    });
  };
  return (
    <section className="page signin">
      <div className="signin-card">
        <h1>Welcome to Flaura</h1>
        <p className="lead">Care that fits the person: medicines chosen with their genes, and everyday health data in view.</p>
        <button type="button" className="btn btn-primary btn-large" onClick={start} disabled={busy}>
          {busy ? 'Opening sign-in…' : 'Sign in'}
        </button>
        {error && (
          <p className="form-error" role="alert">
            {error}
          </p>
        )}
        <p className="muted small">Clinicians, care teams and patients all sign in here. You will be sent to Flaura's secure sign-in page and back.</p>
      </div>
    </section>
  );
}
