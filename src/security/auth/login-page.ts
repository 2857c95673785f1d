// The server-rendered sign-in page of the authorization server: plain HTML form, labelled fields, errors announced
// to screen readers, no script (works under a strict CSP), usable at 360 px.

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

const STYLE = `
  *{box-sizing:border-box}
  body{margin:0;font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1b1f24;background:#f4f6f8}
  main{max-width:26rem;margin:3rem auto;padding:2rem 1.5rem;background:#fff;border-radius:8px;box-shadow:0 1px 3px rgba(0,0,0,.15)}
  h1{font-size:1.5rem;margin:0 0 .25rem}
  p.app{margin:0 0 1.5rem;color:#4a5562}
  label{display:block;font-weight:600;margin:1rem 0 .25rem}
  .hint{display:block;font-weight:400;color:#4a5562;font-size:.9rem}
  input[type=text],input[type=password]{width:100%;padding:.6rem .7rem;font:inherit;border:1px solid #6b7785;border-radius:4px}
  input:focus,button:focus{outline:3px solid #1f6feb;outline-offset:2px}
  button{margin-top:1.5rem;width:100%;padding:.7rem;font:inherit;font-weight:600;color:#fff;background:#0b5cad;border:0;border-radius:4px;cursor:pointer}
  .error{margin:1rem 0 0;padding:.75rem;border-left:4px solid #b42318;background:#fdecea;color:#7a1a12}
`;

export interface LoginPageInput {
  /** OAuth parameters carried through the form unchanged. */
  hidden: Record<string, string>;
  clientName: string;
  csrf: string;
  error?: string;
  username?: string;
  /** Offer the "patient in context" field (standalone launch asking for launch/patient). */
  askPatient: boolean;
  patient?: string;
}

export function renderLoginPage(input: LoginPageInput): string {
  const hidden = Object.entries(input.hidden)
    .map(([k, v]) => `<input type="hidden" name="${escapeHtml(k)}" value="${escapeHtml(v)}">`)
    .join('\n      ');
  const error = input.error ? `<p class="error" role="alert" id="login-error">${escapeHtml(input.error)}</p>` : '';
  const described = input.error ? ' aria-describedby="login-error"' : '';
  const patient = input.askPatient
    ? `<label for="patient">Patient in context <span class="hint">Staff only, optional: the Patient id to open the app with. Patients always see their own record.</span></label>
      <input type="text" id="patient" name="patient" autocomplete="off" value="${escapeHtml(input.patient ?? '')}">`
    : '';
  return `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <meta name="referrer" content="no-referrer">
  <title>Sign in to Flaura</title>
  <style>${STYLE}</style>
</head>
<body>
  <main>
    <h1>Sign in to Flaura</h1>
    <p class="app">to continue to <strong>${escapeHtml(input.clientName)}</strong></p>
    ${error}
    <form method="post" action="/auth/authorize" novalidate>
      ${hidden}
      <input type="hidden" name="csrf" value="${escapeHtml(input.csrf)}">
      <label for="username">Username</label>
      <input type="text" id="username" name="username" autocomplete="username" autocapitalize="none" spellcheck="false" required value="${escapeHtml(input.username ?? '')}"${described}>
      <label for="password">Password</label>
      <input type="password" id="password" name="password" autocomplete="current-password" required${described}>
      ${patient}
      <button type="submit">Sign in</button>
    </form>
  </main>
</body>
</html>`;
}

/** A page for requests that cannot be redirected back (unknown client or redirect URI): never redirect to them. */
export function renderErrorPage(title: string, message: string): string {
  return `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${escapeHtml(title)}</title><style>${STYLE}</style></head>
<body><main><h1>${escapeHtml(title)}</h1><p class="error" role="alert">${escapeHtml(message)}</p></main></body>
</html>`;
}
