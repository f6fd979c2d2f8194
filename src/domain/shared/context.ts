import type { Role } from '../../generated/prisma/enums.ts';
import type { Deadline } from './deadline.ts';

/** Who is acting: the holder of the API key that authenticated the request. */
export interface Actor {
  keyId: string | null;
  name: string;
  role: Role;
  /** For clinicians: the facility they act for. */
  facilityId: string | null;
}

/** What every command and audited read carries from the request into the domain. */
export interface RequestContext {
  actor: Actor;
  requestId: string;
  /** When the request must be answered (REQUEST_TIMEOUT_MS); commands never commit past it. */
  deadline?: Deadline;
}

/** The actor for work the service does itself (bootstrap, CLI scripts). */
export const systemActor: Actor = { keyId: null, name: 'system', role: 'admin', facilityId: null };
