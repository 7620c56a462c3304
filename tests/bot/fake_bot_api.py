"""A small Bot API server on 127.0.0.1 for the test that runs the real `safepassage bot`
process: it answers getMe, hands out scripted updates one at a time (each only once the
bot has answered the one before, so the conversation goes in order), records sendMessage,
deleteMessage and answerCallbackQuery. Its first getUpdates connection drops, the second
gets a proxy's HTML error page, and the third goes round in redirects until aiohttp gives
up with an error that names the address, token and all."""

import asyncio
import json
import threading
import time
from typing import Any

from aiohttp import web

CHAT = {"id": 555000111, "type": "private"}
USER = {"id": 555000111, "is_bot": False, "first_name": "Ivan"}


class FakeBotAPI:
    def __init__(self, token: str) -> None:
        self.token = token
        self.script: list[dict[str, Any]] = []  # updates, without update_id
        self.released = 0
        self.sent: list[dict[str, Any]] = []
        self.deleted: set[int] = set()
        self.answered_queries = 0
        self.dropped = False
        self.answered_html = False
        self.redirects_left = 11  # one more than aiohttp follows: an error naming the address
        self._next_message_id = 1000
        self._loop = asyncio.new_event_loop()
        self._ready = threading.Event()
        self.port = 0

    # --- the script ---------------------------------------------------------------------

    def text(self, message_id: int, text: str) -> None:
        message = {"message_id": message_id, "date": int(time.time()), "chat": CHAT}
        self.script.append({"message": {**message, "from": USER, "text": text}})

    def press(self, data: str) -> None:
        shown = {"message_id": self._next_message_id - 1, "date": int(time.time()), "chat": CHAT}
        query = {"id": f"q{len(self.script)}", "from": USER, "chat_instance": "1", "data": data}
        self.script.append({"callback_query": {**query, "message": shown}})

    # --- the server ---------------------------------------------------------------------

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        token, method = request.match_info["token"], request.match_info["method"]
        if token != f"bot{self.token}":
            return web.json_response({"ok": False, "error_code": 401}, status=401)
        fields = {k: v for k, v in (await request.post()).items() if isinstance(v, str)}
        if method == "getMe":
            bot = {"id": 42, "is_bot": True, "first_name": "Safe Passage", "username": "sp_bot"}
            return web.json_response({"ok": True, "result": bot})
        if method == "getUpdates":
            return await self._updates(request)
        if method == "sendMessage":
            self._next_message_id += 1
            self.sent.append(fields)
            message = {
                "message_id": self._next_message_id,
                "date": int(time.time()),
                "chat": CHAT,
                "text": fields.get("text", ""),
            }
            return web.json_response({"ok": True, "result": message})
        if method == "deleteMessage":
            self.deleted.add(int(fields["message_id"]))
        if method == "answerCallbackQuery":
            self.answered_queries += 1
        return web.json_response({"ok": True, "result": True})

    async def _updates(self, request: web.Request) -> web.StreamResponse:
        if not self.dropped:  # the connection drops once, as a throttled network does
            self.dropped = True
            assert request.transport is not None
            request.transport.close()
            return web.Response()
        if not self.answered_html:  # and once a proxy in the way answers with its own page
            self.answered_html = True
            return web.Response(
                status=502, text="<html>Bad gateway</html>", content_type="text/html"
            )
        if self.redirects_left:  # and a misconfigured one sends it round in circles
            self.redirects_left -= 1
            raise web.HTTPTemporaryRedirect(location=str(request.url))
        deadline = time.monotonic() + 1
        while time.monotonic() < deadline:
            if self.released < len(self.script) and len(self.sent) >= self.released:
                update = {"update_id": self.released + 1, **self.script[self.released]}
                self.released += 1
                return web.json_response({"ok": True, "result": [update]})
            await asyncio.sleep(0.02)
        return web.json_response({"ok": True, "result": []})

    def start(self) -> None:
        threading.Thread(target=self._serve, daemon=True).start()
        assert self._ready.wait(10)

    def _serve(self) -> None:
        asyncio.set_event_loop(self._loop)
        app = web.Application()
        app.router.add_post("/{token}/{method}", self._handle)
        runner = web.AppRunner(app, handle_signals=False)
        self._loop.run_until_complete(runner.setup())
        site = web.TCPSite(runner, "127.0.0.1", 0)
        self._loop.run_until_complete(site.start())
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self._ready.set()
        self._loop.run_forever()

    def stop(self) -> None:
        self._loop.call_soon_threadsafe(self._loop.stop)

    def texts(self) -> str:
        return "\n".join(json.dumps(m, ensure_ascii=False) for m in self.sent)
