"""The load `harness load` sends, read by locust in its own process (never imported by the
harness: locust patches the standard library with gevent on import).

Every simulated user sends GETs to the paths in HARNESS_LOAD_PATHS in turn, without pauses,
and stops after HARNESS_LOAD_MAX_REQUESTS of them; locust's --run-time bounds the whole run.
TLS is verified against the run's test CA only, and no environment proxy is used.
"""

import os
from itertools import cycle

from locust import HttpUser, constant, task
from locust.exception import StopUser

PATHS = tuple(os.environ["HARNESS_LOAD_PATHS"].split(","))
MAX_REQUESTS = int(os.environ["HARNESS_LOAD_MAX_REQUESTS"])
CA_BUNDLE = os.environ.get("HARNESS_LOAD_CA") or True


class StackVisitor(HttpUser):
    wait_time = constant(0)

    def on_start(self) -> None:
        self.client.trust_env = False
        self.client.verify = CA_BUNDLE
        self.paths = cycle(PATHS)
        self.sent = 0

    @task
    def visit(self) -> None:
        if self.sent >= MAX_REQUESTS:
            raise StopUser()
        self.sent += 1
        self.client.get(next(self.paths))
