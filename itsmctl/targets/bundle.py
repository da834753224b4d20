"""The resolved catalog as one deterministic JSON file, with a content digest."""

from __future__ import annotations

import hashlib
import json

from itsmctl import API_VERSION
from itsmctl.config import Config
from itsmctl.model.catalog import Catalog
from itsmctl.model.resolve import resolved_entities

NAME = "bundle"
DESCRIPTION = "the resolved catalog as JSON (catalog.json)"


def _canonical(value: object) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def build(catalog: Catalog, config: Config) -> dict[str, bytes]:
    entities = resolved_entities(catalog)
    digest = hashlib.sha256(_canonical(entities).encode()).hexdigest()
    bundle = {
        "apiVersion": API_VERSION,
        "kind": "Bundle",
        "digest": f"sha256:{digest}",
        "counts": {kind: len(names) for kind, names in sorted(entities.items())},
        "entities": entities,
    }
    text = json.dumps(bundle, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    return {"catalog.json": text.encode()}
