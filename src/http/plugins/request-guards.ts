// What every request meets before its route's schema, so that a new route is guarded without
// asking: a body that is valid UTF-8 JSON, text that can be stored as sent (input-rules.ts)
// in the body, the query and the path, a URL of bounded length, and a deadline.
import fp from 'fastify-plugin';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Deadline } from '../../domain/shared/deadline.ts';
import { DomainError, fieldErrors } from '../../domain/shared/errors.ts';
import { inputIssues } from '../../domain/shared/input-rules.ts';
import { problem, sendProblem } from '../problems.ts';

declare module 'fastify' {
  interface FastifyRequest {
    deadline: Deadline | null;
  }
}

/** Longer URLs are refused with 414; no route needs more (path parameters stop at 100 characters). */
export const MAX_URL_LENGTH = 4096;

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

export const requestGuards = fp(
  async (app, { timeoutMs }: { timeoutMs: number }) => {
    app.decorateRequest('deadline', null);
    const timers = new WeakMap<FastifyRequest, NodeJS.Timeout>();

    app.addHook('onRequest', async (request, reply) => {
      // A path no route has is 404 (or 405) however long: the not-found handler answers it.
      if (request.url.length > MAX_URL_LENGTH && !request.is404) {
        return sendProblem(reply, problem('uri_too_long', `The URL is longer than ${MAX_URL_LENGTH} characters.`, request));
      }
      // An empty path segment where a parameter belongs is no path of the API: 404 before the
      // key is even checked, as for any other path no route has.
      if (Object.values((request.params as Record<string, unknown>) ?? {}).some((v) => v === '')) {
        throw new DomainError('not_found', `No route ${request.method} ${request.url.split('?')[0]}.`);
      }
      const deadline = Deadline.after(timeoutMs);
      request.deadline = deadline;
      const timer = setTimeout(() => answerLate(request, reply, deadline, timeoutMs), timeoutMs);
      timer.unref();
      timers.set(request, timer);
    });
    app.addHook('onResponse', async (request) => clearTimeout(timers.get(request)));

    // JSON bodies must be valid UTF-8: a lenient decoder would turn two different invalid
    // byte sequences into the same U+FFFD, and store them as the same value.
    const parseJson = app.getDefaultJsonParser('error', 'error');
    app.removeContentTypeParser('application/json');
    app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (request, body, done) => {
      let text: string;
      try {
        text = utf8.decode(body as Buffer);
      } catch {
        done(fieldErrors([{ field: 'body', message: 'is not valid UTF-8' }], 'The request body is not valid UTF-8.'), undefined);
        return;
      }
      parseJson(request, text, done);
    });

    app.addHook('preValidation', async (request) => {
      if (request.is404) return; // no route: the answer is 404 whatever the path holds
      // The query parser keeps what it cannot decode as it came; refuse it instead.
      if (!isStrictlyEncoded(request.url)) {
        throw fieldErrors([{ field: 'query', message: 'is not valid percent-encoded UTF-8' }], 'The query string is not valid percent-encoded UTF-8.');
      }
      const issues = [
        ...inputIssues(request.params, 'params'),
        ...inputIssues(request.query, 'query'),
        ...inputIssues(request.body, 'body'),
      ];
      if (issues.length) {
        throw fieldErrors(issues, `The request has values that cannot be stored: ${issues.map((i) => `${i.field} ${i.message}`).join('; ')}`);
      }
    });
  },
  { name: 'request-guards' },
);

function isStrictlyEncoded(url: string): boolean {
  const q = url.indexOf('?');
  if (q < 0) return true;
  try {
    for (const part of url.slice(q + 1).split(/[&=]/)) decodeURIComponent(part.replace(/\+/g, ' '));
    return true;
  } catch {
    return false;
  }
}

/** At the deadline: answer 503 unless a commit is under way (its own answer follows). */
function answerLate(request: FastifyRequest, reply: FastifyReply, deadline: Deadline, timeoutMs: number) {
  // A reply that has begun (a streamed export, headers sent) is not late: it is being read.
  if (reply.sent || reply.raw.headersSent || !deadline.expire()) return;
  request.log.warn({ timeoutMs }, 'request deadline passed');
  void sendProblem(
    reply,
    problem('service_unavailable', `The request did not finish within ${timeoutMs} ms; nothing was recorded. Retry in a moment.`, request),
  );
}
