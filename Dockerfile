# One image for every service: `docker run IMAGE ingest|aggregator|pricing-fx|gateway|cli ...`.
# Multi-stage: build the TypeScript and the dashboard once, ship only production dependencies.
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run build && npx vite build --config apps/dashboard/vite.config.ts

FROM node:20-bookworm-slim AS runtime
ENV NODE_ENV=production
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/dist ./dist
COPY --from=build /app/apps/dashboard/dist ./apps/dashboard/dist
COPY infra/docker/entrypoint.sh /usr/local/bin/mai-usage
USER node
ENTRYPOINT ["mai-usage"]
CMD ["gateway"]
