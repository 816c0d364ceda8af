"""The `didww-iac` command: validate, preview, up, refresh, destroy, drift, outputs, unlock, emulator."""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.table import Table

from didww_iac import local_emulator, run_stats
from didww_iac.api import DidwwClient, DidwwError
from didww_iac.engine import Engine, EngineError
from didww_iac.locks import LOCKED_MARKER
from didww_iac.settings import MANAGED_COUNTS_ENV
from didww_iac.stack import Stack, StackFileError, load_stack, stack_path

if TYPE_CHECKING:
    from didww_iac.drift import DriftReport
    from didww_iac.plan import Plan

# The Pulumi SDK and the providers are imported only by the commands that need them: every
# command starts faster, and `validate` needs neither.

app = typer.Typer(add_completion=False, no_args_is_help=True, help="DIDWW voice infrastructure as code.")
# Piped output (CI logs) gets a wide fixed width so ids and names are never cut.
out = Console(width=None if sys.stdout.isatty() else 140)
err = Console(stderr=True, width=None if sys.stderr.isatty() else 140)

StackOpt = Annotated[str, typer.Option("--stack", "-s", help="Stack name: reads stacks/<name>.yaml.")]
ProjectOpt = Annotated[Path, typer.Option("--project-dir", "-C", help="Directory holding Pulumi.yaml.")]

RefreshOpt = Annotated[
    bool, typer.Option(help="Read live DIDWW state first (default), so changes made outside are seen.")
]
LockTimeoutOpt = Annotated[
    float,
    typer.Option(
        "--lock-timeout",
        min=0,
        metavar="SECONDS",
        help="When another run holds the stack's lock, wait up to this long for it (0: fail at once).",
    ),
]

EXIT_BAD_INPUT = 2
EXIT_DRIFT = 3


def _validated(project_dir: Path, stack: str) -> Stack:
    try:
        return load_stack(stack_path(project_dir, stack))
    except StackFileError as exc:
        err.print(f"[red]error:[/red] {exc}", highlight=False, markup=True, soft_wrap=True)
        raise typer.Exit(EXIT_BAD_INPUT) from None


def _prepare(project_dir: Path, stack: str, quiet: bool = False) -> Engine:
    """Validate before any API call; start the local emulator when the stack targets it."""
    declared = _validated(project_dir, stack)
    if declared.endpoint == "emulator":
        started = local_emulator.ensure_running(project_dir)
        if not quiet:
            out.print(f"emulator: {'started' if started else 'reusing'} {local_emulator.base_url()}")
    try:
        engine = Engine(project_dir.resolve(), stack)
    except EngineError as exc:
        err.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(1) from None
    # How many resources of each type the run manages: reads list or fetch one by one by cost.
    engine.extra_env[MANAGED_COUNTS_ENV] = json.dumps(_entry_counts(declared))
    return engine


def _entry_counts(declared: Stack) -> dict[str, int]:
    return {section: len(entries) for section, entries in declared if isinstance(entries, dict)}


def _operate(
    verb: str, project_dir: Path, stack: str, extra: list[str], refresh: bool = True, lock_timeout: float = 0.0
) -> int:
    engine = _prepare(project_dir, stack)
    with tempfile.TemporaryDirectory(prefix="didww-iac-stats-") as stats_dir:
        engine.extra_env[run_stats.STATS_DIR_ENV] = stats_dir
        try:
            code = engine.operation(verb, extra, refresh=refresh, lock_timeout=lock_timeout)
        except EngineError as exc:
            err.print(f"[red]error:[/red] {exc}")
            return 1
        out.print(f"DIDWW API: {run_stats.collect(Path(stats_dir))}", highlight=False)
    return code


def _print_outputs(engine: Engine) -> None:
    table = Table(title=f"stack {engine.stack}")
    for column in ("type", "logical name", "name, number or reference"):
        table.add_column(column)
    table.add_column("id", no_wrap=True, min_width=36)  # a DIDWW id is a 36-character UUID
    for api_type, resources in sorted(engine.outputs().items()):
        for logical, info in sorted(resources.items()):
            table.add_row(api_type, logical, str(info.get("name")), str(info.get("id")))
    out.print(table)


@app.command()
def validate(stack: StackOpt = "local", project_dir: ProjectOpt = Path(".")) -> None:
    """Check stacks/<stack>.yaml without calling any API."""
    declared = _validated(project_dir, stack)
    # The sections it declares: fourteen zeros would hide the few that count.
    summary = ", ".join(f"{n} {t}" for t, n in _entry_counts(declared).items() if n) or "no entries"
    out.print(f"{stack_path(project_dir, stack)}: valid ({summary}; API {declared.api_version})")


@app.command()
def preview(
    stack: StackOpt = "local",
    project_dir: ProjectOpt = Path("."),
    expect_no_changes: Annotated[bool, typer.Option(help="Fail when anything would change.")] = False,
    refresh: RefreshOpt = True,
    lock_timeout: LockTimeoutOpt = 0.0,
    as_json: Annotated[bool, typer.Option("--json", help='Print the plan as JSON (see README, "The plan").')] = False,
) -> None:
    """Show what `up` would change: per resource the action, the changed settings as old -> new,
    and what new orders cost. A preview takes no lock: with --lock-timeout it waits for a run
    holding the stack's lock to end first."""
    if not refresh:
        # Against the last state, not the account: the engine's own plan says all there is.
        extra = ["--expect-no-changes"] if expect_no_changes else []
        raise typer.Exit(_operate("preview", project_dir, stack, extra, refresh, lock_timeout))
    from didww_iac import review
    from didww_iac.costs import PriceBook

    engine = _prepare(project_dir, stack, quiet=as_json)
    declared = _validated(project_dir, stack)
    with tempfile.TemporaryDirectory(prefix="didww-iac-stats-") as stats_dir:
        engine.extra_env[run_stats.STATS_DIR_ENV] = stats_dir
        client = _preflight(declared, engine)
        try:
            plan = review.planned(
                stack, declared, engine.refreshed_preview(lock_timeout=lock_timeout), PriceBook(client)
            )
        except (EngineError, DidwwError) as exc:
            err.print(f"[red]error:[/red] {exc}", highlight=False)
            raise typer.Exit(1) from None
        if as_json:
            print(json.dumps(plan.to_json(), indent=2))
        else:
            from didww_iac.plan import render_text

            out.print(render_text(plan), highlight=False, markup=False, end="")
            out.print(f"DIDWW API: {run_stats.collect(Path(stats_dir))}", highlight=False)
    if plan.over_budget:
        err.print(f"error: {_over_budget_text(plan)}", highlight=False)
        raise typer.Exit(1)
    raise typer.Exit(1 if expect_no_changes and plan.steps else 0)


def _over_budget_text(plan: Plan) -> str:
    return (
        f"new orders would cost {plan.new_orders_cost} (setup + first month), more than max_new_order_cost "
        f"{plan.max_new_order_cost}: `up` would order nothing. Raise it in the stack file, or order less."
    )


def _preflight(declared: Stack, engine: Engine) -> DidwwClient:
    """One cheap request before planning: the key is accepted at this endpoint and the account
    answers in the pinned API version, even when every entry is new (and so nothing is read)."""
    from didww_iac.resources.connection import MissingApiKeyError

    try:
        # (A stack not created yet has no configured key: the environment's applies.)
        client = _account_client(declared, engine)
        client.verify_version()
    except (DidwwError, MissingApiKeyError, EngineError) as exc:
        err.print(f"[red]error:[/red] {declared.endpoint}: {exc}", highlight=False)
        raise typer.Exit(1) from None
    return client


@app.command()
def up(
    stack: StackOpt = "local",
    project_dir: ProjectOpt = Path("."),
    refresh: RefreshOpt = True,
    lock_timeout: LockTimeoutOpt = 0.0,
    as_json: Annotated[
        bool, typer.Option("--json", help='Print the plan and what was applied as JSON (see README, "The plan").')
    ] = False,
) -> None:
    """Make the DIDWW account match the stack file: the plan first (old -> new values, what new
    orders cost), then a line per resource applied; then list what exists."""
    from didww_iac import review
    from didww_iac.costs import PriceBook

    engine = _prepare(project_dir, stack, quiet=as_json)
    declared = _validated(project_dir, stack)
    lines: list[str] = []
    show = lines.append if as_json else _show
    plans: list[Plan] = []
    with tempfile.TemporaryDirectory(prefix="didww-iac-stats-") as stats_dir:
        engine.extra_env[run_stats.STATS_DIR_ENV] = stats_dir
        book = PriceBook(_preflight(declared, engine))

        def consume(process: subprocess.Popen[str]) -> str:
            plan, stderr = review.stream_up(process, stack, declared, book, show, render=not as_json)
            if plan is not None:
                plans.append(plan)
            if stderr.strip() and LOCKED_MARKER not in stderr:
                sys.stderr.write(stderr)
            return stderr

        try:
            if declared.orders:
                # Priced and held to max_new_order_cost before the engine runs: nothing is ordered
                # when the orders would cost more.
                engine.ensure_stack()
                orders = review.new_orders(declared, engine.outputs().get("orders", {}), book)
                review.guard(declared, orders)
            code = engine.streamed_operation("up", consume, refresh, lock_timeout)
        except review.OverBudget as exc:
            err.print(f"error: {exc}", highlight=False)
            raise typer.Exit(1) from None
        except (EngineError, DidwwError) as exc:
            err.print(f"[red]error:[/red] {exc}", highlight=False)
            code = 1
        if not as_json:
            out.print(f"DIDWW API: {run_stats.collect(Path(stats_dir))}", highlight=False)
    applied = Engine(project_dir.resolve(), stack).last_changes() if code == 0 else {}
    if as_json:
        plan_json = plans[-1].to_json() if plans else None
        errors = [line.removeprefix("error: ") for line in lines if line.startswith("error: ")]
        print(json.dumps({"plan": plan_json, "succeeded": code == 0, "applied": applied, "errors": errors}, indent=2))
    elif code == 0:
        _print_outputs(Engine(project_dir.resolve(), stack))
        out.print(_summary(applied, stack_path(project_dir, stack)))
    raise typer.Exit(code)


def _show(line: str) -> None:
    out.print(line, highlight=False, markup=False)


def _summary(changes: dict[str, int], path: Path) -> str:
    done = {verb: n for verb, n in changes.items() if verb != "same" and n}
    if not done:
        return f"No changes: the DIDWW account already matches {path}."
    # Pulumi's verbs (create, update, delete, replace) all take a plain "d" for the past tense.
    return f"Applied {path}: " + ", ".join(f"{n} {verb}d" for verb, n in sorted(done.items()))


@app.command()
def refresh(stack: StackOpt = "local", project_dir: ProjectOpt = Path("."), lock_timeout: LockTimeoutOpt = 0.0) -> None:
    """Read live DIDWW state into the Pulumi state."""
    raise typer.Exit(_operate("refresh", project_dir, stack, [], lock_timeout=lock_timeout))


@app.command()
def destroy(stack: StackOpt = "local", project_dir: ProjectOpt = Path("."), lock_timeout: LockTimeoutOpt = 0.0) -> None:
    """Delete every resource the stack manages."""
    raise typer.Exit(_operate("destroy", project_dir, stack, [], lock_timeout=lock_timeout))


@app.command()
def drift(
    stack: StackOpt = "local",
    project_dir: ProjectOpt = Path("."),
    as_json: Annotated[bool, typer.Option("--json", help="Print a machine-readable report.")] = False,
    unmanaged: Annotated[
        bool,
        typer.Option(
            "--unmanaged",
            help="Also list the account's trunks, trunk groups, numbers, outbound trunks, capacity pools, "
            "shared capacity groups, identities and addresses that no entry declares (one listing per type); "
            "they make it exit 3.",
        ),
    ] = False,
    markdown: Annotated[
        Path | None,
        typer.Option("--markdown", metavar="FILE", help="Also write the report as Markdown to FILE (replaced)."),
    ] = None,
    lock_timeout: LockTimeoutOpt = 0.0,
) -> None:
    """Compare the live DIDWW account with the stack file; change nothing.

    Exit 0: nothing found; 3: drift, or (--unmanaged) a resource no entry declares; 2: bad stack; 1: failed."""
    engine = _prepare(project_dir, stack, quiet=as_json)
    _preflight(_validated(project_dir, stack), engine)
    try:
        from didww_iac.drift import managed_ids, report_from_preview

        preview = engine.refreshed_preview(lock_timeout=lock_timeout)
        report = report_from_preview(stack, preview)
        if unmanaged:
            report = _with_unmanaged(report, engine, _validated(project_dir, stack), managed_ids(preview))
    except EngineError as exc:
        err.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(1) from None
    if markdown is not None:
        _write_markdown(report, markdown)
    if as_json:
        print(json.dumps(report.to_json(), indent=2))
    else:
        _print_drift(report)
        _print_unmanaged(report)
    raise typer.Exit(EXIT_DRIFT if report.found_anything else 0)


def _with_unmanaged(report: DriftReport, engine: Engine, declared: Stack, state_ids: set[str]) -> DriftReport:
    """The report with the account's resources that neither the state nor an `adopt_id` holds."""
    from dataclasses import replace

    from didww_iac import unmanaged
    from didww_iac.resources.connection import MissingApiKeyError

    try:
        client = _account_client(declared, engine)
        found = unmanaged.find_unmanaged(client, state_ids | unmanaged.adopted_ids(declared))
    except (DidwwError, MissingApiKeyError) as exc:
        err.print(f"[red]error:[/red] {exc}", highlight=False)
        raise typer.Exit(1) from None
    return replace(report, unmanaged=found, unmanaged_types=unmanaged.lasting_types())


def _account_client(declared: Stack, engine: Engine) -> DidwwClient:
    """A client for the stack's account, outside the providers (drift's listing, import), with the
    key the providers would use."""
    from didww_iac.resources.connection import Connection, resolve_api_key, shared_client

    connection = Connection(declared.endpoint, declared.api_version, declared.rate_limit, declared.limiter)
    return shared_client(connection, resolve_api_key(_configured_api_key(engine), connection))


def _configured_api_key(engine: Engine) -> str | None:
    """The stack's secret `didww:apiKey`, which the providers prefer to DIDWW_API_KEY too."""
    from didww_iac.settings import API_KEY_CONFIG

    # Exits non-zero when the key is not set: the environment (or the emulator's key) applies.
    proc = engine.run(["config", "get", API_KEY_CONFIG, "--stack", engine.stack], capture=True, check=False)
    if proc.returncode != 0:
        return None
    return proc.stdout.strip() or None


def _write_markdown(report: DriftReport, path: Path) -> None:
    from didww_iac.drift_markdown import render

    try:
        path.write_text(render(report), encoding="utf-8")
    except OSError as exc:
        err.print(f"[red]error:[/red] cannot write the Markdown report: {exc}", highlight=False)
        raise typer.Exit(1) from None


def _print_drift(report: DriftReport) -> None:
    if not report.drifted:
        # "Matches" speaks of what the stack manages; unmanaged resources are listed apart.
        out.print(f"No drift: what stack {report.stack} manages matches the live DIDWW account.")
        return
    table = Table(title=f"drift in stack {report.stack}")
    for column in ("type", "logical name", "id", "status", "what differs (live -> declared)"):
        table.add_column(column)
    for r in report.resources:
        details = "\n".join(
            f"{', '.join(p.paths)}: {p.live!r} -> {p.declared!r}"
            if p.live is not None or p.declared is not None
            else f"{', '.join(p.paths)} (secret)"
            for p in r.properties
        )
        table.add_row(r.api_type, r.logical_name, r.id or "", r.status, details)
    out.print(table)


def _print_unmanaged(report: DriftReport) -> None:
    if report.unmanaged is None:
        return
    if not report.unmanaged:
        out.print(f"Nothing unmanaged: every resource of {', '.join(report.unmanaged_types)} is declared by the stack.")
        return
    table = Table(title=f"in the DIDWW account, declared by no entry of stack {report.stack}")
    for column in ("type", "name or number"):
        table.add_column(column)
    table.add_column("id", no_wrap=True, min_width=36)
    for u in report.unmanaged:
        table.add_row(u.api_type, u.display or "", u.id)
    out.print(table)


def _requirements(client: DidwwClient, country: str | None) -> Table:
    """DIDWW's registration requirements (and, on 2026-04-16, emergency calling's)."""
    table = Table(title="What numbers need before DIDWW activates them")
    for column in ("for", "country", "number type", "identity", "proofs (person/company/address)", "fields"):
        table.add_column(column)
    include = ["country", "did_group_type"]
    listed = [("registration", r) for r in client.iter("address_requirements", include=include)]
    if client.supports_operation("emergency_requirements", "GET"):
        listed += [("emergency", r) for r in client.iter("emergency_requirements", include=include)]
    for purpose, requirement in listed:
        iso = str(getattr(requirement.related("country"), "attributes", {}).get("iso"))
        if country and iso.upper() != country.upper():
            continue
        a = requirement.attributes
        proofs = "/".join(str(a.get(k, "-")) for k in ("personal_proof_qty", "business_proof_qty", "address_proof_qty"))
        fields = sorted(
            {
                *(a.get("personal_mandatory_fields") or []),
                *(a.get("business_mandatory_fields") or []),
                *(a.get("address_mandatory_fields") or []),
            }
        )
        table.add_row(
            purpose,
            iso,
            str(getattr(requirement.related("did_group_type"), "attributes", {}).get("name")),
            str(a.get("identity_type")),
            proofs if purpose == "registration" else "-",
            ", ".join(fields) or "-",
        )
    return table


def _catalogue_names(client: DidwwClient) -> Table:
    """Every catalogue a stack key names records of (`Lookup`), but countries (ISO codes)."""
    from didww_iac.resource_types import SPECS
    from didww_iac.resources.lookups import shared_catalogue

    table = Table(title="Names the stack file takes")
    for column in ("stack key", "name"):
        table.add_column(column)
    seen: set[tuple[str, str]] = set()
    for spec in SPECS.values():
        for f in spec.fields:
            if f.lookup is None or f.lookup.api_type == "countries" or (spec.api_type, f.name) in seen:
                continue
            seen.add((spec.api_type, f.name))
            for name in shared_catalogue(client).names(f.lookup):
                table.add_row(f"{spec.api_type}.{f.name}", name)
    return table


@app.command()
def catalogue(
    stack: StackOpt = "local",
    project_dir: ProjectOpt = Path("."),
    country: Annotated[str | None, typer.Option(help="ISO code, e.g. US.")] = None,
    names: Annotated[
        bool, typer.Option("--names", help="The names entries take instead of ids: proof types, templates, POPs.")
    ] = False,
    requirements: Annotated[
        bool,
        typer.Option("--requirements", help="What registering numbers asks for, per country and number type."),
    ] = False,
) -> None:
    """List DID groups and their SKUs (the `sku_id` an order item takes) at the stack's endpoint.

    The API key comes from DIDWW_API_KEY (the local emulator needs none)."""
    declared = _validated(project_dir, stack)
    if declared.endpoint == "emulator":
        local_emulator.ensure_running(project_dir)
    from didww_iac.resources.connection import Connection, MissingApiKeyError, resolve_api_key, shared_client

    connection = Connection(declared.endpoint, declared.api_version, declared.rate_limit, declared.limiter)
    try:
        client = shared_client(connection, resolve_api_key(None, connection))
        if names:
            out.print(_catalogue_names(client))
            return
        if requirements:
            out.print(_requirements(client, country))
            return
        groups = client.list("did_groups", include=["stock_keeping_units", "country"])
    except (DidwwError, MissingApiKeyError) as exc:
        err.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(1) from None
    table = Table(title=f"DID groups at {declared.endpoint}")
    for column in ("country", "area", "prefix", "sku_id", "monthly", "setup", "channels included"):
        table.add_column(column, no_wrap=column == "sku_id")
    for group in groups:
        iso = getattr(group.related("country"), "attributes", {}).get("iso")
        if country and str(iso).upper() != country.upper():
            continue
        skus = group.related("stock_keeping_units")
        for sku in skus if isinstance(skus, list) else []:
            a = sku.attributes
            table.add_row(
                str(iso),
                str(group.attributes.get("area_name")),
                str(group.attributes.get("prefix")),
                sku.id,
                str(a.get("monthly_price")),
                str(a.get("setup_price")),
                str(a.get("channels_included_count")),
            )
    out.print(table)


@app.command("import")
def import_(
    stack: StackOpt = "local",
    project_dir: ProjectOpt = Path("."),
    types: Annotated[
        list[str] | None, typer.Option("--type", "-t", help="Only this type (repeatable), e.g. voice_in_trunks.")
    ] = None,
    dry_run: Annotated[bool, typer.Option(help="Print the entries it would add; change nothing.")] = False,
) -> None:
    """Add an entry to stacks/<stack>.yaml for every resource of the account the stack does not
    manage yet (with its live settings and `adopt_id`); the next `up` adopts them unchanged."""
    from didww_iac import importer
    from didww_iac.resources.connection import MissingApiKeyError
    from didww_iac.stack import load

    path = stack_path(project_dir, stack)
    try:
        loaded = load(path)
        wanted = importer.importable_types(types or ())
    except StackFileError as exc:
        err.print(f"[red]error:[/red] {exc}", highlight=False, markup=True, soft_wrap=True)
        raise typer.Exit(EXIT_BAD_INPUT) from None
    except importer.ImportRefused as exc:
        err.print(f"[red]error:[/red] {exc}", highlight=False)
        raise typer.Exit(EXIT_BAD_INPUT) from None
    if loaded.stack.endpoint == "emulator":
        local_emulator.ensure_running(project_dir)
    try:
        engine = Engine(project_dir.resolve(), stack)
        engine.ensure_stack()
        # What the stack's state manages already: {type: {logical name: {"id": ...}}}.
        managed = {t: {n: str(r["id"]) for n, r in rs.items()} for t, rs in engine.outputs().items()}
        imported = importer.plan(loaded, _account_client(loaded.stack, engine), managed, wanted)
    except (DidwwError, MissingApiKeyError, EngineError) as exc:
        err.print(f"[red]error:[/red] {exc}", highlight=False)
        raise typer.Exit(1) from None
    for line in imported.skipped:
        err.print(f"skipped: {line}", highlight=False)
    counts = ", ".join(f"{len(e)} {t}" for t, e in imported.entries.items()) or "nothing"
    if dry_run:
        out.print(importer.additions_text(imported), highlight=False, markup=False, end="")
        out.print(f"would add to {path}: {counts}", highlight=False)
        return
    if imported.count == 0 and not imported.group_members:
        out.print(f"Nothing to import: {path} already manages every resource of {', '.join(wanted)}.")
        return
    try:
        importer.write(path, imported)
    except importer.ImportRefused as exc:
        err.print(f"[red]error:[/red] {exc}", highlight=False)
        raise typer.Exit(1) from None
    out.print(f"Added to {path}: {counts}. `didww-iac up` adopts them without changing DIDWW.", highlight=False)


@app.command()
def schema() -> None:
    """Print the JSON Schema of stack files (what `# yaml-language-server: $schema=` names)."""
    from didww_iac.stack.json_schema import rendered

    print(rendered(), end="")


@app.command()
def outputs(stack: StackOpt = "local", project_dir: ProjectOpt = Path(".")) -> None:
    """List the resources the stack manages (names and ids)."""
    _print_outputs(Engine(project_dir.resolve(), stack))


@app.command(context_settings={"allow_extra_args": True, "ignore_unknown_options": True})
def pulumi(
    ctx: typer.Context,
    stack: StackOpt = "local",
    project_dir: ProjectOpt = Path("."),
) -> None:
    """Run any pulumi command with this project's engine, state backend and environment,
    e.g. `didww-iac pulumi -s dev -- config set --secret didww:apiKey KEY`."""
    engine = Engine(project_dir.resolve(), stack)
    engine.ensure_stack()
    raise typer.Exit(engine.run([*ctx.args, "--stack", stack], check=False).returncode)


@app.command()
def unlock(
    stack: StackOpt = "local",
    project_dir: ProjectOpt = Path("."),
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Break it without asking (pipelines).")] = False,
) -> None:
    """Break the stack's lock (the engine's `cancel`), left by a run that is gone: a job cancelled
    on another machine, or on a backend whose locks cannot be read from here. Breaking the lock of
    a run that is still going lets two runs apply the stack at once."""
    from didww_iac import locks

    try:
        engine = Engine(project_dir.resolve(), stack)
        engine.ensure_stack()
        holders = engine.lock_holders()
        if not holders:
            out.print(f"stack {stack} is not locked")
            return
        out.print(f"stack {stack} is locked by {locks.holders_text(holders, locks.utc_now())}", highlight=False)
        if not yes:
            _confirm_unlock()
        engine.break_lock()
    except EngineError as exc:
        err.print(f"[red]error:[/red] {exc}", highlight=False)
        raise typer.Exit(1) from None
    out.print(f"broke the lock of stack {stack}")


def _confirm_unlock() -> None:
    if not sys.stdin.isatty():
        err.print("error: not breaking the lock without --yes (no terminal to ask on)", highlight=False)
        raise typer.Exit(1)
    if not typer.confirm("Is that run gone? Break its lock", default=False):
        raise typer.Exit(1)


@app.command(
    context_settings={"allow_extra_args": True, "ignore_unknown_options": True, "help_option_names": []},
    add_help_option=False,
)
def emulator(ctx: typer.Context) -> None:
    """Serve the local DIDWW API v3 emulator (blocks; Ctrl-C stops it). `didww-iac emulator --help`
    lists its flags: --port, --state, --api-version, --rate-limit, --seed, --api-key, --admin,
    fault injection (--latency, --error-rate, --drop-rate, --throttle-next) and --order-delay."""
    from didww_iac.emulator.__main__ import main as emulator_main

    # One set of flags, defined by the emulator itself (it imports nothing from the rest).
    emulator_main(ctx.args)


@app.command("emulator-stop")
def emulator_stop(project_dir: ProjectOpt = Path(".")) -> None:
    """Stop the background emulator that `up` started."""
    stopped = local_emulator.stop(project_dir)
    out.print("emulator stopped" if stopped else "no background emulator was started here")


def main() -> None:
    app()


if __name__ == "__main__":
    main()
