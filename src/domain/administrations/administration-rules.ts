// Whether a unit may be administered at a facility on a date. Pure: the service gathers the
// facts inside its transaction, and the database enforces "at most once" on its own.
import type { ProductStatus } from '../../generated/prisma/enums.ts';
import { DomainError, invalidState, ruleViolation } from '../shared/errors.ts';
import { calendarDay } from '../shared/dates.ts';

export interface UnitFacts {
  code: string;
  status: ProductStatus;
  expiresOn: Date;
  locationFacilityId: string | null;
  inTransitShipmentId: string | null;
  /** A receipt at this facility for a shipment that carried the unit, accepted in good condition. */
  receivedHere: boolean;
  /** The donor withdrew her consent after the lot was released: no further use until it is reviewed. */
  lotFlaggedForReview: boolean;
}

const statusReasons: Partial<Record<ProductStatus, string>> = {
  administered: 'has already been administered',
  discarded: 'has been discarded',
  recalled: 'has been recalled',
  on_hold: 'is on hold',
  quarantine: 'is in quarantine and not released',
  rejected: 'was rejected by quality assurance',
  expired: 'has expired',
  released: 'is released but still at the tissue bank: it has not been shipped to this facility',
};

/** The refusal for administering the unit at the facility at the given time, or null when allowed. */
export function administrationRefusal(unit: UnitFacts, facilityId: string, administeredAt: Date): DomainError | null {
  const statusReason = statusReasons[unit.status];
  if (statusReason) return invalidState(`The unit ${unit.code} ${statusReason}; it cannot be administered.`, unit.status, { unitCode: unit.code });
  if (unit.lotFlaggedForReview) {
    return ruleViolation(`The unit ${unit.code} comes from a lot flagged for review after the donor withdrew her consent; it may not be used.`, {
      field: 'unitCode',
      unitCode: unit.code,
    });
  }
  if (unit.inTransitShipmentId) {
    return ruleViolation(`The unit ${unit.code} is in transit and has not been received at this facility.`, { field: 'unitCode', unitCode: unit.code });
  }
  if (unit.locationFacilityId !== facilityId || !unit.receivedHere) {
    return ruleViolation(`The unit ${unit.code} has not been received at this facility.`, { field: 'unitCode', unitCode: unit.code });
  }
  return expiryRefusal(unit, administeredAt);
}

/** Expired on the administration date: the expiry date is the last day of use. */
export function expiryRefusal(unit: Pick<UnitFacts, 'code' | 'expiresOn'>, administeredAt: Date): DomainError | null {
  if (calendarDay(administeredAt) <= calendarDay(unit.expiresOn)) return null;
  return ruleViolation(`The unit ${unit.code} expired on ${calendarDay(unit.expiresOn)}, before the administration date ${calendarDay(administeredAt)}.`, {
    fields: ['unitCode', 'administeredAt'],
    unitCode: unit.code,
    expiresOn: calendarDay(unit.expiresOn),
  });
}
