# syntax=docker/dockerfile:1.7
# The one VaxFlow image: every service, chosen by the command.
#
#   docker build -t vaxflow:dev .
#   docker run --rm vaxflow:dev registration --role api      # vaxflow-service <name> --role ...
#   docker run --rm vaxflow:dev create-topics                 # the contracts' Kafka topics
#
# Stage 1 builds the uv workspace (uv.lock, no dev dependencies, no editable installs) into a
# virtual environment; stage 2 copies only that environment into a slim Python 3.11 runtime with
# no compiler, no uv and no package caches, running as an unprivileged user.

ARG PYTHON_IMAGE=python:3.11-slim-bookworm
# The same uv as the Makefile installs for the local stack.
ARG UV_VERSION=0.13.9

FROM ghcr.io/astral-sh/uv:${UV_VERSION} AS uv

FROM ${PYTHON_IMAGE} AS build
COPY --from=uv /uv /usr/local/bin/uv
ENV UV_COMPILE_BYTECODE=1 \
    UV_LINK_MODE=copy \
    UV_PYTHON_DOWNLOADS=never \
    UV_PROJECT_ENVIRONMENT=/opt/vaxflow
WORKDIR /src
# Dependencies first (a layer that changes only with uv.lock), then the workspace's own code.
COPY pyproject.toml uv.lock README.md ./
COPY libs/events/pyproject.toml libs/events/
COPY libs/servicekit/pyproject.toml libs/servicekit/
COPY services/identity/pyproject.toml services/identity/
COPY services/registration/pyproject.toml services/registration/
COPY services/scheduling/pyproject.toml services/scheduling/
COPY services/injection/pyproject.toml services/injection/
COPY services/certificate/pyproject.toml services/certificate/
COPY services/monitoring/pyproject.toml services/monitoring/
COPY services/warehouse/pyproject.toml services/warehouse/
RUN --mount=type=cache,target=/root/.cache/uv \
    uv sync --frozen --no-dev --no-install-workspace --no-editable
COPY src/ src/
COPY libs/ libs/
COPY services/ services/
RUN --mount=type=cache,target=/root/.cache/uv \
    uv sync --frozen --no-dev --no-editable \
    && /opt/vaxflow/bin/vaxflow-service --help >/dev/null

FROM ${PYTHON_IMAGE} AS runtime
ARG VERSION=0.1.0
ARG REVISION=unknown
ARG CREATED=unknown
LABEL org.opencontainers.image.title="vaxflow" \
      org.opencontainers.image.description="VaxFlow services (identity, registration, scheduling, injection, certificate, monitoring, warehouse); run as vaxflow-service <name> --role api|worker|all" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${REVISION}" \
      org.opencontainers.image.created="${CREATED}" \
      org.opencontainers.image.vendor="VaxFlow" \
      org.opencontainers.image.base.name="${PYTHON_IMAGE}"
# DejaVu fonts carry the Vietnamese glyphs of the certificate PDFs; nothing else is installed.
RUN apt-get update \
    && apt-get install -y --no-install-recommends fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/* \
    && groupadd --system --gid 10001 vaxflow \
    && useradd --system --uid 10001 --gid vaxflow --home-dir /var/lib/vaxflow \
       --shell /usr/sbin/nologin vaxflow \
    && mkdir -p /var/lib/vaxflow/keys /var/lib/vaxflow/warehouse /var/lib/vaxflow/spool \
       /var/lib/vaxflow/sms \
    && chown -R vaxflow:vaxflow /var/lib/vaxflow
COPY --from=build /opt/vaxflow /opt/vaxflow
ENV PATH=/opt/vaxflow/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    VAXFLOW_HOST=0.0.0.0 \
    VAXFLOW_PORT=8000 \
    VAXFLOW_CERTIFICATE_KEY_DIR=/var/lib/vaxflow/keys \
    VAXFLOW_WAREHOUSE_DATA_DIR=/var/lib/vaxflow/warehouse \
    VAXFLOW_REGISTRATION_IMPORT_SPOOL_DIR=/var/lib/vaxflow/spool \
    VAXFLOW_SMS_OUTBOX_PATH=/var/lib/vaxflow/sms/outbox.jsonl
WORKDIR /var/lib/vaxflow
USER 10001:10001
EXPOSE 8000
# /healthz answers while the process lives; readiness (/readyz) is the orchestrator's business.
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/healthz' % os.environ.get('VAXFLOW_PORT', '8000'), timeout=2)"]
ENTRYPOINT ["vaxflow-service"]
CMD ["--help"]
