// CDS Hooks 2.0 client: discovery, calling a service with draft orders, and sending card feedback.
import type { MedicationRequest } from '@medplum/fhirtypes';
import { api } from './http.ts';
import { bySeverity } from '../logic/orders.ts';

export interface CdsServiceInfo {
  id: string;
  hook: string;
  title?: string;
  description?: string;
}

export interface CdsAction {
  type: 'create' | 'update' | 'delete';
  description?: string;
  resource?: MedicationRequest & Record<string, unknown>;
  resourceId?: string | string[];
}

export interface CdsSuggestion {
  label: string;
  uuid?: string;
  isRecommended?: boolean;
  actions?: CdsAction[];
}

export interface CdsCoding {
  system?: string;
  code: string;
  display?: string;
}

export interface CdsCard {
  uuid?: string;
  summary: string;
  detail?: string;
  indicator: 'info' | 'warning' | 'critical';
  source: { label: string; url?: string };
  suggestions?: CdsSuggestion[];
  selectionBehavior?: 'at-most-one' | 'any';
  overrideReasons?: CdsCoding[];
  links?: { label: string; url: string; type: string }[];
}

/** A card with the service that sent it (feedback goes back to that service). */
export interface ServiceCard extends CdsCard {
  serviceId: string;
}

export async function discover(): Promise<CdsServiceInfo[]> {
  const res = await api<{ services?: CdsServiceInfo[] }>('/cds-services', { headers: { accept: 'application/json' } });
  return res.services ?? [];
}

/** Calls every service for `hook` with the draft orders; returns all cards ranked by severity. */
export async function callHook(hook: 'order-sign' | 'order-select', ctx: { patientId: string; userId?: string; draft: MedicationRequest }): Promise<ServiceCard[]> {
  const services = (await discover()).filter((s) => s.hook === hook);
  const context: Record<string, unknown> = {
    patientId: ctx.patientId,
    ...(ctx.userId ? { userId: ctx.userId } : {}),
    draftOrders: { resourceType: 'Bundle', type: 'collection', entry: [{ resource: ctx.draft }] },
    ...(hook === 'order-select' ? { selections: [`MedicationRequest/${ctx.draft.id}`] } : {}),
  };
  const answers = await Promise.all(
    services.map(async (s) => {
      const res = await api<{ cards?: CdsCard[] }>(`/cds-services/${encodeURIComponent(s.id)}`, {
        method: 'POST',
        json: { hook, hookInstance: crypto.randomUUID(), fhirServer: `${window.location.origin}/fhir`, context },
        headers: { accept: 'application/json' },
      });
      return (res.cards ?? []).map((c) => ({ ...c, serviceId: s.id }));
    }),
  );
  return bySeverity(answers.flat());
}

export type Feedback =
  | { outcome: 'accepted'; acceptedSuggestions: { id: string }[] }
  | { outcome: 'overridden'; overrideReason?: { reason?: CdsCoding; userComment?: string } };

export async function sendFeedback(card: ServiceCard, feedback: Feedback): Promise<void> {
  if (!card.uuid) return; // a card without a uuid cannot be given feedback (CDS Hooks 2.0 §Feedback)
  await api<unknown>(`/cds-services/${encodeURIComponent(card.serviceId)}/feedback`, {
    method: 'POST',
    json: { feedback: [{ card: card.uuid, ...feedback, outcomeTimestamp: new Date().toISOString() }] },
    headers: { accept: 'application/json' },
  });
}
