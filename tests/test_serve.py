"""`paperhub serve` beyond answering requests: its gunicorn settings and the helper processes it runs."""

from paperhub.management.commands.serve import Server

OPTIONS = {"bind": "127.0.0.1:0", "workers": 1, "threads": 1}


def test_gunicorn_has_no_control_socket_that_another_hub_on_the_machine_would_share():
    assert Server(OPTIONS).cfg.control_socket_disable
