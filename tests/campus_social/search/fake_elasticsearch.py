"""A fake Elasticsearch cluster under the real client and transport, for the backend's tests.

``FakeCluster.client_for()`` gives an ``Elasticsearch`` client whose node answers from memory:
indices, aliases, bulk writes, and searches evaluated against the stored documents — enough of
the query language for what the backend sends (``bool``, ``constant_score``, ``term``,
``terms``, ``prefix``, ``match_phrase``, the sort, ``collapse``, the sampler,
filter and terms aggregations).  Fields are read as the index's mapping says: a ``whitespace``
text field as its space-separated tokens (array elements ``position_increment_gap`` apart), a
keyword or number as its values.  Japanese analysis (kuromoji, CJK bigrams) is not imitated:
``match`` on those fields matches nothing, so it scores nothing here — the order it would add
on a real cluster is covered by the contract suite run against one.

Every request is recorded (``requests``); ``fail`` makes those whose "METHOD /path" matches a
pattern fail: an exception is raised by the node, as a dead connection would, and a
(status, body) pair is answered as it is.  ``search_answers`` queues canned search answers.
"""

import functools
import json
import math
import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from elastic_transport import ApiResponseMeta, BaseNode, HttpHeaders
from elastic_transport._node import NodeApiResponse  # the return type a node class must give

from campus_social.search.backends.elastic import connect

URL = "http://es.test:9200"


@dataclass
class Request:
    method: str
    path: str
    params: dict[str, str]
    body: Any
    timeout: Any


@dataclass
class FakeCluster:
    plugins: list[str] = field(default_factory=list)
    indices: dict[str, dict[str, Any]] = field(default_factory=dict)  # name → create body
    aliases: dict[str, set[str]] = field(default_factory=dict)
    documents: dict[str, dict[str, dict[str, Any]]] = field(default_factory=dict)  # index → id
    search_answers: list[dict[str, Any]] = field(default_factory=list)
    fail: dict[str, Any] = field(default_factory=dict)
    requests: list[Request] = field(default_factory=list)

    def client_for(self, url: str = URL) -> Any:
        node_class = type("FakeNode", (_FakeNode,), {"cluster": self})
        return connect(url, node_class=node_class)

    def paths(self) -> list[str]:
        return [f"{request.method} {request.path}" for request in self.requests]

    def add_index(self, name: str, *, alias: str = "") -> None:
        self.indices[name] = {}
        self.documents[name] = {}
        if alias:
            self.aliases.setdefault(alias, set()).add(name)

    # --- Requests ---

    def handle(self, request: Request) -> tuple[int, Any]:
        for pattern, failure in self.fail.items():
            if re.fullmatch(pattern, f"{request.method} {request.path}"):
                if isinstance(failure, Exception):
                    raise failure
                return failure
        parts = request.path.strip("/").split("/")
        if parts == ["_nodes", "plugins"]:
            nodes = {"n1": {"plugins": [{"name": name} for name in self.plugins]}}
            return 200, {"nodes": nodes}
        if parts[0] == "_alias":
            return self._alias(parts[1])
        if parts == ["_aliases"]:
            for action in request.body["actions"]:
                ((verb, args),) = action.items()
                members = self.aliases.setdefault(args["alias"], set())
                (members.add if verb == "add" else members.discard)(args["index"])
            return 200, {"acknowledged": True}
        if parts == ["_bulk"]:
            return self._bulk(request.body, require_alias=request.params.get("require_alias"))
        if parts == ["_msearch"]:
            lines = request.body
            answers = [
                self._search(lines[i]["index"], lines[i + 1]) for i in range(0, len(lines), 2)
            ]
            return 200, {"responses": [answer for _status, answer in answers]}
        if len(parts) == 2 and parts[1] == "_search":
            if self.search_answers:
                return 200, self.search_answers.pop(0)
            return self._search(parts[0], request.body)
        if len(parts) == 2 and parts[1] == "_refresh":
            return 200, {"_shards": {"total": 1, "successful": 1, "failed": 0}}
        if len(parts) == 1 and request.method == "PUT":
            if parts[0] in self.indices:
                return 400, error_body("resource_already_exists_exception", 400)
            self.indices[parts[0]] = request.body
            self.documents[parts[0]] = {}
            for alias in request.body.get("aliases", {}):
                self.aliases.setdefault(alias, set()).add(parts[0])
            return 200, {"acknowledged": True, "index": parts[0]}
        if len(parts) == 1 and request.method == "DELETE":
            if self.indices.pop(parts[0], None) is None:
                return 404, error_body("index_not_found_exception", 404)
            self.documents.pop(parts[0], None)
            for members in self.aliases.values():
                members.discard(parts[0])
            return 200, {"acknowledged": True}
        raise AssertionError(f"unexpected request {request.method} {request.path}")

    def _alias(self, name: str) -> tuple[int, Any]:
        members = self.aliases.get(name)
        if not members:
            return 404, {"error": f"alias [{name}] missing", "status": 404}
        return 200, {index: {"aliases": {name: {}}} for index in sorted(members)}

    def _concrete(self, name: str) -> str | None:
        if name in self.indices:
            return name
        members = sorted(self.aliases.get(name, ()))
        return members[0] if len(members) == 1 else None

    def _bulk(self, lines: list[dict[str, Any]], *, require_alias: Any) -> tuple[int, Any]:
        items = []
        position = 0
        while position < len(lines):
            ((op, meta),) = lines[position].items()
            index = self._concrete(meta["_index"])
            if op == "delete":
                position += 1
                found = index is not None and self.documents[index].pop(meta["_id"], None)
                items.append({op: {"_id": meta["_id"], "status": 200 if found else 404}})
                continue
            source = lines[position + 1]
            position += 2
            if index is None or (require_alias == "true" and meta["_index"] not in self.aliases):
                items.append({op: {"_id": meta["_id"], "status": 404, "error": {"type": "x"}}})
                continue
            self.documents[index][meta["_id"]] = source
            items.append({op: {"_id": meta["_id"], "_index": index, "status": 201}})
        errors = any(not 200 <= next(iter(item.values()))["status"] < 300 for item in items)
        return 200, {"took": 1, "errors": errors, "items": items}

    # --- Search ---

    def _search(self, name: str, body: dict[str, Any]) -> tuple[int, Any]:
        index = self._concrete(name)
        if index is None:
            return 404, error_body("index_not_found_exception", 404)
        properties = self.indices[index].get("mappings", {}).get("properties", {})
        read = functools.partial(_field_values, properties)
        matched = []
        for doc_id, source in self.documents[index].items():
            score = _evaluate(body.get("query", {"match_all": {}}), source, read)
            if score is not None:
                matched.append((doc_id, source, score))
        sorts = body.get("sort", [{"_score": {"order": "desc"}}])
        matched.sort(key=functools.cmp_to_key(functools.partial(_compare, sorts, read)))

        answer: dict[str, Any] = {}
        if "aggs" in body:
            answer["aggregations"] = _aggregate(body["aggs"], matched, read)
        if "collapse" in body:
            seen: set[Any] = set()
            collapsed = []
            for found in matched:
                key = tuple(read(found[1], body["collapse"]["field"]))
                if key not in seen:
                    seen.add(key)
                    collapsed.append(found)
            matched = collapsed
        start, size = body.get("from", 0), body.get("size", 10)
        hits = {"hits": [
            {"_id": doc_id, "_score": score, "_source": _filtered(source, body.get("_source"))}
            for doc_id, source, score in matched[start : start + size]
        ]}  # fmt: skip
        cap = body.get("track_total_hits", 10_000)
        if cap is not False:
            capped = cap is not True and len(matched) > cap
            hits["total"] = {
                "value": cap if capped else len(matched),
                "relation": "gte" if capped else "eq",
            }
        answer["hits"] = hits
        return 200, answer


def error_body(kind: str, status: int) -> dict[str, Any]:
    return {
        "error": {"type": kind, "reason": kind, "root_cause": [{"reason": kind}]},
        "status": status,
    }


def _field_values(properties: dict[str, Any], source: dict[str, Any], name: str) -> list[Any]:
    """A field's indexed values: tokens of a whitespace field (with positions, as pairs), the
    values of a keyword or number; nothing for a field of Japanese analysis."""
    spec = properties.get(name.split(".")[0], {})
    if "." in name or (spec.get("type") == "text" and spec.get("analyzer") != "whitespace"):
        return []
    value = source.get(name)
    values = value if isinstance(value, list) else [] if value is None else [value]
    if spec.get("type") != "text":
        return values
    tokens, position = [], 0
    for element in values:
        for token in str(element).split():
            tokens.append((position, token))
            position += 1
        position += spec.get("position_increment_gap", 100)
    return tokens


def _plain(values: list[Any]) -> list[Any]:
    return [value[1] if isinstance(value, tuple) else value for value in values]


def _evaluate(query: dict[str, Any], source: dict[str, Any], read: Any) -> float | None:
    """The score of ``source`` for ``query``, or None when it does not match."""
    ((kind, args),) = query.items()
    if kind == "match_all":
        return 0.0
    if kind == "bool":
        required = args.get("filter", []) + args.get("must", [])
        if any(_evaluate(clause, source, read) is None for clause in required):
            return None
        scores = [_evaluate(clause, source, read) for clause in args.get("should", [])]
        found = [score for score in scores if score is not None]
        least = args.get("minimum_should_match", 0 if required or not scores else 1)
        return sum(found) if len(found) >= least else None
    if kind == "constant_score":
        return None if _evaluate(args["filter"], source, read) is None else args.get("boost", 1.0)
    ((name, wanted),) = args.items()
    values = read(source, name)
    if kind == "term":
        return 0.0 if wanted in _plain(values) else None
    if kind == "terms":
        return 0.0 if set(wanted) & set(_plain(values)) else None
    if kind == "prefix":
        return 0.0 if any(str(v).startswith(wanted) for v in _plain(values)) else None
    if kind == "match_phrase":
        at = {(position, token) for position, token in values}
        phrase = wanted.split()
        starts = {position for position, token in values if token == phrase[0]}
        return (
            0.0
            if any(all((p + i, t) in at for i, t in enumerate(phrase)) for p in starts)
            else None
        )
    if kind == "match":
        return None  # Japanese analysis: scoring only, not imitated
    raise AssertionError(f"the fake cluster does not know the query {kind!r}")


def _compare(sorts: list[Any], read: Any, left: tuple, right: tuple) -> int:
    for spec in sorts:
        ((name, options),) = spec.items()
        descending = options.get("order") == "desc"
        a, b = (_sort_value(name, options, read, found) for found in (left, right))
        if a == b:
            continue
        if a is None or b is None:  # missing values go last ("_last", the default)
            return 1 if a is None else -1
        return (1 if a < b else -1) if descending else (-1 if a < b else 1)
    return 0


def _sort_value(name: str, options: dict[str, Any], read: Any, found: tuple) -> Any:
    _doc_id, source, score = found
    if name == "_score":
        return score
    if name == "_script":
        script = options["script"]
        assert script["source"] == "Math.floor(_score / params.tier)", script
        return math.floor(score / script["params"]["tier"])
    values = _plain(read(source, name))
    if not values:
        return None
    return max(values) if options.get("order") == "desc" else min(values)


def _aggregate(aggs: dict[str, Any], matched: list[tuple], read: Any) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, spec in aggs.items():
        sub = spec.get("aggs", {})
        if "sampler" in spec:
            best = sorted(matched, key=lambda found: -found[2])[: spec["sampler"]["shard_size"]]
            out[name] = {"doc_count": len(best), **_aggregate(sub, best, read)}
        elif "filter" in spec:
            kept = [m for m in matched if _evaluate(spec["filter"], m[1], read) is not None]
            out[name] = {"doc_count": len(kept), **_aggregate(sub, kept, read)}
        elif "terms" in spec:
            counts: dict[Any, int] = {}
            for _doc_id, source, _score in matched:
                for value in set(_plain(read(source, spec["terms"]["field"]))):
                    counts[value] = counts.get(value, 0) + 1
            ordered = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
            buckets = [{"key": k, "doc_count": n} for k, n in ordered[: spec["terms"]["size"]]]
            out[name] = {"buckets": buckets}
        else:
            raise AssertionError(f"the fake cluster does not know the aggregation {spec}")
    return out


def _filtered(source: dict[str, Any], includes: list[str] | None) -> dict[str, Any]:
    if includes is None:
        return source
    out: dict[str, Any] = {}
    for path in includes:
        head, _, rest = path.partition(".")
        if head in source:
            out[head] = _filtered(source[head], [rest]) if rest else source[head]
    return out


class _FakeNode(BaseNode):
    cluster: FakeCluster

    def perform_request(self, method, target, body=None, headers=None, request_timeout=None):
        url = urlsplit(target)
        request = Request(
            method=method,
            path=url.path,
            params=dict(parse_qsl(url.query)),
            body=_decoded(body),
            timeout=request_timeout,
        )
        self.cluster.requests.append(request)
        status, answer = self.cluster.handle(request)
        meta = ApiResponseMeta(
            status=status,
            http_version="1.1",
            headers=HttpHeaders(
                {"content-type": "application/json", "x-elastic-product": "Elasticsearch"}
            ),
            duration=0.0,
            node=self.config,
        )
        return NodeApiResponse(meta, b"" if method == "HEAD" else json.dumps(answer).encode())


def _decoded(body: bytes | None) -> Any:
    if not body:
        return None
    text = body.decode()
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        return [json.loads(line) for line in text.splitlines() if line]
