#!/usr/bin/env node
// The auditor's verifier, to run outside the service: it trusts nothing the service says that it
// cannot check with node:crypto alone.
//
//   npm run verify-log -- --url https://trace.example.org --key atk_… [--state FILE]
//                         [--sample N] [--seq 12,345] [--full] [--public-key KEY]
//
// 1. The log's public key is pinned on first use (kept in the state file), or given with
//    --public-key (the verifierKey of GET /audit-log/public-key, as published by the bank).
// 2. The latest signed tree head must carry a valid Ed25519 signature by that key.
// 3. The head saved last time must be a prefix of the new one: a consistency proof (RFC 9162
//    §2.1.4) shows that no event under it was changed, removed or reordered since.
// 4. Sampled (or given) events are fetched, their leaf hashes recomputed from their content, and
//    their inclusion proofs (§2.1.3) checked against the new head.
// 5. With --full, every event is fetched and the root recomputed from all of them.
// The new head is saved for next time. Exit status 0 when everything holds, 1 otherwise.
import { createHash, createPublicKey, verify } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';

const { values: args } = parseArgs({
  options: {
    url: { type: 'string', default: process.env.SERVICE_URL ?? 'http://localhost:3000' },
    key: { type: 'string', default: process.env.AUDIT_API_KEY ?? process.env.API_KEY },
    state: { type: 'string', default: '.audit-log-state.json' },
    sample: { type: 'string', default: '20' },
    seq: { type: 'string' },
    full: { type: 'boolean', default: false },
    'public-key': { type: 'string' },
  },
});

const failures = [];
const fail = (message) => {
  failures.push(message);
  console.log(`FAIL  ${message}`);
};
const ok = (message) => console.log(`ok    ${message}`);

async function get(path) {
  const res = await fetch(new URL(path, args.url), { headers: args.key ? { authorization: `Bearer ${args.key}` } : {} });
  const body = await res.text();
  if (!res.ok) throw new Error(`GET ${path} answered ${res.status}: ${body}`);
  return JSON.parse(body);
}

// ---- RFC 9162 hashing and proof verification (§2.1) ----
const sha256 = (...parts) => {
  const h = createHash('sha256');
  for (const p of parts) h.update(p);
  return h.digest();
};
const leafHash = (bytes) => sha256(Buffer.from([0]), bytes);
const nodeHash = (l, r) => sha256(Buffer.from([1]), l, r);
const fromHex = (h) => Buffer.from(h, 'hex');

function verifyInclusion(index, size, leaf, path, root) {
  if (index >= size) return false;
  let fn = index;
  let sn = size - 1;
  let r = leaf;
  for (const p of path) {
    if (sn === 0) return false;
    if (fn % 2 === 1 || fn === sn) {
      r = nodeHash(p, r);
      if (fn % 2 === 0) while (fn % 2 === 0 && fn !== 0) [fn, sn] = [fn >> 1, sn >> 1];
    } else r = nodeHash(r, p);
    [fn, sn] = [Math.floor(fn / 2), Math.floor(sn / 2)];
  }
  return sn === 0 && r.equals(root);
}

function verifyConsistency(first, second, firstRoot, secondRoot, proof) {
  if (first === second) return proof.length === 0 && firstRoot.equals(secondRoot);
  if (first < 1 || first > second || proof.length === 0) return false;
  const path = (first & (first - 1)) === 0 ? [firstRoot, ...proof] : [...proof];
  let fn = first - 1;
  let sn = second - 1;
  while (fn % 2 === 1) [fn, sn] = [Math.floor(fn / 2), Math.floor(sn / 2)];
  let fr = path[0];
  let sr = path[0];
  for (const c of path.slice(1)) {
    if (sn === 0) return false;
    if (fn % 2 === 1 || fn === sn) {
      fr = nodeHash(c, fr);
      sr = nodeHash(c, sr);
      if (fn % 2 === 0) while (fn % 2 === 0 && fn !== 0) [fn, sn] = [fn >> 1, sn >> 1];
    } else sr = nodeHash(sr, c);
    [fn, sn] = [Math.floor(fn / 2), Math.floor(sn / 2)];
  }
  return fr.equals(firstRoot) && sr.equals(secondRoot) && sn === 0;
}

/** The right edge of a growing tree (one complete subtree per set bit), for --full. */
class CompactRange {
  nodes = [];
  append(leaf) {
    let hash = leaf;
    let level = 0;
    while (this.nodes.length && this.nodes.at(-1).level === level) {
      hash = nodeHash(this.nodes.pop().hash, hash);
      level++;
    }
    this.nodes.push({ level, hash });
  }
  root() {
    if (!this.nodes.length) return sha256();
    let acc = this.nodes.at(-1).hash;
    for (let i = this.nodes.length - 2; i >= 0; i--) acc = nodeHash(this.nodes[i].hash, acc);
    return acc;
  }
}

// ---- The log's canonical event bytes (the service's audit-log.ts says the same) ----
function canonical(value) {
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  return `{${Object.keys(value)
    .sort()
    .map((k) => `${JSON.stringify(k)}:${canonical(value[k])}`)
    .join(',')}}`;
}
const eventLeaf = (e) =>
  leafHash(
    Buffer.from(
      canonical({
        seq: String(e.seq),
        occurredAt: new Date(e.occurredAt).toISOString(),
        actorKeyId: e.actorKeyId,
        actorName: e.actorName,
        actorRole: e.actorRole,
        action: e.action,
        entityType: e.entityType,
        entityId: e.entityId,
        before: e.before ?? null,
        after: e.after ?? null,
        reason: e.reason,
        requestId: e.requestId,
      }),
      'utf8',
    ),
  );

// ---- Signed notes (C2SP) ----
function parseVerifierKey(text) {
  // <name>+<key id>+<base64>: the base64 may itself hold "+".
  const [, name, keyId, encoded] = /^([^+\s]+)\+([^+]*)\+(.*)$/.exec(text.trim()) ?? [];
  const raw = Buffer.from(encoded ?? '', 'base64');
  if (!name || !/^[0-9a-f]{8}$/.test(keyId ?? '') || raw.length !== 33 || raw[0] !== 1) throw new Error(`not an Ed25519 verifier key: ${text}`);
  const publicKey = createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: raw.subarray(1).toString('base64url') }, format: 'jwk' });
  return { name, keyId, publicKey, text: text.trim() };
}

function openNote(key, note) {
  const split = note.lastIndexOf('\n\n');
  if (split < 0) return null;
  const body = note.slice(0, split + 1);
  const signed = note
    .slice(split + 2)
    .split('\n')
    .some((line) => {
      const m = /^\u2014 (\S+) (\S+)$/.exec(line);
      if (!m || m[1] !== key.name) return false;
      const blob = Buffer.from(m[2], 'base64');
      return blob.length === 68 && blob.subarray(0, 4).toString('hex') === key.keyId && verify(null, Buffer.from(body), key.publicKey, blob.subarray(4));
    });
  const [origin, size, root] = body.split('\n');
  if (!signed || origin !== key.name || !/^\d+$/.test(size ?? '')) return null;
  return { treeSize: Number(size), rootHash: Buffer.from(root, 'base64') };
}

// ---- The routine ----
const state = await readFile(args.state, 'utf8').then(JSON.parse, () => null);
const served = await get('/audit-log/public-key');
const pinned = args['public-key'] ?? state?.verifierKey;
if (pinned && pinned.trim() !== served.verifierKey) fail(`the service now serves key ${served.verifierKey}, not the pinned ${pinned.trim()}`);
const key = parseVerifierKey(pinned ?? served.verifierKey);
if (!pinned) ok(`pinned the log key on first use: ${key.text}`);

const head = await get('/audit-log/heads/latest');
const opened = openNote(key, head.note);
if (!opened) fail(`the latest head (size ${head.treeSize}) is not validly signed by ${key.name}`);
else if (opened.treeSize !== Number(head.treeSize) || opened.rootHash.toString('hex') !== head.rootHash) fail('the head’s fields differ from its signed note');
else ok(`head of ${head.treeSize} events, root ${head.rootHash.slice(0, 16)}…, signed ${head.timestamp}`);
const size = Number(head.treeSize);
const root = fromHex(head.rootHash);

if (state?.head) {
  const before = state.head;
  const previous = openNote(key, before.note);
  if (!previous) fail('the head saved last time does not carry a valid signature');
  else if (size < previous.treeSize) fail(`the log shrank: ${previous.treeSize} events last time, ${size} now`);
  else {
    const { proof } = await get(`/audit-log/consistency-proof?first=${previous.treeSize}&second=${size}`);
    if (verifyConsistency(previous.treeSize, size, previous.rootHash, root, proof.map(fromHex))) ok(`consistent with the head saved ${state.verifiedAt}: ${previous.treeSize} → ${size} events`);
    else fail(`no valid consistency proof from the saved head (${previous.treeSize} events) to the new one (${size})`);
  }
}

const seqs = new Set((args.seq ?? '').split(',').filter(Boolean).map(Number));
for (let i = 0; i < Number(args.sample) && size > 0; i++) seqs.add(1 + Math.floor(Math.random() * size));
for (const seq of [...seqs].sort((a, b) => a - b)) {
  if (!(seq >= 1 && seq <= size)) {
    fail(`event ${seq} is not under the head of ${size} events`);
    continue;
  }
  const [event] = (await get(`/audit-events?cursor=${seq - 1}&limit=1`)).items;
  if (!event || Number(event.seq) !== seq) {
    fail(`event ${seq} is missing from the log`);
    continue;
  }
  const leaf = eventLeaf(event);
  if (leaf.toString('hex') !== event.leafHash) fail(`event ${seq}: its content does not hash to its leaf`);
  const { auditPath } = await get(`/audit-events/${seq}/inclusion-proof?treeSize=${size}`);
  if (verifyInclusion(seq - 1, size, leaf, auditPath.map(fromHex), root)) ok(`event ${seq} (${event.action}) is in the head`);
  else fail(`event ${seq}: no valid inclusion proof in the head of ${size} events`);
}

if (args.full) {
  const tree = new CompactRange();
  let count = 0;
  for (let cursor = 0; count < size; ) {
    const page = await get(`/audit-events?cursor=${cursor}&limit=500`);
    for (const event of page.items) {
      if (count >= size) break;
      if (Number(event.seq) !== count + 1) fail(`the log jumps from ${count} to ${event.seq}`);
      const leaf = eventLeaf(event);
      if (leaf.toString('hex') !== event.leafHash) fail(`event ${event.seq}: its content does not hash to its leaf`);
      tree.append(leaf);
      count++;
    }
    if (page.nextCursor === null) break;
    cursor = Number(page.nextCursor);
  }
  if (count === size && tree.root().equals(root)) ok(`recomputed the root from all ${count} events`);
  else fail(`the root recomputed from ${count} events differs from the signed root of ${size}`);
}

if (failures.length === 0) {
  await writeFile(args.state, JSON.stringify({ verifierKey: key.text, head, verifiedAt: new Date().toISOString() }, null, 2) + '\n');
  console.log(`\nThe log holds. Head of ${size} events saved to ${args.state} for next time.`);
} else {
  console.log(`\n${failures.length} check(s) failed. The saved head was left as it was.`);
  process.exitCode = 1;
}
