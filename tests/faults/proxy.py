"""A small TCP proxy that can pause or cut a service, for the fault suite.

``FaultProxy(target_port).start()`` listens on a free local port and forwards every
connection to the target. ``pause()`` stops moving bytes (connections stay open and hang,
as with a frozen server); ``cut()`` closes every connection and refuses new ones (a server
restarting); ``restore()`` lets traffic through again. Threads, no dependencies.
"""

from __future__ import annotations

import contextlib
import select
import socket
import threading


class FaultProxy:
    def __init__(self, target_port: int, target_host: str = "127.0.0.1") -> None:
        self.target = (target_host, target_port)
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port = self._listener.getsockname()[1]
        self._flowing = threading.Event()
        self._flowing.set()
        self._refusing = False
        self._pairs: set[tuple[socket.socket, socket.socket]] = set()
        self._lock = threading.Lock()
        self._stopped = False

    def url(self, scheme: str, path: str = "", user: str = "") -> str:
        who = f"{user}@" if user else ""
        return f"{scheme}://{who}127.0.0.1:{self.port}/{path}"

    def start(self) -> FaultProxy:
        threading.Thread(target=self._accept, daemon=True, name="fault-proxy").start()
        return self

    def pause(self) -> None:
        """Hold every byte: clients wait as on a hung server (until their own timeouts)."""
        self._flowing.clear()

    def cut(self) -> None:
        """Drop every connection and refuse new ones, as while the server restarts."""
        self._refusing = True
        with self._lock:
            pairs, self._pairs = self._pairs, set()
        for pair in pairs:
            for sock in pair:
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)
                sock.close()

    def restore(self) -> None:
        self._refusing = False
        self._flowing.set()

    def stop(self) -> None:
        self._stopped = True
        self.cut()
        self._listener.close()

    def _accept(self) -> None:
        while not self._stopped:
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            if self._refusing:
                client.close()
                continue
            try:
                upstream = socket.create_connection(self.target, timeout=5)
            except OSError:
                client.close()
                continue
            upstream.settimeout(None)
            pair = (client, upstream)
            with self._lock:
                self._pairs.add(pair)
            threading.Thread(target=self._pump, args=(pair,), daemon=True).start()

    def _pump(self, pair: tuple[socket.socket, socket.socket]) -> None:
        client, upstream = pair
        other = {client: upstream, upstream: client}
        try:
            while not self._stopped:
                if not self._flowing.wait(0.2):
                    continue  # paused: leave the bytes where they are
                readable, _, _ = select.select([client, upstream], [], [], 0.2)
                for sock in readable:
                    data = sock.recv(65536)
                    if not data:
                        return
                    other[sock].sendall(data)
        except (OSError, ValueError):
            return
        finally:
            with self._lock:
                self._pairs.discard(pair)
            for sock in pair:
                sock.close()
