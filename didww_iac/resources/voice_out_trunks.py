"""voice_out_trunks: outbound SIP trunks. Everything updates in place, the authentication method
included. DIDWW generates the SIP username and password of a `credentials_and_ip` trunk and returns
them inside `authentication_method`, so that field is always stored as a secret. The client maps
`authentication_method` to the flat 2022-05-10 attributes when a stack pins that version."""

from didww_iac.resource_types.voice_out_trunks import VOICE_OUT_TRUNKS
from didww_iac.resources.provider import DidwwProvider
from didww_iac.resources.serialization import SharedProviderResource

__all__ = ["VOICE_OUT_TRUNKS", "VoiceOutTrunk", "VoiceOutTrunkProvider"]


class VoiceOutTrunkProvider(DidwwProvider):
    spec = VOICE_OUT_TRUNKS


class VoiceOutTrunk(SharedProviderResource, module="didww", name="VoiceOutTrunk"):
    pass
