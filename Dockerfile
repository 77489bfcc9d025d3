# caracal-triage: one image for every process (`serve`, `worker`, `start`, `triage`, `demo`).
#   docker build -t caracal-triage .
#   docker run --init --env-file .env -p 3000:3000 caracal-triage start      (web + worker)
#   docker run --init --env-file .env caracal-triage triage <request-id>
# The build stage runs what CI runs on a clean copy (`npm ci`, whose prepare script is
# `npm run build`); the runtime stage gets dist/ and the production dependencies only.
# test/deploy/dockerfile.test.ts checks this file and rebuilds the runtime tree without Docker.

FROM node:24-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY adapters ./adapters
COPY sim ./sim
RUN npm ci --no-audit --no-fund
RUN npm prune --omit=dev --no-audit --no-fund

FROM node:24-bookworm-slim
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
ENTRYPOINT ["node", "bin/caracal-triage.js"]
CMD ["start"]
