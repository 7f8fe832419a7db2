"""Whether a changed event schema would break the consumers of the published one.

A consumer breaks when a field it reads is removed, renamed or retyped, when a closed set of
values changes (strict consumers reject values they do not know; replays still carry old ones),
or when a field becomes required (old messages on the topic lack it). A field that gains a
default stays on the wire, since producers serialise every field. Descriptions, titles and
constraints such as lengths and patterns are not compared.
"""

from collections.abc import Mapping
from typing import Any

Schema = Mapping[str, Any]


def breaking_changes(published: Schema, current: Schema) -> list[str]:
    """Return how `current` breaks consumers of `published`; empty when it is compatible."""
    return _Comparison(published, current).compare(published, current, "")


def contract_breaks(published: Mapping[str, Schema], current: Mapping[str, Schema]) -> list[str]:
    """Compare every published schema with the current one; both keyed `<topic>/<EventType>`."""
    current_topics = {_topic_of(path) for path in current}
    breaks: list[str] = []
    for path, schema in sorted(published.items()):
        topic = _topic_of(path)
        if path in current:
            breaks += [f"{path}: {change}" for change in breaking_changes(schema, current[path])]
        elif topic in current_topics:
            breaks.append(f"{path}: event removed from its topic")
        elif not _superseded(topic, current_topics):
            breaks.append(f"{path}: topic removed without a new major version")
    return breaks


def _topic_of(path: str) -> str:
    return path.split("/", 1)[0]


def _superseded(topic: str, current_topics: set[str]) -> bool:
    # An old major stays published for the consumers still on it; only a newer major of the
    # same stream may take its place.
    stream, _, major = topic.rpartition(".v")
    return any(
        other.rpartition(".v")[0] == stream and int(other.rpartition(".v")[2]) > int(major)
        for other in current_topics
    )


class _Comparison:
    """One comparison of two schema documents, each resolving `$ref`s in its own root."""

    def __init__(self, old_root: Schema, new_root: Schema) -> None:
        self.old_root = old_root
        self.new_root = new_root

    def compare(self, old: Schema, new: Schema, path: str) -> list[str]:
        old, new = _resolve(self.old_root, old), _resolve(self.new_root, new)
        if "properties" in old and "properties" in new:
            return self._objects(old, new, path)
        if "anyOf" in old and "anyOf" in new:
            return self._unions(old, new, path)
        if old.get("type") == "array" and new.get("type") == "array":
            return self.compare(old.get("items", {}), new.get("items", {}), f"{path}[]")
        return self._scalars(old, new, path)

    def _objects(self, old: Schema, new: Schema, path: str) -> list[str]:
        old_fields, new_fields = old["properties"], new["properties"]
        old_required, new_required = set(old.get("required", ())), set(new.get("required", ()))
        changes: list[str] = []
        for name, old_field in old_fields.items():
            where = _join(path, name)
            if name not in new_fields:
                changes.append(f"{where}: removed or renamed")
                continue
            changes += self.compare(old_field, new_fields[name], where)
        for name in sorted(new_required - old_required):
            added = "new required field" if name not in old_fields else "became required"
            changes.append(f"{_join(path, name)}: {added}")
        return changes

    def _unions(self, old: Schema, new: Schema, path: str) -> list[str]:
        old_branches = self._branches(self.old_root, old)
        new_branches = self._branches(self.new_root, new)
        if old_branches.keys() != new_branches.keys():
            return [self._retyped(old, new, path)]
        changes: list[str] = []
        for kind, branch in old_branches.items():
            changes += self.compare(branch, new_branches[kind], path)
        return changes

    def _scalars(self, old: Schema, new: Schema, path: str) -> list[str]:
        if _shape(old) == _shape(new):
            return []
        if "enum" in old and "enum" in new and old.get("type") == new.get("type"):
            removed = sorted(set(old["enum"]) - set(new["enum"]))
            added = sorted(set(new["enum"]) - set(old["enum"]))
            return [f"{path}: allowed values changed (removed {removed}, added {added})"]
        return [self._retyped(old, new, path)]

    def _retyped(self, old: Schema, new: Schema, path: str) -> str:
        was, now = _describe(self.old_root, old), _describe(self.new_root, new)
        return f"{path}: type changed from {was} to {now}"

    def _branches(self, root: Schema, union: Schema) -> dict[str, Schema]:
        branches = [_resolve(root, branch) for branch in union["anyOf"]]
        by_kind = {_kind(branch): branch for branch in branches}
        if len(by_kind) != len(branches):
            # Two branches of one kind cannot be matched by kind; match them by position.
            return {str(index): branch for index, branch in enumerate(branches)}
        return by_kind


def _resolve(root: Schema, node: Schema) -> Schema:
    while "$ref" in node:
        target: Any = root
        for part in node["$ref"].removeprefix("#/").split("/"):
            target = target[part]
        node = target
    return node


def _shape(node: Schema) -> tuple[Any, ...]:
    enum = tuple(sorted(map(str, node["enum"]))) if "enum" in node else None
    return (node.get("type"), node.get("format"), node.get("const"), enum)


def _kind(node: Schema) -> str:
    if "properties" in node:
        return "object"
    kind = str(node.get("type", "any"))
    return f"{kind}({node['format']})" if "format" in node else kind


def _describe(root: Schema, node: Schema) -> str:
    if "anyOf" in node:
        return " | ".join(_describe(root, _resolve(root, branch)) for branch in node["anyOf"])
    if "const" in node:
        return f"const {node['const']!r}"
    if "enum" in node:
        return f"{_kind(node)} enum"
    return _kind(node)


def _join(path: str, name: str) -> str:
    return f"{path}.{name}" if path else name
