"""What the three document-carrying types share: the files an entry declares.

A document is a file beside the stack file. The program reads it and puts its path and SHA-256
into the `files` property (never its content); the provider encrypts and uploads it when it makes
the resource. DIDWW copies uploaded files onto the proof and never shows them again, so the
digest is what a preview compares: a new scan makes a new resource.
"""

from didww_iac.resources.spec import FieldSpec


def document_field(name: str) -> FieldSpec:
    # local: never sent as an attribute (the provider uploads the files and sends their ids).
    return FieldSpec(name, local=True, replace_on_change=True)
