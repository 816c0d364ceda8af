"""The JSON Schema of stack files, generated from the stack's pydantic models, for editors.

The package ships it as `stack.schema.json` beside this module (a test keeps the file equal to
what the models generate: `didww-iac schema > didww_iac/stack/stack.schema.json` after a schema
change). Every stack file names it in a `yaml-language-server` modeline, so editors with the YAML
language server complete keys and flag a misspelt one. The schema says what the models say
field by field; rules across fields (exactly one of `sip:` or `pstn:`, references by logical
name) are `didww-iac validate`'s.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from didww_iac.stack.schema import Stack

SHIPPED = Path(__file__).with_name("stack.schema.json")
DIALECT = "https://json-schema.org/draft/2020-12/schema"
# Written at the top of a stack file; the path is relative to that file.
MODELINE_PREFIX = "# yaml-language-server: $schema="


def stack_schema() -> dict[str, Any]:
    schema = Stack.model_json_schema()
    for section in schema.get("properties", {}).values():
        if "patternProperties" in section:
            # A logical name that breaks the pattern is an error, not an unchecked entry.
            section["additionalProperties"] = False
    return {"$schema": DIALECT, "title": "didww-iac stack file (stacks/<env>.yaml)", **schema}


def rendered() -> str:
    return json.dumps(stack_schema(), indent=2) + "\n"
