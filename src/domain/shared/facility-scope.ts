// Clinicians act for one facility: they see and touch only what is at, or happened at, that
// facility. Outside it a record is "not found" for them (404, not 403), so existence does not leak.
import type { RequestContext } from './context.ts';
import { notFound } from './errors.ts';

/** The facility the actor is confined to, or null when the role sees every facility. */
export function confinedFacility(ctx: RequestContext): string | null {
  if (ctx.actor.role !== 'clinician') return null;
  // A clinician key without a facility sees nothing: an impossible facility id.
  return ctx.actor.facilityId ?? '00000000-0000-0000-0000-000000000000';
}

/** True when the actor may see a record that belongs to any of the given facilities. */
export function canSee(ctx: RequestContext, ...facilityIds: (string | null | undefined)[]): boolean {
  const confined = confinedFacility(ctx);
  return confined === null || facilityIds.includes(confined);
}

/**
 * The facility a list is confined to: a clinician's own, whatever she asks (another facility is
 * "not found" for her, as its records are); for other roles the one asked for, if any.
 */
export function listedFacility(ctx: RequestContext, requested: string | undefined): string | undefined {
  const confined = confinedFacility(ctx);
  if (confined === null) return requested;
  if (requested && requested !== confined) throw notFound('Facility', requested);
  return confined;
}
