# Loki Dashboard as a standalone server (PostgreSQL, tokens required). See docker-compose.yml.
# Stage 1 builds the web app with Node; stage 2 builds the wheel with those files inside (so its
# build hook needs no Node); stage 3 runs it as a non-root user.
FROM node:22-slim AS web
WORKDIR /src/frontend
COPY frontend/package.json frontend/package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY frontend/ ./
RUN npm run build

FROM python:3.11-slim AS build
WORKDIR /src
COPY backend/ backend/
COPY --from=web /src/backend/src/loki_dashboard/static backend/src/loki_dashboard/static
RUN pip install --no-cache-dir build && python -m build --wheel --outdir /dist backend

FROM python:3.11-slim
RUN useradd --create-home --uid 10001 loki && mkdir /data && chown loki /data
COPY --from=build /dist/*.whl /tmp/
RUN pip install --no-cache-dir /tmp/*.whl && rm /tmp/*.whl
USER loki
ENV LOKI_HOME=/data \
    LOKI_DASHBOARD_HOST=0.0.0.0 \
    LOKI_DASHBOARD_PORT=57374 \
    LOKI_REQUIRE_TOKEN=true \
    LOKI_WATCHER_ENABLED=false
EXPOSE 57374
HEALTHCHECK --interval=15s --timeout=3s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:57374/health', timeout=2)"]
CMD ["loki", "dashboard", "start", "--foreground"]
