// One shape for every problem that names fields: errors: [{ field, message }], fields named as
// the 400s name them, whatever a service passes.
import { describe, expect, it } from 'vitest';
import { DomainError, fieldErrors, requestField, ruleViolation } from '../src/domain/shared/errors.ts';

describe('field errors', () => {
  it('names a bare field as a field of the body, and keeps one that says where it is', () => {
    expect(requestField('finishedAt')).toBe('body.finishedAt');
    expect(requestField('units.0.expiresOn')).toBe('body.units.0.expiresOn');
    expect(requestField('query.limit')).toBe('query.limit');
    expect(requestField('params.code')).toBe('params.code');
    expect(requestField('bodyTemperature')).toBe('body.bodyTemperature');
  });

  it('turns { field } and { fields } of a rule violation into errors, each with the message', () => {
    expect(ruleViolation('onsetAt is before the administration.', { field: 'onsetAt' }).extensions).toEqual({
      errors: [{ field: 'body.onsetAt', message: 'onsetAt is before the administration.' }],
    });
    expect(ruleViolation('Not a full-term scheduled Caesarean.', { fields: ['deliveryMode', 'gestationalAgeWeeks'], kind: 'x' }).extensions).toEqual({
      kind: 'x',
      errors: [
        { field: 'body.deliveryMode', message: 'Not a full-term scheduled Caesarean.' },
        { field: 'body.gestationalAgeWeeks', message: 'Not a full-term scheduled Caesarean.' },
      ],
    });
  });

  it('keeps errors given as they are, only naming where each field is', () => {
    const error = fieldErrors([{ field: 'unitCode', message: 'mistyped' }]);
    expect(error.extensions).toEqual({ errors: [{ field: 'body.unitCode', message: 'mistyped' }] });
    expect(new DomainError('rule_violation', 'x', { errors: [{ field: 'query.to', message: 'before from' }], field: 'from' }).extensions.errors).toEqual([
      { field: 'query.to', message: 'before from' },
      { field: 'body.from', message: 'x' },
    ]);
  });

  it('adds no errors member to a problem that names no field', () => {
    expect(ruleViolation('No processing step is recorded.').extensions).toEqual({});
    expect(new DomainError('invalid_state', 'x', { currentStatus: 'released' }).extensions).toEqual({ currentStatus: 'released' });
  });
});
