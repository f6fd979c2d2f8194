import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import {
  consent,
  consentParams,
  correctionOutcome,
  determination,
  donor,
  donorHistory,
  donorListQuery,
  medicalHistoryReview,
  newConsent,
  newCorrection,
  newDetermination,
  newDonor,
  newMedicalHistoryReview,
  newScreeningTest,
  newWithdrawal,
  screeningPanelView,
  screeningTestOutcome,
  withdrawalOutcome,
} from '../../domain/donors/donor-schemas.ts';
import { idParams, pageOf, pageQuery } from '../../domain/shared/schemas.ts';
import { contextOf } from '../plugins/auth.ts';
import { errorResponses } from '../responses.ts';

// Clinicians do not see donors.
const writers = ['admin', 'coordinator'] as const;
const readers = ['admin', 'coordinator', 'quality', 'auditor'] as const;
const tags = ['donors'];

export const donorRoutes: FastifyPluginAsyncZod = async (app) => {
  const { donors } = app.services;

  app.post('/donors', {
    config: { allow: writers },
    schema: {
      operationId: 'registerDonor',
      tags,
      summary: 'Register a donor after a full-term (37 weeks or more) scheduled Caesarean section',
      body: newDonor,
      response: { 201: donor, ...errorResponses(400, 401, 403, 404, 409, 422) },
    },
    handler: async (request, reply) => reply.code(201).send(await donors.register(contextOf(request), request.body)),
  });

  app.get('/donors/:id', {
    config: { allow: readers },
    schema: {
      operationId: 'getDonor',
      tags,
      summary: 'A donor with her current eligibility and whether a consent is in force',
      params: idParams,
      response: { 200: donor, ...errorResponses(400, 401, 403, 404) },
    },
    handler: async (request) => donors.get(request.params.id),
  });

  app.get('/donors', {
    config: { allow: readers },
    schema: {
      operationId: 'listDonors',
      tags,
      summary: 'Donors in registration order, filtered by code, delivery facility, delivery dates or eligibility',
      querystring: donorListQuery,
      response: { 200: pageOf(donor, 'DonorPage'), ...errorResponses(400, 401, 403) },
    },
    handler: async (request) => donors.list(request.query),
  });

  app.get('/donors/:id/history', {
    config: { allow: readers },
    schema: {
      operationId: 'getDonorHistory',
      tags,
      summary: 'Everything recorded about a donor, superseded decisions and corrections included, with its audit events',
      params: idParams,
      response: { 200: donorHistory, ...errorResponses(400, 401, 403, 404) },
    },
    handler: async (request) => donors.history(request.params.id),
  });

  app.post('/donors/:id/corrections', {
    config: { allow: writers },
    schema: {
      operationId: 'correctDonor',
      tags,
      summary: 'Correct one field of a donor, with a reason; the old value stays readable',
      params: idParams,
      body: newCorrection,
      response: { 201: correctionOutcome, ...errorResponses(400, 401, 403, 404, 409, 422) },
    },
    handler: async (request, reply) => reply.code(201).send(await donors.correct(contextOf(request), request.params.id, request.body)),
  });

  app.post('/donors/:id/consents', {
    config: { allow: writers },
    schema: {
      operationId: 'recordConsent',
      tags,
      summary: "Record the donor's signed consent",
      params: idParams,
      body: newConsent,
      response: { 201: consent, ...errorResponses(400, 401, 403, 404, 422) },
    },
    handler: async (request, reply) => reply.code(201).send(await donors.recordConsent(contextOf(request), request.params.id, request.body)),
  });

  app.get('/donors/:id/consents', {
    config: { allow: readers },
    schema: {
      operationId: 'listDonorConsents',
      tags,
      summary: "The donor's consents in the order they were recorded, withdrawn ones with their withdrawal",
      params: idParams,
      querystring: pageQuery,
      response: { 200: pageOf(consent, 'ConsentPage'), ...errorResponses(400, 401, 403, 404) },
    },
    handler: async (request) => donors.consents(request.params.id, request.query),
  });

  app.post('/donors/:id/consents/:consentId/withdrawal', {
    config: { allow: writers },
    schema: {
      operationId: 'withdrawConsent',
      tags,
      summary: 'Withdraw a consent: her unreleased lots go on hold and her released lots are flagged for review',
      params: consentParams,
      body: newWithdrawal,
      response: { 201: withdrawalOutcome, ...errorResponses(400, 401, 403, 404, 409, 422) },
    },
    handler: async (request, reply) =>
      reply.code(201).send(await donors.withdrawConsent(contextOf(request), request.params.id, request.params.consentId, request.body)),
  });

  app.post('/donors/:id/screening-tests', {
    config: { allow: writers },
    schema: {
      operationId: 'recordScreeningTest',
      tags,
      summary: 'Record a screening result; a reactive or indeterminate one supersedes an eligible determination',
      params: idParams,
      body: newScreeningTest,
      response: { 201: screeningTestOutcome, ...errorResponses(400, 401, 403, 404, 409, 422) },
    },
    handler: async (request, reply) => reply.code(201).send(await donors.recordScreeningTest(contextOf(request), request.params.id, request.body)),
  });

  app.post('/donors/:id/medical-history-reviews', {
    config: { allow: writers },
    schema: {
      operationId: 'recordMedicalHistoryReview',
      tags,
      summary: 'Record the medical and social history review; the latest one counts',
      params: idParams,
      body: newMedicalHistoryReview,
      response: { 201: medicalHistoryReview, ...errorResponses(400, 401, 403, 404, 422) },
    },
    handler: async (request, reply) => reply.code(201).send(await donors.recordMedicalHistoryReview(contextOf(request), request.params.id, request.body)),
  });

  app.post('/donors/:id/eligibility-determinations', {
    config: { allow: writers },
    schema: {
      operationId: 'determineEligibility',
      tags,
      summary: 'Determine the donor eligible or ineligible, electronically signed (password and meaning); it supersedes the previous determination',
      params: idParams,
      body: newDetermination,
      response: { 201: determination, ...errorResponses(400, 401, 403, 404, 409, 422) },
    },
    handler: async (request, reply) => reply.code(201).send(await donors.determine(contextOf(request), request.params.id, request.body)),
  });

  app.get('/screening-panel', {
    config: { allow: readers },
    schema: {
      operationId: 'getScreeningPanel',
      tags,
      summary: 'The screening tests every eligible donor needs a negative, in-window result for',
      response: { 200: screeningPanelView, ...errorResponses(401, 403) },
    },
    handler: async () => donors.screeningPanel(),
  });
};
