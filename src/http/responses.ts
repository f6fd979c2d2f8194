import { problemSchema } from './problems.ts';

/** The problem+json responses a route declares, for validation of the route table and the OpenAPI document. */
export function errorResponses<S extends number>(...statuses: S[]): Record<S, typeof problemSchema> {
  return Object.fromEntries(statuses.map((s) => [s, problemSchema])) as Record<S, typeof problemSchema>;
}
