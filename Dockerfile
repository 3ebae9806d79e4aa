# syntax=docker/dockerfile:1
# WiWebb's image: the API served by waitress, for production (production.ini, the default) and for
# the development stack (docker-compose.yml runs it with development.ini). See docs/deployment.md.
# The Python the test suite runs on (CI), so the image runs what was tested.
ARG PYTHON_VERSION=3.11
# The console's build needs Node.js 20.19+ (frontend/package.json's engines); the 20 tag is the newest 20.x.
ARG NODE_VERSION=20

# --- build: install WiWebb and its dependencies (no test extras) into a virtualenv.
FROM python:${PYTHON_VERSION}-slim-bookworm AS build
ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /build
COPY pyproject.toml setup.cfg README.md ./
COPY src ./src
RUN python -m venv /opt/venv \
 && /opt/venv/bin/pip install --upgrade pip \
 && /opt/venv/bin/pip install .

# --- console: build the web console (frontend/dist) with Node.js; only the built files reach the
# image (no Node.js, no node_modules). The lock file first, so `npm ci` is cached until it changes.
FROM node:${NODE_VERSION}-bookworm-slim AS console
WORKDIR /frontend
COPY frontend/package.json frontend/package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY frontend/index.html frontend/vite.config.ts frontend/tsconfig.json frontend/tsconfig.app.json \
     frontend/tsconfig.node.json ./
COPY frontend/src ./src
RUN npm run build

# --- the image: the virtualenv, the ini files, the start scripts and the built console; no compiler,
# no pip cache.
FROM python:${PYTHON_VERSION}-slim-bookworm
# tini runs as PID 1: it forwards SIGTERM to the server and reaps zombies (a Python PID 1 would
# ignore SIGTERM, and `docker stop` would wait 10 s to kill it).
RUN apt-get update \
 && apt-get install --yes --no-install-recommends tini \
 && rm -rf /var/lib/apt/lists/* \
 && groupadd --system --gid 10001 wiwebb \
 && useradd --system --uid 10001 --gid wiwebb --home-dir /app --no-create-home --shell /usr/sbin/nologin wiwebb
COPY --from=build /opt/venv /opt/venv
WORKDIR /app
COPY development.ini production.ini ./
COPY --chmod=0755 docker/entrypoint.sh docker/healthcheck.py ./docker/
# The web console, served by the API at / (CONSOLE_DIR, set below); read-only for the server.
COPY --from=console /frontend/dist /app/console
# var/ holds what WiWebb writes next to its ini file (development's generated secret key, SQLite);
# the only directory the non-root user may write.
RUN mkdir -p /app/var && chown wiwebb:wiwebb /app/var
# PYTHONPATH: docker-compose.yml mounts ./src here so `pserve --reload` serves the code being
# edited; in production /app/src does not exist and the installed package is used.
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONPATH=/app/src \
    WIWEBB_INI=production.ini \
    CONSOLE_DIR=/app/console
# Numeric, so that Kubernetes' runAsNonRoot can verify it.
USER 10001:10001
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
    CMD ["python", "/app/docker/healthcheck.py"]
ENTRYPOINT ["tini", "--", "/app/docker/entrypoint.sh"]
CMD ["wiwebb", "serve"]
