"""uvicorn's websocket protocol, with one change: a client that stopped reading is cut off.

The live pages stop writing to a socket whose client has read nothing for
``SEND_TIMEOUT`` and close it (``conversations.live.consumers``). But a close frame
cannot reach a client that reads nothing: uvicorn's close, and its ping time-out
alike, wait for the send buffer to drain first, so the connection, with its socket
and buffered frames, would stay until the client itself went away. Here, when the
buffer is full, both abort the connection instead; the app then hears
``websocket.disconnect`` as for any client that left.

Every socket server runs it (``platform/Procfile``, ``compose.yaml``, ``make run``, the
test and bench servers): ``uvicorn --ws config.websocket_protocol:WebSocketProtocol``,
uvicorn's way of naming a protocol class. Everything else is uvicorn's own.
"""

import socket
import struct

from uvicorn.protocols.websockets.websockets_sansio_impl import (
    WebSocketsSansIOProtocol,
)

WS = "config.websocket_protocol:WebSocketProtocol"  # the --ws option's value
# uvicorn's options for a socket server beside its address, as platform/Procfile's
# `live` has them: for the servers tests and benchmarks start.
SERVER_OPTIONS = ("--no-access-log", "--ws-per-message-deflate", "false", "--ws", WS)


class WebSocketProtocol(WebSocketsSansIOProtocol):
    def _stalled(self) -> bool:
        """Open, and the client has stopped taking what it is sent."""
        return (
            self.handshake_complete
            and not self.close_sent
            and not self.writable.is_set()
            and not self.transport.is_closing()
        )

    def _cut(self) -> None:
        """Reset the connection. A plain close would leave the kernel holding the
        unsent frames (and the connection) for as long as the client reads nothing;
        a zero linger time makes it reset at once. ``connection_lost`` follows, and
        with it the app's disconnect."""
        sock = self.transport.get_extra_info("socket")
        if sock is not None:
            sock.setsockopt(
                socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0)
            )
        self.transport.abort()

    async def send(self, message) -> None:
        if message["type"] == "websocket.close" and self._stalled():
            self._cut()
            return
        await super().send(message)

    def keepalive_timeout(self) -> None:
        stalled = self._stalled()
        super().keepalive_timeout()
        if stalled:
            self._cut()
