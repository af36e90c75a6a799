"""Hop 6, targets: what the target group an action forwards to answers. A Lambda
target runs the function's own packaged code with the event VPC Lattice sends (V1
or V2, docs/lattice-rules.md section 6); an ALB target follows the load balancer's
listener to its Lambda and sends the ALB's event; IP and INSTANCE targets are
reported as not modeled (what a host answers is not in the Terraform); the pods a
Gateway API controller registers are checked up to the pod (gateway_controller.py).

Functions run as functions.py says: their own code, against the DynamoDB stand-in."""
from __future__ import annotations

import base64
import binascii
import json
import time
from dataclasses import dataclass
from typing import Any, Optional

from .alb import AlbRequest, fill_location, listener_action
from .callers import caller
from .dynamodb import Tables
from .functions import invoke, invoke_permission
from .gateway_controller import registration
from .graph import Stack
from .kinds import TargetGroup
from .resolution import LINK_LOCAL, Client
from .routing import HttpCall
from .security_groups import from_lattice
from .tfjson import blocks
from .topology import Topology

# The service principals that invoke a target function, each with its own permission.
LATTICE_PRINCIPAL = "vpc-lattice.amazonaws.com"
ALB_PRINCIPAL = "elasticloadbalancing.amazonaws.com"

# The content types an ALB passes to a Lambda as text; any other body is base64-encoded.
_ALB_TEXT_TYPES = ("application/json", "application/javascript", "application/xml")

# The caller identity headers VPC Lattice strips from every request and sets itself.
LATTICE_SETS = ("x-amzn-lattice-identity", "x-amzn-lattice-network", "x-amzn-lattice-target")

# (status or None when not modeled, body, how the answer was found)
TargetAnswer = tuple[Optional[int], str, str]


@dataclass(frozen=True)
class TargetCall:
    """The request as it reaches the target, and where it came from."""

    topology: Topology
    stack: Stack  # the service's stack, where its target groups live
    call: HttpCall
    client: Client
    service_arn: str
    network_arn: str
    tables: Tables

    def answer(self, action: dict[str, Any]) -> TargetAnswer:
        groups = [g for forward in blocks(action.get("forward")) for g in blocks(forward.get("target_groups"))]
        if not groups:
            return None, "", "the action forwards to no target group"
        # Requests are spread over the groups by weight: which one answers a given request is
        # chance, so only a forward whose weight all goes to one group is followed.
        weighted = {str(self.topology.model.resolve(g["target_group_identifier"], self.stack)): g.get("weight") for g in groups}
        taking = [tg for tg, weight in weighted.items() if weight is None or int(weight) > 0]
        if len(taking) != 1:
            split = ", ".join(f"{tg} weight {weight}" for tg, weight in weighted.items())
            return None, "", f"the action spreads requests over {len(taking)} target groups by weight ({split}): which one answers is chance (not modeled)"
        tg_id = taking[0]
        group = self.topology.target_group(self.stack, tg_id)
        if group is None:
            return None, "", f"target group {tg_id} is not in this output"
        if not group.targets:
            registered = registration(group.element.body)
            if registered is not None:
                return self._pods(group, registered)
            return 503, "", f"target group {group.name} has no target"
        first = group.targets[0]
        if group.type == "LAMBDA":
            version = group.config.get("lambda_event_structure_version", "V1")
            permission = invoke_permission(self.topology, self.stack, first.id, LATTICE_PRINCIPAL, group.arn)
            if permission is None:
                return None, "", (f"target group {group.name} (LAMBDA, event {version}): no aws_lambda_permission lets {LATTICE_PRINCIPAL} "
                                  f"invoke {first.id} from the target group: Lambda refuses the invoke (what VPC Lattice then answers "
                                  "is not documented: not modeled)")
            route = f"target group {group.name} (LAMBDA, event {version}), allowed by {permission}"
            return self._invoke(first.id, self._lattice_event(version, group.arn), route)
        if group.type == "ALB":
            return self._through_alb(first.id, group.name, first.port or group.config.get("port"))
        port = first.port or group.config.get("port")
        return None, "", (f"target group {group.name} ({group.type}): forwards to {first.id} port {port}; "
                          "what that host answers is not modeled")

    def _pods(self, group: TargetGroup, registered: dict[str, Any]) -> TargetAnswer:
        """A target group the Gateway API controller fills with the ready pods of a Service."""
        where = f"target group {group.name} ({group.type}, its targets registered by the controller)"
        port = registered.get("port")
        pods = [p for p in registered.get("pods") or [] if int(p.get("replicas", 0)) > 0]
        if not pods:
            return 503, "", f"{where}: Service {registered['service']} selects no running pod of a Deployment in this output: no target"
        vpc = group.config.get("vpc_identifier")
        if registered.get("pods_vpc_id") and vpc != registered["pods_vpc_id"]:
            return 503, "", f"{where}: the group is in {vpc} but the pods are in {registered['pods_vpc_id']}: RegisterTargets fails, no target"
        stack = self.topology.model.stacks.get(str(registered.get("security_group_stack")))
        admitted = from_lattice(self.topology, stack, str(registered["security_group_id"]), int(port)) if stack and isinstance(port, int) else None
        deployments = ", ".join(f"{p['deployment']} ({p['replicas']} replica{'s' if p['replicas'] != 1 else ''})" for p in pods)
        if admitted is None:
            return 504, "", (f"{where}: the pods of {deployments} on port {port}; the cluster security group {registered['security_group_id']} "
                             f"admits no TCP {port} from VPC Lattice: health checks and requests time out")
        return None, "", (f"{where}: the pods of {deployments} on port {port}, admitted by the cluster security group by {admitted}; "
                          "what the pod answers is not modeled")

    def _through_alb(self, alb_arn: str, tg_name: str, port: Optional[int]) -> TargetAnswer:
        call, topology = self.call, self.topology
        listeners = topology.lb_listeners(self.stack, alb_arn)
        if not listeners:
            return None, "", "the ALB behind the target group is not in this output"
        listener = next((e for e in listeners if port is None or topology.lb_listener_port(e) == port), None)
        if listener is None:
            return None, "", f"target group {tg_name} (ALB) sends to port {port}, where the ALB has no listener: connection refused"
        # The balancer sees the request come from VPC Lattice's addresses (docs/lattice-rules.md section 3).
        request = AlbRequest(call, LINK_LOCAL)
        action = listener_action(topology, self.stack, listener, request)
        # A listener without rules answers by its default action, as it always did: say so only when rules were read.
        plain = action.how == f"the default action of aws_lb_listener.{listener.name}"
        route = f"target group {tg_name} (ALB) -> internal ALB" + ("" if plain else f" ({action.how})")
        if action.kind is None:
            return None, "", f"target group {tg_name} (ALB) -> internal ALB: {action.how}"
        if action.kind != "forward":
            location = f", Location {fill_location(action.location, request)}" if action.location else ""
            return action.status, action.body, f"{route}: {action.kind} {action.status}{location}"
        weighted = [arn for arn, weight in action.groups if weight > 0]
        if len(weighted) != 1:
            return None, "", f"{route}: spreads requests over {len(weighted)} target groups by weight (not modeled)"
        group_arn = weighted[0]
        targets = topology.lb_targets(self.stack, group_arn)
        if not targets:
            return None, "", f"{route}: its target group {group_arn} has no target in this output"
        if invoke_permission(topology, self.stack, targets[0], ALB_PRINCIPAL, group_arn) is None:
            return None, "", (f"{route} -> Lambda: fails at apply: RegisterTargets refuses {targets[0]} "
                              f"(AccessDenied: no aws_lambda_permission lets {ALB_PRINCIPAL} invoke it from target group {group_arn})")
        # The load balancer's event ("Lambda functions as targets" of the ELB guide): the
        # query as sent, not decoded (the last value of a repeated key); a body of any
        # content type but text, JSON, JavaScript and XML base64-encoded. curl -d sends
        # application/x-www-form-urlencoded unless told otherwise.
        content_type = call.headers.get("content-type", "")
        textual = content_type.startswith("text/") or content_type.split(";")[0].strip() in _ALB_TEXT_TYPES
        encoded = bool(call.body) and not textual
        event = {
            "requestContext": {"elb": {"targetGroupArn": group_arn}},
            "httpMethod": call.method,
            "path": call.path,
            "queryStringParameters": dict(pair.partition("=")[::2] for pair in call.raw_query.split("&") if pair),
            "headers": call.headers,
            "body": base64.b64encode(call.body.encode()).decode() if encoded else call.body,
            "isBase64Encoded": encoded,
        }
        return self._invoke(targets[0], event, f"{route} -> Lambda")

    def _target_headers(self, tg_arn: str) -> dict[str, str]:
        """The request's headers as the target gets them: VPC Lattice removes the caller
        identity headers a client sent (they cannot be spoofed) and sets its own, the
        source VPC and the target ("HTTP targets in VPC Lattice"). It also sets
        x-amzn-lattice-identity for a signed caller, in a format the guide does not
        fully give: not modeled."""
        client = self.client
        sent = {k: v for k, v in self.call.headers.items() if k not in LATTICE_SETS}
        return sent | {
            "x-amzn-lattice-network": f"SourceVpcArn=arn:aws:ec2:{client.region}:{client.account}:vpc/{client.vpc_id}",
            "x-amzn-lattice-target": f"ServiceArn={self.service_arn};ServiceNetworkArn={self.network_arn};TargetGroupArn={tg_arn}",
        }

    def _signed_identity(self) -> dict[str, str]:
        """A signed caller in the V2 event's identity: its principal and, for a role
        session, the session's name (the organization is not known here)."""
        principal = str(self.call.principal)
        facts = caller(principal)
        session = facts.session if facts else None
        return {"type": "AWS_IAM", "principal": principal, **({"sessionName": session} if session else {})}

    def _lattice_event(self, version: str, tg_arn: str) -> dict[str, Any]:
        call, client = self.call, self.client
        headers = self._target_headers(tg_arn)
        if version == "V2":
            return {
                "version": "2.0", "path": call.path, "method": call.method,
                "headers": {k: call.repeated_headers.get(k, [v]) for k, v in headers.items()}, "queryStringParameters": call.query,
                "body": call.body or None, "isBase64Encoded": False,
                "requestContext": {
                    "serviceNetworkArn": self.network_arn, "serviceArn": self.service_arn, "targetGroupArn": tg_arn,
                    "identity": {
                        "sourceVpcArn": f"arn:aws:ec2:{client.region}:{client.account}:vpc/{client.vpc_id}",
                        **(self._signed_identity() if call.principal else {"type": "AnonymousIdentity"}),
                    },
                    "region": client.region, "timeEpoch": str(int(time.time() * 1_000_000)),
                },
            }
        return {
            "method": call.method, "raw_path": call.path, "headers": headers,
            "query_string_parameters": {k: v[-1] for k, v in call.query.items()},  # last value wins
            "body": call.body, "is_base64_encoded": False,
        }

    def _invoke(self, function_arn: str, event: dict[str, Any], route: str) -> TargetAnswer:
        invocation = invoke(self.topology, self.stack, function_arn, event, self.tables)
        if invocation.failure is not None:
            return 502, "", f"{route}: " + "; ".join([*invocation.reasons, invocation.failure])
        how = f"{route}: " + "; ".join(invocation.reasons)
        response = invocation.response
        if not isinstance(response, dict):  # Lattice passes a bare value through as the body
            return 200, "" if response is None else json.dumps(response), how
        given = response.get("statusCode", 200)
        status: Optional[int] = None
        if isinstance(given, int) and not isinstance(given, bool):
            status = given
        elif isinstance(given, str) and given.isdigit():  # "200": read as a number
            status = int(given)
        if status is None or not 100 <= status <= 599:
            return 502, "", f"{how}; its reply's statusCode {given!r} is not an HTTP status: 502"
        body = response.get("body")
        text = "" if body is None else str(body)
        if response.get("isBase64Encoded") is True:
            try:  # the client gets the decoded bytes
                text = base64.b64decode(text, validate=True).decode("utf-8", errors="replace")
            except binascii.Error:
                return 502, "", f"{how}; its reply says isBase64Encoded but its body is not base64: 502"
        return status, text, how
