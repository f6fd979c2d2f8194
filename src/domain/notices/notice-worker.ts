// Delivers queued recall notices. One worker per database does the sending: each tick takes a
// transaction-level advisory lock (pg_try_advisory_xact_lock), so on PostgreSQL only one of
// several instances claims notices at a time; on embedded PGlite the one process runs it. A
// claim is a lease on the notice row, written before the lock is released; the HTTP call runs
// outside any transaction; its outcome is written with an audit event in a command of its own.
// Retries back off exponentially from the row's next_attempt_at, so they survive a restart. A
// notice the receiver answered 2xx (or its consignee acknowledged) is never sent again.
import { ADVISORY_LOCKS } from '../shared/advisory-locks.ts';
import { performance } from 'node:perf_hooks';
import type { PrismaClient } from '../../generated/prisma/client.ts';
import type { RequestContext } from '../shared/context.ts';
import type { RunCommand } from '../shared/transaction.ts';
import { NOTICE_ID_HEADER, SIGNATURE_HEADER, TIMESTAMP_HEADER, sign } from './notice-signature.ts';

export interface NoticeWorkerSettings {
  pollMs: number;
  retryBaseMs: number;
  maxAttempts: number;
  timeoutMs: number;
}

export interface WorkerLog {
  info(fields: object, message: string): void;
  warn(fields: object, message: string): void;
  error(fields: object, message: string): void;
}

const WORKER_LOCK_KEY = ADVISORY_LOCKS.noticeWorker;
const CLAIM_BATCH = 20;
const MAX_BACKOFF_MS = 6 * 3_600_000;

/** The wait before attempt n + 1: base × 2^(n−1), capped at 6 h, ±20 % so receivers coming back are not hit at once. */
export const backoffMs = (attempt: number, baseMs: number, random = Math.random()) =>
  Math.round(Math.min(baseMs * 2 ** (attempt - 1), MAX_BACKOFF_MS) * (0.8 + 0.4 * random));

const workerContext = (noticeId: string, attempt: number): RequestContext => ({
  actor: { keyId: null, name: 'recall notice delivery', role: 'admin', facilityId: null },
  requestId: `notice-${noticeId}-${attempt}`,
});

export function createNoticeWorker(deps: { prisma: PrismaClient; runCommand: RunCommand; settings: NoticeWorkerSettings; log: WorkerLog }) {
  const { prisma, runCommand, settings, log } = deps;
  let timer: NodeJS.Timeout | null = null;
  let running: Promise<void> | null = null;
  let stopped = true;

  /** Due notices of facilities with an endpoint, leased to this worker for the time of one delivery. */
  async function claim() {
    return prisma.$transaction(async (tx) => {
      const [row] = await tx.$queryRaw<{ locked: boolean }[]>`SELECT pg_try_advisory_xact_lock(${WORKER_LOCK_KEY}) AS locked`;
      if (!row?.locked) return [];
      const now = new Date();
      const hooks = await tx.facilityWebhook.findMany({ where: { supersededAt: null } });
      if (!hooks.length) return [];
      const due = await tx.recallNotice.findMany({
        where: { status: 'pending', nextAttemptAt: { lte: now }, facilityId: { in: hooks.map((h) => h.facilityId) }, OR: [{ leaseUntil: null }, { leaseUntil: { lt: now } }] },
        orderBy: { nextAttemptAt: 'asc' },
        take: CLAIM_BATCH,
      });
      if (!due.length) return [];
      await tx.recallNotice.updateMany({ where: { id: { in: due.map((n) => n.id) } }, data: { leaseUntil: new Date(now.getTime() + settings.timeoutMs * 2 + 60_000) } });
      return due.map((notice) => ({ notice, hook: hooks.find((h) => h.facilityId === notice.facilityId)! }));
    });
  }

  async function deliver({ notice, hook }: Awaited<ReturnType<typeof claim>>[number]) {
    const attempt = notice.attempts + 1;
    // Backoff and NOTICE_MAX_ATTEMPTS count the attempts at the current endpoint: registering a
    // new one gives a notice a new round.
    const atThisEndpoint = (await prisma.noticeDeliveryAttempt.count({ where: { noticeId: notice.id, attemptedAt: { gte: hook.registeredAt } } })) + 1;
    const body = JSON.stringify(notice.payload);
    const timestamp = String(Math.floor(Date.now() / 1000));
    const attemptedAt = new Date();
    const started = performance.now();
    let statusCode: number | null = null;
    let error: string | null = null;
    try {
      const res = await fetch(hook.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'user-agent': 'allograft-trace recall notices',
          [TIMESTAMP_HEADER]: timestamp,
          [SIGNATURE_HEADER]: sign(hook.secret, timestamp, body),
          [NOTICE_ID_HEADER]: notice.id,
        },
        body,
        redirect: 'manual',
        signal: AbortSignal.timeout(settings.timeoutMs),
      });
      statusCode = res.status;
      await res.body?.cancel();
    } catch (failure) {
      const e = failure as Error & { cause?: { code?: string } };
      error = `${e.name}: ${e.cause?.code ?? e.message}`.slice(0, 300);
    }
    const durationMs = Math.round(performance.now() - started);
    const delivered = statusCode !== null && statusCode >= 200 && statusCode < 300;
    const exhausted = !delivered && atThisEndpoint >= settings.maxAttempts;
    await runCommand(workerContext(notice.id, attempt), async ({ tx, audit, now }) => {
      await tx.noticeDeliveryAttempt.create({ data: { noticeId: notice.id, attempt, attemptedAt, url: hook.url, statusCode, error, durationMs, delivered } });
      const next = delivered ? { status: 'delivered', deliveredAt: now } : exhausted ? { status: 'failed' } : { nextAttemptAt: new Date(now.getTime() + backoffMs(atThisEndpoint, settings.retryBaseMs)) };
      // Only a notice still pending moves: one acknowledged meanwhile keeps its status.
      await tx.recallNotice.updateMany({ where: { id: notice.id, status: 'pending' }, data: { attempts: attempt, leaseUntil: null, ...next } });
      await audit({
        action: 'recall_notice.delivery_attempted',
        entityType: 'recall_notice',
        entityId: notice.id,
        after: { attempt, statusCode, error, delivered, durationMs, ...(exhausted ? { status: 'failed' } : {}) },
      });
    });
    // Never the body (patients' numbers) nor the secret: the notice, its facility and the outcome.
    const fields = { noticeId: notice.id, facilityId: notice.facilityId, attempt, statusCode, error, durationMs };
    if (delivered) log.info(fields, 'recall notice delivered');
    else log.warn(fields, exhausted ? 'recall notice delivery failed for good' : 'recall notice delivery failed; will retry');
  }

  async function tick() {
    try {
      const claimed = await claim();
      for (const [i, next] of claimed.entries()) {
        if (stopped) {
          // Stopping: hand back what this tick will not send, for the next start or instance.
          await prisma.recallNotice.updateMany({ where: { id: { in: claimed.slice(i).map((c) => c.notice.id) } }, data: { leaseUntil: null } });
          break;
        }
        await deliver(next);
      }
    } catch (failure) {
      log.error({ err: failure }, 'recall notice worker tick failed');
    }
  }

  function schedule() {
    if (stopped) return;
    timer = setTimeout(() => {
      running = tick().finally(() => {
        running = null;
        schedule();
      });
    }, settings.pollMs);
    timer.unref();
  }

  return {
    start() {
      if (!stopped) return;
      stopped = false;
      schedule();
    },
    /** Stops scheduling and waits for a tick in progress (its delivery is finished and recorded). */
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await running;
    },
  };
}

export type NoticeWorker = ReturnType<typeof createNoticeWorker>;
