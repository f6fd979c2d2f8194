import { z } from 'zod';
import { FacilityKind } from '../../generated/prisma/enums.ts';
import { id, timestamp, text, pageQuery } from '../shared/schemas.ts';

export const facilityKind = z.enum(FacilityKind).meta({ id: 'FacilityKind' });

export const newFacility = z
  .object({
    kind: facilityKind,
    name: text(200),
    registrationNumber: text(50).optional().meta({ description: 'A registration such as an FDA FEI number' }),
    isbtFacilityId: z
      .string()
      .regex(/^[A-NP-Z0-9]{5}$/, 'must be the 5-character ISBT 128 facility identification number (A-Z without O, 0-9)')
      .optional()
      .meta({ description: 'ISBT 128 Facility Identification Number (FIN), used to build Donation Identification Numbers' }),
    euTissueEstablishmentCode: z
      .string()
      .regex(/^[A-Z]{2}[A-Z0-9]{6}$/, 'must be the ISO country code (2 letters) and the 6-character tissue establishment code')
      .optional()
      .meta({ description: 'EU Single European Code: country code and tissue establishment code, e.g. BE000123' }),
    medicalRecordNumberSystem: z
      .url({ protocol: /^(https?|urn)$/ })
      .max(300)
      .optional()
      .meta({ description: "The system of the facility's medical record numbers (FHIR Patient.identifier.system), e.g. urn:oid:2.16.840.1.113883.3.1234", example: 'urn:oid:2.16.840.1.113883.3.1234' }),
  })
  .meta({ id: 'NewFacility' });

export const facility = z
  .object({
    id,
    kind: facilityKind,
    name: z.string(),
    registrationNumber: z.string().nullable(),
    isbtFacilityId: z.string().nullable(),
    euTissueEstablishmentCode: z.string().nullable(),
    medicalRecordNumberSystem: z.string().nullable(),
    createdAt: timestamp,
  })
  .meta({ id: 'Facility' });

export const facilityListQuery = pageQuery.extend({ kind: facilityKind.optional() });
