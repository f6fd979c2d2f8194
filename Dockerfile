# syntax=docker/dockerfile:1
# Allograft traceability service. PGlite data lives in the /data volume by default;
# set DATABASE_URL=postgresql://… to use a PostgreSQL server (the production path).

FROM node:22-bookworm-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
COPY scripts/prisma-generate.mjs scripts/
COPY prisma ./prisma
COPY prisma.config.ts ./
RUN npm ci --omit=dev --no-audit --no-fund

FROM node:22-bookworm-slim AS build
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY . .
# Type-check the image's code once, then compile it to plain JavaScript in dist/ (esbuild): the
# runtime runs node on dist/, with no TypeScript loader in the process.
RUN npm install --no-save --no-audit --no-fund typescript@5.9.3 @types/node@20 @types/pg@8 \
 && node scripts/prisma-generate.mjs \
 && npx tsc -p tsconfig.build.json \
 && node scripts/build.mjs

FROM node:22-bookworm-slim AS runtime
ENV NODE_ENV=production \
    PORT=3000 \
    HOST=0.0.0.0 \
    DATA_DIR=/data
WORKDIR /app
COPY --chown=node:node --from=deps /app/node_modules ./node_modules
COPY --chown=node:node --from=build /app/dist ./dist
COPY --chown=node:node package.json prisma.config.ts ./
COPY --chown=node:node prisma ./prisma
RUN mkdir -p /data && chown node:node /data
USER node
VOLUME ["/data"]
EXPOSE 3000
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/health').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
# The same node flags as `npm start` (package.json): a smaller young generation, 8 MB a semi-space.
CMD ["node", "--max-semi-space-size=8", "dist/server.js"]
