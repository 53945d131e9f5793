"""`reelflow capacity` changes the caps in the table: the next admission reads them, with no redeploy."""

from io import StringIO

from rich.console import Console

from functions.services.capacity import current_capacity, deployed_capacity
from reelflow.capacity_cli import run_capacity


def test_the_command_shows_and_changes_the_stored_caps(local_cloud, ctx):
    deployed = deployed_capacity(ctx.config)
    current_capacity(ctx)  # what the first admission does: seed the item from the deployment
    out = StringIO()
    console = Console(file=out, width=120)
    endpoint, table = local_cloud.endpoint, local_cloud.table_name

    assert run_capacity(console, endpoint, table, {"running_batches": 4321}) == 0

    assert current_capacity(ctx).running_batches == 4321  # the deployment's caps are unchanged...
    assert ctx.capacity.get().deployed == deployed  # ...so the operator's change stays in force
    assert "4321" in out.getvalue() and "Changed" in out.getvalue()
    run_capacity(console, endpoint, table, {"running_batches": deployed.running_batches})
    assert current_capacity(ctx) == deployed
