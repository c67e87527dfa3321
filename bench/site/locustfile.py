"""One kind of visitor for bench/site/run.py: an anonymous visitor asking for one page
(BENCH_PATH) again and again, without waiting between requests."""

from __future__ import annotations

import os

from locust import HttpUser, task

PATH = os.environ.get("BENCH_PATH", "/")


class Visitor(HttpUser):
    @task
    def page(self) -> None:
        with self.client.get(PATH, name=PATH, catch_response=True) as response:
            if response.status_code != 200:
                response.failure(f"{response.status_code}")
