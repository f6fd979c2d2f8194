// A unit as GET /units/{code} shows it, in one statement: the unit and what it shows of its lot.
// Keys are the API's names; unitRow (unit-views.ts) parses the result.
import { instant, named, sql, type NamedSql, type Sql } from '../../db/sql.ts';

export const unitByCodeQuery = (code: string): NamedSql => named('unit_by_code', sql`
  SELECT json_build_object(
    'id', u.id, 'code', u.code, 'lotId', u.lot_id, 'productCode', u.product_code, 'division', u.division,
    'description', u.description, 'size', u.size, 'volumeMl', u.volume_ml, 'form', u.form,
    'expiresOn', u.expires_on, 'status', u.status, 'locationFacilityId', u.location_facility_id,
    'inTransitShipmentId', u.in_transit_shipment_id, 'createdAt', ${instant('u.created_at')},
    'din', l.din, 'tissueType', l.tissue_type)::text
  FROM unit u JOIN lot l ON l.id = u.lot_id
  WHERE u.code = ${code}`);
