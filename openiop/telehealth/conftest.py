"""Video test fixtures (a real Janus and Chromium in a network namespace): see testing.py."""

from openiop.telehealth.testing import (  # noqa: F401 (fixtures)
    _video_transactional_db,
    janus_events,
    janus_netns,
    janus_settings,
    video_browser,
    video_live_server,
    video_live_url,
    video_new_page,
)
