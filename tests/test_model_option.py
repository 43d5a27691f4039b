"""`--model` names a model the same way in every command (transformer | static); `dense`, `index embed`'s earlier
name for the transformer, is still accepted."""

import io

import pytest
from django.core.management import call_command, load_command_class

from paperhub import search
from paperhub.jobs.models import Activity
from paperhub.papers.services import upsert_papers
from tests.factories import record

COMMANDS = [("index", ["embed"]), ("vectors", ["export", "pack.zip"])]


def _model(command: str, args: list[str], *model: str) -> str:
    parser = load_command_class("paperhub", command).create_parser("paperhub", command)
    return parser.parse_args([*args, *model]).model


@pytest.mark.parametrize(("command", "args"), COMMANDS)
def test_every_command_names_the_models_alike(command, args, capsys):
    assert _model(command, args) == "transformer"
    assert [_model(command, args, "--model", name) for name in ("transformer", "static", "dense")] == [
        "transformer", "static", "transformer"]
    with pytest.raises(SystemExit):
        _model(command, args, "--model", "minilm")
    assert "invalid choice: 'minilm' (choose from 'transformer', 'static')" in capsys.readouterr().err


def test_index_embed_by_the_earlier_name_embeds_with_the_transformer(db, search_dir):
    upsert_papers([record(f"2501.{i:05d}", title=f"Paper {i} on graphs") for i in range(3)])
    out = io.StringIO()
    call_command("index", "embed", "--model", "dense", "--limit", "2", stdout=out)
    assert out.getvalue() == f"{search.transformer_name()}: 2 papers embedded\n"
    assert search.coverage().vectors[search.transformer_name()] == 2
    assert not Activity.objects.exists()  # it said it had ended (`index status`)
