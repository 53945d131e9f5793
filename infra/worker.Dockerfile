# The Fargate worker: the same functions/ code, ffmpeg and the local speech engine.
# Built by `cdk deploy` (Docker is needed at deploy time only, never for synth or tests).
FROM public.ecr.aws/docker/library/python:3.13-slim
WORKDIR /app
COPY pyproject.toml README.md ./
COPY functions ./functions
COPY reelflow ./reelflow
COPY infra/__init__.py ./infra/__init__.py
RUN pip install --no-cache-dir ".[worker]"
ENV REELFLOW_WORK_DIR=/work HF_HUB_OFFLINE=1
RUN mkdir -p /work && useradd --create-home worker && chown worker /work
USER worker
ENTRYPOINT ["python", "-m", "functions.handlers.worker"]
