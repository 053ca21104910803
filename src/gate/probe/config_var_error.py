"""A config var that does not parse: which variable, which field and type, and a made-up
example of a working value (never the value given)."""

import json

from .provenance import declared_fields

EXAMPLES = {
    "list": ("a JSON list", ["example.com"]),
    "set": ("a JSON list", ["example.com"]),
    "tuple": ("a JSON list", ["example.com"]),
    "dict": ("a JSON object", {"name": "value"}),
    "bool": ("true or false", True),
    "int": ("a whole number", 3600),
    "float": ("a number", 1.5),
}


def config_var_error(error, initial_names):
    """When the settings failed because a settings model could not parse a config var: the
    variable, the field and its type, and a made-up value of that type (never the value).
    The frames belong to the app and its libraries: anything they raise means "not known"."""
    try:
        return parse_failure_in(error, initial_names)
    except Exception:  # noqa: BLE001 - e.g. Django's lazy settings raise on any attribute
        return None


def parse_failure_in(error, initial_names):
    seen = set()
    while error is not None and id(error) not in seen:
        seen.add(id(error))
        tb = error.__traceback__
        while tb is not None:
            found = parse_failure(tb.tb_frame.f_locals, initial_names)
            if found is not None:
                return found
            tb = tb.tb_next
        error = error.__cause__ or error.__context__
    return None


def parse_failure(frame_locals, initial_names):
    field = frame_locals.get("field")
    field_name = frame_locals.get("field_name")
    source = frame_locals.get("self")
    settings_class = getattr(source, "settings_cls", None)
    if (
        not isinstance(field_name, str)
        or settings_class is None
        or not hasattr(field, "annotation")
    ):
        return None
    owner = settings_class.__new__(settings_class)
    declared = (declared_fields(owner) or {}).get(field_name)
    if declared is None:
        return None
    name, _naming, case_sensitive = declared
    if not case_sensitive:
        name = next((env for env in initial_names if env.upper() == name), name)
    if name not in initial_names:
        return None  # the value came from elsewhere (an env file, a default)
    annotation = field.annotation
    origin = getattr(annotation, "__origin__", annotation)
    kind = getattr(origin, "__name__", "")
    expects, example = EXAMPLES.get(kind, (None, None))
    if expects is None:
        return None
    shown_type = (
        getattr(annotation, "__name__", None)
        if not hasattr(annotation, "__origin__")
        else None
    )
    return {
        "name": name,
        "field": f"{settings_class.__name__}.{field_name}",
        "field_type": shown_type or str(annotation).replace("typing.", ""),
        "expects": expects,
        "example": json.dumps(example)
        if kind in ("list", "set", "tuple", "dict")
        else json_text(example),
    }


def json_text(value):
    return json.dumps(value) if not isinstance(value, str) else value
