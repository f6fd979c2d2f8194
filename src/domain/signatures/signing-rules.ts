// The rules of electronic signatures (21 CFR Part 11): what each decision's signature may mean,
// and the controls over signing passwords (11.300), set by configuration.
import type { Config } from '../../config.ts';

/** The decisions that are signed, each with the closed list of what its signature may mean (11.50(a)(3)). */
export const SIGNING_MEANINGS = {
  eligibility_determination: ['review', 'approval', 'responsibility'],
  lot_release: ['approval', 'responsibility'],
  lot_rejection: ['review', 'responsibility'],
  recall_initiation: ['responsibility', 'approval'],
  recall_countersignature: ['approval', 'review'],
  adverse_reaction_closure: ['review', 'approval', 'responsibility'],
  deviation_report_closure: ['review', 'approval', 'responsibility'],
  administration_correction: ['authorship', 'responsibility'],
} as const;

export type DecisionKind = keyof typeof SIGNING_MEANINGS;
export type Meaning<K extends DecisionKind> = (typeof SIGNING_MEANINGS)[K][number];
export const DECISION_KINDS = Object.keys(SIGNING_MEANINGS) as DecisionKind[];
export const ALL_MEANINGS = [...new Set(Object.values(SIGNING_MEANINGS).flat())] as string[];

/** The record each decision signs (the table its content is read from for the hash). */
export const SIGNED_RECORD: Record<DecisionKind, SignedRecordType> = {
  eligibility_determination: 'eligibility_determination',
  lot_release: 'release_decision',
  lot_rejection: 'release_decision',
  recall_initiation: 'recall',
  recall_countersignature: 'recall',
  adverse_reaction_closure: 'adverse_reaction',
  deviation_report_closure: 'deviation_report',
  administration_correction: 'administration',
};

export type SignedRecordType = 'eligibility_determination' | 'release_decision' | 'recall' | 'adverse_reaction' | 'deviation_report' | 'administration';

export interface SigningSettings {
  passwordMinLength: number;
  passwordMaxAgeDays: number;
  /** How many earlier passwords a new one may not repeat. */
  passwordHistory: number;
  /** Wrong passwords in a row that lock the signer. */
  lockoutAttempts: number;
  /** scrypt cost, log2 N. */
  scryptLogN: number;
}

export const DEFAULT_SIGNING_SETTINGS: SigningSettings = {
  passwordMinLength: 12,
  passwordMaxAgeDays: 180,
  passwordHistory: 5,
  lockoutAttempts: 5,
  scryptLogN: 17,
};

export const PASSWORD_MAX_LENGTH = 256;

export const signingSettings = (config: Config): SigningSettings => ({
  passwordMinLength: config.SIGNING_PASSWORD_MIN_LENGTH,
  passwordMaxAgeDays: config.SIGNING_PASSWORD_MAX_AGE_DAYS,
  passwordHistory: config.SIGNING_PASSWORD_HISTORY,
  lockoutAttempts: config.SIGNER_LOCKOUT_ATTEMPTS,
  scryptLogN: config.SIGNING_PASSWORD_SCRYPT_LOG_N,
});
