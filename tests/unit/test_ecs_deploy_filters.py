"""plugins/filter/ecs_deploy.py: what a deploy was asked to roll out, as one digest (or tag) per service key."""

from __future__ import annotations

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.shipyard.aws.plugins.filter.ecs_deploy import ecs_deploy_digests, ecs_deploy_tags

SERVICES = ["web", "api"]
WEB = "sha256:" + "a" * 64
API = "sha256:" + "b" * 64
URI = "123456789012.dkr.ecr.ap-northeast-1.amazonaws.com/bookmark-manager-staging-api"


@pytest.mark.parametrize(
    "given",
    [
        {"web": WEB, "api": API},
        {"web": {"image_uri": f"{URI}@{WEB}", "digest": WEB, "built": True}, "api": f"{URI}@{API}"},
        f'{{"web": "{WEB}", "api": "{API}"}}',
        f"web={WEB}, api={URI}@{API}",
    ],
    ids=["digests", "ecr_images_digests-entry-and-uri", "json", "key=value"],
)
def test_every_way_of_naming_an_image_gives_its_digest(given):
    assert ecs_deploy_digests(given, SERVICES) == {"web": WEB, "api": API}


def test_nothing_given_is_nothing_to_deploy():
    assert ecs_deploy_digests({}, SERVICES) == {}
    assert ecs_deploy_digests("", SERVICES) == {}
    assert ecs_deploy_digests(None, SERVICES) == {}


def test_a_service_the_environment_does_not_have_is_named():
    with pytest.raises(AnsibleFilterError, match=r"deploy_digests names worker, which is not a service .*\(its services: web, api\)"):
        ecs_deploy_digests({"worker": WEB}, SERVICES, "deploy_digests")


@pytest.mark.parametrize("value", ["1.4.2", "sha256:abc", f"{URI}:1.4.2", {"built": True}])
def test_a_tag_or_a_short_digest_is_not_a_digest_and_the_message_says_what_to_give(value):
    with pytest.raises(AnsibleFilterError, match=r"ecs_deploy_digests\.web is .*not an image digest: give a digest sha256:<64 hex>.*ecs_deploy_tags"):
        ecs_deploy_digests({"web": value}, SERVICES)


@pytest.mark.parametrize("value", ["web", "[1, 2]", "{not json"])
def test_text_that_is_no_mapping_fails_clearly(value):
    with pytest.raises(AnsibleFilterError, match="ecs_deploy_digests"):
        ecs_deploy_digests(value, SERVICES)


def test_a_version_tags_every_service_and_a_tag_per_service_wins():
    assert ecs_deploy_tags({}, SERVICES, "1.4.2") == {"web": "1.4.2", "api": "1.4.2"}
    assert ecs_deploy_tags({"api": "1.4.1"}, SERVICES, "1.4.2") == {"web": "1.4.2", "api": "1.4.1"}
    assert ecs_deploy_tags("api=1.4.1", SERVICES) == {"api": "1.4.1"}
    assert ecs_deploy_tags({}, SERVICES) == {}


@pytest.mark.parametrize("tags, message", [({"api": ".hidden"}, "api='.hidden' is not an image tag"),
                                           ({"db": "1"}, "names db, which is not a service")])
def test_bad_tags_fail_naming_them(tags, message):
    with pytest.raises(AnsibleFilterError, match=message):
        ecs_deploy_tags(tags, SERVICES)
