"""The published OpenAPI document is a contract: one schema per component name, and every request example
it documents is accepted by its endpoint's input model.

django-ninja builds ``components.schemas`` from the models' class names and merges each operation's
definitions into one dict, so two routers with a ``MoveIn`` each would silently publish only one of them.
The check records every definition as it is added and fails on a name that arrives with two shapes."""

import json
from collections import defaultdict

import pytest
from ninja.openapi import schema as ninja_schema
from pydantic import BaseModel

from baton.api import api


@pytest.fixture
def recorded_definitions(monkeypatch):
    seen: dict[str, set[str]] = defaultdict(set)
    original = ninja_schema.OpenAPISchema.add_schema_definitions

    def record(self, definitions):
        for name, definition in definitions.items():
            seen[name].add(json.dumps(definition, sort_keys=True))
        return original(self, definitions)

    monkeypatch.setattr(ninja_schema.OpenAPISchema, "add_schema_definitions", record)
    document = api.get_openapi_schema()
    return document, seen


def test_component_names_are_unique_across_routers(recorded_definitions):
    document, seen = recorded_definitions
    clashes = sorted(name for name, shapes in seen.items() if len(shapes) > 1)
    assert clashes == [], f"two schemas share a component name: {clashes}"
    assert set(seen) <= set(document["components"]["schemas"])


def _operations():
    for _prefix, router in api._routers:
        for path, path_view in router.path_operations.items():
            for operation in path_view.operations:
                yield path, operation


def _body_classes(operation):
    for model in operation.models:
        if model.__ninja_param_source__ != "body":
            continue
        for field in model.model_fields.values():
            if isinstance(field.annotation, type) and issubclass(field.annotation, BaseModel):
                yield field.annotation


def test_every_documented_request_example_validates_against_its_endpoint(recorded_definitions):
    document, _seen = recorded_definitions
    components = document["components"]["schemas"]
    checked = 0
    for path, operation in _operations():
        for body in _body_classes(operation):
            published = components.get(body.__name__, {})
            # The component under this name is this endpoint's model (not another router's namesake).
            assert (
                published.get("properties", {}).keys()
                == body.model_json_schema().get("properties", {}).keys()
            ), f"{path}: the document publishes another {body.__name__}"
            for example in published.get("examples", []):
                body.model_validate(example)  # raises on an example the endpoint would refuse
                checked += 1
    assert checked >= 4  # the two move bodies document two examples each


def test_the_two_move_bodies_are_published_under_their_own_names(recorded_definitions):
    document, _seen = recorded_definitions
    paths = document["paths"]

    def body_ref(path):
        return paths[path]["post"]["requestBody"]["content"]["application/json"]["schema"]["$ref"]

    assert body_ref("/api/v1/opportunities/{id}/move").endswith("/OpportunityMoveIn")
    assert body_ref("/api/v1/process/records/{kind}/{record_id}/move").endswith("/ProcessMoveIn")
