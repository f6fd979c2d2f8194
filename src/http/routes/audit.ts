import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import {
  auditEventList,
  auditQuery,
  consistencyProof,
  consistencyQuery,
  headListQuery,
  inclusionProof,
  inclusionQuery,
  logPublicKey,
  logVerification,
  seqParams,
  treeHead,
  treeHeadList,
  treeSizeParams,
} from '../../domain/audit/audit-schemas.ts';
import { errorResponses } from '../responses.ts';

const auditors = ['admin', 'auditor', 'quality'] as const;
const tags = ['audit'];

export const auditRoutes: FastifyPluginAsyncZod = async (app) => {
  const { audit } = app.services;

  app.get('/audit-events', {
    config: { allow: auditors },
    schema: {
      operationId: 'listAuditEvents',
      tags,
      summary: 'The audit log in sequence order, filtered by entity or action (every event committed before the request is in it)',
      querystring: auditQuery,
      response: { 200: auditEventList, ...errorResponses(400, 401, 403) },
    },
    handler: async (request) => audit.list(request.query),
  });

  app.get('/audit-events/verification', {
    config: { allow: auditors },
    schema: {
      operationId: 'verifyAuditLog',
      tags,
      summary: 'Recompute the log from its events (every leaf, stored node and signed head) and the old hash chain, reporting every break found',
      response: { 200: logVerification, ...errorResponses(401, 403) },
    },
    handler: async () => audit.verify(),
  });

  app.get('/audit-events/:seq/inclusion-proof', {
    config: { allow: auditors },
    schema: {
      operationId: 'getAuditEventInclusionProof',
      tags,
      summary: 'The audit path proving that an event is in the tree of a given size (RFC 9162 §2.1.3)',
      params: seqParams,
      querystring: inclusionQuery,
      response: { 200: inclusionProof, ...errorResponses(400, 401, 403, 404, 422) },
    },
    handler: async (request) => audit.inclusion(BigInt(request.params.seq), request.query.treeSize),
  });

  app.get('/audit-log/heads/latest', {
    config: { allow: auditors },
    schema: {
      operationId: 'getLatestTreeHead',
      tags,
      summary: 'The latest signed tree head (every event committed before the request is in it)',
      response: { 200: treeHead, ...errorResponses(401, 403, 404) },
    },
    handler: async () => audit.latestHead(),
  });

  app.get('/audit-log/heads', {
    config: { allow: auditors },
    schema: {
      operationId: 'listTreeHeads',
      tags,
      summary: 'Every signed tree head, oldest first',
      querystring: headListQuery,
      response: { 200: treeHeadList, ...errorResponses(400, 401, 403) },
    },
    handler: async (request) => audit.heads({ after: request.query.cursor, limit: request.query.limit }),
  });

  app.get('/audit-log/heads/:treeSize', {
    config: { allow: auditors },
    schema: {
      operationId: 'getTreeHead',
      tags,
      summary: 'The signed tree head of a given size, as it was signed',
      params: treeSizeParams,
      response: { 200: treeHead, ...errorResponses(400, 401, 403, 404) },
    },
    handler: async (request) => audit.head(BigInt(request.params.treeSize)),
  });

  app.get('/audit-log/consistency-proof', {
    config: { allow: auditors },
    schema: {
      operationId: 'getConsistencyProof',
      tags,
      summary: 'The proof that the tree of the first size is a prefix of the tree of the second (RFC 9162 §2.1.4): nothing was changed or removed in between',
      querystring: consistencyQuery,
      response: { 200: consistencyProof, ...errorResponses(400, 401, 403, 422) },
    },
    handler: async (request) => audit.consistency(request.query.first, request.query.second),
  });

  app.get('/audit-log/public-key', {
    config: { allow: auditors },
    schema: {
      operationId: 'getAuditLogPublicKey',
      tags,
      summary: 'The Ed25519 public key that signs tree heads',
      response: { 200: logPublicKey, ...errorResponses(401, 403) },
    },
    handler: async () => audit.publicKey(),
  });
};
