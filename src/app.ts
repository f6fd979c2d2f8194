// Builds the service: the one place where the database, the domain services and the HTTP
// layer meet. The server and every test start it the same way.
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import type { z } from 'zod';
import Fastify, { type FastifyError, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import { validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import { serializerCompiler } from './http/serializer.ts';
import { databaseTarget, type Config } from './config.ts';
import { openDatabase, type Database } from './db/database.ts';
import type { EmbeddedPglite } from './db/embedded.ts';
import { shippedMigrations, unappliedMigrations } from './db/readiness.ts';
import { createServices, type Services } from './domain/services.ts';
import { loadSigningKey } from './domain/audit/signing.ts';
import { createNoticeWorker } from './domain/notices/notice-worker.ts';
import { screeningPanel } from './domain/donors/screening-panel.ts';
import { keyLifetimes } from './domain/auth/key-lifetimes.ts';
import { signingSettings } from './domain/signatures/signing-rules.ts';
import { systemActor } from './domain/shared/context.ts';
import { loggerOptions } from './http/logging.ts';
import { PROBLEM_TYPE_BASE, problem, sendProblem, toProblem, type Problem } from './http/problems.ts';
import { trackAllowedMethods } from './http/allowed-methods.ts';
import { requestGuards } from './http/plugins/request-guards.ts';
import { authPlugin } from './http/plugins/auth.ts';
import { openApiDocument, swaggerOptions } from './http/openapi.ts';
import { routes } from './http/routes/index.ts';

declare module 'fastify' {
  interface FastifyInstance {
    database: Database;
    services: Services;
    shippedMigrations: string[];
    /** The first admin key, when this start generated it (to be shown once). */
    generatedAdminKey: string | null;
  }
}

export interface BuildOptions {
  /** Use this database instead of opening the one the config names (tests). */
  database?: Database;
  /** Embedded PGlite already starting on DATA_DIR (server.ts starts it before loading the app). */
  embedded?: Promise<EmbeddedPglite>;
}

const REQUEST_ID = /^[A-Za-z0-9._-]{1,64}$/;

export async function buildApp(config: Config, options: BuildOptions = {}): Promise<FastifyInstance> {
  const database =
    options.database ?? (await openDatabase(databaseTarget(config), { statementTimeoutMs: config.REQUEST_TIMEOUT_MS, embedded: options.embedded }));
  try {
    const shipped = await shippedMigrations();
    // One query says whether anything is pending; only then is Prisma's schema engine (WASM,
    // tens of MB) loaded, and it is let go once the migrations are applied.
    const pending = await unappliedMigrations(database.prisma, shipped).catch(() => shipped);
    if (pending.length && !config.MIGRATE_ON_START) {
      throw new Error(`The database lacks migrations ${pending.join(', ')}; run npm run db:migrate (MIGRATE_ON_START=false).`);
    }
    if (pending.length) {
      const { applyMigrations } = await import('./db/migrations.ts');
      await applyMigrations(database.migrationAdapter);
    }
    const signingKey = await loadSigningKey({ key: config.AUDIT_SIGNING_KEY, file: join(config.DATA_DIR, 'audit-signing-key'), name: config.AUDIT_LOG_ORIGIN });
    const services = createServices(database, { signingKey, intervalMs: config.AUDIT_INTEGRATION_INTERVAL_MS, connect: database.sessionConnection }, {
      screeningPanel: screeningPanel(config.SCREENING_PANEL),
      recoveryLimitHours: config.RECOVERY_LIMIT_HOURS,
      apiKeys: keyLifetimes(config),
      signing: signingSettings(config),
    });
    const generatedAdminKey = await services.apiKeys.bootstrapAdmin(
      { actor: systemActor, requestId: 'bootstrap' },
      config.BOOTSTRAP_ADMIN_KEY,
    );
    return await createHttpApp(config, { database, services, shipped, generatedAdminKey });
  } catch (error) {
    if (!options.database) await database.close();
    throw error;
  }
}

/** A path as a detail quotes it: at most 200 characters. */
const shorten = (path: string) => (path.length > 200 ? `${path.slice(0, 200)}…` : path);

async function createHttpApp(
  config: Config,
  parts: { database: Database; services: Services; shipped: string[]; generatedAdminKey: string | null },
): Promise<FastifyInstance> {
  // Set once the routes are tracked (below): Fastify's routing errors need it.
  let noRouteProblem: (request: FastifyRequest, reply: FastifyReply) => Problem | null = () => null;
  const app = Fastify({
    logger: loggerOptions(config),
    genReqId: (req) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
    },
    // The whole request, a slow body included, within REQUEST_TIMEOUT_MS: Node checks its
    // timeouts every connectionsCheckingInterval, and headersTimeout must not exceed requestTimeout.
    requestTimeout: config.REQUEST_TIMEOUT_MS,
    http: serverTimeouts(config.REQUEST_TIMEOUT_MS),
    clientErrorHandler,
    bodyLimit: 1024 * 1024,
    // Errors Fastify raises while routing (a malformed URL, an over-long parameter) are
    // problem documents too, not Fastify's own JSON; on a path no route has, the answer is the
    // 404 (or 405) any unknown path gets, whatever else is wrong with it.
    frameworkErrors: (error, request, reply) => {
      reply.header('x-request-id', request.id);
      return sendProblem(reply, noRouteProblem(request, reply) ?? toProblem(error, request));
    },
  }).withTypeProvider<ZodTypeProvider>();

  app.decorate('database', parts.database);
  app.decorate('services', parts.services);
  app.decorate('shippedMigrations', parts.shipped);
  app.decorate('generatedAdminKey', parts.generatedAdminKey);
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);

  app.addHook('onSend', async (request, reply) => {
    reply.header('x-request-id', request.id);
  });
  app.setErrorHandler((error, request, reply) => {
    // No route: the body of a request to an unknown path (or method) is parsed before the
    // not-found handler runs; whatever is wrong with it, the answer is 404 or 405.
    const body = request.is404 ? unrouted(request, reply) : toProblem(error as FastifyError, request);
    if (body.status >= 500) request.log.error({ err: error }, 'request failed');
    else request.log.info({ problem: body.type, status: body.status }, 'request refused');
    return sendProblem(reply, body);
  });
  const allowedMethods = trackAllowedMethods(app);
  /** 404 for a path that no route has, 405 (with Allow) for a method the path does not answer. */
  const unrouted = (request: FastifyRequest, reply: FastifyReply): Problem => {
    const path = request.url.split('?')[0]!;
    const allowed = allowedMethods(path);
    if (allowed.length && !allowed.includes(request.method)) {
      reply.header('allow', allowed.join(', '));
      return problem('method_not_allowed', `${shorten(path)} answers ${allowed.join(', ')}, not ${request.method}.`, request, { allowedMethods: allowed });
    }
    return problem('not_found', `No route ${request.method} ${shorten(path)}.`, request);
  };
  noRouteProblem = (request, reply) => {
    const allowed = allowedMethods(request.url.split('?')[0]!);
    return allowed.includes(request.method) ? null : unrouted(request, reply);
  };
  app.setNotFoundHandler((request, reply) => sendProblem(reply, unrouted(request, reply)));
  // The recall notice worker runs with the app, one per database (notice-worker.ts); it stops
  // and finishes its delivery in progress before the database closes.
  const noticeWorker = createNoticeWorker({
    prisma: parts.database.prisma,
    runCommand: parts.services.runCommand,
    settings: { pollMs: config.NOTICE_POLL_MS, retryBaseMs: config.NOTICE_RETRY_BASE_MS, maxAttempts: config.NOTICE_MAX_ATTEMPTS, timeoutMs: config.NOTICE_TIMEOUT_MS },
    log: app.log.child({ component: 'recall-notices' }),
  });
  // The audit sequencer too (audit/sequencer.ts): on close it integrates what was committed.
  parts.services.sequencer.useLog(app.log.child({ component: 'audit-sequencer' }));
  app.addHook('onReady', async () => {
    noticeWorker.start();
    parts.services.sequencer.start();
  });
  app.addHook('onClose', async () => {
    await noticeWorker.stop();
    await parts.services.sequencer.stop();
    if (parts.database) await parts.database.close();
  });

  await app.register(swagger, swaggerOptions());
  await app.register(swaggerUi, { routePrefix: '/docs' });
  await app.register(requestGuards, { timeoutMs: config.REQUEST_TIMEOUT_MS });
  await app.register(authPlugin, {
    apiKeys: parts.services.apiKeys,
    securityAlerts: parts.services.securityAlerts,
    failures: { limit: config.AUTH_FAILURE_LIMIT, windowSeconds: config.AUTH_FAILURE_WINDOW_SECONDS },
  });
  await app.register(routes);
  app.get('/openapi.json', {
    config: { allow: 'public' },
    schema: {
      operationId: 'getOpenApiDocument',
      tags: ['operations'],
      summary: 'This OpenAPI 3.1 document',
      response: { 200: openApiDocument },
    },
    handler: async () => app.swagger() as z.input<typeof openApiDocument>,
  });
  await app.ready();
  return app;
}

function serverTimeouts(requestTimeout: number) {
  return {
    requestTimeout,
    headersTimeout: Math.min(requestTimeout, 60_000),
    connectionsCheckingInterval: Math.min(1_000, Math.max(50, Math.floor(requestTimeout / 10))),
  };
}

/** Errors Node's HTTP parser raises before Fastify sees a request: answered as problem documents too. */
function clientErrorHandler(this: FastifyInstance, error: Error & { code?: string }, socket: Socket) {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const [status, code, detail] =
    error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
      ? [408, 'request_timeout', 'The request was not received completely within the time allowed.']
      : error.code === 'HPE_HEADER_OVERFLOW'
        ? [431, 'request_header_fields_too_large', 'The request line and headers are larger than the server accepts.']
        : [400, 'bad_request', 'The request is not valid HTTP.'];
  const requestId = randomUUID();
  const body = JSON.stringify({ type: `${PROBLEM_TYPE_BASE}${code}`, title: STATUS_CODES[status], status, detail, requestId });
  this.log.info({ code: error.code, status, requestId }, 'client error');
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: application/problem+json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n` +
        `x-request-id: ${requestId}\r\nConnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy(error);
}
