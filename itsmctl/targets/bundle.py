"""The resolved catalog as one deterministic JSON file, with a content digest."""

from __future__ import annotations

import hashlib
import json

from itsmctl import API_VERSION
from itsmctl.model.resolve import resolved_entities
from itsmctl.targets.base import BuildInput, Output

NAME = "bundle"
DESCRIPTION = "the resolved catalog as JSON (catalog.json)"


def _canonical(value: object) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def build(job: BuildInput) -> Output:
    entities = resolved_entities(job.catalog)
    digest = hashlib.sha256(_canonical(entities).encode()).hexdigest()
    bundle = {
        "apiVersion": API_VERSION,
        "kind": "Bundle",
        "digest": f"sha256:{digest}",
        "counts": {kind: len(names) for kind, names in sorted(entities.items())},
        "entities": entities,
    }
    text = json.dumps(bundle, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    return Output({"catalog.json": text.encode()})
