"""voice_out_trunks: outbound SIP trunks. Everything updates in place, the authentication method
included. DIDWW generates the SIP username and password of a `credentials_and_ip` trunk and returns
them inside `authentication_method`, so that field is always stored as a secret. The client maps
`authentication_method` to the flat 2022-05-10 attributes when a stack pins that version.

A changed `credentials_rotation` asks DIDWW for new credentials (after any other change of the
same update), and the new ones are read back into the secret output."""

from __future__ import annotations

import logging
from typing import Any

from pulumi.dynamic import UpdateResult

from didww_iac.api import Ref
from didww_iac.resource_types.voice_out_trunks import VOICE_OUT_TRUNKS
from didww_iac.resources.provider import DidwwProvider
from didww_iac.resources.serialization import SharedProviderResource

__all__ = ["VOICE_OUT_TRUNKS", "VoiceOutTrunk", "VoiceOutTrunkProvider"]

log = logging.getLogger(__name__)

ROTATION = "credentials_rotation"
REGENERATE = "voice_out_trunk_regenerate_credentials"


class VoiceOutTrunkProvider(DidwwProvider):
    spec = VOICE_OUT_TRUNKS

    def _update(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        result = super()._update(id_, olds, news)
        wanted = news.get(ROTATION)
        if wanted is None or wanted == olds.get(ROTATION):
            return result
        self.client.create(REGENERATE, relationships={"voice_out_trunk": Ref(self.spec.api_type, id_)})
        log.warning("voice_out_trunks %s: DIDWW generated new SIP credentials (rotation %r)", id_, wanted)
        trunk = self._get(id_)
        self.index.put(trunk)
        return UpdateResult(self._outputs(trunk, news))


class VoiceOutTrunk(SharedProviderResource, module="didww", name="VoiceOutTrunk"):
    pass
