# syntax=docker/dockerfile:1
# Sharexpress: one image for both processes, on Node.js 24 LTS (Debian slim).
#   docker build -t sharexpress .
#   docker run … sharexpress api       the HTTP API (the default command)
#   docker run … sharexpress worker    the background jobs
# Neither starts the devstack: both need MONGODB_URI, S3_ENDPOINT and the other production
# settings (README: Deploy). The image holds the product only: no devstack, tests or test helpers.

# The base image of every stage, on the Node.js line .nvmrc names (test/deploy/dockerfile.spec.ts
# keeps them equal). The tag follows each Node 24 and Debian patch release; for a reproducible
# build pin it by digest, and let a bot (Renovate's docker manager, Dependabot) refresh the pin so
# security patches still arrive:
#   docker buildx imagetools inspect node:24-slim     # its "Digest:" line (the multi-arch index)
#   docker build --build-arg NODE_IMAGE=node:24-slim@sha256:<digest> .
# (or write node:24-slim@sha256:<digest> below). A digest left here without such a bot would
# freeze the base image, security fixes included, so the repository keeps the tag.
ARG NODE_IMAGE=node:24-slim

# --- build: compiles the product with every dependency --------------------------------------
FROM ${NODE_IMAGE} AS build
WORKDIR /app
# @scarf/scarf (from swagger-ui-dist) sends install analytics from its install script; opt out.
ENV SCARF_ANALYTICS=false
COPY package.json package-lock.json .npmrc ./
# The workspaces' manifests before `npm ci`, so the install matches the lock file (apps/cli, the
# terminal client, is a workspace; nothing in this image builds or runs it).
COPY apps/cli/package.json ./apps/cli/
RUN --mount=type=cache,target=/root/.npm npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json nest-cli.json ./
COPY apps ./apps
# The product libraries only; libs/devstack and test/ never enter this stage.
COPY libs/common ./libs/common
COPY libs/config ./libs/config
COPY libs/database ./libs/database
COPY libs/storage ./libs/storage
COPY libs/files ./libs/files
# Type-check the product on its own (proves it needs no test code) and the web client in its own
# program (DOM, Preact), then build: the web client with Vite into dist/web (served by the API),
# and the API and worker with the Nest CLI (SWC); tsconfig.build.json leaves out specs, library
# test folders and apps/web.
RUN npx tsc -p tsconfig.build.json --noEmit && npx tsc -p apps/web/tsconfig.json --noEmit \
    && npm run build

# --- prod-deps: production dependencies only, cached apart from the sources ------------------
FROM ${NODE_IMAGE} AS prod-deps
WORKDIR /app
COPY package.json package-lock.json .npmrc ./
# --omit=optional drops typescript (24 MiB), an optional peer of @nestjs/swagger that only its
# build plugin loads; no production package has another optional dependency (check with
# `npm ls --omit=dev --omit=optional` when adding one). --ignore-scripts: none needs its install
# script (the only one, @scarf/scarf, is analytics). No workspace manifest here: the terminal
# client (apps/cli) has no dependencies and is not part of the image, so npm links nothing for it.
RUN --mount=type=cache,target=/root/.npm \
    npm ci --omit=dev --omit=optional --ignore-scripts --no-audit --no-fund

# --- runtime: what runs ------------------------------------------------------------------------
FROM ${NODE_IMAGE} AS runtime
ARG NODE_IMAGE
# Set by the release build: --build-arg VERSION=… REVISION=$(git rev-parse HEAD)
# CREATED=$(date -u +%Y-%m-%dT%H:%M:%SZ) SOURCE_URL=https://github.com/<owner>/<repo>
ARG VERSION=0.1.0
ARG REVISION=unknown
ARG CREATED=unknown
ARG SOURCE_URL=
LABEL org.opencontainers.image.title="Sharexpress" \
      org.opencontainers.image.description="Session-based, time-limited file sharing: API and worker" \
      org.opencontainers.image.licenses="Apache-2.0" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${REVISION}" \
      org.opencontainers.image.created="${CREATED}" \
      org.opencontainers.image.source="${SOURCE_URL}" \
      org.opencontainers.image.base.name="${NODE_IMAGE}"
ENV NODE_ENV=production \
    PORT=3000 \
    WORKER_PORT=3001 \
    DATA_DIR=/app/data
WORKDIR /app
# Code and dependencies stay owned by root: the process cannot change what it runs.
COPY package.json ./
COPY --from=prod-deps /app/node_modules ./node_modules
# dist/apps (API and worker) and dist/web (the web client's static files).
COPY --from=build /app/dist ./dist
COPY --chmod=0755 deploy/docker/entrypoint.sh ./deploy/docker/entrypoint.sh
# The image's unprivileged "node" user (uid 1000), by number so Kubernetes' runAsNonRoot can
# verify it. It owns nothing but DATA_DIR, used only when no JWT key is configured.
RUN mkdir -p /app/data && chown 1000:1000 /app/data
USER 1000:1000
# API, worker (health and metrics), API operational port (OPS_PORT: /metrics and /docs).
EXPOSE 3000 3001 9464
# node:24-slim has no curl: probe /health/live with Node. A container runs the API (on PORT) or
# the worker (on WORKER_PORT), never both, so whichever of the two answers 200 is this one.
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "const get = (p) => fetch('http://127.0.0.1:' + p + '/health/live', { signal: AbortSignal.timeout(3000) }).then((r) => r.ok, () => false); Promise.all([process.env.PORT || '3000', process.env.WORKER_PORT || '3001'].map(get)).then((ok) => process.exit(ok.includes(true) ? 0 : 1));"]
# exec form, and the script execs Node: SIGTERM from `docker stop` or Kubernetes reaches Node,
# which drains and exits 0.
ENTRYPOINT ["/app/deploy/docker/entrypoint.sh"]
CMD ["api"]
