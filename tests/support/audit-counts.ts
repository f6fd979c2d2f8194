// Audit events written so far, whether the sequencer has integrated them yet or not: the log
// and the queue counted in one statement (one snapshot), so an integration in between cannot
// move a row out of the count.
import type { PrismaClient } from '../../src/generated/prisma/client.ts';

export async function auditEventsWritten(prisma: PrismaClient): Promise<number> {
  const [row] = await prisma.$queryRaw<{ n: number }[]>`
    SELECT ((SELECT count(*) FROM audit_event) + (SELECT count(*) FROM audit_queue))::int AS n`;
  return Number(row!.n);
}
