"""The unit suite's guard: opening a socket fails."""

import socket

import pytest

from tests.unit.conftest import NetworkBlocked


def test_a_socket_cannot_be_opened():
    with pytest.raises(NetworkBlocked):
        socket.create_connection(("127.0.0.1", 80), timeout=0.1)
    with pytest.raises(NetworkBlocked):
        socket.socket(socket.AF_INET, socket.SOCK_STREAM)
