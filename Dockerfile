# OpenClaw gateway, one "cell": non-root, state on the /data volume, healthcheck on /readyz,
# graceful on SIGTERM. Build: docker build -t openclaw-gateway . (see README "Containers").

# --- build stage: native modules (better-sqlite3) compiled from source, then the bundle ---
FROM node:20-bookworm-slim AS build
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY package.json package-lock.json ./
# better-sqlite3 is built here against this image's Node and glibc, not downloaded prebuilt.
ENV npm_config_build_from_source=true
RUN npm ci
COPY . .
RUN npm run build && npm prune --omit=dev

# --- runtime stage: no compiler, no dev dependencies ---
FROM node:20-bookworm-slim
ENV NODE_ENV=production \
    OPENCLAW_STATE_DIR=/data \
    OPENCLAW_CONFIG_PATH=/data/openclaw.json \
    OPENCLAW_WORKSPACE_DIR=/data/workspace \
    OPENCLAW_GATEWAY_PORT=18789
WORKDIR /app
COPY --from=build /app/package.json /app/package-lock.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY --from=build /app/bin/openclaw ./bin/openclaw
RUN mkdir -p /data && chown node:node /data
USER node
VOLUME ["/data"]
EXPOSE 18789
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.OPENCLAW_GATEWAY_PORT || 18789) + '/readyz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
STOPSIGNAL SIGTERM
ENTRYPOINT ["node", "/app/bin/openclaw"]
CMD ["gateway", "--bind", "lan"]
