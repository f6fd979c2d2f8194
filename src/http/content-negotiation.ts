// Content negotiation (RFC 9110 §12.5.1) for routes that answer in several formats: an explicit
// `format` query parameter wins, then the Accept header; the first format listed is the default.
import Negotiator from 'negotiator';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { problem, sendProblem } from './problems.ts';

export interface Formats {
  [format: string]: { mediaType: string };
}

/** The format to answer in, or null when the Accept header allows none of them. */
export function negotiateFormat<F extends Formats>(request: FastifyRequest, formats: F, chosen?: keyof F): keyof F | null {
  if (chosen) return chosen;
  const entries = Object.entries(formats) as [keyof F, { mediaType: string }][];
  const accept = request.headers.accept;
  if (!accept) return entries[0]![0];
  const mediaType = new Negotiator({ headers: { accept } }).mediaType(entries.map(([, f]) => f.mediaType));
  return mediaType ? (entries.find(([, f]) => f.mediaType === mediaType)?.[0] ?? null) : null;
}

export function notAcceptable(request: FastifyRequest, reply: FastifyReply, formats: Formats) {
  const offered = Object.values(formats).map((f) => f.mediaType);
  return sendProblem(
    reply,
    problem('not_acceptable', `This resource is available as ${offered.join(', ')}; send one of them in Accept, or ?format=.`, request, { available: offered }),
  );
}

/** Sends a file body (a label, an export) with its media type and a Content-Disposition naming the file. */
export function sendFile(reply: FastifyReply, file: { mediaType: string; fileName: string; body: unknown }, disposition: 'inline' | 'attachment') {
  return reply
    .type(file.mediaType)
    .header('content-disposition', `${disposition}; filename="${file.fileName}"`)
    .header('vary', 'Accept')
    .send(file.body);
}
