// Who may call the wearables routes: role rules until the access policy lands, the policy's decision once it does.
import { describe, expect, it } from 'vitest';
import type { AccessControl, AccessRequest, Principal, Role } from '../../../security/principal.ts';
import { authorizeWearables } from './authorize.ts';

const who = (role: Role, patientId?: string): Principal => ({ subject: `user:${role}`, role, ...(patientId ? { patientId } : {}), scopes: [], scope: '', purposeOfUse: 'TREAT' });

describe('authorizeWearables', () => {
  it('takes live samples only from the patient or a device bound to the patient', async () => {
    await expect(authorizeWearables({}, who('patient', 'p1'), 'ingest', 'p1')).resolves.toBeUndefined();
    await expect(authorizeWearables({}, who('device', 'p1'), 'ingest', 'p1')).resolves.toBeUndefined();
    await expect(authorizeWearables({}, who('device', 'p2'), 'ingest', 'p1')).rejects.toMatchObject({ status: 403 });
    await expect(authorizeWearables({}, who('device'), 'ingest', 'p1')).rejects.toMatchObject({ status: 403 });
    await expect(authorizeWearables({}, who('clinician'), 'ingest', 'p1')).rejects.toMatchObject({ status: 403 });
    await expect(authorizeWearables({}, who('admin'), 'ingest', 'p1')).rejects.toMatchObject({ status: 403 });
    // A trusted in-process call (CLI, seeding) has no principal.
    await expect(authorizeWearables({}, undefined, 'ingest', 'p1')).resolves.toBeUndefined();
  });

  it('lets staff read and the care team acknowledge; a patient reads only their own data', async () => {
    await expect(authorizeWearables({}, who('nurse'), 'read', 'p1')).resolves.toBeUndefined();
    await expect(authorizeWearables({}, who('research'), 'read', 'p1')).rejects.toMatchObject({ status: 403 });
    await expect(authorizeWearables({}, who('patient', 'p1'), 'read', 'p1')).resolves.toBeUndefined();
    await expect(authorizeWearables({}, who('patient', 'p1'), 'read', 'p2')).rejects.toMatchObject({ status: 403 });
    await expect(authorizeWearables({}, who('patient', 'p1'), 'acknowledge', 'p1')).rejects.toMatchObject({ status: 403 });
    await expect(authorizeWearables({}, who('pharmacist'), 'acknowledge', 'p1')).rejects.toMatchObject({ status: 403 });
    await expect(authorizeWearables({}, who('clinician'), 'acknowledge', 'p1')).resolves.toBeUndefined();
    await expect(authorizeWearables({}, who('clinician'), 'import', 'p1')).resolves.toBeUndefined();
  });

  it('asks the access policy when there is one, with the patient, and refuses what it refuses', async () => {
    const asked: AccessRequest[] = [];
    const access: AccessControl = {
      decide: async (_p, r) => {
        asked.push(r);
        return r.patientId === 'p-consent-withdrawn' ? { allowed: false, reason: 'consent withdrawn for wearable data', decidedBy: 'consent' } : { allowed: true, reason: 'ok' };
      },
    };
    await expect(authorizeWearables({ access }, who('research'), 'read', 'p1')).resolves.toBeUndefined();
    await expect(authorizeWearables({ access }, who('clinician'), 'read', 'p-consent-withdrawn')).rejects.toMatchObject({ status: 403, message: 'consent withdrawn for wearable data' });
    await expect(authorizeWearables({ access }, who('clinician'), 'acknowledge', 'p1')).resolves.toBeUndefined();
    // The policy cannot widen ingest beyond the patient and their devices.
    await expect(authorizeWearables({ access }, who('clinician'), 'ingest', 'p1')).rejects.toMatchObject({ status: 403 });
    expect(asked).toEqual([
      { action: 'read', resourceType: 'Observation', patientId: 'p1' },
      { action: 'read', resourceType: 'Observation', patientId: 'p-consent-withdrawn' },
      { action: 'update', resourceType: 'Flag', patientId: 'p1' },
    ]);
  });
});
