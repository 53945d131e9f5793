"""Logger, Tracer and Metrics, built once per process. The service name comes from
POWERTOOLS_SERVICE_NAME (set per function by the deployment), the namespace from
POWERTOOLS_METRICS_NAMESPACE (default "reelflow")."""

import os

from aws_lambda_powertools import Logger, Metrics, Tracer

logger = Logger()
tracer = Tracer()
metrics = Metrics(namespace=os.environ.get("POWERTOOLS_METRICS_NAMESPACE", "reelflow"))
