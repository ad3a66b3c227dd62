# syntax=docker/dockerfile:1
# Sharexpress image: one image, two processes, on Node.js 24 LTS. The default command runs the
# API; run the worker with `node dist/apps/worker/src/main.js` (see docker-compose.yml and k8s/).
# Neither entry point ever starts the devstack: they need MONGODB_URI, S3_ENDPOINT and S3
# credentials. The image holds the product only: no devstack, no tests, no test helpers.

FROM node:24-slim AS build
WORKDIR /app
COPY package.json package-lock.json .npmrc ./
RUN --mount=type=cache,target=/root/.npm npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json nest-cli.json ./
COPY apps ./apps
# The product libraries only; libs/devstack and test/ never enter this stage.
COPY libs/common ./libs/common
COPY libs/config ./libs/config
COPY libs/database ./libs/database
COPY libs/storage ./libs/storage
COPY libs/files ./libs/files
# Type-check the product on its own (proves it needs no test code), then compile it with the Nest
# CLI (SWC); tsconfig.build.json leaves out specs and library test folders.
RUN npx tsc -p tsconfig.build.json --noEmit \
 && npm run build \
 && npm prune --omit=dev --no-audit --no-fund

FROM node:24-slim AS runtime
ENV NODE_ENV=production \
    PORT=3000 \
    WORKER_PORT=3001 \
    DATA_DIR=/app/data
WORKDIR /app
COPY --from=build /app/package.json ./package.json
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
# The official image's unprivileged "node" user (uid 1000) owns nothing but DATA_DIR.
RUN mkdir -p /app/data && chown node:node /app/data
USER node
EXPOSE 3000 3001
# node:24-slim has no curl; probe /health/live with Node itself. HEALTH_PORT lets the worker
# container reuse this check on WORKER_PORT.
HEALTHCHECK --interval=15s --timeout=3s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.HEALTH_PORT||process.env.PORT||3000)+'/health/live').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
# SIGTERM from `docker stop` reaches Node directly (exec form), which drains and exits.
CMD ["node", "dist/apps/api/src/main.js"]
