from __future__ import annotations

from didww_api_fixtures import (
    DID_ID,
    GROUP_ID,
    POOL_ID,
    SCG_ID,
    TRUNK_ID,
    capacity_pool,
    collection,
    did,
    single,
    sip_trunk,
    trunk_group,
)

from didww_iac.api import (
    Ref,
    Resource,
    available_did_order_item,
    capacity_order_item,
    did_order_item,
    nanpa_order_item,
    pstn_configuration,
    reservation_order_item,
    sip_configuration,
)
from didww_iac.api.documents import parse_document, resource_document

V = "2026-04-16"


def test_single_resource_with_relationship_kinds() -> None:
    doc = parse_document(single(did(V), V))
    r = doc.data
    assert isinstance(r, Resource)
    assert r.ref == Ref("dids", DID_ID)
    assert r.attributes["number"] == "441234567890"
    assert r.relationships["voice_in_trunk"] == Ref("voice_in_trunks", TRUNK_ID)
    assert r.relationships["voice_in_trunk_group"] is None
    assert r.relationships["capacity_pool"] is None  # links only
    assert r.loaded_relationships == {"voice_in_trunk", "voice_in_trunk_group", "shared_capacity_group"}
    assert doc.meta == {"api_version": V}


def test_links_only_to_many_is_an_empty_list() -> None:
    r = parse_document(single(capacity_pool(V), V)).data
    assert isinstance(r, Resource)
    assert r.relationships["countries"] == []
    assert r.related("countries") == []
    assert "countries" not in r.loaded_relationships


def test_related_resolves_included_both_ways() -> None:
    group = trunk_group(V)
    doc = parse_document(collection([sip_trunk(V)], V, included=[group]))
    assert isinstance(doc.data, list)
    trunk = doc.data[0]
    g = trunk.related("voice_in_trunk_group")
    assert isinstance(g, Resource) and g.id == GROUP_ID
    members = g.related("voice_in_trunks")
    assert isinstance(members, list) and [m.id for m in members] == [TRUNK_ID]  # primary data is indexed too
    assert trunk.related("pop") is None
    assert doc.meta["total_records"] == 1


def test_related_skips_identifiers_that_were_not_included() -> None:
    r = parse_document(single(did(V), V)).data
    assert isinstance(r, Resource)
    assert r.related("shared_capacity_group") is None
    assert r.relationships["shared_capacity_group"] == Ref("shared_capacity_groups", SCG_ID)


def test_empty_and_missing_data() -> None:
    assert parse_document({"data": [], "meta": {}}).data == []
    assert parse_document({"meta": {"api_version": V}}).data is None


def test_request_documents_clear_relationships() -> None:
    doc = resource_document(
        "voice_in_trunk_groups",
        {"name": "g"},
        {"voice_in_trunks": [Ref("voice_in_trunks", "t1")], "other": None, "none": []},
        id_="g1",
    )
    assert doc == {
        "data": {
            "type": "voice_in_trunk_groups",
            "id": "g1",
            "attributes": {"name": "g"},
            "relationships": {
                "voice_in_trunks": {"data": [{"type": "voice_in_trunks", "id": "t1"}]},
                "other": {"data": None},
                "none": {"data": []},
            },
        }
    }
    assert resource_document("dids", None, None, id_="d") == {"data": {"type": "dids", "id": "d"}}


def test_resource_equality_ignores_the_included_index() -> None:
    a = parse_document(single(did(V), V)).data
    b = parse_document(collection([did(V)], V, included=[trunk_group(V)])).data
    assert isinstance(b, list)
    assert a == b[0]


def test_nested_helpers() -> None:
    assert sip_configuration(host="h", port=5060) == {
        "type": "sip_configurations",
        "attributes": {"host": "h", "port": 5060},
    }
    assert pstn_configuration("4412") == {"type": "pstn_configurations", "attributes": {"dst": "4412"}}
    assert did_order_item("sku", 3, billing_cycles_count=1)["attributes"] == {
        "billing_cycles_count": 1,
        "sku_id": "sku",
        "qty": 3,
    }
    assert available_did_order_item("sku", "ad")["attributes"] == {"sku_id": "sku", "available_did_id": "ad"}
    assert reservation_order_item("sku", "r")["attributes"] == {"sku_id": "sku", "did_reservation_id": "r"}
    assert nanpa_order_item("sku", "np")["attributes"] == {"sku_id": "sku", "nanpa_prefix_id": "np", "qty": 1}
    assert capacity_order_item(POOL_ID, 2) == {
        "type": "capacity_order_items",
        "attributes": {"capacity_pool_id": POOL_ID, "qty": 2},
    }
