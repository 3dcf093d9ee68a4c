# syntax=docker/dockerfile:1.7
# One image for every process of the appliance; the command picks it:
#   ingest | query | export | export-worker | maintenance | setup | security
# See docs/install-compose.md and docs/adr/0050-container-image.md.

ARG NODE_IMAGE=node:20-bookworm-slim

FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json ./
# `npm ci` installs exactly the lock file. A registry mirror that lacks some optional platform
# binaries listed there can build with --build-arg NPM_INSTALL="npm install --no-audit --no-fund".
ARG NPM_INSTALL="npm ci --no-audit --no-fund"
RUN --mount=type=cache,target=/root/.npm ${NPM_INSTALL}
COPY tsconfig.json tsconfig.build.json nest-cli.json ./
COPY apps ./apps
COPY libs ./libs
COPY scripts ./scripts
# `npm run build` compiles the apps and builds the console with Vite into dist/console, which
# the query app serves at /console/ (ADR 0080); an image without it is not built.
RUN npm run build \
 && test -f dist/console/index.html \
 && npm prune --omit=dev --no-audit --no-fund

FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production \
    EXPORT_DIR=/var/lib/auditlog/exports \
    HOST=0.0.0.0
WORKDIR /app
# Files stay owned by root and read-only for the app user; only EXPORT_DIR is writable.
COPY --from=build /app/package.json ./package.json
COPY --from=build /app/node_modules ./node_modules
# dist holds the compiled apps and the console: CONSOLE_DIR's default, dist/console, resolves
# against this WORKDIR to /app/dist/console.
COPY --from=build /app/dist ./dist
COPY deploy/opensearch/security ./deploy/opensearch/security
COPY deploy/docker/entrypoint.sh /usr/local/bin/auditlog
RUN chmod 0755 /usr/local/bin/auditlog \
 && mkdir -p /var/lib/auditlog/exports \
 && chown 10001:10001 /var/lib/auditlog/exports
# A numeric uid lets Kubernetes verify runAsNonRoot without an /etc/passwd lookup.
USER 10001:10001
VOLUME ["/var/lib/auditlog/exports"]
EXPOSE 3001 3002 3003
ENTRYPOINT ["/usr/local/bin/auditlog"]
CMD ["ingest"]
