"""Building blocks every model of the stack file shares."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

LogicalName = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9_-]{0,62}$")]
Priority = Annotated[int, Field(ge=0, le=65535)]
ExternalReferenceId = Annotated[str, StringConstraints(max_length=100)]
CountryCode = Annotated[str, StringConstraints(pattern=r"^[A-Z]{2}$")]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)
