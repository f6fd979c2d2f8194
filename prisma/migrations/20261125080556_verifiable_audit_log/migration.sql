-- The audit trail becomes a verifiable log (RFC 9162). The hash chain kept so far stays, as it
-- was, in audit_chain_legacy (its own verification keeps answering), and its events become the
-- log's first leaves in their order: they are queued here and integrated by the sequencer.
ALTER TABLE "audit_event" RENAME TO "audit_chain_legacy";
ALTER TABLE "audit_chain_legacy" RENAME CONSTRAINT "audit_event_pkey" TO "audit_chain_legacy_pkey";
ALTER INDEX "audit_event_hash_key" RENAME TO "audit_chain_legacy_hash_key";
DROP INDEX "audit_event_entity_type_entity_id_idx";
ALTER TRIGGER "audit_event_no_update_delete" ON "audit_chain_legacy" RENAME TO "audit_chain_legacy_no_update_delete";
ALTER TRIGGER "audit_event_no_truncate" ON "audit_chain_legacy" RENAME TO "audit_chain_legacy_no_truncate";

-- CreateTable
CREATE TABLE "audit_event" (
    "seq" BIGINT NOT NULL,
    "occurred_at" TIMESTAMPTZ(3) NOT NULL,
    "actor_key_id" UUID,
    "actor_name" TEXT NOT NULL,
    "actor_role" TEXT NOT NULL,
    "action" TEXT NOT NULL,
    "entity_type" TEXT NOT NULL,
    "entity_id" TEXT NOT NULL,
    "before" JSONB,
    "after" JSONB,
    "reason" TEXT,
    "request_id" TEXT,
    "leaf_hash" BYTEA NOT NULL,
    "integrated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "audit_event_pkey" PRIMARY KEY ("seq")
);

-- CreateIndex
CREATE INDEX "audit_event_entity_type_entity_id_idx" ON "audit_event"("entity_type", "entity_id");

-- CreateTable
CREATE TABLE "audit_queue" (
    "id" BIGSERIAL NOT NULL,
    "xid" xid8 NOT NULL DEFAULT pg_current_xact_id(),
    "enqueued_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "occurred_at" TIMESTAMPTZ(3) NOT NULL,
    "actor_key_id" UUID,
    "actor_name" TEXT NOT NULL,
    "actor_role" TEXT NOT NULL,
    "action" TEXT NOT NULL,
    "entity_type" TEXT NOT NULL,
    "entity_id" TEXT NOT NULL,
    "before" JSONB,
    "after" JSONB,
    "reason" TEXT,
    "request_id" TEXT,

    CONSTRAINT "audit_queue_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "audit_node" (
    "level" SMALLINT NOT NULL,
    "index" BIGINT NOT NULL,
    "hash" BYTEA NOT NULL,

    CONSTRAINT "audit_node_pkey" PRIMARY KEY ("level","index")
);

-- CreateTable
CREATE TABLE "audit_head" (
    "tree_size" BIGINT NOT NULL,
    "root_hash" BYTEA NOT NULL,
    "timestamp" TIMESTAMPTZ(3) NOT NULL,
    "key_id" TEXT NOT NULL,
    "note" TEXT NOT NULL,

    CONSTRAINT "audit_head_pkey" PRIMARY KEY ("tree_size")
);

-- CreateIndex
CREATE INDEX "audit_queue_xid_id_idx" ON "audit_queue"("xid", "id");

-- The log, its nodes and its heads are append-only at the database itself.
CREATE OR REPLACE FUNCTION audit_event_is_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP
    USING ERRCODE = 'insufficient_privilege';
END;
$$;

CREATE TRIGGER audit_event_no_update_delete BEFORE UPDATE OR DELETE ON "audit_event"
  FOR EACH ROW EXECUTE FUNCTION audit_event_is_append_only();
CREATE TRIGGER audit_event_no_truncate BEFORE TRUNCATE ON "audit_event"
  FOR EACH STATEMENT EXECUTE FUNCTION audit_event_is_append_only();
CREATE TRIGGER audit_node_no_update_delete BEFORE UPDATE OR DELETE ON "audit_node"
  FOR EACH ROW EXECUTE FUNCTION audit_event_is_append_only();
CREATE TRIGGER audit_node_no_truncate BEFORE TRUNCATE ON "audit_node"
  FOR EACH STATEMENT EXECUTE FUNCTION audit_event_is_append_only();
CREATE TRIGGER audit_head_no_update_delete BEFORE UPDATE OR DELETE ON "audit_head"
  FOR EACH ROW EXECUTE FUNCTION audit_event_is_append_only();
CREATE TRIGGER audit_head_no_truncate BEFORE TRUNCATE ON "audit_head"
  FOR EACH STATEMENT EXECUTE FUNCTION audit_event_is_append_only();

-- The chain's events, in their order, are the log's first leaves.
INSERT INTO "audit_queue" ("occurred_at", "actor_key_id", "actor_name", "actor_role", "action", "entity_type", "entity_id", "before", "after", "reason", "request_id")
SELECT "occurred_at", "actor_key_id", "actor_name", "actor_role", "action", "entity_type", "entity_id", "before", "after", "reason", "request_id"
FROM "audit_chain_legacy" ORDER BY "seq";
