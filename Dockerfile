# Loki Dashboard as a standalone server (PostgreSQL, tokens required). See docker-compose.yml.
# Stage 1 builds the wheel; stage 2 runs it as a non-root user. (The web app, once it exists in
# frontend/, is built in its own stage and its files ship inside the wheel.)
FROM python:3.11-slim AS build
WORKDIR /src
COPY backend/ backend/
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
