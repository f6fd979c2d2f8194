// Every PostgreSQL advisory lock key the service takes, in one table so that no two uses collide.
export const ADVISORY_LOCKS = {
  /** Transaction lock: one audit integration at a time (audit/sequencer.ts). */
  auditIntegration: 7_340_155_020n,
  /** Session lock: the instance that integrates continually (audit/sequencer.ts). */
  auditLeader: 7_340_155_021n,
  /** Transaction lock: one recall notice delivery round at a time (notices/notice-worker.ts). */
  noticeWorker: 7_340_155_011n,
} as const;
