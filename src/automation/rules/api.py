"""Rules API for admins and leads (agents get 403): CRUD, the run log, the catalog.

A bad rule is a 422 problem+json naming the field by its dotted path
(`conditions.all[0].op`, `actions[1].value`); a taken name is a 409."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, delete, get, patch, post
from litestar.openapi.datastructures import ResponseSpec
from litestar.params import Body, JSONBody, QueryParameter

from automation.problems import problems as automation_problems
from servicedesk.accounts.guards import requires_lead
from servicedesk.schemas import IdPath

from . import catalog, dryrun, service
from .schemas import Catalog, DryRunIn, DryRunOut, RuleIn, RuleOut, RunOut

_WHY = {
    400: "The body is not a dry run: `errors[0].field` names what is wrong",
    403: "Not an admin or lead (or a missing CSRF header)",
    404: "No such rule",
    409: "Another rule has this name",
    422: "The rule is not valid: `errors[0].field` names the dotted path",
}


def problems(*codes: int) -> dict[int, ResponseSpec]:
    return automation_problems(*codes, why=_WHY)


RuleBody = Annotated[
    dict[str, Any],
    Body(title="Rule", description="A rule as the spec writes it (see RuleIn)."),
]


class RuleController(Controller):
    path = "/api/automation/rules"
    tags = ["automation"]
    guards = [requires_lead]
    signature_namespace = {"RuleIn": RuleIn}

    @get("/", summary="Every rule, in (position, id) order", responses=problems())
    async def list_rules(self) -> list[RuleOut]:
        return [RuleOut(**r) for r in await service.list_rules()]

    @post("/", status_code=201, summary="Create a rule", responses=problems(409, 422))
    async def create_rule(self, data: RuleBody) -> RuleOut:
        return RuleOut(**await service.create_rule(data=data))

    @get("/{rule_id:int}", summary="One rule", responses=problems(404))
    async def get_rule(self, rule_id: IdPath) -> RuleOut:
        return RuleOut(**await service.get_rule(rule_id=rule_id))

    @patch(
        "/{rule_id:int}",
        summary="Change any of the rule's top-level keys",
        responses=problems(404, 409, 422),
    )
    async def update_rule(self, rule_id: IdPath, data: RuleBody) -> RuleOut:
        return RuleOut(**await service.update_rule(rule_id=rule_id, changes=data))

    @delete("/{rule_id:int}", status_code=204, summary="Delete a rule", responses=problems(404))
    async def delete_rule(self, rule_id: IdPath) -> None:
        await service.delete_rule(rule_id=rule_id)

    @get("/{rule_id:int}/runs", summary="The rule's run log, newest first", responses=problems(404))
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
        responses=problems(),
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
        responses=problems(400, 422),
    )
    async def dry_run(self, data: JSONBody[DryRunIn]) -> DryRunOut:
        return DryRunOut(**await dryrun.dry_run(rule=data.rule, start=data.start, end=data.end))
