import { z } from 'zod';
import { DEFAULT_RECOVERY_LIMIT_HOURS } from './domain/shared/chronology.ts';

const logLevels = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

const booleanFlag = z
  .enum(['true', 'false', '1', '0'])
  .transform((v) => v === 'true' || v === '1');

const configSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().min(1).default('0.0.0.0'),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must be a postgresql:// URL (leave unset for the embedded PGlite database)')
    .optional(),
  DATA_DIR: z.string().min(1).default('./data'),
  LOG_LEVEL: z.enum(logLevels).default('info'),
  MIGRATE_ON_START: booleanFlag.default(true),
  // A first admin key to install on an empty key table instead of generating one.
  BOOTSTRAP_ADMIN_KEY: z
    .string()
    .regex(/^atk_[A-Za-z0-9_-]{32,}$/, 'must look like atk_ followed by at least 32 URL-safe characters')
    .optional(),
  // Comma-separated test codes overriding the default donor screening panel.
  SCREENING_PANEL: z
    .string()
    .regex(/^[A-Z0-9_]+(,[A-Z0-9_]+)*$/, 'must be comma-separated test codes such as HIV_1_2_AB,HBSAG')
    .optional(),
  // Latest recovery of a placenta after the end of its delivery date (chronology.ts).
  RECOVERY_LIMIT_HOURS: z.coerce.number().int().min(1).max(720).default(DEFAULT_RECOVERY_LIMIT_HOURS),
  // API keys: lifetime of a new key unless it asks for less, the longest any may have, and how
  // long a rotated key keeps working beside its successor.
  API_KEY_DEFAULT_TTL_DAYS: z.coerce.number().int().min(1).max(3650).default(90),
  API_KEY_MAX_TTL_DAYS: z.coerce.number().int().min(1).max(3650).default(365),
  API_KEY_ROTATION_GRACE_SECONDS: z.coerce.number().int().min(0).max(30 * 86_400).default(86_400),
  // Failed authentication: after AUTH_FAILURE_LIMIT failures within the window from one client
  // address, or for one key prefix, requests from it (or with it) are answered 429 until the window ends.
  AUTH_FAILURE_LIMIT: z.coerce.number().int().min(1).max(100_000).default(10),
  AUTH_FAILURE_WINDOW_SECONDS: z.coerce.number().int().min(1).max(86_400).default(900),
  // Electronic signatures (21 CFR 11.300): signing passwords' shortest length, lifetime before
  // they must be revised, how many earlier ones may not come back, wrong passwords in a row
  // before the signer is locked, and the scrypt cost (log2 N; memory 128 * 2^N * 8 bytes).
  SIGNING_PASSWORD_MIN_LENGTH: z.coerce.number().int().min(8).max(128).default(12),
  SIGNING_PASSWORD_MAX_AGE_DAYS: z.coerce.number().int().min(1).max(3650).default(180),
  SIGNING_PASSWORD_HISTORY: z.coerce.number().int().min(0).max(24).default(5),
  SIGNER_LOCKOUT_ATTEMPTS: z.coerce.number().int().min(1).max(100).default(5),
  SIGNING_PASSWORD_SCRYPT_LOG_N: z.coerce.number().int().min(10).max(20).default(17),
  REQUEST_TIMEOUT_MS: z.coerce.number().int().min(100).max(600_000).default(30_000),
  SHUTDOWN_GRACE_MS: z.coerce.number().int().positive().default(10_000),
  // Recall notices: how often the delivery worker looks for due notices, the first retry delay
  // (doubling after each failure, at most 6 h), attempts before a notice is marked failed, and
  // how long one delivery may take.
  NOTICE_POLL_MS: z.coerce.number().int().min(10).default(2_000),
  NOTICE_RETRY_BASE_MS: z.coerce.number().int().min(10).default(30_000),
  NOTICE_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(100).default(12),
  NOTICE_TIMEOUT_MS: z.coerce.number().int().min(100).default(10_000),
  // The audit log (RFC 9162): the key that signs tree heads (a PKCS#8 PEM or the base64 of a
  // 32-byte Ed25519 seed; unset, one is created in DATA_DIR/audit-signing-key), the log's origin
  // (the first line of every checkpoint and the key's name), and how often the sequencer runs.
  AUDIT_SIGNING_KEY: z.string().min(1).optional(),
  AUDIT_LOG_ORIGIN: z
    .string()
    .regex(/^[^\s+]{1,200}$/, 'must be a name without spaces or "+", e.g. tissue-bank.example.org/audit-log')
    .default('allograft-trace.example/audit-log'),
  AUDIT_INTEGRATION_INTERVAL_MS: z.coerce.number().int().min(10).max(1_000).default(200),
});

export type Config = Readonly<z.infer<typeof configSchema>>;

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** Reads and validates the configuration; unset and empty variables take their defaults. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const input = Object.fromEntries(
    Object.keys(configSchema.shape)
      .map((key) => [key, env[key]])
      .filter(([, value]) => value !== undefined && value !== ''),
  );
  const parsed = configSchema
    .refine((c) => c.API_KEY_DEFAULT_TTL_DAYS <= c.API_KEY_MAX_TTL_DAYS, { path: ['API_KEY_DEFAULT_TTL_DAYS'], message: 'must not exceed API_KEY_MAX_TTL_DAYS' })
    .safeParse(input);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`));
  }
  return Object.freeze(parsed.data);
}

export type DatabaseTarget =
  | { engine: 'pglite'; dataDir: string }
  | { engine: 'postgresql'; url: string };

export function databaseTarget(config: Config): DatabaseTarget {
  return config.DATABASE_URL
    ? { engine: 'postgresql', url: config.DATABASE_URL }
    : { engine: 'pglite', dataDir: config.DATA_DIR };
}
