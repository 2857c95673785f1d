// The signed-in session for this tab. sessionStorage: closing the tab signs out; tokens never go to localStorage.
export interface Session {
  accessToken: string;
  refreshToken?: string;
  /** Epoch ms. */
  expiresAt: number;
  scope: string;
  /** Patient in context (a patient's own record). */
  patient?: string;
  /** e.g. `Practitioner/123` or `Patient/demo-maria`. */
  fhirUser?: string;
}

const KEY = 'flaura.session';
type Listener = (s: Session | undefined) => void;
const listeners = new Set<Listener>();

export function loadSession(): Session | undefined {
  const text = sessionStorage.getItem(KEY);
  if (!text) return undefined;
  try {
    return JSON.parse(text) as Session;
  } catch {
    return undefined;
  }
}

export function saveSession(s: Session): void {
  sessionStorage.setItem(KEY, JSON.stringify(s));
  listeners.forEach((l) => l(s));
}

export function clearSession(): void {
  sessionStorage.removeItem(KEY);
  listeners.forEach((l) => l(undefined));
}

export function onSessionChange(l: Listener): () => void {
  listeners.add(l);
  return () => listeners.delete(l);
}

/** Patients get the portal; everyone else the clinical workspace. The server still decides every access. */
export function isPatientSession(s: Session): boolean {
  return s.fhirUser?.startsWith('Patient/') === true || (!!s.patient && !s.fhirUser);
}

/** A patient's own id, from fhirUser or the patient context. */
export function ownPatientId(s: Session): string | undefined {
  if (s.fhirUser?.startsWith('Patient/')) return s.fhirUser.slice('Patient/'.length);
  return s.patient;
}
