// The floor every read is measured against: a bare Fastify + node-postgres server that answers
// GET /units/:code with one indexed SELECT on the same database, no authentication, no audit,
// no logging. Plain JavaScript, so that nothing but Fastify, pg and node is in the process.
//   DATABASE_URL=postgresql://… PORT=0 node bench/floor-server.mjs   → prints {"port":…} when listening
import Fastify from 'fastify';
import pg from 'pg';

const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, options: '-c TimeZone=UTC' });
const app = Fastify({ logger: false });

app.get('/units/:code', async (request, reply) => {
  const { rows } = await pool.query(
    'SELECT id, code, lot_id AS "lotId", product_code AS "productCode", division, status, expires_on AS "expiresOn" FROM unit WHERE code = $1',
    [request.params.code],
  );
  if (!rows.length) return reply.code(404).send({ status: 404 });
  return rows[0];
});

const stop = async () => {
  await app.close();
  await pool.end();
  process.exit(0);
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);

await app.listen({ port: Number(process.env.PORT ?? 0), host: '127.0.0.1' });
process.stdout.write(`${JSON.stringify({ port: app.server.address().port })}\n`);
