// What auditors ask of the log: the events, signed tree heads, inclusion and consistency
// proofs, the public key, and a full verification that recomputes everything from the events.
import type { AuditEvent, AuditHead, PrismaClient } from '../../generated/prisma/client.ts';
import { notFound, ruleViolation } from '../shared/errors.ts';
import { eventLeafHash } from './audit-log.ts';
import { verifyLegacyChain } from './legacy-chain.ts';
import { consistencyProof, inclusionProof } from './log-store.ts';
import { CompactRange, type NodeId } from './merkle-tree.ts';
import { isStoredLevel } from './node-tiles.ts';
import type { Sequencer } from './sequencer.ts';
import { openNote, type SigningKey } from './signing.ts';
import { BreakTally } from './verification.ts';

export interface AuditQuery {
  entityType?: string;
  entityId?: string;
  action?: string;
  after?: bigint;
  limit: number;
}

const VERIFY_BATCH = 2_000;

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');

export const eventView = ({ leafHash, ...event }: AuditEvent) => ({ ...event, leafHash: hex(leafHash) });

export const headView = (head: AuditHead) => ({
  treeSize: head.treeSize.toString(),
  rootHash: hex(head.rootHash),
  timestamp: head.timestamp,
  keyId: head.keyId,
  note: head.note,
});

export function createAuditService({ prisma, sequencer, signingKey }: { prisma: PrismaClient; sequencer: Sequencer; signingKey: SigningKey }) {
  /** Events in sequence order. Every event committed before the call is integrated first. */
  async function list(query: AuditQuery, options: { catchUp?: boolean } = {}) {
    if (options.catchUp !== false) await sequencer.catchUp();
    const events = await prisma.auditEvent.findMany({
      where: {
        entityType: query.entityType,
        entityId: query.entityId,
        action: query.action,
        seq: query.after === undefined ? undefined : { gt: query.after },
      },
      orderBy: { seq: 'asc' },
      take: query.limit + 1,
    });
    const page = events.slice(0, query.limit);
    const nextCursor = events.length > query.limit ? page.at(-1)!.seq.toString() : null;
    return { items: page.map(eventView), nextCursor };
  }

  async function latestHead() {
    await sequencer.catchUp();
    const head = await prisma.auditHead.findFirst({ orderBy: { treeSize: 'desc' } });
    if (!head) throw notFound('Signed tree head', 'latest');
    return headView(head);
  }

  async function head(treeSize: bigint) {
    const found = await prisma.auditHead.findUnique({ where: { treeSize } });
    if (!found) throw notFound('Signed tree head of size', treeSize.toString());
    return headView(found);
  }

  async function heads(query: { after?: bigint; limit: number }) {
    const rows = await prisma.auditHead.findMany({
      where: query.after === undefined ? undefined : { treeSize: { gt: query.after } },
      orderBy: { treeSize: 'asc' },
      take: query.limit + 1,
    });
    const page = rows.slice(0, query.limit);
    return { items: page.map(headView), nextCursor: rows.length > query.limit ? page.at(-1)!.treeSize.toString() : null };
  }

  async function logSize(): Promise<number> {
    const size = (await prisma.$queryRaw<{ size: bigint }[]>`SELECT coalesce(max(seq), 0)::bigint AS size FROM audit_event`)[0]!.size;
    return Number(size);
  }

  /** Tree sizes a proof may name: from 1 up to the log's size now. */
  async function assertSizes(sizes: [field: string, size: number][]) {
    const size = await logSize();
    for (const [field, n] of sizes) if (n > size) throw ruleViolation(`The log holds ${size} events, not ${n}.`, { field });
    return size;
  }

  /**
   * The event's audit path in the tree of `treeSize` events (default: the latest signed head).
   * A proof within the log as it stands needs no integration; only an event or a size not yet
   * in it waits for the sequencer to catch up.
   */
  async function inclusion(seq: bigint, treeSize?: number) {
    let event = await prisma.auditEvent.findUnique({ where: { seq }, select: { leafHash: true } });
    if (!event || (treeSize !== undefined && treeSize > (await logSize()))) {
      await sequencer.catchUp();
      event = await prisma.auditEvent.findUnique({ where: { seq }, select: { leafHash: true } });
    }
    if (!event) throw notFound('Audit event', seq.toString());
    const size = treeSize ?? Number((await prisma.auditHead.findFirst({ orderBy: { treeSize: 'desc' }, select: { treeSize: true } }))?.treeSize ?? 0);
    if (size < Number(seq)) throw ruleViolation(`Event ${seq} is not in the tree of ${size} events.`, { field: 'query.treeSize' });
    await assertSizes([['query.treeSize', size]]);
    const path = await inclusionProof(prisma, Number(seq) - 1, size);
    return { seq: seq.toString(), leafIndex: Number(seq) - 1, treeSize: String(size), leafHash: hex(event.leafHash), auditPath: path.map(hex) };
  }

  async function consistency(first: number, second: number) {
    if (first > second) throw ruleViolation('first may not be larger than second.', { field: 'query.first' });
    if (second > (await logSize())) await sequencer.catchUp();
    await assertSizes([['query.second', second]]);
    const proof = await consistencyProof(prisma, first, second);
    return { first: String(first), second: String(second), proof: proof.map(hex) };
  }

  const publicKey = () => ({
    algorithm: 'Ed25519' as const,
    origin: signingKey.name,
    keyId: signingKey.keyId,
    publicKey: signingKey.publicKeyBase64,
    publicKeyPem: signingKey.publicKey.export({ format: 'pem', type: 'spki' }).toString(),
    verifierKey: signingKey.verifierKey,
  });

  /**
   * Recomputes the log from its events, in batches (memory stays flat at any size): every leaf
   * hash from the event's content, every stored node from the leaves, every signed head's root
   * and signature, and the old hash chain. Reports every break it finds.
   */
  async function verify() {
    await sequencer.catchUp();
    const tally = new BreakTally();
    const tree = new CompactRange();
    let expectedSeq = 1n;
    let headsChecked = 0;
    // Heads are read a page at a time, in order, beside the events.
    const heads = headsInOrder();
    let nextHead = (await heads.next()).value ?? null;

    const checkHeadsAt = async () => {
      while (nextHead && nextHead.treeSize <= BigInt(tree.size)) {
        headsChecked++;
        const opened = openNote(signingKey, nextHead.note);
        const at = { treeSize: nextHead.treeSize.toString() };
        if (!opened.valid) tally.add({ kind: 'head_signature_invalid', ...at, problem: 'the head is not signed by the log key over what it says' });
        else if (opened.head!.treeSize !== nextHead.treeSize || !opened.head!.rootHash.equals(Buffer.from(nextHead.rootHash)))
          tally.add({ kind: 'head_signature_invalid', ...at, problem: 'the stored size or root differs from the signed note' });
        if (nextHead.treeSize === BigInt(tree.size) && !tree.root().equals(Buffer.from(nextHead.rootHash)))
          tally.add({ kind: 'head_root_mismatch', ...at, problem: 'the root recomputed from the events differs from the signed root' });
        nextHead = (await heads.next()).value ?? null;
      }
    };

    for (;;) {
      const batch = await prisma.auditEvent.findMany({ where: { seq: { gte: expectedSeq } }, orderBy: { seq: 'asc' }, take: VERIFY_BATCH });
      const completed: { node: NodeId; hash: Buffer }[] = [];
      for (const event of batch) {
        if (event.seq !== expectedSeq) {
          tally.add({ kind: 'sequence_gap', seq: String(event.seq), problem: `sequence jumps from ${expectedSeq - 1n} to ${event.seq}` });
        }
        const leaf = eventLeafHash(event);
        if (!leaf.equals(Buffer.from(event.leafHash))) tally.add({ kind: 'leaf_hash_mismatch', seq: String(event.seq), problem: 'the event content does not hash to its leaf' });
        tree.append(leaf, (node, hash) => {
          if (isStoredLevel(node.level)) completed.push({ node, hash });
        });
        expectedSeq = event.seq + 1n;
        // A head of this size is checked against the root here, before the tree grows past it.
        if (nextHead && nextHead.treeSize === BigInt(tree.size)) await checkHeadsAt();
      }
      await checkNodes(completed, tally);
      if (batch.length < VERIFY_BATCH) break;
    }
    await checkHeadsAt();
    // A signed head larger than the log: events were cut from the end.
    for (let beyond = nextHead; beyond; beyond = (await heads.next()).value ?? null) {
      headsChecked++;
      tally.add({ kind: 'head_beyond_log', treeSize: beyond.treeSize.toString(), problem: `a head signed ${beyond.treeSize} events but the log holds ${tree.size}` });
    }
    const latest = await prisma.auditHead.findFirst({ orderBy: { treeSize: 'desc' } });
    const legacyChain = await verifyLegacyChain(prisma);
    return {
      intact: tally.count === 0 && legacyChain.intact,
      eventsChecked: tree.size,
      treeSize: String(tree.size),
      rootHash: hex(tree.root()),
      headsChecked,
      latestHead: latest ? headView(latest) : null,
      breaks: tally.report(),
      legacyChain,
    };
  }

  /** Every signed head, smallest first, read in pages. */
  async function* headsInOrder(): AsyncGenerator<AuditHead, undefined> {
    for (let after: bigint | undefined; ; ) {
      const page = await prisma.auditHead.findMany({
        where: after === undefined ? undefined : { treeSize: { gt: after } },
        orderBy: { treeSize: 'asc' },
        take: VERIFY_BATCH,
      });
      yield* page;
      if (page.length < VERIFY_BATCH) return undefined;
      after = page.at(-1)!.treeSize;
    }
  }

  /** The stored nodes must be the ones recomputed from the leaves. */
  async function checkNodes(completed: { node: NodeId; hash: Buffer }[], tally: BreakTally) {
    if (completed.length === 0) return;
    const rows = await prisma.$queryRaw<{ level: number; index: bigint; hash: Uint8Array }[]>`
      SELECT n.level::int AS level, n.index, n.hash FROM audit_node n
      JOIN unnest(${completed.map((c) => c.node.level)}::int[], ${completed.map((c) => String(c.node.index))}::bigint[]) AS w(l, i)
        ON n.level = w.l AND n.index = w.i`;
    const stored = new Map(rows.map((row) => [`${row.level}:${row.index}`, Buffer.from(row.hash)]));
    for (const { node, hash } of completed) {
      const found = stored.get(`${node.level}:${node.index}`);
      if (!found) tally.add({ kind: 'node_missing', problem: `no stored node at level ${node.level}, index ${node.index}` });
      else if (!found.equals(hash)) tally.add({ kind: 'node_mismatch', problem: `the stored node at level ${node.level}, index ${node.index} differs from the one recomputed from the events` });
    }
  }

  return { list, latestHead, head, heads, inclusion, consistency, publicKey, verify };
}

export type AuditService = ReturnType<typeof createAuditService>;
