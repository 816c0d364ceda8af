"""voice_in_trunks: SIP or PSTN trunks. Every attribute updates in place; switching the
configuration between SIP and PSTN is refused by the API, so it replaces the trunk: the new trunk
is made while the old one still routes calls (renamed out of the way, as names are unique), and
the old one is deleted once the DIDs and groups point at the new one."""

from didww_iac.resource_types.voice_in_trunks import VOICE_IN_TRUNKS
from didww_iac.resources.provider import DidwwProvider
from didww_iac.resources.serialization import SharedProviderResource

__all__ = ["VOICE_IN_TRUNKS", "VoiceInTrunk", "VoiceInTrunkProvider"]


class VoiceInTrunkProvider(DidwwProvider):
    spec = VOICE_IN_TRUNKS


class VoiceInTrunk(SharedProviderResource, module="didww", name="VoiceInTrunk"):
    pass
