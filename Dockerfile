# caracal-triage: one image for every process (`serve`, `worker`, `start`, `triage`, `demo`).
#   docker build -t caracal-triage .
#   docker run --init --env-file .env -p 3000:3000 caracal-triage start      (web + worker)
#   docker run --init --env-file .env caracal-triage triage <request-id>
# Build arguments (all optional):
#   NODE_IMAGE  the base of both stages; pin it by digest for reproducible builds, e.g.
#               --build-arg NODE_IMAGE=node:24-bookworm-slim@sha256:<digest>
#   VERSION, REVISION, SOURCE_URL  the OCI labels image.version, image.revision (the git commit)
#               and image.source (where this repository lives)
# The build stage installs the locked dependencies from package.json and package-lock.json
# alone, so that layer is reused until they change; then it compiles (what `npm ci`'s prepare
# script runs) and drops the dev dependencies. The runtime stage gets dist/ and the production
# dependencies only.
# test/deploy/dockerfile.test.ts checks this file and rebuilds the runtime tree without Docker.
ARG NODE_IMAGE=node:24-bookworm-slim

FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json ./
# --ignore-scripts: the package's own prepare script (the build) needs the sources, which are
# not here yet; it runs below as `npm run build`. The one production dependency with an install
# script, msgpackr-extract, only checks for its prebuilt binary (installed as an optional
# dependency per platform); the others with one are dev tools the build does not use.
RUN npm ci --no-audit --no-fund --ignore-scripts
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY adapters ./adapters
COPY sim ./sim
RUN npm run build
RUN npm prune --omit=dev --no-audit --no-fund

FROM ${NODE_IMAGE}
ARG NODE_IMAGE
ARG VERSION=0.1.0
ARG REVISION=unknown
ARG SOURCE_URL=
LABEL org.opencontainers.image.title="caracal-triage" \
      org.opencontainers.image.description="Chat-ops triage bot for Caracal: finds the failing surface and its cause from a request ID, in Slack, Teams or a terminal" \
      org.opencontainers.image.licenses="Apache-2.0" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${REVISION}" \
      org.opencontainers.image.source="${SOURCE_URL}" \
      org.opencontainers.image.base.name="${NODE_IMAGE}"
ENV NODE_ENV=production
WORKDIR /app
# Owned by root and not writable by the `node` user: the process cannot change its own code.
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY bin ./bin
COPY package.json manifest.yml ./
USER node
EXPOSE 3000
# `serve` and `start` answer /healthz on PORT; other commands (worker, triage) serve no HTTP.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 CMD ["node", "-e", "const a=require('fs').readFileSync('/proc/1/cmdline','utf8').split('\\0');if(!a.includes('serve')&&!a.includes('start'))process.exit(0);fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/healthz',{signal:AbortSignal.timeout(4000)}).then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
ENTRYPOINT ["node", "--", "bin/caracal-triage.js"]
CMD ["start"]
