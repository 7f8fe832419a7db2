"""The AsyncAPI 3.0 document of every topic, and the small YAML writer that renders it."""

import json
import re
from collections.abc import Iterable
from typing import Any

from pydantic.json_schema import models_json_schema

from vaxflow_events.base import Event
from vaxflow_events.envelope import HEADER_FIELDS, Envelope, envelope_type
from vaxflow_events.examples import EXAMPLES, example_envelope
from vaxflow_events.topics import TOPICS, Topic

DOCUMENT_VERSION = "1.0.0"
KAFKA_BINDING_VERSION = "0.5.0"
_REF = "#/components/schemas/{model}"


def asyncapi_document(topics: Iterable[Topic] = TOPICS) -> dict[str, Any]:
    """Return the AsyncAPI 3.0 document: a channel per topic, a message per event."""
    topics = tuple(topics)
    return {
        "asyncapi": "3.0.0",
        "info": {
            "title": "VaxFlow events",
            "version": DOCUMENT_VERSION,
            "description": "Every event stream of VaxFlow. Messages are JSON envelopes; the "
            "envelope fields are also sent as Kafka headers. Generated from libs/events.",
        },
        "defaultContentType": "application/json",
        "channels": {topic.name: _channel(topic) for topic in topics},
        "operations": {f"send.{topic.name}": _operation(topic) for topic in topics},
        "components": {
            "schemas": {**_payload_schemas(topics), "EnvelopeHeaders": _headers_schema()},
            "messages": {
                event.event_type: _message(event, topic)
                for topic in topics
                for event in topic.events
            },
        },
    }


def _channel(topic: Topic) -> dict[str, Any]:
    return {
        "address": topic.name,
        "title": topic.name,
        "description": f"{topic.description} Key: `payload.{topic.key_field}`.",
        "messages": {
            event.event_type: {"$ref": f"#/components/messages/{event.event_type}"}
            for event in topic.events
        },
        "bindings": {"kafka": {"topic": topic.name, "bindingVersion": KAFKA_BINDING_VERSION}},
    }


def _operation(topic: Topic) -> dict[str, Any]:
    channel = f"#/channels/{topic.name}"
    return {
        "action": "send",
        "channel": {"$ref": channel},
        "summary": f"{topic.producer} publishes to {topic.name}.",
        "messages": [{"$ref": f"{channel}/messages/{event.event_type}"} for event in topic.events],
    }


def _message(event: type[Event], topic: Topic) -> dict[str, Any]:
    message: dict[str, Any] = {
        "name": event.event_type,
        "title": _words(event.event_type),
        "summary": (event.__doc__ or "").strip().splitlines()[0],
        "contentType": "application/json",
        "headers": {"$ref": "#/components/schemas/EnvelopeHeaders"},
        "payload": {"$ref": _REF.format(model=envelope_type(event).__name__)},
        "correlationId": {
            "description": "Shared by every event of one flow.",
            "location": "$message.header#/correlation_id",
        },
        "bindings": {
            "kafka": {
                "key": {"type": "string", "description": f"payload.{topic.key_field}"},
                "bindingVersion": KAFKA_BINDING_VERSION,
            }
        },
        "x-schema-version": event.schema_version,
    }
    if event.event_type in EXAMPLES:
        message["examples"] = [_example(EXAMPLES[event.event_type])]
    return message


def _example(event: Event) -> dict[str, Any]:
    envelope = example_envelope(event)
    return {
        "name": f"{event.event_type}Example",
        "headers": {name: value.decode() for name, value in envelope.headers()},
        "payload": json.loads(envelope.to_bytes()),
    }


def _payload_schemas(topics: tuple[Topic, ...]) -> dict[str, Any]:
    models = [(envelope_type(event), "validation") for topic in topics for event in topic.events]
    _, definitions = models_json_schema(models, ref_template=_REF)  # type: ignore[arg-type]
    return dict(definitions["$defs"])


def _headers_schema() -> dict[str, Any]:
    fields = Envelope.model_fields
    properties = {
        name: {"type": "string", "description": fields[name].description} for name in HEADER_FIELDS
    }
    properties["event_id"]["format"] = "uuid"
    properties["occurred_at"]["format"] = "date-time"
    properties["schema_version"]["pattern"] = "^[1-9][0-9]*$"
    return {
        "type": "object",
        "description": "Kafka headers: the envelope fields as UTF-8 text.",
        "properties": properties,
        "required": [name for name in HEADER_FIELDS if name != "causation_id"],
    }


def _words(name: str) -> str:
    words = re.findall(r"[A-Z][a-z]*", name)
    return " ".join([words[0], *(word.lower() for word in words[1:])])


_PLAIN_KEY = re.compile(r"^[A-Za-z_$][A-Za-z0-9_.$/-]*$")
_YAML_WORDS = {"true", "false", "null", "yes", "no", "on", "off", "y", "n"}


def yaml_text(value: Any) -> str:
    """Render JSON-compatible data as block YAML, every string JSON-quoted so none is misread."""
    return "\n".join(_yaml_lines(value, 0)) + "\n"


def _yaml_lines(value: Any, indent: int) -> list[str]:
    pad = " " * indent
    if isinstance(value, dict) and value:
        lines: list[str] = []
        for key, item in value.items():
            if _is_block(item):
                lines += [f"{pad}{_yaml_key(key)}:", *_yaml_lines(item, indent + 2)]
            else:
                lines.append(f"{pad}{_yaml_key(key)}: {_yaml_scalar(item)}")
        return lines
    if isinstance(value, list) and value:
        lines = []
        for item in value:
            nested = _yaml_lines(item, indent + 2)
            lines += [f"{pad}- {nested[0].lstrip()}", *nested[1:]]
        return lines
    return [pad + _yaml_scalar(value)]


def _is_block(value: Any) -> bool:
    return isinstance(value, dict | list) and bool(value)


def _yaml_key(key: str) -> str:
    if _PLAIN_KEY.match(key) and key.lower() not in _YAML_WORDS:
        return key
    return json.dumps(key, ensure_ascii=False)


def _yaml_scalar(value: Any) -> str:
    # JSON scalars are valid YAML flow scalars, and quoting every string keeps "1.0" or "no"
    # from turning into a number or a boolean.
    return json.dumps(value, ensure_ascii=False)
