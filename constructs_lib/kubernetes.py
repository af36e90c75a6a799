"""Kubernetes objects and Helm releases as plain Terraform for an EKS cluster
(``hashicorp/kubernetes``, ``hashicorp/helm``, ``hashicorp/http``), written through
cdktf's generic resources: no provider bindings are loaded at synth, and the
Terraform reads as if written by hand.

``kubernetes_manifest`` needs an object's CRD at plan time, so CRDs and the objects
of their kinds go to different stacks, applied one after the other."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping, Sequence

from pins import version

from .documents.json_document import json_document
from .runtime import aws
from .runtime.cdk import Construct, Fn, TerraformDataSource, TerraformResource, TerraformStack, add_postconditions


@dataclass(frozen=True)
class ProviderPin:
    source: str
    version: str


KUBERNETES = ProviderPin("hashicorp/kubernetes", version("hashicorp-kubernetes"))  # pins/ledger.toml
HELM = ProviderPin("hashicorp/helm", version("hashicorp-helm"))
HTTP = ProviderPin("hashicorp/http", version("hashicorp-http"))


def connect_to_eks(stack: TerraformStack, cluster_name: str, *, helm: bool = False) -> None:
    """Configure the ``kubernetes`` (and ``helm``) providers of ``stack`` for the EKS
    cluster ``cluster_name``: its endpoint and CA from the AWS provider, a token
    from ``aws_eks_cluster_auth`` (short-lived, read at each plan)."""
    cluster = aws.data_aws_eks_cluster.DataAwsEksCluster(stack, "eks-cluster", name=cluster_name)
    auth = aws.data_aws_eks_cluster_auth.DataAwsEksClusterAuth(stack, "eks-auth", name=cluster_name)
    connection = {
        "host": cluster.endpoint,
        "cluster_ca_certificate": Fn.base64decode(cluster.certificate_authority.get(0).data),
        "token": auth.token,
    }
    pins = {"kubernetes": KUBERNETES, "http": HTTP, **({"helm": HELM} if helm else {})}
    for name, pin in pins.items():
        stack.add_override(f"terraform.required_providers.{name}", {"source": pin.source, "version": pin.version})
    stack.add_override("provider.kubernetes", [connection])
    if helm:
        stack.add_override("provider.helm", [{"kubernetes": connection}])


def kubernetes_manifest(scope: Construct, id: str, *, manifest: Mapping[str, Any], depends_on: Sequence[Any] = ()) -> TerraformResource:
    """One Kubernetes object (``kubernetes_manifest``) named ``id`` in ``scope``."""
    resource = TerraformResource(scope, id, terraform_resource_type="kubernetes_manifest", depends_on=list(depends_on) or None)
    resource.add_override("manifest", dict(manifest))
    return resource


class ManifestsFromUrl(Construct):
    """Every object of a multi-document YAML file published at ``url`` (a release's
    CRDs, say), one ``kubernetes_manifest`` each, keyed by kind and name."""

    def __init__(self, scope: Construct, id: str, *, url: str) -> None:
        super().__init__(scope, id)
        source = TerraformDataSource(self, "source", terraform_resource_type="http")
        source.add_override("url", url)
        # hashicorp/http 3.x does not fail on an error status: a 404 would reach yamldecode
        add_postconditions(source, [("${self.status_code == 200}", f"{url} answered ${{self.status_code}}, not 200: the release file is missing or unreachable")])
        self.resource = TerraformResource(self, "manifests", terraform_resource_type="kubernetes_manifest")
        body = f"data.http.{_name_of(source)}.response_body"
        # Documents split at "---" lines and decoded by yamldecode, skipping those that
        # hold only comments; not the provider function manifest_decode_multi, which
        # cdktf writes as invalid HCL (synth --hcl) and which needs Terraform 1.8.
        content = 'trimspace(replace(part, "/(?m)^ *#.*$/", "")) != ""'
        documents = f'[for part in split("\\n---", {body}) : yamldecode(part) if {content}]'
        self.resource.add_override("for_each", "${{ for m in " + documents + ' : "${m.kind}/${m.metadata.name}" => m }}')
        self.resource.add_override("manifest", "${each.value}")


def helm_release(
    scope: Construct,
    id: str,
    *,
    name: str,
    repository: str,
    chart: str,
    version: str,
    namespace: str,
    values: Mapping[str, Any],
    depends_on: Sequence[Any] = (),
) -> TerraformResource:
    """A chart from a (for example OCI) registry, pinned, its namespace created,
    ``values`` as one JSON document (JSON is YAML: what the chart reads)."""
    resource = TerraformResource(scope, id, terraform_resource_type="helm_release", depends_on=list(depends_on) or None)
    body: dict[str, Any] = {
        "name": name,
        "repository": repository,
        "chart": chart,
        "version": version,
        "namespace": namespace,
        "create_namespace": True,
        "wait": True,
        "values": [json_document(dict(values))],
    }
    for key, value in body.items():
        resource.add_override(key, value)
    return resource


def _name_of(element: Any) -> str:
    """The Terraform name of ``element`` (its readable id in a ReadableIdsStack)."""
    stack = TerraformStack.of(element)
    return str(stack.get_logical_id(element))
