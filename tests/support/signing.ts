// Electronic signatures in tests: every key the test app makes for a role that records decisions
// is enrolled as a signer with this password (test-app.ts), so a test signs with signed(meaning).
export const TEST_SIGNING_PASSWORD = 'correct horse battery staple';

/** The signature block of a signed decision, with the test signers' password. */
export const signed = (meaning: string, password = TEST_SIGNING_PASSWORD) => ({ signature: { password, meaning } });

/** A release signed for approval, as most tests release. */
export const releaseBody = (extra: Record<string, unknown> = {}) => ({ decidedAt: new Date().toISOString(), reason: 'Record review complete', ...signed('approval'), ...extra });
