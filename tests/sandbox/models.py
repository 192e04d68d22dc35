"""Amazon's official OpenAPI models and JSON schemas (read from ../shared/spapi-models beside the repo) as validators."""
from __future__ import annotations

import json
import re
from functools import lru_cache

from jsonschema import Draft4Validator, Draft7Validator

from core.db import ROOT

MODELS_DIR = ROOT.parent / "shared" / "spapi-models"


@lru_cache(maxsize=None)
def model(file_name: str) -> dict:
    return json.loads((MODELS_DIR / file_name).read_text("utf-8"))


def find_operation(file_name: str, method: str, path: str) -> tuple[str, dict]:
    """(path template, operation object) of the model operation serving ``method path``."""
    for template, ops in model(file_name)["paths"].items():
        pattern = "^" + re.sub(r"\{[^/]+\}", "[^/]+", template) + "$"
        if re.match(pattern, path) and method.lower() in ops:
            return template, ops[method.lower()]
    raise AssertionError(f"{method} {path} is not an operation of {file_name}")


def _validator(file_name: str, schema: dict) -> Draft4Validator:
    # Swagger 2.0 schemas are JSON Schema draft 4 with "#/definitions/..." references into the model.
    return Draft4Validator(dict(schema, definitions=model(file_name)["definitions"]))


def response_errors(file_name: str, method: str, path: str, status: int, body) -> list[str]:
    """Messages of every way ``body`` breaks the model's response schema for this status (empty = valid)."""
    _, op = find_operation(file_name, method, path)
    spec = op["responses"].get(str(status))
    if spec is None:
        return [f"status {status} is not documented for {method} {path}"]
    if "schema" not in spec:
        return []
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in _validator(file_name, spec["schema"]).iter_errors(body)]


def request_errors(file_name: str, method: str, path: str, query: dict[str, list[str]], body) -> list[str]:
    """Ways a request breaks the model: missing required query parameters, enum values, body schema."""
    template, op = find_operation(file_name, method, path)
    problems = []
    for param in op.get("parameters", []) + model(file_name)["paths"][template].get("parameters", []):
        if "$ref" in param:
            continue
        if param["in"] == "query":
            values = [v for raw in query.get(param["name"], []) for v in raw.split(",")]
            if param.get("required") and not values:
                problems.append(f"missing required query parameter {param['name']}")
            allowed = param.get("enum") or param.get("items", {}).get("enum")
            if allowed and any(v not in allowed for v in values):
                problems.append(f"{param['name']}={values} not in {allowed}")
        elif param["in"] == "body":
            problems += [f"body {'/'.join(map(str, e.absolute_path))}: {e.message}"
                         for e in _validator(file_name, param["schema"]).iter_errors(body)]
    return problems


@lru_cache(maxsize=None)
def json_schema(file_name: str) -> Draft7Validator:
    return Draft7Validator(json.loads((MODELS_DIR / file_name).read_text("utf-8")))


def static_examples(file_name: str) -> list[tuple[str, str, str, dict]]:
    """Every ``x-amzn-api-sandbox.static`` example: (method, path template, status, example)."""
    out = []
    for template, ops in model(file_name)["paths"].items():
        for method, op in ops.items():
            if not isinstance(op, dict):
                continue
            for status, spec in op.get("responses", {}).items():
                for example in spec.get("x-amzn-api-sandbox", {}).get("static", []):
                    out.append((method.upper(), template, status, example))
    return out
