import { z } from 'zod';
import { id, identifier, pageOf, pageQuery, timestamp } from '../shared/schemas.ts';

// A medical record number identifies a patient within one facility. No names are stored.
const medicalRecordNumber = identifier(64).meta({ description: "The facility's medical record number; never logged" });

export const newPatient = z
  .object({
    medicalRecordNumber,
    facilityId: id.optional().meta({ description: "Admins only: the patient's facility. A clinician's patients are always at the clinician's facility." }),
  })
  .meta({ id: 'NewPatient' });

export const patient = z
  .object({ id, facilityId: id, medicalRecordNumber: z.string(), createdAt: timestamp })
  .meta({ id: 'Patient' });

export const patientQuery = pageQuery.extend({
  medicalRecordNumber: medicalRecordNumber.optional().meta({ description: 'Find the patient with this number (never logged)' }),
  facilityId: id.optional().meta({ description: "The facility's patients (clinicians: always their own facility)" }),
});

export const patientList = pageOf(patient, 'PatientPage');
