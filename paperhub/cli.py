"""The `paperhub` command: Django's management commands under the project's settings."""

import os
import sys


def main() -> None:
    """Run a management command, e.g. `paperhub ingest snapshot FILE` or `paperhub serve`."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "paperhub.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["paperhub", *sys.argv[1:]])


if __name__ == "__main__":
    main()
