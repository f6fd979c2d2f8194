// The composition root of the domain: every service, built once per app from the database.
import type { Database } from '../db/database.ts';
import { createAuditService } from './audit/audit-service.ts';
import { createSequencer, type SequencerOptions, type SessionConnection } from './audit/sequencer.ts';
import type { SigningKey } from './audit/signing.ts';
import { createApiKeyService } from './auth/api-keys.ts';
import { DEFAULT_KEY_LIFETIMES, type KeyLifetimes } from './auth/key-lifetimes.ts';
import { createSecurityAlertService } from './security/security-alerts.ts';
import { createFacilityService } from './facilities/facility-service.ts';
import { createDonorService } from './donors/donor-service.ts';
import { createLotService } from './lots/lot-service.ts';
import { createProcessingService } from './lots/processing-service.ts';
import { createUnitService } from './units/unit-service.ts';
import { createInventoryService } from './units/inventory.ts';
import { createExpiryService } from './units/expiry.ts';
import { createShipmentService } from './shipments/shipment-service.ts';
import { screeningPanel } from './donors/screening-panel.ts';
import { createPatientService } from './patients/patient-service.ts';
import { createAdministrationService } from './administrations/administration-service.ts';
import { createDispositionService } from './dispositions/disposition-service.ts';
import { createAdverseReactionService } from './adverse-reactions/adverse-reaction-service.ts';
import { createDeviationReportService } from './deviation-reports/deviation-report-service.ts';
import { createTraceService } from './trace/trace-service.ts';
import { createRecallService } from './recalls/recall-service.ts';
import { createCommandRunner, createReadRecorder } from './shared/transaction.ts';
import { createFhirService } from './fhir/fhir-service.ts';
import { createExportService } from './exports/export-service.ts';
import { createNoticeService } from './notices/notice-service.ts';
import { DEFAULT_RECOVERY_LIMIT_HOURS } from './shared/chronology.ts';
import { DEFAULT_SIGNING_SETTINGS, type SigningSettings } from './signatures/signing-rules.ts';
import { createSigning } from './signatures/signing.ts';
import { createSignerService } from './signatures/signer-service.ts';
import { createSignatureService } from './signatures/signature-service.ts';

export interface DomainSettings {
  /** Screening test codes every eligible donor needs a negative, in-window result for. */
  screeningPanel: string[];
  /** Latest recovery after the end of the delivery date, in hours (RECOVERY_LIMIT_HOURS). */
  recoveryLimitHours: number;
  /** Lifetimes of API keys (API_KEY_* settings). */
  apiKeys: KeyLifetimes;
  /** Signing passwords and lockout (SIGNING_* and SIGNER_* settings). */
  signing: SigningSettings;
}

/** The audit log's signing key and sequencer settings (AUDIT_* settings). */
export interface AuditLogSettings {
  signingKey: SigningKey;
  intervalMs: number;
  /** A connection of its own for the sequencer's leader lock (PostgreSQL). */
  connect?: () => Promise<SessionConnection>;
  log?: SequencerOptions['log'];
}

export const defaultSettings = (): DomainSettings => ({
  screeningPanel: screeningPanel(),
  recoveryLimitHours: DEFAULT_RECOVERY_LIMIT_HOURS,
  apiKeys: DEFAULT_KEY_LIFETIMES,
  signing: DEFAULT_SIGNING_SETTINGS,
});

export function createServices(db: Database, auditLog: AuditLogSettings, settings: DomainSettings = defaultSettings()) {
  const { prisma, reader } = db;
  const runCommand = createCommandRunner(prisma, { serializable: db.engine === 'postgresql' });
  const recordRead = createReadRecorder(reader);
  const sequencer = createSequencer({ prisma, key: auditLog.signingKey, intervalMs: auditLog.intervalMs, connect: auditLog.connect, log: auditLog.log });
  // Every signed decision checks its signature block here (the password outside its transaction).
  const signing = createSigning({ prisma, runCommand, signing: settings.signing });
  const deps = { prisma, reader, runCommand, recordRead, settings, signing, catchUpAudit: sequencer.catchUp };
  const services = {
    runCommand,
    sequencer,
    audit: createAuditService({ prisma, sequencer, signingKey: auditLog.signingKey }),
    apiKeys: createApiKeyService({ ...deps, subscribe: db.subscribe.bind(db) }),
    securityAlerts: createSecurityAlertService(deps),
    signers: createSignerService({ prisma, runCommand, signing: settings.signing, signingChecks: signing }),
    signatures: createSignatureService(deps),
    facilities: createFacilityService(deps),
    donors: createDonorService(deps),
    patients: createPatientService(deps),
    administrations: createAdministrationService(deps),
    dispositions: createDispositionService(deps),
    adverseReactions: createAdverseReactionService(deps),
    deviationReports: createDeviationReportService(deps),
    trace: createTraceService(deps),
    recalls: createRecallService(deps),
    lots: createLotService(deps),
    processing: createProcessingService(deps),
    units: createUnitService(deps),
    inventory: createInventoryService(deps),
    expiry: createExpiryService(deps),
    shipments: createShipmentService(deps),
    notices: createNoticeService(deps),
  };
  return { ...services, fhir: createFhirService(services), exports: createExportService({ prisma, recordRead, inventory: services.inventory, audit: services.audit }) };
}

export type Services = ReturnType<typeof createServices>;
