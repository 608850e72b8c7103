"""The generated Janus configuration: only what OpenIOP uses, and Janus really loads it."""

import subprocess
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from openiop.telehealth.janus_config import janus_command, write_config
from openiop.telehealth.testing import JanusNetns


def _write(tmp_path: Path, **overrides) -> Path:
    options: dict[str, Any] = {
        "bind_ip": "127.0.0.1",
        "http_port": 18088,
        "admin_key": "the-admin-key",
        "events_url": "http://127.0.0.1:8000/telehealth/janus-events/",
        "events_secret": 'pa"ss',
    } | overrides
    return write_config(tmp_path / "janus", **options)


def test_writes_only_what_is_used(tmp_path: Path) -> None:
    main = _write(tmp_path, media_ip="198.18.0.1", ice_interface="veth0", rtp_ports=(30000, 30010))
    folder = main.parent
    assert sorted(p.name for p in folder.iterdir()) == [
        "janus.eventhandler.sampleevh.jcfg",
        "janus.jcfg",
        "janus.plugin.videoroom.jcfg",
        "janus.transport.http.jcfg",
    ]
    assert all(p.stat().st_mode & 0o077 == 0 for p in folder.iterdir())  # secrets inside
    core = main.read_text()
    assert f'configs_folder = "{folder}"' in core
    assert 'interface = "198.18.0.1"' in core
    assert 'ice_enforce_list = "veth0"' in core
    assert 'rtp_port_range = "30000-30010"' in core
    assert "libjanus_echotest.so" in core and "libjanus_videoroom.so" not in core
    assert "libjanus_websockets.so" in core and "libjanus_http.so" not in core
    assert "broadcast = true" in core and "libjanus_sampleevh.so" not in core
    assert "admin_secret" not in core  # no admin API at all
    http = (folder / "janus.transport.http.jcfg").read_text()
    assert 'ip = "127.0.0.1"' in http and "port = 18088" in http
    assert "admin_http = false" in http and "https = false" in http
    room = (folder / "janus.plugin.videoroom.jcfg").read_text()
    assert 'admin_key = "the-admin-key"' in room
    assert "room-" not in room  # no static rooms
    events = (folder / "janus.eventhandler.sampleevh.jcfg").read_text()
    assert 'backend = "http://127.0.0.1:8000/telehealth/janus-events/"' in events
    assert 'backend_user = "janus"' in events
    assert 'backend_pwd = "pa\\"ss"' in events  # quoted safely
    assert 'events = "sessions,handles,plugins,webrtc"' in events


def test_defaults_let_janus_choose_interfaces(tmp_path: Path) -> None:
    core = _write(tmp_path).read_text()
    assert "ice_enforce_list" not in core and "\tinterface =" not in core
    assert 'rtp_port_range = "20000-20100"' in core


@pytest.mark.parametrize(
    "overrides",
    [
        {"admin_key": ""},
        {"events_secret": ""},
        {"rtp_ports": (20100, 20000)},
        {"rtp_ports": (0, 9)},
    ],
)
def test_refuses_bad_values(tmp_path: Path, overrides: dict) -> None:
    with pytest.raises(ValueError):
        _write(tmp_path, **overrides)
    assert not (tmp_path / "janus" / "janus.jcfg").exists()


def test_command_writes_from_settings(tmp_path: Path, settings, capsys) -> None:
    settings.JANUS_ADMIN_KEY = "from-settings"
    settings.JANUS_EVENTS_SECRET = "events-secret"
    settings.JANUS_EVENTS_URL = "http://10.0.0.5:8000/telehealth/janus-events/"
    call_command("janus_config", str(tmp_path / "conf"), "--rtp-ports", "40000-40100")
    assert "janus -C" in capsys.readouterr().out
    assert (
        'admin_key = "from-settings"' in (tmp_path / "conf/janus.plugin.videoroom.jcfg").read_text()
    )
    events = (tmp_path / "conf/janus.eventhandler.sampleevh.jcfg").read_text()
    assert "10.0.0.5:8000" in events and 'backend_pwd = "events-secret"' in events
    with pytest.raises(CommandError):
        call_command("janus_config", str(tmp_path / "bad"), "--rtp-ports", "lots")


def test_janus_loads_exactly_our_plugins(janus_netns: JanusNetns) -> None:
    from openiop.telehealth.janus import server_info

    info = server_info(janus_netns.server)
    assert set(info["plugins"]) == {"janus.plugin.videoroom"}
    assert set(info["transports"]) == {"janus.transport.http"}
    assert set(info["events"]) == {"janus.eventhandler.sampleevh"}
    assert info["event_handlers"] is True
    assert info["local-ip"] == janus_netns.inside_ip
    assert "dependencies" not in info  # hide_dependencies
    # The admin API is not served.
    done = subprocess.run(
        [
            "curl",
            "-s",
            "-o",
            "/dev/null",
            "-w",
            "%{http_code}",
            "-m",
            "2",
            f"http://{janus_netns.inside_ip}:7088/admin",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.stdout in {"000", ""}


def test_janus_command(tmp_path: Path) -> None:
    argv = janus_command(tmp_path, log_path=tmp_path / "j.log")
    assert argv[0] == "/usr/bin/janus"
    assert argv[argv.index("-C") + 1] == str(tmp_path.resolve() / "janus.jcfg")
    assert {"-N", "-o"} <= set(argv)
