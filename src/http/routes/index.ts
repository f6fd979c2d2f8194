import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { apiKeyRoutes } from './api-keys.ts';
import { auditRoutes } from './audit.ts';
import { facilityRoutes } from './facilities.ts';
import { donorRoutes } from './donors.ts';
import { healthRoutes } from './health.ts';
import { patientRoutes } from './patients.ts';
import { administrationRoutes } from './administrations.ts';
import { dispositionRoutes } from './dispositions.ts';
import { adverseReactionRoutes } from './adverse-reactions.ts';
import { traceRoutes } from './trace.ts';
import { recallRoutes } from './recalls.ts';
import { lotRoutes } from './lots.ts';
import { unitRoutes } from './units.ts';
import { inventoryRoutes } from './inventory.ts';
import { shipmentRoutes } from './shipments.ts';
import { fhirRoutes } from './fhir.ts';
import { exportRoutes } from './exports.ts';

/** Every route of the service. Each capability registers its own file here. */
export const routes: FastifyPluginAsyncZod = async (app) => {
  await app.register(healthRoutes);
  await app.register(apiKeyRoutes);
  await app.register(facilityRoutes);
  await app.register(donorRoutes);
  await app.register(lotRoutes);
  await app.register(unitRoutes);
  await app.register(inventoryRoutes);
  await app.register(shipmentRoutes);
  await app.register(patientRoutes);
  await app.register(administrationRoutes);
  await app.register(dispositionRoutes);
  await app.register(adverseReactionRoutes);
  await app.register(traceRoutes);
  await app.register(recallRoutes);
  await app.register(auditRoutes);
  await app.register(fhirRoutes);
  await app.register(exportRoutes);
};
