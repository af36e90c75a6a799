"""An AWS Private CA root, activated in Terraform, and ACM certificates it signs.

No private key ever appears in the configuration or the state: the CA's key stays
in AWS Private CA, each certificate's key in ACM. The root signs itself through the
CA's own certificate signing request (the RootCACertificate/V1 template)."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional, Sequence

from .ram import RamShare, RamShareProps
from .runtime import aws
from .runtime.cdk import Construct, ITerraformDependable, TerraformResourceLifecycle

# A certificate's own key: ACM issues RSA_2048, EC_prime256v1 or EC_secp384r1 from a
# private CA, and VPC Lattice takes only 2048-bit RSA keys (VPC Lattice user guide,
# "bring your own certificate"; ACM RequestCertificate KeyAlgorithm).
CERTIFICATE_KEY_ALGORITHM = "RSA_2048"
# The root's own key and signature: a choice of the pattern (the CA's key never signs
# traffic, only certificates), RSA with a signing algorithm of the same family.
KEY_ALGORITHM = "RSA_2048"
SIGNING_ALGORITHM = "SHA256WITHRSA"
ROOT_VALIDITY_YEARS = 10  # longer than any certificate ACM asks for (395 days), renewals included


@dataclass(frozen=True)
class RootCertificateAuthorityProps:
    common_name: str  # the root's subject, e.g. the private domain it serves
    share_with: Sequence[str] = field(default_factory=tuple)  # accounts whose ACM may request certificates from it
    organization: Optional[str] = None  # the subject's O
    key_algorithm: str = KEY_ALGORITHM  # the root's key (RSA_2048, RSA_4096, ...)
    signing_algorithm: str = SIGNING_ALGORITHM  # what it signs with (SHA256WITHRSA, SHA512WITHRSA, ...): the key's family


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
                key_algorithm=props.key_algorithm,
                signing_algorithm=props.signing_algorithm,
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
            signing_algorithm=props.signing_algorithm,
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
            key_algorithm=CERTIFICATE_KEY_ALGORITHM,
            lifecycle=TerraformResourceLifecycle(create_before_destroy=True),
            depends_on=list(depends_on) or None,
        )
        self.arn: str = self.resource.arn
