// Electronic signatures (21 CFR Part 11): signers, signing passwords, signed releases and their
// verification, and the refusals that write nothing but the failed attempt.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { engines } from './support/engines.ts';
import { startTestApp, type TestApp } from './support/test-app.ts';
import { expectProblem } from './support/problems.ts';
import { createLot, ok, readyLot, refusedWithoutWrites, rinseStep, setupBank, snapshot, splitUnits, type Bank } from './support/lot-fixtures.ts';
import { releaseBody, signed, TEST_SIGNING_PASSWORD } from './support/signing.ts';
import { Writable } from 'node:stream';
import pino from 'pino';
import { loggerOptions } from '../src/http/logging.ts';
import { loadConfig } from '../src/config.ts';

describe('signing passwords in the logs', () => {
  it('are redacted wherever a signature block or a password change is logged [REQ-SIGN-04]', () => {
    const lines: string[] = [];
    const sink = new Writable({ write: (chunk, _enc, done) => (lines.push(String(chunk)), done()) });
    const log = pino(loggerOptions(loadConfig({ LOG_LEVEL: 'info' })) as pino.LoggerOptions, sink);
    log.info({ body: { reason: 'ok', signature: { password: 'pw-one-secret', meaning: 'approval' } } }, 'a release');
    log.info({ newPassword: 'pw-two-secret', currentPassword: 'pw-three-secret' }, 'a password change');
    log.info({ request: { body: { newPassword: 'pw-four-secret' } } }, 'nested');
    const out = lines.join('');
    expect(out).toContain('approval');
    expect(out).not.toMatch(/pw-\w+-secret/);
  });
});

describe.each(engines)('electronic signatures on %s', (engine) => {
  let t: TestApp;
  let bank: Bank;
  beforeAll(async () => {
    t = await startTestApp(engine, { env: { SIGNER_LOCKOUT_ATTEMPTS: '3' } });
    bank = await setupBank(t);
  });
  afterAll(async () => t?.close());

  const auditOf = async (entityType: string, entityId: string, action?: string) =>
    (await t.admin.get(`/audit-events?entityType=${entityType}&entityId=${entityId}${action ? `&action=${action}` : ''}`)).json().items as { action: string; after: any }[];

  it('enrols each key holder once as a signer who sets their own password, never shown, never reassigned [REQ-SIGN-03, REQ-SIGN-04]', async () => {
    const person = await t.keyFor('quality', { holderName: 'Rowan Pike', signer: false });
    const signer = await ok(t.admin.post('/signers', { apiKeyId: person.keyId, printedName: 'Rowan J. Pike' }), 201);
    expect(signer).toMatchObject({ apiKeyId: person.keyId, printedName: 'Rowan J. Pike', holderName: 'Rowan Pike', status: 'awaiting_password', failedAttempts: 0 });
    // A second identity for the same holder is refused, under any of their keys.
    expect(expectProblem(await t.admin.post('/signers', { apiKeyId: person.keyId }), 409, 'conflict').existingId).toBe(signer.id);
    // Only the person sets the password: not an admin, not another signer.
    expectProblem(await t.admin.post(`/signers/${signer.id}/password`, { newPassword: 'an admin would like to' }), 403, 'forbidden');
    expectProblem(await person.post(`/signers/${signer.id}/password`, { newPassword: 'short' }), 422, 'rule_violation');
    const set = await ok(person.post(`/signers/${signer.id}/password`, { newPassword: 'Rowan signs releases 1' }), 201);
    expect(set.status).toBe('active');
    expect(JSON.stringify(set)).not.toContain('Rowan signs releases 1');
    const stored = await t.database.prisma.signerPassword.findFirstOrThrow({ where: { signerId: signer.id } });
    expect(stored.hash).toMatch(/^scrypt\$\d+\$8\$1\$/);
    expect(stored.hash).not.toContain('Rowan signs releases 1');
    // A change needs the current password; an old one may not come back.
    expectProblem(await person.post(`/signers/${signer.id}/password`, { newPassword: 'Rowan signs releases 2' }), 422, 'rule_violation');
    await ok(person.post(`/signers/${signer.id}/password`, { newPassword: 'Rowan signs releases 2', currentPassword: 'Rowan signs releases 1' }), 201);
    const reused = expectProblem(await person.post(`/signers/${signer.id}/password`, { newPassword: 'Rowan signs releases 1', currentPassword: 'Rowan signs releases 2' }), 422, 'rule_violation');
    expect(reused.errors[0].field).toBe('body.newPassword');
    // The identity follows the key through a rotation, to the same holder only.
    const rotated = await ok(person.post(`/api-keys/${person.keyId}/rotation`, { reason: 'yearly', graceSeconds: 0 }), 201);
    expect((await ok(t.admin.get(`/signers?apiKeyId=${rotated.id}`), 200)).items.map((s: { id: string }) => s.id)).toEqual([signer.id]);
    const successor = t.as(rotated.key);
    const lot = await readyLot(t, bank);
    const record = await ok(successor.post(`/lots/${lot.id}/release`, releaseBody({ signature: { password: 'Rowan signs releases 2', meaning: 'approval' } })), 201);
    expect(record.signatures[0]).toMatchObject({ signerId: signer.id, printedName: 'Rowan J. Pike', meaning: 'approval', decisionKind: 'lot_release' });
    // No audit event carries a password or its hash.
    const events = await auditOf('signer', signer.id);
    expect(events.map((e) => e.action)).toEqual(expect.arrayContaining(['signer.enrolled', 'signer.password_set']));
    expect(JSON.stringify(events)).not.toMatch(/Rowan signs|scrypt\$/);
  });

  it('shows a signed release with printed name, date and time and meaning in the lot, the trace, the label and FHIR [REQ-SIGN-01]', async () => {
    const lot = await readyLot(t, bank);
    const [unit] = await splitUnits(bank, lot.id, 1);
    const record = await ok(bank.quality.post(`/lots/${lot.id}/release`, releaseBody()), 201);
    const signature = record.signatures[0];
    expect(signature).toMatchObject({ signerId: bank.quality.signerId, printedName: 'Quinn Abara', meaning: 'approval', decisionKind: 'lot_release', signedAt: expect.any(String) });

    const view = await ok(bank.quality.get(`/lots/${lot.id}`), 200);
    expect(view.releaseDecisions[0].signatures).toEqual([signature]);
    const trace = await ok(bank.auditor.get(`/units/${unit!.code}/trace`), 200);
    expect(trace.releaseDecisions[0].signatures).toEqual([signature]);
    const label = await ok(bank.coordinator.get(`/units/${unit!.code}/label`), 200);
    expect(label.release.signature).toEqual(signature);
    expect(label.release.text).toContain('by Quinn Abara');
    expect(label.release.text).toContain('meaning: approval');
    const printed = await bank.coordinator.get(`/units/${unit!.code}/label?format=svg`);
    expect(printed.body).toContain('approval · e-signed Quinn Abara');
    const fhir = (await bank.auditor.get(`/fhir/BiologicallyDerivedProduct/${unit!.id}`)).json();
    const property = fhir.property.find((p: { type: { coding: { code: string }[] } }) => p.type.coding[0]!.code === 'release-signature');
    expect(property.valueString).toContain('Signed by Quinn Abara');
    expect(property.valueString).toContain('meaning: approval');
    const stored = await ok(bank.auditor.get(`/signatures/${signature.id}`), 200);
    expect(stored).toMatchObject({ ...signature, recordType: 'release_decision', recordId: record.id, contentHash: expect.stringMatching(/^[0-9a-f]{64}$/) });
  });

  it('verifies a signature against its record, and fails once the record is altered behind the service [REQ-SIGN-02]', async () => {
    const lot = await readyLot(t, bank);
    const record = await ok(bank.quality.post(`/lots/${lot.id}/release`, releaseBody()), 201);
    const signatureId = record.signatures[0].id;
    const intact = await ok(bank.auditor.get(`/signatures/${signatureId}/verification`), 200);
    expect(intact).toMatchObject({ valid: true, recordFound: true, signature: { id: signatureId, recordId: record.id } });
    expect(intact.recomputedHash).toBe(intact.storedHash);

    await t.database.prisma.$executeRawUnsafe(`UPDATE release_decision SET reason = 'Record review skipped' WHERE id = '${record.id}'`);
    const altered = await ok(bank.auditor.get(`/signatures/${signatureId}/verification`), 200);
    expect(altered).toMatchObject({ valid: false, recordFound: true });
    expect(altered.recomputedHash).not.toBe(altered.storedHash);

    // Moving the signature to another record does not make it valid there either.
    const other = await readyLot(t, bank);
    const otherRecord = await ok(bank.quality.post(`/lots/${other.id}/reject`, { decidedAt: new Date().toISOString(), reason: 'seal', ...signed('review') }), 201);
    await t.database.prisma.$executeRawUnsafe(`UPDATE release_decision SET reason = 'Record review complete' WHERE id = '${record.id}'`);
    expect((await ok(bank.auditor.get(`/signatures/${signatureId}/verification`), 200)).valid).toBe(true);
    await t.database.prisma.$executeRawUnsafe(`UPDATE signature SET record_id = '${otherRecord.id}', decision_kind = 'lot_release_copy' WHERE id = '${signatureId}'`);
    expect((await ok(bank.auditor.get(`/signatures/${signatureId}/verification`), 200)).valid).toBe(false);
  });

  it('refuses a release without a signature, or with a meaning release does not allow, writing nothing [REQ-SIGN-01, REQ-SIGN-04]', async () => {
    const lot = await readyLot(t, bank);
    const { signature: _s, ...unsigned } = releaseBody();
    const missing = expectProblem(await refusedWithoutWrites(t, () => bank.quality.post(`/lots/${lot.id}/release`, unsigned)), 400, 'validation_failed');
    expect(missing.errors.map((e: { field: string }) => e.field)).toContain('body.signature');
    const wrongMeaning = expectProblem(await refusedWithoutWrites(t, () => bank.quality.post(`/lots/${lot.id}/release`, releaseBody(signed('review')))), 400, 'validation_failed');
    expect(wrongMeaning.errors.map((e: { field: string }) => e.field)).toContain('body.signature.meaning');
  });

  it('refuses a wrong password, recording only the failed attempt; locks the signer after the limit with an alert, until an admin unlocks it [REQ-SIGN-04, REQ-SIGN-05]', async () => {
    const signerKey = await t.keyFor('quality', { holderName: 'Lee Okafor' });
    const lot = await readyLot(t, bank);
    const before = await snapshot(t);
    const wrong = await signerKey.post(`/lots/${lot.id}/release`, releaseBody(signed('approval', 'not my password')));
    expect(expectProblem(wrong, 403, 'signature_refused').signatureRefusal).toBe('wrong_password');
    const after = await snapshot(t);
    // Nothing of the release: the only new row is the failed attempt's audit event.
    expect({ ...after, counts: after.counts.slice(0, -1) }).toEqual({ ...before, counts: before.counts.slice(0, -1) });
    expect((await auditOf('signer', signerKey.signerId!, 'signature.failed')).map((e) => e.after)).toEqual([
      { failedAttempts: 1, purpose: 'lot_release', refusal: 'wrong_password' },
    ]);
    expect((await ok(t.admin.get(`/signers/${signerKey.signerId}`), 200)).failedAttempts).toBe(1);

    await signerKey.post(`/lots/${lot.id}/release`, releaseBody(signed('approval', 'still not it')));
    const third = await signerKey.post(`/lots/${lot.id}/release`, releaseBody(signed('approval', 'nor this')));
    expect(expectProblem(third, 403, 'signature_refused').signatureRefusal).toBe('signer_locked');
    expect((await ok(t.admin.get(`/signers/${signerKey.signerId}`), 200)).status).toBe('locked');
    expect((await auditOf('signer', signerKey.signerId!, 'signer.locked')).length).toBe(1);
    const alerts = (await ok(t.admin.get('/security-alerts?open=true'), 200)).items;
    expect(alerts.find((a: { kind: string; subject: string }) => a.kind === 'signer_locked' && a.subject === signerKey.signerId)).toBeDefined();

    // Locked: even the right password is refused, and the attempt is recorded.
    const refused = await signerKey.post(`/lots/${lot.id}/release`, releaseBody());
    expect(expectProblem(refused, 403, 'signature_refused').signatureRefusal).toBe('signer_locked');
    expect((await auditOf('signer', signerKey.signerId!, 'signature.refused')).length).toBeGreaterThanOrEqual(1);
    expect((await ok(bank.quality.get(`/lots/${lot.id}`), 200)).status).toBe('quarantine');

    // An admin unlocks it, as a new record with the reason; the signer signs again.
    expectProblem(await signerKey.post(`/signers/${signerKey.signerId}/unlock`, { reason: 'me' }), 403, 'forbidden');
    const unlocked = await ok(t.admin.post(`/signers/${signerKey.signerId}/unlock`, { reason: 'Identity confirmed by phone; password typed with caps lock' }), 201);
    expect(unlocked).toMatchObject({ status: 'active', failedAttempts: 0, lockedAt: null });
    expect(await t.database.prisma.signerUnlock.count({ where: { signerId: signerKey.signerId! } })).toBe(1);
    expectProblem(await t.admin.post(`/signers/${signerKey.signerId}/unlock`, { reason: 'again' }), 409, 'invalid_state');
    await ok(signerKey.post(`/lots/${lot.id}/release`, releaseBody()), 201);
  });

  it('refuses signing with an expired password until the signer revises it; an admin reset makes them set a new one [REQ-SIGN-05]', async () => {
    const signerKey = await t.keyFor('quality', { holderName: 'Mira Tan' });
    await t.database.prisma.$executeRawUnsafe(`UPDATE signer_password SET expires_at = now() - interval '1 day' WHERE signer_id = '${signerKey.signerId}'`);
    expect((await ok(t.admin.get(`/signers/${signerKey.signerId}`), 200)).status).toBe('password_expired');
    const lot = await readyLot(t, bank);
    const expired = await refusedWithoutWrites(t, () => signerKey.post(`/lots/${lot.id}/release`, releaseBody()));
    expect(expectProblem(expired, 403, 'signature_refused').signatureRefusal).toBe('password_expired');
    await ok(signerKey.post(`/signers/${signerKey.signerId}/password`, { newPassword: 'Mira revised hers', currentPassword: TEST_SIGNING_PASSWORD }), 201);
    // Lost: an admin resets it; signing is refused until the person sets a new one.
    await ok(t.admin.post(`/signers/${signerKey.signerId}/password-reset`, { reason: 'Password written on a sticky note' }), 201);
    const reset = await signerKey.post(`/lots/${lot.id}/release`, releaseBody(signed('approval', 'Mira revised hers')));
    expect(expectProblem(reset, 403, 'signature_refused').signatureRefusal).toBe('password_not_set');
    await ok(signerKey.post(`/signers/${signerKey.signerId}/password`, { newPassword: 'Mira after the reset' }), 201);
    await ok(signerKey.post(`/lots/${lot.id}/release`, releaseBody(signed('responsibility', 'Mira after the reset'))), 201);
  });

  it('keeps segregation of duties through a rotated key: who processed a lot cannot sign its release [REQ-RELEASE-02]', async () => {
    const processor = await t.keyFor('admin', { holderName: 'Processing admin' });
    const lot = await createLot(t, bank);
    await ok(processor.post(`/lots/${lot.id}/processing-steps`, rinseStep(bank)), 201);
    const rotated = await ok(processor.post(`/api-keys/${processor.keyId}/rotation`, { reason: 'rotation', graceSeconds: 0 }), 201);
    const refused = await refusedWithoutWrites(t, () => t.as(rotated.key).post(`/lots/${lot.id}/release`, releaseBody()));
    expect(expectProblem(refused, 403, 'forbidden').rule).toBe('segregation_of_duties');
  });

  it('refuses a key holder who is not a signer [REQ-SIGN-04]', async () => {
    const unsigned = await t.keyFor('quality', { holderName: 'No Signer', signer: false });
    const lot = await readyLot(t, bank);
    const res = await refusedWithoutWrites(t, () => unsigned.post(`/lots/${lot.id}/release`, releaseBody()));
    expect(expectProblem(res, 403, 'signature_refused').signatureRefusal).toBe('not_a_signer');
  });
});
