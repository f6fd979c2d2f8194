// A shipment as GET /shipments/{id} shows it, in one statement: the shipment, its items (by unit
// code) with their codes and verdicts at receipt, and its receipt (null while in transit).
// Parsed by the `shipment` schema.
import { instant, named, sql, type NamedSql, type Sql } from '../../db/sql.ts';

export const shipmentByIdQuery = (id: string): NamedSql => named('shipment_by_id', sql`
  SELECT json_build_object(
    'id', s.id, 'fromFacilityId', s.from_facility_id, 'toFacilityId', s.to_facility_id,
    'shippedAt', ${instant('s.shipped_at')}, 'shippedBy', s.shipped_by, 'conditions', s.conditions,
    'createdAt', ${instant('s.created_at')},
    'items', (
      SELECT coalesce(json_agg(json_build_object('unitId', i.unit_id, 'unitCode', u.code, 'receivedAcceptable', i.received_acceptable)
        ORDER BY u.code), '[]')
      FROM shipment_item i JOIN unit u ON u.id = i.unit_id
      WHERE i.shipment_id = s.id),
    'receipt', (
      SELECT json_build_object(
        'id', r.id, 'shipmentId', r.shipment_id, 'receivedAt', ${instant('r.received_at')}, 'receivedBy', r.received_by,
        'conditionAcceptable', r.condition_acceptable, 'temperatureAcceptable', r.temperature_acceptable,
        'notes', r.notes, 'createdAt', ${instant('r.created_at')})
      FROM shipment_receipt r WHERE r.shipment_id = s.id))::text
  FROM shipment s
  WHERE s.id = ${id}::uuid`);
