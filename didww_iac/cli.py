"""The `didww-iac` command: validate, preview, up, refresh, destroy, drift, outputs, emulator."""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.table import Table

from didww_iac import local_emulator, run_stats
from didww_iac.api import DidwwError
from didww_iac.engine import Engine, EngineError
from didww_iac.settings import MANAGED_COUNTS_ENV
from didww_iac.stack import Stack, StackFileError, load_stack, stack_path

if TYPE_CHECKING:
    from didww_iac.drift import DriftReport

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


def _operate(verb: str, project_dir: Path, stack: str, extra: list[str], refresh: bool = True) -> int:
    engine = _prepare(project_dir, stack)
    with tempfile.TemporaryDirectory(prefix="didww-iac-stats-") as stats_dir:
        engine.extra_env[run_stats.STATS_DIR_ENV] = stats_dir
        try:
            code = engine.operation(verb, extra, refresh=refresh)
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
    summary = ", ".join(f"{n} {t}" for t, n in _entry_counts(declared).items())
    out.print(f"{stack_path(project_dir, stack)}: valid ({summary}; API {declared.api_version})")


@app.command()
def preview(
    stack: StackOpt = "local",
    project_dir: ProjectOpt = Path("."),
    expect_no_changes: Annotated[bool, typer.Option(help="Fail when anything would change.")] = False,
    refresh: RefreshOpt = True,
) -> None:
    """Show what `up` would change."""
    extra = ["--expect-no-changes"] if expect_no_changes else []
    raise typer.Exit(_operate("preview", project_dir, stack, extra, refresh))


@app.command()
def up(stack: StackOpt = "local", project_dir: ProjectOpt = Path("."), refresh: RefreshOpt = True) -> None:
    """Make the DIDWW account match the stack file, then list what exists."""
    code = _operate("up", project_dir, stack, [], refresh)
    if code == 0:
        engine = Engine(project_dir.resolve(), stack)
        _print_outputs(engine)
        out.print(_summary(engine.last_changes(), stack_path(project_dir, stack)))
    raise typer.Exit(code)


def _summary(changes: dict[str, int], path: Path) -> str:
    done = {verb: n for verb, n in changes.items() if verb != "same" and n}
    if not done:
        return f"No changes: the DIDWW account already matches {path}."
    # Pulumi's verbs (create, update, delete, replace) all take a plain "d" for the past tense.
    return f"Applied {path}: " + ", ".join(f"{n} {verb}d" for verb, n in sorted(done.items()))


@app.command()
def refresh(stack: StackOpt = "local", project_dir: ProjectOpt = Path(".")) -> None:
    """Read live DIDWW state into the Pulumi state."""
    raise typer.Exit(_operate("refresh", project_dir, stack, []))


@app.command()
def destroy(stack: StackOpt = "local", project_dir: ProjectOpt = Path(".")) -> None:
    """Delete every resource the stack manages."""
    raise typer.Exit(_operate("destroy", project_dir, stack, []))


@app.command()
def drift(
    stack: StackOpt = "local",
    project_dir: ProjectOpt = Path("."),
    as_json: Annotated[bool, typer.Option("--json", help="Print a machine-readable report.")] = False,
) -> None:
    """Compare the live DIDWW account with the stack file; change nothing.

    Exit 0: no drift; 3: drift found; 2: bad stack file; 1: the check itself failed."""
    engine = _prepare(project_dir, stack, quiet=as_json)
    try:
        from didww_iac.drift import report_from_preview

        report = report_from_preview(stack, engine.refreshed_preview())
    except EngineError as exc:
        err.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(1) from None
    if as_json:
        print(json.dumps(report.to_json(), indent=2))
    else:
        _print_drift(report)
    raise typer.Exit(EXIT_DRIFT if report.drifted else 0)


def _print_drift(report: DriftReport) -> None:
    if not report.drifted:
        out.print(f"No drift: stack {report.stack} matches the live DIDWW account.")
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


@app.command()
def catalogue(
    stack: StackOpt = "local",
    project_dir: ProjectOpt = Path("."),
    country: Annotated[str | None, typer.Option(help="ISO code, e.g. US.")] = None,
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
