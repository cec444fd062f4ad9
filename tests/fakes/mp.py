"""The Official Account webhook under test: the app with only its channel, and a sender that
posts to it as WeChat would, with the test settings' token, key and AppId."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from bot.context import Services
from tests.fakes import wxmsg
from tests.fakes.fixtures import NOW

TS = int(NOW.timestamp())


def mp_app(services: Services) -> web.Application:
    """The app with only the Official Account channel (other channels are not under test)."""
    import bot.channels.mp
    from bot.app import create_app

    app = create_app(services, channels=False)
    bot.channels.mp.setup(app, services)
    return app


def mp_sender(
    client: Any, services: Services, mode: str = "safe", **overrides: Any
) -> wxmsg.Sender:
    """A :class:`wxmsg.Sender` for ``/wechat/mp``; ``overrides`` (timestamp, app_id, token…)
    replace the settings' values, e.g. to sign for another account."""
    mp = services.settings.mp
    options: dict[str, Any] = {
        "token": mp.token,
        "timestamp": TS,
        "aes_key": mp.encoding_aes_key,
        "app_id": mp.app_id,
        "mode": mode,
    }
    options.update(overrides)
    return wxmsg.Sender(client, "/wechat/mp", **options)


def settings_in_mode(request: Any, db_path: Any):
    """Test settings with the account in the message mode the test posts in (its ``mode``
    parameter), else plain: a plain-mode account takes encrypted posts too, a safe-mode one
    refuses plaintext (403)."""
    from tests.conftest import make_settings

    callspec = getattr(request.node, "callspec", None)
    mode = callspec.params.get("mode") if callspec is not None else None
    return make_settings(db_path, mp={"message_mode": mode or "plain"})
