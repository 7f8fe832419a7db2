"""Prometheus metrics shared by every service. Labels never carry personal data."""

from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram

HTTP_REQUESTS = Counter(
    "vaxflow_http_requests_total",
    "HTTP requests answered, by route template and status.",
    ["service", "method", "route", "status"],
)
HTTP_LATENCY = Histogram(
    "vaxflow_http_request_duration_seconds",
    "HTTP request latency by route template.",
    ["service", "method", "route"],
    buckets=(0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0),
)
KAFKA_PRODUCED = Counter(
    "vaxflow_kafka_produced_total", "Messages acknowledged by Kafka.", ["topic"]
)
KAFKA_PRODUCE_ERRORS = Counter(
    "vaxflow_kafka_produce_errors_total", "Messages Kafka did not acknowledge.", ["topic"]
)
KAFKA_CONSUMED = Counter(
    "vaxflow_kafka_consumed_total",
    "Messages handled by a consumer group.",
    ["group", "topic", "event_type"],
)
KAFKA_CONSUME_ERRORS = Counter(
    "vaxflow_kafka_consume_errors_total",
    "Handler failures by kind (transient: retried; permanent: dead-lettered).",
    ["group", "topic", "kind"],
)
HANDLER_LATENCY = Histogram(
    "vaxflow_kafka_handler_duration_seconds",
    "Time to apply one message's effects.",
    ["group", "event_type"],
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5),
)
CONSUMER_LAG = Gauge(
    "vaxflow_kafka_consumer_lag",
    "Messages behind the end of the partition, after the last batch.",
    ["group", "topic", "partition"],
)
OUTBOX_BACKLOG = Gauge(
    "vaxflow_outbox_backlog",
    "Documents with events waiting in an outbox (counted up to 10,000).",
    ["collection"],
)
OUTBOX_OLDEST_AGE = Gauge(
    "vaxflow_outbox_oldest_age_seconds",
    "Age of the oldest event the relay's last round found waiting in an outbox.",
    ["collection"],
)
OUTBOX_PUBLISHED = Counter(
    "vaxflow_outbox_published_total", "Events the relay published.", ["collection"]
)
DLQ_MESSAGES = Counter(
    "vaxflow_dlq_messages_total",
    "Messages sent to a dead-letter topic, by reason kind.",
    ["group", "topic", "reason"],
)
