"""A TCP proxy that delays every chunk by a fixed time each way: a kernel "far away".

``DelayProxy(listen_port, target_port, delay_ms)`` forwards 127.0.0.1:listen to
127.0.0.1:target on a background thread; each chunk read is written ``delay_ms`` later, in
order, so the browser sees about ``2 * delay_ms`` more round trip to the Jupyter server (like a
JupyterHub in another region). TCP acknowledgements stay local, so the delay is optimistic for
Nagle's algorithm on the server's socket.
"""

from __future__ import annotations

import asyncio
import socket
import threading


class DelayProxy:
    """Run the proxy on a daemon thread until `close`."""

    def __init__(self, listen_port: int, target_port: int, delay_ms: float) -> None:
        self.delay = delay_ms / 1000
        self.target_port = target_port
        self._loop = asyncio.new_event_loop()
        started = threading.Event()
        self._thread = threading.Thread(target=self._run, args=(listen_port, started), daemon=True)
        self._thread.start()
        if not started.wait(10):
            raise RuntimeError(f"delay proxy: could not listen on port {listen_port}")

    def _run(self, listen_port: int, started: threading.Event) -> None:
        asyncio.set_event_loop(self._loop)
        server = self._loop.run_until_complete(
            asyncio.start_server(self._handle, "127.0.0.1", listen_port)
        )
        started.set()
        try:
            self._loop.run_forever()
        finally:
            server.close()

    async def _handle(self, client_reader, client_writer) -> None:
        try:
            server_reader, server_writer = await asyncio.open_connection(
                "127.0.0.1", self.target_port
            )
        except OSError:
            client_writer.close()
            return
        for writer in (client_writer, server_writer):
            sock = writer.get_extra_info("socket")
            if sock is not None:
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        await asyncio.gather(
            self._pipe(client_reader, server_writer), self._pipe(server_reader, client_writer)
        )

    async def _pipe(self, reader, writer) -> None:
        loop = asyncio.get_running_loop()
        queue: asyncio.Queue = asyncio.Queue()

        async def pump() -> None:
            try:
                while True:
                    due, data = await queue.get()
                    if due > loop.time():
                        await asyncio.sleep(due - loop.time())
                    if not data:
                        break
                    writer.write(data)
                    await writer.drain()
            except OSError:
                pass
            finally:
                writer.close()  # also when cancelled: the loop is still running

        task = asyncio.create_task(pump())
        try:
            while data := await reader.read(1 << 16):
                queue.put_nowait((loop.time() + self.delay, data))
        except OSError:
            pass
        queue.put_nowait((loop.time() + self.delay, b""))
        await task

    def close(self) -> None:
        """Stop the proxy (open connections are dropped)."""

        async def stop() -> None:
            tasks = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            self._loop.stop()

        asyncio.run_coroutine_threadsafe(stop(), self._loop)
        self._thread.join(5)
