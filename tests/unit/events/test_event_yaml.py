"""The AsyncAPI YAML writer renders data that any YAML parser reads back unchanged."""

import pytest

from vaxflow_events.asyncapi import yaml_text

yaml = pytest.importorskip("yaml")


@pytest.mark.parametrize(
    "data",
    [
        pytest.param({"version": "1.0", "flag": "no", "empty": "", "none": None}, id="tricky text"),
        pytest.param({"on": "y", "null": "~", "3.0.0": "x", "a: b": "#c"}, id="tricky keys"),
        pytest.param({"$ref": "#/components/schemas/Holder"}, id="reference"),
        pytest.param({"text": 'Nguyễn Văn An\nline two\t"quoted"'}, id="unicode and escapes"),
        pytest.param({"n": 1, "x": 1.5, "t": True, "f": False}, id="numbers and booleans"),
        pytest.param({"empty_map": {}, "empty_list": [], "list": [1, "two", None]}, id="empties"),
        pytest.param({"rows": [{"a": 1, "b": {"c": [2, 3]}}, [4, [5, 6]], {}]}, id="nesting"),
    ],
)
def test_yaml_round_trips(data: object) -> None:
    assert yaml.safe_load(yaml_text(data)) == data


def test_yaml_is_block_style_and_readable() -> None:
    text = yaml_text({"channels": {"injection.dose.v1": {"address": "injection.dose.v1"}}})

    assert text == 'channels:\n  injection.dose.v1:\n    address: "injection.dose.v1"\n'
