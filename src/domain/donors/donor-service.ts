// Donors: registration, consent, screening, history review, eligibility, corrections and
// the auditor's history. One service, its commands kept in small files by subject.
import { createConsentCommands } from './consent-commands.ts';
import { createDonorCorrections } from './donor-corrections.ts';
import { createDonorHistory } from './donor-history.ts';
import type { DonorDeps } from './donor-records.ts';
import { createDonorRegistry } from './donor-registry.ts';
import { createEligibilityCommands } from './eligibility-commands.ts';
import { createScreeningCommands } from './screening-commands.ts';

export function createDonorService(deps: DonorDeps) {
  return {
    ...createDonorRegistry(deps),
    ...createDonorCorrections(deps),
    ...createConsentCommands(deps),
    ...createScreeningCommands(deps),
    ...createEligibilityCommands(deps),
    ...createDonorHistory(deps),
  };
}

export type DonorService = ReturnType<typeof createDonorService>;
