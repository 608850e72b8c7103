"""A complete Janus configuration directory, written by the project (never /etc/janus).

Janus loads only what OpenIOP uses: the videoroom plugin, the HTTP transport (bound to one
address, no admin API) and the sample event handler, which posts session, handle, plugin and
WebRTC events to Django (`settings.JANUS_EVENTS_URL`, basic auth `janus` /
`settings.JANUS_EVENTS_SECRET`). Rooms are never configured statically: Django creates them
over the API with the videoroom `admin_key`.

Start Janus on it with ``janus -C <dir>/janus.jcfg -F <dir> -L <log> -N -o``
(`openiop.lib.serve` does this for `make run`; `openiop.telehealth.testing` for the tests).
"""

import json
from collections.abc import Sequence
from pathlib import Path

LIB_DIR = Path("/usr/lib/x86_64-linux-gnu/janus")
JANUS_BINARY = Path("/usr/bin/janus")
EVENTS_USER = "janus"

# Everything the Debian package ships that OpenIOP does not use (loading less is faster and
# exposes less). Unknown names in a `disable` list are harmless.
_UNUSED_PLUGINS = [
    "audiobridge",
    "duktape",
    "echotest",
    "lua",
    "nosip",
    "recordplay",
    "sip",
    "streaming",
    "textroom",
    "videocall",
    "voicemail",
]
_UNUSED_TRANSPORTS = ["mqtt", "nanomsg", "pfunix", "rabbitmq", "websockets"]
_UNUSED_EVENT_HANDLERS = ["gelfevh", "mqttevh", "nanomsgevh", "rabbitmqevh", "wsevh"]
_UNUSED_LOGGERS = ["jsonlog"]
# Event types the sample handler forwards: session create/destroy, handle attach/detach,
# plugin events (videoroom joined/leaving/unpublished…) and WebRTC state (ICE, hangup).
# Not "media" (per-second statistics) nor "jsep" (whole SDPs).
EVENT_TYPES = "sessions,handles,plugins,webrtc"


def _q(value: str) -> str:
    """A libconfig string literal (JSON's escaping is a subset libconfig accepts)."""
    return json.dumps(value)


def _libs(names: Sequence[str]) -> str:
    return ",".join(f"libjanus_{name}.so" for name in names)


def janus_jcfg(
    *,
    directory: Path,
    media_ip: str | None,
    ice_interface: str | None,
    rtp_ports: tuple[int, int],
    lib_dir: Path = LIB_DIR,
    debug_level: int = 4,
) -> str:
    media = [f"\trtp_port_range = {_q(f'{rtp_ports[0]}-{rtp_ports[1]}')}"]
    general = [
        f"\tconfigs_folder = {_q(str(directory))}",
        f"\tplugins_folder = {_q(str(lib_dir / 'plugins'))}",
        f"\ttransports_folder = {_q(str(lib_dir / 'transports'))}",
        f"\tevents_folder = {_q(str(lib_dir / 'events'))}",
        f"\tloggers_folder = {_q(str(lib_dir / 'loggers'))}",
        f"\tdebug_level = {int(debug_level)}",
        '\tserver_name = "OpenIOP"',
        "\thide_dependencies = true",
        "\tsession_timeout = 60",
    ]
    if media_ip:
        general.append(f"\tinterface = {_q(media_ip)}")
    if ice_interface:
        nat = [f"\tice_enforce_list = {_q(ice_interface)}"]
    else:
        nat = ['\tice_ignore_list = "vmnet"']
    return "\n".join(
        [
            "# Written by OpenIOP (openiop/telehealth/janus_config.py); regenerated, do not edit.",
            "general: {",
            *general,
            "}",
            "certificates: {",
            "}",
            "media: {",
            *media,
            "}",
            "nat: {",
            *nat,
            "}",
            "plugins: {",
            f"\tdisable = {_q(_libs(_UNUSED_PLUGINS))}",
            "}",
            "transports: {",
            f"\tdisable = {_q(_libs(_UNUSED_TRANSPORTS))}",
            "}",
            "loggers: {",
            f"\tdisable = {_q(_libs(_UNUSED_LOGGERS))}",
            "}",
            "events: {",
            "\tbroadcast = true",
            f"\tdisable = {_q(_libs(_UNUSED_EVENT_HANDLERS))}",
            "\tstats_period = 0",
            "}",
            "",
        ]
    )


def videoroom_jcfg(*, admin_key: str) -> str:
    return "\n".join(
        [
            "# Written by OpenIOP: no static rooms; Django creates each room with the admin key.",
            "general: {",
            f"\tadmin_key = {_q(admin_key)}",
            "\tlock_rtp_forward = true",
            "\tevents = true",
            "}",
            "",
        ]
    )


def http_jcfg(*, bind_ip: str, http_port: int, allow_origin: str | None = None) -> str:
    cors = [f"\tallow_origin = {_q(allow_origin)}"] if allow_origin else []
    return "\n".join(
        [
            "# Written by OpenIOP: the Janus API on one address; no admin API, no HTTPS here",
            "# (put a TLS proxy in front in production).",
            "general: {",
            '\tjson = "compact"',
            '\tbase_path = "/janus"',
            "\thttp = true",
            f"\tport = {int(http_port)}",
            f"\tip = {_q(bind_ip)}",
            "\thttps = false",
            "}",
            "admin: {",
            "\tadmin_http = false",
            "\tadmin_https = false",
            "}",
            "cors: {",
            *cors,
            "}",
            "",
        ]
    )


def sampleevh_jcfg(*, events_url: str, events_secret: str) -> str:
    return "\n".join(
        [
            "# Written by OpenIOP: Janus events to Django (see telehealth's events view).",
            "general: {",
            "\tenabled = true",
            f"\tevents = {_q(EVENT_TYPES)}",
            "\tgrouping = true",
            '\tjson = "compact"',
            f"\tbackend = {_q(events_url)}",
            f"\tbackend_user = {_q(EVENTS_USER)}",
            f"\tbackend_pwd = {_q(events_secret)}",
            "\tmax_retransmissions = 5",
            "\tretransmissions_backoff = 100",
            "}",
            "",
        ]
    )


def write_config(
    directory: Path | str,
    *,
    bind_ip: str,
    http_port: int = 8088,
    admin_key: str,
    events_url: str,
    events_secret: str,
    media_ip: str | None = None,
    ice_interface: str | None = None,
    rtp_ports: tuple[int, int] = (20000, 20100),
    allow_origin: str | None = None,
    debug_level: int = 4,
) -> Path:
    """Write janus.jcfg and the videoroom, HTTP and event-handler configs into `directory`
    (created if missing; old files overwritten) and return the path of janus.jcfg.

    `bind_ip`/`http_port`: where the HTTP API listens (`http://<bind_ip>:<port>/janus`).
    `media_ip`: Janus's `interface`, the address put in SDP (None: Janus picks).
    `ice_interface`: Janus's `ice_enforce_list`, e.g. a veth name (None: every interface).
    `rtp_ports`: the UDP range for media. `allow_origin`: CORS origin (None: any).
    """
    if not admin_key:
        raise ValueError("Janus needs a videoroom admin key.")
    if not events_secret:
        raise ValueError("Janus needs a secret for posting events.")
    low, high = rtp_ports
    if not (1024 <= low < high <= 65535):
        raise ValueError(f"RTP port range {low}-{high} is not valid.")
    folder = Path(directory).resolve()
    folder.mkdir(parents=True, exist_ok=True)
    files = {
        "janus.jcfg": janus_jcfg(
            directory=folder,
            media_ip=media_ip,
            ice_interface=ice_interface,
            rtp_ports=(low, high),
            debug_level=debug_level,
        ),
        "janus.plugin.videoroom.jcfg": videoroom_jcfg(admin_key=admin_key),
        "janus.transport.http.jcfg": http_jcfg(
            bind_ip=bind_ip, http_port=http_port, allow_origin=allow_origin
        ),
        "janus.eventhandler.sampleevh.jcfg": sampleevh_jcfg(
            events_url=events_url, events_secret=events_secret
        ),
    }
    for name, text in files.items():
        path = folder / name
        path.write_text(text)
        path.chmod(0o600)  # holds the admin key and the events password
    return folder / "janus.jcfg"


def janus_command(directory: Path | str, *, log_path: Path | str) -> list[str]:
    """The argv that starts Janus in the foreground on a directory `write_config` wrote."""
    folder = Path(directory).resolve()
    return [
        str(JANUS_BINARY),
        "-C",
        str(folder / "janus.jcfg"),
        "-F",
        str(folder),
        "-L",
        str(log_path),
        "-N",  # log to the file only, not stdout
        "-o",  # no colours in the log
    ]
