import ipaddress

import pytest

from lattice_model.subnet_plan import SubnetPlanError, plan_subnets


def test_tiers_are_carved_in_the_order_written() -> None:
    plan = plan_subnets("10.0.0.0/24", {"workload": 28, "endpoints": 28}, 2)
    assert [(p.tier, p.az_index, p.cidr) for p in plan] == [
        ("workload", 0, "10.0.0.0/28"),
        ("workload", 1, "10.0.0.16/28"),
        ("endpoints", 0, "10.0.0.32/28"),
        ("endpoints", 1, "10.0.0.48/28"),
    ]


def test_consumer_vpcs_get_the_originals_addresses() -> None:
    """The original's VPC module (aws-ia/vpc 4.3.0) carves its subnets map in key
    order, as Terraform iterates maps: endpoints first, then workload."""
    from lattice_model.fields import VpcConfig

    plan = VpcConfig().layout.subnets()
    assert [(p.tier, p.az_index, p.cidr) for p in plan] == [
        ("endpoints", 0, "10.0.0.0/28"),
        ("endpoints", 1, "10.0.0.16/28"),
        ("workload", 0, "10.0.0.32/28"),
        ("workload", 1, "10.0.0.48/28"),
    ]


def test_mixed_sizes_are_aligned_and_never_overlap() -> None:
    plan = plan_subnets("10.1.0.0/16", {"small": 28, "big": 20}, 3)
    networks = [ipaddress.IPv4Network(p.cidr) for p in plan]
    assert all(n.subnet_of(ipaddress.IPv4Network("10.1.0.0/16")) for n in networks)
    assert not any(a.overlaps(b) for i, a in enumerate(networks) for b in networks[i + 1 :])
    assert plan[3].cidr == "10.1.16.0/20"  # aligned to its own size after the /28s


def test_exact_fit_is_accepted_and_one_more_is_refused() -> None:
    assert len(plan_subnets("10.0.0.0/26", {"a": 28, "b": 28}, 2)) == 4
    with pytest.raises(SubnetPlanError, match="2 AZs x tiers a /28, b /27 need 96 addresses but 10.0.0.0/26 has 64"):
        plan_subnets("10.0.0.0/26", {"a": 28, "b": 27}, 2)
