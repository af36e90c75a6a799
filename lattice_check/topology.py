"""The Lattice topology of an output, typed and built once from the references
(graph.py): VPCs, service networks and how VPCs reach them, services and their
associations, listeners with their rules, target groups with their targets, auth
policies, security-group ingress, RAM shares, and the few other resources a request
passes (Lambda functions, ALBs, Route 53 records, resource configurations).

``curl``, ``matrix`` and ``diagram`` read this, never the raw JSON. Collections are
built on first use and kept, so a reference the checker cannot follow is reported
only when a question needs it.
"""
from __future__ import annotations

from .gateway_controller import Prediction, predict
from .graph import Model
from .kinds import arn_noun  # noqa: F401  (re-exported: the name of a resource's kind)
from .kubernetes import Workloads
from .surroundings import Surroundings


class Topology(Surroundings):
    """The whole topology of an output: what it declares, and what the Gateway API
    controller makes of the clusters' Kubernetes objects (``controller@<cluster>``
    stacks, not in the model), which every hop reads as it reads Terraform's own."""

    def __init__(self, model: Model) -> None:
        super().__init__(model)
        self.workloads = Workloads(self)
        self.predictions: list[Prediction] = predict(self, self.workloads)
        self._predicted = [p.stack for p in self.predictions if p.stack is not None]
