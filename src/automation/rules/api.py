"""Rules API for admins and leads (agents get 403): CRUD, the run log, the catalog.

A bad rule is a 422 problem+json naming the field by its dotted path
(`conditions.all[0].op`, `actions[1].value`); a taken name is a 409."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, delete, get, patch, post
from litestar.params import Body, JSONBody, QueryParameter

from servicedesk.accounts.guards import requires_lead
from servicedesk.schemas import IdPath

from . import catalog, dryrun, service
from .schemas import Catalog, DryRunIn, DryRunOut, RuleIn, RuleOut, RunOut

RuleBody = Annotated[
    dict[str, Any],
    Body(title="Rule", description="A rule as the spec writes it (see RuleIn)."),
]


class RuleController(Controller):
    path = "/api/automation/rules"
    tags = ["automation"]
    guards = [requires_lead]
    signature_namespace = {"RuleIn": RuleIn}

    @get("/", summary="Every rule, in (position, id) order")
    async def list_rules(self) -> list[RuleOut]:
        return [RuleOut(**r) for r in await service.list_rules()]

    @post("/", status_code=201, summary="Create a rule")
    async def create_rule(self, data: RuleBody) -> RuleOut:
        return RuleOut(**await service.create_rule(data=data))

    @get("/{rule_id:int}", summary="One rule")
    async def get_rule(self, rule_id: IdPath) -> RuleOut:
        return RuleOut(**await service.get_rule(rule_id=rule_id))

    @patch(
        "/{rule_id:int}",
        summary="Change any of the rule's top-level keys",
    )
    async def update_rule(self, rule_id: IdPath, data: RuleBody) -> RuleOut:
        return RuleOut(**await service.update_rule(rule_id=rule_id, changes=data))

    @delete("/{rule_id:int}", status_code=204, summary="Delete a rule")
    async def delete_rule(self, rule_id: IdPath) -> None:
        await service.delete_rule(rule_id=rule_id)

    @get("/{rule_id:int}/runs", summary="The rule's run log, newest first")
    async def runs(
        self,
        rule_id: IdPath,
        limit: Annotated[int, QueryParameter(ge=1, le=1000)] = 100,
    ) -> list[RunOut]:
        return [RunOut(**r) for r in await service.runs(rule_id=rule_id, limit=limit)]


class RuleCatalogController(Controller):
    path = "/api/automation/catalog"
    tags = ["automation"]
    guards = [requires_lead]

    @get(
        "/",
        summary="Events, fields, operators and actions for the rule editor",
    )
    async def get_catalog(self) -> Catalog:
        return await catalog.catalog()


class DryRunController(Controller):
    path = "/api/automation/dry-run"
    tags = ["automation"]
    guards = [requires_lead]

    @post(
        "/",
        status_code=200,
        summary="Replay [from, to) of the history through a rule, changing nothing",
    )
    async def dry_run(self, data: JSONBody[DryRunIn]) -> DryRunOut:
        return DryRunOut(**await dryrun.dry_run(rule=data.rule, start=data.start, end=data.end))
