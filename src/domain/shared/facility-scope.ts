// Clinicians act for one facility: they see and touch only what is at, or happened at, that
// facility. Outside it a record is "not found" for them (404, not 403), so existence does not leak.
import type { RequestContext } from './context.ts';

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
