# syntax=docker/dockerfile:1
# Sharexpress image: one image, two processes. The default command runs the API; run the worker
# with `node dist/apps/worker/main.js` (see docker-compose.yml and k8s/). Neither entry point
# ever starts the devstack: they need MONGODB_URI, S3_ENDPOINT and S3 credentials.

FROM node:20-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN --mount=type=cache,target=/root/.npm npm ci --no-audit --no-fund
COPY tsconfig.json nest-cli.json ./
COPY scripts ./scripts
COPY libs ./libs
COPY apps ./apps
# Library specs import the shared test helpers; the whole tree must type-check to build.
COPY test ./test
# The devstack and tests are development tools: build everything, ship only what production runs.
RUN node scripts/build.mjs \
 && rm -rf dist/libs/devstack dist/test dist/libs/*/test dist/.tsbuildinfo \
 && find dist -name '*.spec.js*' -delete \
 && npm prune --omit=dev --no-audit --no-fund

FROM node:20-slim AS runtime
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
# node:20-slim has no curl; probe /health/live with Node itself. HEALTH_PORT lets the worker
# container reuse this check on WORKER_PORT.
HEALTHCHECK --interval=15s --timeout=3s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.HEALTH_PORT||process.env.PORT||3000)+'/health/live').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
# SIGTERM from `docker stop` reaches Node directly (exec form), which drains and exits.
CMD ["node", "dist/apps/api/main.js"]
