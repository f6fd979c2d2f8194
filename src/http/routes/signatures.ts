import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import {
  newSigner,
  passwordChange,
  signature,
  signatureVerification,
  signer,
  signerListQuery,
  signerReason,
} from '../../domain/signatures/signature-schemas.ts';
import { idParams, pageOf } from '../../domain/shared/schemas.ts';
import { contextOf } from '../plugins/auth.ts';
import { errorResponses } from '../responses.ts';

const tags = ['signatures'];
const readers = ['admin', 'quality', 'auditor'] as const;
const holders = ['admin', 'quality', 'coordinator', 'clinician'] as const;

export const signatureRoutes: FastifyPluginAsyncZod = async (app) => {
  const { signers, signatures } = app.services;

  app.post('/signers', {
    config: { allow: ['admin'] },
    schema: {
      operationId: 'enrolSigner',
      tags,
      summary: "Enrol the holder of an API key as a signer: a signing identity that is never reused or reassigned; the person then sets their own password",
      body: newSigner,
      response: { 201: signer, ...errorResponses(400, 401, 403, 404, 409, 422) },
    },
    handler: async (request, reply) => reply.code(201).send(await signers.enrol(contextOf(request), request.body)),
  });

  app.get('/signers', {
    config: { allow: readers },
    schema: {
      operationId: 'listSigners',
      tags,
      summary: 'Signers in enrolment order, with their status (never a password)',
      querystring: signerListQuery,
      response: { 200: pageOf(signer, 'SignerPage'), ...errorResponses(400, 401, 403) },
    },
    handler: async (request) => signers.list(request.query),
  });

  app.get('/signers/:id', {
    config: { allow: readers },
    schema: {
      operationId: 'getSigner',
      tags,
      summary: 'A signer with its status, password expiry and failed attempts',
      params: idParams,
      response: { 200: signer, ...errorResponses(400, 401, 403, 404) },
    },
    handler: async (request) => signers.get(request.params.id),
  });

  app.post('/signers/:id/password', {
    config: { allow: holders },
    schema: {
      operationId: 'setSigningPassword',
      tags,
      summary: 'The signer sets or revises their own signing password (a change needs the current one); a new record each time',
      params: idParams,
      body: passwordChange,
      response: { 201: signer, ...errorResponses(400, 401, 403, 404, 409, 422) },
    },
    handler: async (request, reply) => reply.code(201).send(await signers.setPassword(contextOf(request), request.params.id, request.body)),
  });

  app.post('/signers/:id/password-reset', {
    config: { allow: ['admin'] },
    schema: {
      operationId: 'resetSigningPassword',
      tags,
      summary: 'A lost or exposed signing password: the signer must set a new one before signing again',
      params: idParams,
      body: signerReason,
      response: { 201: signer, ...errorResponses(400, 401, 403, 404) },
    },
    handler: async (request, reply) => reply.code(201).send(await signers.resetPassword(contextOf(request), request.params.id, request.body.reason)),
  });

  app.post('/signers/:id/unlock', {
    config: { allow: ['admin'] },
    schema: {
      operationId: 'unlockSigner',
      tags,
      summary: 'Unlock a signer locked after wrong passwords, with the reason: a new record; not by the signer themself',
      params: idParams,
      body: signerReason,
      response: { 201: signer, ...errorResponses(400, 401, 403, 404, 409) },
    },
    handler: async (request, reply) => reply.code(201).send(await signers.unlock(contextOf(request), request.params.id, request.body.reason)),
  });

  app.get('/signatures/:id', {
    config: { allow: readers },
    schema: {
      operationId: 'getSignature',
      tags,
      summary: 'A signature: signer, printed name, date and time, meaning, the record it signs and its content hash',
      params: idParams,
      response: { 200: signature, ...errorResponses(400, 401, 403, 404) },
    },
    handler: async (request) => signatures.get(request.params.id),
  });

  app.get('/signatures/:id/verification', {
    config: { allow: readers },
    schema: {
      operationId: 'verifySignature',
      tags,
      summary: 'Recompute the content hash of the signed record: does the record still say what was signed?',
      params: idParams,
      response: { 200: signatureVerification, ...errorResponses(400, 401, 403, 404) },
    },
    handler: async (request) => signatures.verify(request.params.id),
  });
};
