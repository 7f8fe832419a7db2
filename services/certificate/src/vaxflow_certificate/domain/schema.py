"""A compiled validator for the DCC JSON schemas, about ten times faster than a generic one.

It understands exactly the keywords the published DCC schemas (1.0.0 to 1.3.3) use: `$ref`
to `$defs`, `type`, `properties`, `required`, `items`, `minItems`, `maxItems`, `maxLength`,
`pattern`, `minimum`, `maximum`, `oneOf`, `anyOf` and `format` (`date`, `date-time`), and
refuses to compile a schema with any other assertion. The unit tests check it agrees with
`jsonschema` on every test vector.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from datetime import date, datetime
from typing import Any

Check = Callable[[Any, str, list[str]], None]
"""Append `<path>: <rule>` for each violation of `value` found at `path`."""

_ANNOTATIONS = frozenset(
    {"description", "title", "examples", "$comment", "$schema", "$id", "$defs", "valueset-uri"}
)
_TYPES: dict[str, Callable[[Any], bool]] = {
    "object": lambda v: isinstance(v, dict),
    "array": lambda v: isinstance(v, list),
    "string": lambda v: isinstance(v, str),
    "integer": lambda v: isinstance(v, int) and not isinstance(v, bool),
    "number": lambda v: isinstance(v, int | float) and not isinstance(v, bool),
    "boolean": lambda v: isinstance(v, bool),
    "null": lambda v: v is None,
}
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _is_date(value: str) -> bool:
    try:
        return bool(_DATE.match(value)) and date.fromisoformat(value) is not None
    except ValueError:
        return False


def _is_date_time(value: str) -> bool:
    try:
        return "T" in value.upper() and datetime.fromisoformat(value) is not None
    except ValueError:
        return False


_FORMATS: dict[str, Callable[[str], bool]] = {"date": _is_date, "date-time": _is_date_time}


class _Compiler:
    def __init__(self, root: Mapping[str, Any], formats: bool) -> None:
        self._defs: Mapping[str, Any] = root.get("$defs", {})
        self._formats = formats
        self._compiled: dict[str, Check] = {}

    def compile(self, schema: Mapping[str, Any]) -> Check:
        checks = [self._keyword(k, v, schema) for k, v in schema.items() if k not in _ANNOTATIONS]
        active = [c for c in checks if c is not None]

        def check(value: Any, path: str, errors: list[str]) -> None:
            for one in active:
                one(value, path, errors)

        return check

    def _ref(self, ref: str) -> Check:
        name = ref.removeprefix("#/$defs/")
        if name not in self._compiled:
            self._compiled[name] = _placeholder(self._compiled, name)
            self._compiled[name] = self.compile(self._defs[name])
        return self._compiled[name]

    def _keyword(self, key: str, arg: Any, schema: Mapping[str, Any]) -> Check | None:
        if key == "$ref":
            return self._ref(arg)
        if key == "properties":
            return self._properties(arg)
        if key == "items":
            return self._items(arg)
        if key in ("oneOf", "anyOf"):
            return self._combination(key, [self.compile(s) for s in arg])
        if key == "format":
            return _format(arg) if self._formats else None
        return _simple(key, arg)

    def _properties(self, properties: Mapping[str, Any]) -> Check:
        compiled = {name: self.compile(s) for name, s in properties.items()}

        def check(value: Any, path: str, errors: list[str]) -> None:
            if isinstance(value, dict):
                for name, sub in compiled.items():
                    if name in value:
                        sub(value[name], f"{path}.{name}", errors)

        return check

    def _items(self, schema: Mapping[str, Any]) -> Check:
        sub = self.compile(schema)

        def check(value: Any, path: str, errors: list[str]) -> None:
            if isinstance(value, list):
                for index, item in enumerate(value):
                    sub(item, f"{path}.{index}", errors)

        return check

    def _combination(self, key: str, options: list[Check]) -> Check:
        def check(value: Any, path: str, errors: list[str]) -> None:
            passing = sum(1 for option in options if not _errors(option, value))
            if (key == "oneOf" and passing != 1) or (key == "anyOf" and passing == 0):
                errors.append(f"{path}: {key}")

        return check


def _placeholder(compiled: dict[str, Check], name: str) -> Check:
    def check(value: Any, path: str, errors: list[str]) -> None:
        compiled[name](value, path, errors)

    return check


def _errors(check: Check, value: Any) -> list[str]:
    found: list[str] = []
    check(value, "", found)
    return found


def _format(name: str) -> Check:
    test = _FORMATS.get(name)
    if test is None:
        raise ValueError(f"unsupported format {name!r}")

    def check(value: Any, path: str, errors: list[str]) -> None:
        if isinstance(value, str) and not test(value):
            errors.append(f"{path}: format")

    return check


def _simple(key: str, arg: Any) -> Check:
    rule = _SIMPLE.get(key)
    if rule is None:
        raise ValueError(f"unsupported schema keyword {key!r}")
    test = rule(arg)

    def check(value: Any, path: str, errors: list[str]) -> None:
        if not test(value):
            errors.append(f"{path}: {key}")

    return check


def _type(arg: str | list[str]) -> Callable[[Any], bool]:
    tests = [_TYPES[t] for t in ([arg] if isinstance(arg, str) else arg)]
    return lambda v: any(t(v) for t in tests)


def _pattern(arg: str) -> Callable[[Any], bool]:
    compiled = re.compile(arg)
    return lambda v: not isinstance(v, str) or compiled.search(v) is not None


def _number(v: Any) -> bool:
    return isinstance(v, int | float) and not isinstance(v, bool)


_SIMPLE: dict[str, Callable[[Any], Callable[[Any], bool]]] = {
    "type": _type,
    "required": lambda names: lambda v: not isinstance(v, dict) or all(n in v for n in names),
    "maxLength": lambda n: lambda v: not isinstance(v, str) or len(v) <= n,
    "minItems": lambda n: lambda v: not isinstance(v, list) or len(v) >= n,
    "maxItems": lambda n: lambda v: not isinstance(v, list) or len(v) <= n,
    "minimum": lambda n: lambda v: not _number(v) or v >= n,
    "maximum": lambda n: lambda v: not _number(v) or v <= n,
    "pattern": _pattern,
}


def compile_schema(schema: Mapping[str, Any], *, formats: bool) -> Callable[[Any], list[str]]:
    """A function listing `<path>: <rule>` for each violation (empty when the value is valid)."""
    check = _Compiler(schema, formats).compile(schema)

    def validate(value: Any) -> list[str]:
        errors: list[str] = []
        check(value, "dcc", errors)
        return errors

    return validate
