"""Find and parse the YAML files of a mappings directory."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from hub.mapping.errors import MappingError


class _StrictSafeLoader(yaml.SafeLoader):
    """A SafeLoader that rejects duplicate keys, which PyYAML otherwise lets the last one win."""


def _construct_mapping_without_duplicates(loader: _StrictSafeLoader, node: yaml.MappingNode) -> dict[Any, Any]:
    """Construct a mapping after checking its own keys for duplicates.

    Keys merged in with ``<<: *anchor`` are not checked, so a mapping may override them.
    """
    seen: dict[Any, yaml.Node] = {}
    for key_node, _value_node in node.value:
        if key_node.tag == "tag:yaml.org,2002:merge":
            continue
        key = loader.construct_object(key_node, deep=True)
        if key in seen:
            raise yaml.constructor.ConstructorError(
                None, None, f"duplicate key {key!r}", key_node.start_mark
            )
        seen[key] = key_node
    return loader.construct_mapping(node, deep=True)


_StrictSafeLoader.add_constructor(
    yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping_without_duplicates
)


def find_yaml_files(directory: Path) -> list[Path]:
    """Return the .yaml and .yml files under ``directory`` in sorted order.

    Files inside hidden folders (a name starting with ".") are skipped.
    """
    if not directory.is_dir():
        raise MappingError(f"mappings directory not found: {directory}")

    files = []
    for path in directory.rglob("*"):
        relative_parts = path.relative_to(directory).parts
        if any(part.startswith(".") for part in relative_parts):
            continue
        if path.is_file() and path.suffix in (".yaml", ".yml"):
            files.append(path)
    return sorted(files)


def read_yaml_file(path: Path) -> dict[str, Any]:
    """Parse one mapping file. An empty file gives an empty mapping."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise MappingError(f"cannot read file: {error}", file=str(path)) from error

    try:
        document = yaml.load(text, Loader=_StrictSafeLoader)  # noqa: S506 (a SafeLoader subclass)
    except yaml.YAMLError as error:
        raise MappingError(f"invalid YAML: {error}", file=str(path)) from error

    if document is None:
        return {}
    if not isinstance(document, dict):
        raise MappingError(
            f"expected a mapping with skills, rules or roles at the top level, got {type(document).__name__}",
            file=str(path),
        )
    return document
