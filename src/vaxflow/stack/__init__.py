"""The local stack: Kafka, FerretDB, Redis, services and the nginx gateway under supervisord.

Tests use `from vaxflow.stack import control; control.stop("kafka"); control.start("kafka")`
(`start` returns once the part answers).
"""

from vaxflow.stack import control

__all__ = ["control"]
