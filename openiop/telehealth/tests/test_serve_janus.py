"""`make run` (openiop.lib.serve) starts Janus when installed and says how to get it when not."""

from pathlib import Path

import pytest

from openiop.lib import serve


@pytest.fixture
def var(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("OPENIOP_VAR_DIR", str(tmp_path))
    for name in ("JANUS_URL", "JANUS_ADMIN_KEY", "JANUS_EVENTS_URL", "JANUS_EVENTS_SECRET"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(serve, "_port_busy", lambda port: False)
    return tmp_path


def test_not_installed_says_how_to_install(
    var: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(serve, "JANUS_BINARY", var / "no-janus-here")
    assert serve._janus(8000) is None
    out = capsys.readouterr().out
    assert "Video needs Janus: sudo apt-get install janus libjs-janus-gateway" in out
    assert "dial-in number" in out
    assert not (var / "janus").exists()


def test_installed_gets_a_loopback_config_under_var(
    var: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    binary = var / "janus-binary"
    binary.touch()
    monkeypatch.setattr(serve, "JANUS_BINARY", binary)
    (var / "janus").mkdir()
    (var / "janus" / "janus.log").write_text("old run")
    argv = serve._janus(8123)
    assert argv is not None
    assert argv[argv.index("-C") + 1] == str(var / "janus" / "janus.jcfg")
    assert argv[argv.index("-L") + 1] == str(var / "janus" / "janus.log")
    assert not (var / "janus" / "janus.log").exists()  # a fresh log per run
    http = (var / "janus" / "janus.transport.http.jcfg").read_text()
    assert 'ip = "127.0.0.1"' in http and "port = 8088" in http
    events = (var / "janus" / "janus.eventhandler.sampleevh.jcfg").read_text()
    assert "http://127.0.0.1:8123/telehealth/janus-events/" in events
    # The same dev secrets settings.py reads, generated once and kept.
    key = (var / "janus_admin_key").read_text()
    assert f'admin_key = "{key}"' in (var / "janus" / "janus.plugin.videoroom.jcfg").read_text()
    secret = (var / "janus_events_secret").read_text()
    assert f'backend_pwd = "{secret}"' in events
    serve._janus(8123)
    assert (var / "janus_admin_key").read_text() == key


def test_not_started_when_another_janus_is_configured_or_the_port_is_taken(
    var: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    binary = var / "janus-binary"
    binary.touch()
    monkeypatch.setattr(serve, "JANUS_BINARY", binary)
    monkeypatch.setenv("JANUS_URL", "http://10.0.0.5:8088/janus")
    assert serve._janus(8000) is None
    assert "JANUS_URL is set" in capsys.readouterr().out
    monkeypatch.delenv("JANUS_URL")
    monkeypatch.setattr(serve, "_port_busy", lambda port: True)
    assert serve._janus(8000) is None
    assert "8088 is in use" in capsys.readouterr().out
