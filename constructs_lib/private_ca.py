"""An AWS Private CA root, activated in Terraform, and ACM certificates it signs.

No private key ever appears in the configuration or the state: the CA's key stays
in AWS Private CA, each certificate's key in ACM. The root signs itself through the
CA's own certificate signing request (the RootCACertificate/V1 template)."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional, Sequence

from . import aws
from .cdk import Construct, ITerraformDependable, TerraformResourceLifecycle
from .ram import RamShare, RamShareProps

KEY_ALGORITHM = "RSA_2048"  # what ACM issues and what VPC Lattice custom domains accept
SIGNING_ALGORITHM = "SHA256WITHRSA"
ROOT_VALIDITY_YEARS = 10  # longer than any certificate ACM asks for (395 days), renewals included


@dataclass(frozen=True)
class RootCertificateAuthorityProps:
    common_name: str  # the root's subject, e.g. the private domain it serves
    share_with: Sequence[str] = field(default_factory=tuple)  # accounts whose ACM may request certificates from it
    organization: Optional[str] = None  # the subject's O


class RootCertificateAuthority(Construct):
    """A general-purpose root CA (ACM cannot issue from a short-lived-certificate CA),
    its self-signed certificate installed, ACM of this account allowed to renew what
    it issued, and a RAM share for the accounts that request certificates from it."""

    def __init__(self, scope: Construct, id: str, props: RootCertificateAuthorityProps) -> None:
        super().__init__(scope, id)
        ca = aws.acmpca_certificate_authority.AcmpcaCertificateAuthority(
            self,
            "authority",
            type="ROOT",
            usage_mode="GENERAL_PURPOSE",
            permanent_deletion_time_in_days=7,
            certificate_authority_configuration=aws.acmpca_certificate_authority.AcmpcaCertificateAuthorityCertificateAuthorityConfiguration(
                key_algorithm=KEY_ALGORITHM,
                signing_algorithm=SIGNING_ALGORITHM,
                subject=aws.acmpca_certificate_authority.AcmpcaCertificateAuthorityCertificateAuthorityConfigurationSubject(
                    common_name=props.common_name, organization=props.organization
                ),
            ),
        )
        self.arn: str = ca.arn
        root = aws.acmpca_certificate.AcmpcaCertificate(
            self,
            "root-certificate",
            certificate_authority_arn=self.arn,
            certificate_signing_request=ca.certificate_signing_request,
            signing_algorithm=SIGNING_ALGORITHM,
            template_arn="arn:aws:acm-pca:::template/RootCACertificate/V1",
            validity=aws.acmpca_certificate.AcmpcaCertificateValidity(type="YEARS", value=str(ROOT_VALIDITY_YEARS)),
        )
        self.activation = aws.acmpca_certificate_authority_certificate.AcmpcaCertificateAuthorityCertificate(
            self, "activation", certificate_authority_arn=self.arn, certificate=root.certificate
        )
        aws.acmpca_permission.AcmpcaPermission(
            self,
            "acm-renews",
            certificate_authority_arn=self.arn,
            principal="acm.amazonaws.com",
            actions=["IssueCertificate", "GetCertificate", "ListPermissions"],
        )
        self.share_arn: str | None = None
        if props.share_with:
            share = RamShare(
                self,
                "share",
                RamShareProps(name=f"{props.common_name} certificate authority", principals=props.share_with, resources={"certificate-authority": self.arn}),
            )
            self.share_arn = share.arn


class PrivateCertificate(Construct):
    """An ACM certificate for ``domain_names`` (each name it serves, ``*.<domain>`` for one level below),
    signed by the private CA ``authority_arn`` (this account's, or one shared with it
    by RAM: ``depends_on`` its accepter). A replacement is created before the old one
    is destroyed, so whatever uses it never goes without."""

    def __init__(
        self, scope: Construct, id: str, *, domain_names: Sequence[str], authority_arn: str, depends_on: Sequence[ITerraformDependable] = ()
    ) -> None:
        super().__init__(scope, id)
        if not domain_names:
            raise ValueError(f"{self.node.path}: domain_names: a certificate names at least one domain")
        self.resource = aws.acm_certificate.AcmCertificate(
            self,
            "certificate",
            domain_name=domain_names[0],
            subject_alternative_names=list(domain_names[1:]) or None,
            certificate_authority_arn=authority_arn,
            key_algorithm=KEY_ALGORITHM,
            lifecycle=TerraformResourceLifecycle(create_before_destroy=True),
            depends_on=list(depends_on) or None,
        )
        self.arn: str = self.resource.arn
