"""What a batch's use of AWS costs at list prices: a dated price table and the arithmetic.

Prices are the public on-demand list prices of us-east-1 (Lambda arm64, Fargate Linux/ARM, Amazon
Transcribe standard batch tier 1, Step Functions Standard, S3 Standard, data transfer out to the internet
first tier), as published on the AWS pricing pages on `PRICES_AS_OF`. Free tiers are not deducted: the
figure is what the batch adds to a bill past them. Check the pages before relying on a figure elsewhere.
"""

from datetime import date

from pydantic import BaseModel, ConfigDict, Field

PRICES_AS_OF = date(2026, 12, 1)
REGION = "us-east-1"


class PriceTable(BaseModel):
    model_config = ConfigDict(frozen=True)

    lambda_gb_second: float = 0.0000133334  # arm64
    lambda_request: float = 0.20 / 1_000_000
    fargate_vcpu_hour: float = 0.03238  # Linux/ARM
    fargate_gb_hour: float = 0.00356
    transcribe_minute: float = 0.024
    state_transition: float = 0.025 / 1000
    s3_gb_month: float = 0.023
    transfer_out_gb: float = 0.09


PRICES = PriceTable()
GB = 1024**3
SECONDS_PER_MONTH = 30 * 24 * 3600


class Usage(BaseModel):
    """What one batch used, as it records it (all counters only grow)."""

    lambda_gb_seconds: dict[str, float] = Field(default_factory=dict, description="GB-seconds by function.")
    lambda_requests: int = Field(default=0, ge=0)
    fargate_vcpu_seconds: float = Field(default=0.0, ge=0)
    fargate_gb_seconds: float = Field(default=0.0, ge=0)
    transcribe_seconds: float = Field(default=0.0, ge=0, description="Billed per second, 15 s minimum a job.")
    state_transitions: int = Field(default=0, ge=0)
    s3_byte_seconds: float = Field(default=0.0, ge=0, description="Bytes stored × seconds kept.")
    s3_bytes_sent: int = Field(default=0, ge=0)


class Cost(BaseModel):
    """A batch's cost at list prices, in US dollars, by service."""

    currency: str = "USD"
    prices_as_of: date = PRICES_AS_OF
    region: str = REGION
    lambda_: float = Field(alias="lambda", serialization_alias="lambda")
    fargate: float
    transcribe: float
    step_functions: float
    s3: float
    total: float

    model_config = ConfigDict(populate_by_name=True)


def cost_of(usage: Usage, prices: PriceTable = PRICES) -> Cost:
    lambda_cost = (
        sum(usage.lambda_gb_seconds.values()) * prices.lambda_gb_second
        + usage.lambda_requests * prices.lambda_request
    )
    fargate = (
        usage.fargate_vcpu_seconds / 3600 * prices.fargate_vcpu_hour
        + usage.fargate_gb_seconds / 3600 * prices.fargate_gb_hour
    )
    transcribe = usage.transcribe_seconds / 60 * prices.transcribe_minute
    step_functions = usage.state_transitions * prices.state_transition
    s3 = (
        usage.s3_byte_seconds / GB / SECONDS_PER_MONTH * prices.s3_gb_month
        + usage.s3_bytes_sent / GB * prices.transfer_out_gb
    )
    total = lambda_cost + fargate + transcribe + step_functions + s3
    return Cost.model_validate(
        {
            "lambda": round(lambda_cost, 6),
            "fargate": round(fargate, 6),
            "transcribe": round(transcribe, 6),
            "step_functions": round(step_functions, 6),
            "s3": round(s3, 6),
            "total": round(total, 6),
        }
    )
