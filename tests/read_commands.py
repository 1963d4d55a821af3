"""Every CLI command, sorted into those that only read and those that write: each read
command with arguments that reach real data in the demo catalog (seed/demo.toml).

tests/test_reads_never_write.py checks that the sorting covers the whole command tree,
so a new command must be placed here, and that no read command writes a byte."""

from __future__ import annotations

import click

FINANCE_SUB = "d1bd77e0-eff4-41ef-a963-6abecd85dea2"
GALLERY = ["-g", "rg-finance-images", "-r", "sigFinance"]
DEFINITION = [*GALLERY, "-i", "myImage1"]
VERSION = [*DEFINITION, "-e", "1.1.0"]
GALLERY_ID = (
    f"/subscriptions/{FINANCE_SUB}/resourceGroups/rg-finance-images"
    "/providers/Microsoft.Compute/galleries/sigFinance"
)
VERSION_ID = f"{GALLERY_ID}/images/myImage1/versions/1.1.0"
READER = "alice.martin@contoso.com"

# each: the command's path, then its arguments (one or more runs of the command)
READS: dict[str, list[list[str]]] = {
    "db current": [[]],
    "account tenant list": [[]],
    "account list": [[], ["-o", "table"]],
    "account show": [["--subscription", "contoso-finance-prod"]],
    "account principal list": [[]],
    "group list": [["-o", "table"]],
    "group show": [["-n", "rg-finance-images", "--subscription", "contoso-finance-prod"]],
    "image list": [[]],
    "image show": [["-g", "rg-sandbox-images", "-n", "img-devbox-ubuntu2404-20241007"]],
    "snapshot list": [[]],
    "snapshot show": [["-g", "rg-finance-legacy", "-n", "snap-ledger01-data0-20240902"]],
    "sig list": [
        [],
        ["-o", "table"],
        ["--as", READER],
        ["-o", "tsv", "--query", "[?name != null]"],
    ],
    "sig show": [GALLERY, [*GALLERY, "-o", "yaml"]],
    "sig image-definition list": [GALLERY],
    "sig image-definition show": [DEFINITION],
    "sig image-version list": [DEFINITION, [*DEFINITION, "-o", "table"]],
    "sig image-version show": [VERSION, [*VERSION, "--expand", "ReplicationStatus"]],
    "role assignment list": [[]],
    "replication": [[], ["-o", "table"], ["--state", "replicating"]],
    "limits": [[], ["-o", "table"]],
    "cost": [[], ["--scope", GALLERY_ID, "-o", "table"]],
    "replicas advise": [
        ["--concurrent-vms", "500", "--version", VERSION_ID, "--region", "westeurope"]
    ],
    "export arm": [["--scope", GALLERY_ID]],
    "export az-script": [["--scope", GALLERY_ID]],
}

# commands that never open a catalog (`sigtui rules` prints the rule codes)
OFFLINE = {"rules"}

WRITES = {
    "db upgrade",
    "db downgrade",
    "seed",
    "account tenant create",
    "account create",
    "account principal create",
    "group create",
    "group delete",
    "image create",
    "image delete",
    "snapshot create",
    "snapshot delete",
    "sig create",
    "sig update",
    "sig delete",
    "sig image-definition create",
    "sig image-definition update",
    "sig image-definition delete",
    "sig image-version create",
    "sig image-version update",
    "sig image-version delete",
    "replication retry",
    "replication fail",
    "role assignment create",
    "role assignment delete",
    "import",
    "sync",
    "serve",  # the app in a browser writes what its users save, as the app does
}


def read_runs() -> list[list[str]]:
    """Every read command's runs, as argument lists."""
    return [[*path.split(), *args] for path, runs in READS.items() for args in runs]


def command_paths(command: click.Command, path: tuple[str, ...] = ()) -> list[str]:
    """The paths of every command that runs something (a group without a subcommand
    counts when it does something itself, as `replication` does)."""
    found = []
    if not isinstance(command, click.Group) or command.invoke_without_command:
        found.append(" ".join(path))
    if isinstance(command, click.Group):
        context = click.Context(command)
        for name in command.list_commands(context):
            sub = command.get_command(context, name)
            assert sub is not None, name
            found += command_paths(sub, (*path, name))
    return found
