"""``gezinsrooster keys`` and ``purge``: keys printed once, listed without secrets, revoked."""

from __future__ import annotations

from pathlib import Path

import pytest

from api.cli import main
from api.database import Database
from api.keys import find_principal


def test_keys_create_list_revoke(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A created key works until revoked; the list shows its role and scope, never the secret."""
    url = f"sqlite:///{tmp_path / 'keys.db'}"
    assert (
        main(
            [
                "keys",
                "create",
                "--role",
                "system",
                "--institution",
                "PI-VH",
                "--institution",
                "PI-LW",
                "--name",
                "booking",
                "--database-url",
                url,
            ]
        )
        == 0
    )
    printed = capsys.readouterr().out.strip()
    assert printed.startswith("key 1 (system, PI-LW, PI-VH): gzr_")
    secret = printed.rsplit(" ", 1)[1]
    database = Database(url)
    with database.read() as session:
        found = find_principal(session, secret)
        assert found is not None and found.institutions == frozenset({"PI-VH", "PI-LW"})
    assert main(["keys", "list", "--database-url", url]) == 0
    listing = capsys.readouterr().out
    assert "system" in listing and "active" in listing and secret not in listing
    assert main(["keys", "revoke", "1", "--database-url", url]) == 0
    assert main(["keys", "revoke", "9", "--database-url", url]) == 2
    assert "error: id: no key 9" in capsys.readouterr().err
    with database.read() as session:
        assert find_principal(session, secret) is None
    database.dispose()


def test_keys_create_refuses_an_unknown_role(tmp_path: Path) -> None:
    """An unknown role is a usage error (exit 2), nothing is created."""
    with pytest.raises(SystemExit) as stopped:
        main(
            [
                "keys",
                "create",
                "--role",
                "admin",
                "--institution",
                "PI-VH",
                "--database-url",
                f"sqlite:///{tmp_path / 'k.db'}",
            ]
        )
    assert stopped.value.code == 2


def test_purge_reports_what_it_deleted(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """``purge --older-than`` prints its counts; a negative period is refused with exit 2."""
    url = f"sqlite:///{tmp_path / 'purge.db'}"
    assert main(["purge", "--older-than", "365", "--database-url", url]) == 0
    assert capsys.readouterr().out.startswith("purged 0 weeks, 0 rosters")
    assert main(["purge", "--older-than", "-1", "--database-url", url]) == 2
