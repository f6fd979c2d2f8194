// Donors made through the API, for any test that needs one. createEligibleDonor walks the
// whole path (facility, donor, consent, every panel test negative, history review, eligible
// determination) and returns what later steps (recovery, lots) need.
import { randomBytes } from 'node:crypto';
import type { Client, TestApp } from './test-app.ts';
import { auditEventsWritten } from './audit-counts.ts';
import { signed } from './signing.ts';

const DAY_MS = 86_400_000;

export interface DonorOverrides {
  /** Who records it; the admin by default. The determination is signed by this key's holder. */
  as?: Client;
  donorCode?: string;
  /** YYYY-MM-DD; three days ago by default. */
  deliveryDate?: string;
  deliveryFacilityId?: string;
  gestationalAgeWeeks?: number;
  deliveryMode?: string;
}

export interface RegisteredDonor {
  donor: {
    id: string;
    donorCode: string;
    deliveryFacilityId: string;
    deliveryDate: string;
    eligibility: 'eligible' | 'ineligible' | 'pending';
    currentDeterminationId: string | null;
    [key: string]: unknown;
  };
  deliveryFacility: { id: string; name: string; [key: string]: unknown };
  /** An instant on the delivery date (10:00 UTC): use it as the lot's recoveredAt. */
  recoveredAt: string;
}

export interface EligibleDonor extends RegisteredDonor {
  consent: { id: string; [key: string]: unknown };
}

export const uniqueDonorCode = () => `D-${randomBytes(5).toString('hex').toUpperCase()}`;
export const daysAgo = (days: number) => new Date(Date.now() - days * DAY_MS).toISOString().slice(0, 10);

function expectCreated(res: { statusCode: number; body: string }, what: string) {
  if (res.statusCode !== 201) throw new Error(`could not create ${what}: ${res.statusCode} ${res.body}`);
  return JSON.parse(res.body);
}

/** A registered donor with nothing else recorded (eligibility pending). */
export async function createDonor(t: TestApp, overrides: DonorOverrides = {}): Promise<RegisteredDonor> {
  const client = overrides.as ?? t.admin;
  const deliveryFacility = overrides.deliveryFacilityId
    ? (await client.get(`/facilities/${overrides.deliveryFacilityId}`)).json()
    : expectCreated(await client.post('/facilities', { kind: 'hospital', name: `Maternity ${randomBytes(3).toString('hex')}` }), 'a hospital');
  const deliveryDate = overrides.deliveryDate ?? daysAgo(3);
  const donor = expectCreated(
    await client.post('/donors', {
      donorCode: overrides.donorCode ?? uniqueDonorCode(),
      deliveryFacilityId: deliveryFacility.id,
      deliveryDate,
      gestationalAgeWeeks: overrides.gestationalAgeWeeks ?? 39,
      deliveryMode: overrides.deliveryMode ?? 'scheduled_caesarean',
    }),
    'a donor',
  );
  return { donor, deliveryFacility, recoveredAt: `${deliveryDate}T10:00:00.000Z` };
}

export const consentBody = (overrides: Record<string, unknown> = {}) => ({
  formVersion: 'PTB-CF-3.1',
  obtainedBy: 'Dana Reyes, RN',
  obtainedAt: '2020-01-01T09:00:00.000Z',
  scope: ['clinical_use', 'research'],
  documentRef: `DMS-${randomBytes(4).toString('hex')}`,
  ...overrides,
});

export const screeningBody = (testCode: string, specimenCollectedAt: string, overrides: Record<string, unknown> = {}) => ({
  testCode,
  method: 'CLIA-approved donor screening assay',
  laboratoryName: 'Central Donor Testing Laboratory',
  laboratoryId: '05D0123456',
  specimenCollectedAt,
  result: 'negative',
  interpretation: 'Non-reactive',
  ...overrides,
});

export const reviewBody = (overrides: Record<string, unknown> = {}) => ({
  reviewedBy: 'Dr. Ada Moss',
  reviewedAt: new Date(Date.now() - 60_000).toISOString(),
  outcome: 'acceptable',
  ...overrides,
});

export const determinationBody = (outcome: 'eligible' | 'ineligible' = 'eligible', overrides: Record<string, unknown> = {}) => ({
  outcome,
  determinedAt: new Date(Date.now() - 1_000).toISOString(),
  basis: outcome === 'eligible' ? 'Consent in force, history acceptable, all panel tests negative in window.' : 'Reactive screening result.',
  ...signed('approval'),
  ...overrides,
});

/** The configured panel's test codes. */
export async function panelCodes(t: TestApp): Promise<string[]> {
  return (await t.admin.get('/screening-panel')).json().tests.map((test: { code: string }) => test.code);
}

/** Everything eligibility needs except the determination itself; `consent` overrides the consent body (e.g. its scope). */
export async function completeDonorRecords(t: TestApp, registered: RegisteredDonor, client: Client = t.admin, consent: Record<string, unknown> = {}) {
  const { donor } = registered;
  const recorded = expectCreated(
    await client.post(`/donors/${donor.id}/consents`, consentBody({ obtainedAt: `${donor.deliveryDate}T06:00:00.000Z`, ...consent })),
    'a consent',
  );
  const specimenAt = `${donor.deliveryDate}T08:00:00.000Z`;
  for (const code of await panelCodes(t)) {
    expectCreated(await client.post(`/donors/${donor.id}/screening-tests`, screeningBody(code, specimenAt)), `a ${code} result`);
  }
  expectCreated(await client.post(`/donors/${donor.id}/medical-history-reviews`, reviewBody()), 'a history review');
  return recorded;
}

/** A donor determined eligible, through the API. */
export async function createEligibleDonor(t: TestApp, overrides: DonorOverrides = {}): Promise<EligibleDonor> {
  const client = overrides.as ?? t.admin;
  const registered = await createDonor(t, overrides);
  const consent = await completeDonorRecords(t, registered, client);
  expectCreated(await client.post(`/donors/${registered.donor.id}/eligibility-determinations`, determinationBody()), 'an eligible determination');
  const donor = (await client.get(`/donors/${registered.donor.id}`)).json();
  return { ...registered, donor, consent };
}

/** Row counts of every table a donor command writes, and of the audit trail: equal before and after a refusal. */
export async function writeCounts(t: TestApp) {
  const p = t.database.prisma;
  const [donors, consents, withdrawals, tests, reviews, determinations, corrections, auditEvents, superseded, held, unitsHeld, flagged] = await Promise.all([
    p.donor.count(),
    p.consent.count(),
    p.consentWithdrawal.count(),
    p.screeningTest.count(),
    p.medicalHistoryReview.count(),
    p.eligibilityDetermination.count(),
    p.correction.count(),
    auditEventsWritten(p),
    p.eligibilityDetermination.count({ where: { supersededAt: { not: null } } }),
    p.lot.count({ where: { status: 'on_hold' } }),
    p.unit.count({ where: { status: 'on_hold' } }),
    p.lot.count({ where: { reviewFlaggedAt: { not: null } } }),
  ]);
  return { donors, consents, withdrawals, tests, reviews, determinations, corrections, auditEvents, superseded, held, unitsHeld, flagged };
}
