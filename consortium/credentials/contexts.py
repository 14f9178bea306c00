"""The JSON-LD contexts our credentials name, each served from a local copy in ``reference/``.
Nothing here (nor anywhere in the platform) resolves a context URL over the network."""

import json
from functools import cache
from pathlib import Path
from typing import Any

REFERENCE_DIR = Path(__file__).resolve().parent / "reference"

VC_V2 = "https://www.w3.org/ns/credentials/v2"
OB_V3P0 = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
CLR_V2P0 = "https://purl.imsglobal.org/spec/clr/v2p0/context-2.0.1.json"

# canonical URL → (the name we serve it under, the local file)
CONTEXTS: dict[str, tuple[str, str]] = {
    VC_V2: ("credentials-v2.jsonld", "credentials-v2.jsonld"),
    OB_V3P0: ("ob-v3p0-context-3.0.3.json", "context-3.0.3.json"),
    CLR_V2P0: ("clr-v2p0-context-2.0.1.json", "clr-context-2.0.1.json"),
}
SERVED_NAMES = dict(CONTEXTS.values())


@cache
def _load(file: str) -> dict[str, Any]:
    document: dict[str, Any] = json.loads((REFERENCE_DIR / file).read_text(encoding="utf-8"))
    return document


def context_document(url: str) -> dict[str, Any]:
    """A JSON-LD document loader that knows only the local copies: an unknown URL is a
    ``KeyError``, never a network request."""
    _name, file = CONTEXTS[url]
    return _load(file)


def served_context(name: str) -> dict[str, Any] | None:
    file = SERVED_NAMES.get(name)
    return _load(file) if file is not None else None
