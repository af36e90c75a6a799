"""What an output declares around its Lattice resources that a request depends on:
EKS clusters, Route 53 records, resource configurations, IAM identities and their
policies, and RAM shares."""
from __future__ import annotations

import json
from functools import cached_property
from typing import Any

from .declared import Declared
from .graph import Stack, Unresolved
from .kinds import EksCluster, Element, IamIdentity, IamPolicy, Share
from .managed_policies import AWS_MANAGED
from .tfjson import block, blocks


class Surroundings(Declared):
    """A ``Declared`` with the identities, shares, clusters and records of the output."""

    @cached_property
    def eks_clusters(self) -> list[EksCluster]:
        kind = "aws_eks_cluster"
        found = []
        for element in self._elements(kind):
            subnets = self._resolve(block(element.body.get("vpc_config")).get("subnet_ids") or [], element)
            vpcs = sorted({self.subnet(element.stack, str(s))[0] for s in subnets} - {""})
            found.append(
                EksCluster(
                    element, str(self._resolve(element.body["name"], element)), str(self._attribute(element, kind, "arn")),
                    vpcs[0] if vpcs else "", str(self._attribute(element, kind, "vpc_config[0].cluster_security_group_id")),
                )
            )
        return found

    # --- names outside Lattice ------------------------------------------------------------------------

    @cached_property
    def route53_records(self) -> list[tuple[Element, str, list[str]]]:
        """(record, its name without the trailing dot, where it points: alias names and records)."""
        found = []
        for element in self._elements("aws_route53_record"):
            name = str(self._resolve(element.body.get("name"), element)).rstrip(".")
            targets = [self._resolve(a.get("name"), element) for a in blocks(element.body.get("alias"))]
            targets += list(self._resolve(element.body.get("records") or [], element))
            found.append((element, name, targets))
        return found

    @cached_property
    def resource_configurations(self) -> list[tuple[Element, set[str]]]:
        """Each resource configuration and the names it answers to."""
        found = []
        for element in self._elements("aws_vpclattice_resource_configuration"):
            definition = block(element.body.get("resource_configuration_definition"))
            names = {element.body.get("name"), element.body.get("custom_domain_name"), block(definition.get("dns_resource")).get("domain_name")}
            found.append((element, {n for n in names if n}))
        return found

    # --- IAM identities -------------------------------------------------------------------------------

    @cached_property
    def iam_identities(self) -> list[IamIdentity]:
        """Every IAM role and user of the output that has a fixed name (a generated name
        cannot be matched to a caller's ARN)."""
        found = []
        for kind, noun in (("aws_iam_role", "role"), ("aws_iam_user", "user")):
            for element in self._elements(kind):
                if "name" not in element.body:
                    continue
                name = str(self._resolve(element.body["name"], element))
                policies = [
                    self._iam_policy(element, f"inline policy {p.get('name', '?')} of {kind}.{element.name}", p.get("policy"))
                    for p in blocks(element.body.get("inline_policy"))
                    if p.get("policy")
                ]
                policies += [self._iam_policy_by_arn(element, arn) for arn in self._resolve(element.body.get("managed_policy_arns") or [], element)]
                policies += self._attached_policies(element, noun, name)
                boundary = element.body.get("permissions_boundary")
                tags = {**element.stack.default_tags(element.body), **(element.body.get("tags") or {})}
                found.append(
                    IamIdentity(
                        element, noun, name, str(self._attribute(element, kind, "arn")), tuple(policies),
                        self._iam_policy_by_arn(element, self._resolve(boundary, element)) if boundary else None,
                        tuple(sorted((str(k), str(v)) for k, v in self._resolve(tags, element).items())),
                    )
                )
        return found

    def _attached_policies(self, identity: Element, noun: str, name: str) -> list[IamPolicy]:
        """Policies attached to the role or user ``name`` by separate resources of its stack."""
        stack = identity.stack
        found = []
        for element in self._elements(f"aws_iam_{noun}_policy", stack):
            if self._resolve(element.body.get(noun), element) == name:
                found.append(self._iam_policy(element, f"aws_iam_{noun}_policy.{element.name}", element.body.get("policy")))
        for element in self._elements(f"aws_iam_{noun}_policy_attachment", stack):
            if self._resolve(element.body.get(noun), element) == name:
                found.append(self._iam_policy_by_arn(element, self._resolve(element.body["policy_arn"], element)))
        for element in self._elements("aws_iam_policy_attachment", stack):
            if name in self._resolve(element.body.get(f"{noun}s") or [], element):
                found.append(self._iam_policy_by_arn(element, self._resolve(element.body["policy_arn"], element)))
        if noun == "user":
            for kind, key in (("aws_iam_user_group_membership", "user"), ("aws_iam_group_membership", "users")):
                for element in self._elements(kind, stack):
                    members = self._resolve(element.body.get(key), element)
                    if name == members or (isinstance(members, list) and name in members):
                        found.append(IamPolicy(f"the policies of the groups of {kind}.{element.name} (groups are not modeled)", None))
        return found

    def _iam_policy_by_arn(self, where: Element, arn: str) -> IamPolicy:
        """A managed policy named by ARN: a customer-managed one of the output (same
        account), an AWS managed one the checker knows, or neither (no document)."""
        for element in self._elements("aws_iam_policy"):
            if element.account == where.account and self._attribute(element, "aws_iam_policy", "arn") == arn:
                return self._iam_policy(element, f"aws_iam_policy.{element.name} ({arn})", element.body.get("policy"))
        if arn in AWS_MANAGED:
            return IamPolicy(f"AWS managed policy {arn}", AWS_MANAGED[arn])
        return IamPolicy(f"policy {arn} (not in this output)", None)

    def _iam_policy(self, element: Element, label: str, policy: Any) -> IamPolicy:
        try:
            document = self._resolve(policy, element)
            parsed = json.loads(document) if isinstance(document, str) else document
        except (Unresolved, ValueError) as unreadable:
            return IamPolicy(f"{label} (its document cannot be read: {unreadable})", None)
        return IamPolicy(label, parsed if isinstance(parsed, dict) else None)

    # --- RAM ------------------------------------------------------------------------------------------

    @cached_property
    def shares(self) -> list[Share]:
        """Every RAM resource share in the output, with its resources, principals and acceptors."""
        found: list[Share] = []
        for element in self._elements("aws_ram_resource_share"):
            arn = self._attribute(element, "aws_ram_resource_share", "arn")
            found.append(
                Share(
                    stack=element.stack,
                    name=element.body.get("name", element.name),
                    arn=arn,
                    resources=sorted(self._share_members(element.stack, "aws_ram_resource_association", arn, "resource_arn")),
                    principals=sorted(self._share_members(element.stack, "aws_ram_principal_association", arn, "principal")),
                    accepted_in=sorted(
                        (accepter.stack.name, accepter.account)
                        for accepter in self._elements("aws_ram_resource_share_accepter")
                        if self._resolve(accepter.body["share_arn"], accepter) == arn
                    ),
                    external=bool(element.body.get("allow_external_principals", False)),  # the provider default
                )
            )
        return found

    def _share_members(self, stack: Stack, kind: str, share_arn: str, wanted: str) -> set[str]:
        return {
            str(self._resolve(e.body[wanted], e))
            for e in self._elements(kind, stack)
            if self._resolve(e.body["resource_share_arn"], e) == share_arn
        }


