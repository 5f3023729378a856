"""CloudFront: response headers policies, and distributions read back as CloudFront returns them (see the
package docstring, localenv/extensions/__init__.py)."""

from __future__ import annotations

import uuid


# --- CloudFront: response headers policies, and distributions read back as CloudFront returns them ---------


def patch_cloudfront_response_headers_policies() -> None:
    """The CloudFront gaps in moto 5 that the edge component (aws_cloudfront_distribution with an S3 origin
    behind an origin access control, managed cache policies and an ACM certificate;
    aws_cloudfront_response_headers_policy) runs into:

    * response headers policies (Create/Get/GetConfig/Update/Delete/ListResponseHeadersPolicies) do not
      exist; they are served here, the configuration kept as sent, with ETags as CloudFront uses them;
    * an origin's OriginAccessControlId is dropped, so every plan wanted to set it again: keep it;
    * a cache behaviour that names a cache policy gets default ForwardedValues back, which CloudFront never
      returns for one (the two are exclusive), so every plan wanted to remove them: leave them out;
    * a viewer certificate from ACM or IAM comes back with CloudFrontDefaultCertificate true when the request
      did not say false (the provider leaves the false value out), so every plan wanted to switch it: false;
    * the default certificate comes back with SSLSupportMethod sni-only, which CloudFront only returns for a
      certificate of one's own, so every plan wanted to remove it: leave it out."""
    import datetime

    import moto.cloudfront.urls as cloudfront_urls
    from moto.cloudfront.exceptions import CloudFrontException, InvalidIfMatchVersion
    from moto.cloudfront.models import DefaultCacheBehaviour, Origin, ViewerCertificate
    from moto.cloudfront.responses import CloudFrontResponse
    from moto.core.responses import ActionResult, EmptyResult

    if getattr(CloudFrontResponse, "shipyard_patched", False):
        return

    original_origin_init = Origin.__init__

    def origin_init(self, origin):
        original_origin_init(self, origin)
        self.origin_access_control_id = origin.get("OriginAccessControlId") or ""

    Origin.__init__ = origin_init

    original_behaviour_init = DefaultCacheBehaviour.__init__

    def behaviour_init(self, config):
        original_behaviour_init(self, config)
        if config.get("CachePolicyId") and not config.get("ForwardedValues"):
            self.forwarded_values = None

    DefaultCacheBehaviour.__init__ = behaviour_init  # CacheBehaviour calls it too

    original_certificate_init = ViewerCertificate.__init__

    def certificate_init(self, config):
        original_certificate_init(self, config)
        if "CloudFrontDefaultCertificate" not in config and (
            config.get("ACMCertificateArn") or config.get("IAMCertificateId")
        ):
            self.cloud_front_default_certificate = False
            self.certificate_source = "acm" if config.get("ACMCertificateArn") else "iam"
        if self.cloud_front_default_certificate and not config.get("SSLSupportMethod"):
            self.ssl_support_method = None

    ViewerCertificate.__init__ = certificate_init

    base = "{0}/2020-05-31/response-headers-policy"
    for suffix in ("$", "/(?P<policy_id>[^/]+)$", "/(?P<policy_id>[^/]+)/config$"):
        cloudfront_urls.url_paths[base + suffix] = CloudFrontResponse.dispatch

    def store(response) -> dict:
        if not hasattr(response.backend, "shipyard_response_headers_policies"):
            response.backend.shipyard_response_headers_policies = {}
        return response.backend.shipyard_response_headers_policies

    def find(response) -> dict:
        policy = store(response).get(response._get_param("Id"))
        if policy is None:
            raise CloudFrontException("NoSuchResponseHeadersPolicy", "The response headers policy does not exist.")
        return policy

    def check_if_match(response, policy: dict) -> None:
        if response._get_param("IfMatch") != policy["ETag"]:
            raise InvalidIfMatchVersion()

    def result(policy: dict, with_location: bool = False) -> ActionResult:
        document = {"ResponseHeadersPolicy": policy["ResponseHeadersPolicy"], "ETag": policy["ETag"]}
        if with_location:
            policy_id = policy["ResponseHeadersPolicy"]["Id"]
            document["Location"] = f"https://cloudfront.amazonaws.com/2020-05-31/response-headers-policy/{policy_id}"
        return ActionResult(document)

    def create_response_headers_policy(self):
        config = self._get_param("ResponseHeadersPolicyConfig", {})
        if any(
            p["ResponseHeadersPolicy"]["ResponseHeadersPolicyConfig"]["Name"] == config.get("Name")
            for p in store(self).values()
        ):
            raise CloudFrontException(
                "ResponseHeadersPolicyAlreadyExists", "A response headers policy with this name already exists."
            )
        policy_id = str(uuid.uuid4())
        store(self)[policy_id] = {
            "ResponseHeadersPolicy": {
                "Id": policy_id,
                "LastModifiedTime": datetime.datetime.now(datetime.timezone.utc),
                "ResponseHeadersPolicyConfig": config,
            },
            "ETag": uuid.uuid4().hex[:14].upper(),
        }
        return result(store(self)[policy_id], with_location=True)

    def get_response_headers_policy(self):
        return result(find(self))

    def get_response_headers_policy_config(self):
        policy = find(self)
        return ActionResult(
            {
                "ResponseHeadersPolicyConfig": policy["ResponseHeadersPolicy"]["ResponseHeadersPolicyConfig"],
                "ETag": policy["ETag"],
            }
        )

    def update_response_headers_policy(self):
        policy = find(self)
        check_if_match(self, policy)
        policy["ResponseHeadersPolicy"]["ResponseHeadersPolicyConfig"] = self._get_param(
            "ResponseHeadersPolicyConfig", {}
        )
        policy["ResponseHeadersPolicy"]["LastModifiedTime"] = datetime.datetime.now(datetime.timezone.utc)
        policy["ETag"] = uuid.uuid4().hex[:14].upper()
        return result(policy)

    def delete_response_headers_policy(self):
        policy = find(self)
        check_if_match(self, policy)
        del store(self)[policy["ResponseHeadersPolicy"]["Id"]]
        return EmptyResult()

    def list_response_headers_policies(self):
        policies = [p["ResponseHeadersPolicy"] for p in store(self).values()]
        if self._get_param("Type") == "managed":
            policies = []
        return ActionResult(
            {
                "ResponseHeadersPolicyList": {
                    "MaxItems": 100,
                    "Quantity": len(policies),
                    "Items": [{"Type": "custom", "ResponseHeadersPolicy": p} for p in policies] or None,
                }
            }
        )

    for function in (
        create_response_headers_policy,
        get_response_headers_policy,
        get_response_headers_policy_config,
        update_response_headers_policy,
        delete_response_headers_policy,
        list_response_headers_policies,
    ):
        setattr(CloudFrontResponse, function.__name__, function)
    CloudFrontResponse.shipyard_patched = True
