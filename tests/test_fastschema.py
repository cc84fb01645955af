"""The fast path never calls an instance valid that jsonschema rejects."""

from hypothesis import given, settings, strategies as st
from jsonschema import Draft202012Validator

from tunelint.lint.fastschema import compile_schema

leaf_schemas = st.sampled_from([
    {"type": "string"}, {"type": "integer"}, {"type": "number"}, {"type": "boolean"}, {"type": "null"},
    {"type": ["string", "null"]}, {"enum": ["a", "b", 1, True]}, {"const": 0}, {"minimum": 0, "maximum": 3},
    {"exclusiveMinimum": 1}, {"minLength": 2, "maxLength": 4}, {"pattern": "^[a-z]+$"}, {},
    {"type": "array", "items": {"type": "integer"}, "minItems": 1, "maxItems": 3},
])
schemas = st.recursive(leaf_schemas, lambda inner: st.one_of(
    st.builds(lambda props, req, extra: {"type": "object", "properties": props, "required": req, "additionalProperties": extra},
              st.dictionaries(st.sampled_from(["a", "b", "c"]), inner, max_size=3),
              st.lists(st.sampled_from(["a", "b", "c"]), max_size=2, unique=True),
              st.booleans() | inner),
    st.builds(lambda options: {"anyOf": options}, st.lists(inner, min_size=1, max_size=3)),
), max_leaves=8)
instances = st.recursive(
    st.none() | st.booleans() | st.integers(-5, 5) | st.floats(-5, 5, allow_nan=False) | st.sampled_from(["a", "ab", "abcde", "A1", ""]),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.sampled_from(["a", "b", "c", "d"]), inner, max_size=3),
    max_leaves=10)


@settings(max_examples=500, deadline=None)
@given(schemas, instances)
def test_fast_path_agrees_with_jsonschema_whenever_it_says_valid(schema, instance):
    check = compile_schema(schema)
    assert check is not None
    if check(instance):
        assert Draft202012Validator(schema).is_valid(instance)


def test_unsupported_keywords_fall_back_to_jsonschema():
    assert compile_schema({"type": "object", "properties": {"a": {"$ref": "#/$defs/x"}}}) is None
    assert compile_schema({"oneOf": [{"type": "string"}]}) is None
    assert compile_schema({"enum": [[1], {"a": 1}]}) is None


def test_true_is_not_one():
    check = compile_schema({"enum": [1]})
    assert check(1) and not check(True)


annotation_noise = st.sampled_from([{}, {"description": "x"}, {"description": 5}, {"title": None}, {"type": "text"},
                                    {"type": []}, {"type": ["string", "string"]}, {"required": ["a", "a"]},
                                    {"minLength": -1}, {"minLength": True}, {"pattern": "("}, {"$schema": "x"},
                                    {"deprecated": "no"}, {"enum": "a"}, {"anyOf": []}, {"items": 5}])


@settings(max_examples=500, deadline=None)
@given(schemas, annotation_noise)
def test_certainly_valid_schema_agrees_with_the_metaschema(schema, noise):
    from jsonschema.exceptions import SchemaError

    from tunelint.lint.fastschema import certainly_valid_schema

    candidate = {**schema, **noise} if isinstance(schema, dict) else schema
    if certainly_valid_schema(candidate):
        try:
            Draft202012Validator.check_schema(candidate)
        except SchemaError as exc:  # pragma: no cover - the assertion below reports it
            raise AssertionError(f"called valid, but jsonschema says: {exc.message}") from None


def test_common_tool_schema_is_certainly_valid():
    from tunelint.lint.fastschema import certainly_valid_schema

    assert certainly_valid_schema({"type": "object", "description": "x", "properties": {
        "city": {"type": "string", "description": "City"}, "unit": {"enum": ["c", "f"]},
        "days": {"type": "integer", "minimum": 1}}, "required": ["city"], "additionalProperties": False})
