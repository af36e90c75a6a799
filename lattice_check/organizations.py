"""Which AWS Organization each account belongs to, as the user declares it.

Terraform rarely states membership in a form known before apply (an
``aws_organizations_organization`` data source answers at plan time), so the layout
is given to the checker: ``--org o-abc123defg:111111111111,222222222222`` (repeatable)
or a matrix file's ``organizations``. With a layout declared, ``aws:PrincipalOrgID``
and RAM shares inside an organization are decided; without one they are assumed, and
the answer says so.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Mapping, Optional, Sequence

ORG_ID = re.compile(r"o-[a-z0-9]{10,32}", re.ASCII)  # matched whole (fullmatch)
ACCOUNT_ID = re.compile(r"\d{12}", re.ASCII)


class BadLayout(ValueError):
    """An organization layout that cannot be right; ``str()`` names the value and the rule."""


@dataclass(frozen=True)
class Organizations:
    members: Mapping[str, str] = field(default_factory=dict)  # account -> organization id

    @property
    def declared(self) -> bool:
        return bool(self.members)

    def of(self, account: Optional[str]) -> Optional[str]:
        """The organization of ``account``; None when it is in none (or none is declared)."""
        return self.members.get(account) if account else None

    @classmethod
    def from_mapping(cls, layout: Mapping[str, Sequence[str]], where: str = "organizations") -> "Organizations":
        """``{organization id: [account, ...]}``; an account may be in one organization only."""
        members: dict[str, str] = {}
        for org_id, accounts in layout.items():
            if not ORG_ID.fullmatch(org_id):
                raise BadLayout(f"{where}: {org_id!r} is not an organization id (o- and 10-32 lowercase letters or digits)")
            for account in accounts:
                if not ACCOUNT_ID.fullmatch(str(account)):
                    raise BadLayout(f"{where}: {org_id}: {account!r} is not an account id (12 digits)")
                if members.get(str(account), org_id) != org_id:
                    raise BadLayout(f"{where}: account {account} is in {members[str(account)]} and {org_id}: an account belongs to one organization")
                members[str(account)] = org_id
        return cls(members)

    @classmethod
    def parse(cls, specs: Sequence[str]) -> "Organizations":
        """``--org ORG_ID:ACCOUNT[,ACCOUNT...]`` options."""
        layout: dict[str, list[str]] = {}
        for spec in specs:
            org_id, colon, accounts = spec.partition(":")
            if not colon or not accounts:
                raise BadLayout(f"--org {spec!r}: expected ORG_ID:ACCOUNT[,ACCOUNT...], such as o-abc123defg:111111111111,222222222222")
            layout.setdefault(org_id.strip(), []).extend(a.strip() for a in accounts.split(","))
        return cls.from_mapping(layout, "--org")
