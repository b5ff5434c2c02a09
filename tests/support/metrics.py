"""Reading a Prometheus exposition in tests: every sample by name and labels."""

from collections.abc import Mapping

import httpx
from prometheus_client.parser import text_string_to_metric_families


class Samples:
    """One scrape: ``value(name, **labels)`` is the sample's value, 0 when the sample is absent."""

    def __init__(self, exposition: str) -> None:
        self.values: dict[tuple[str, frozenset[tuple[str, str]]], float] = {}
        self.names: set[str] = set()
        for family in text_string_to_metric_families(exposition):
            for sample in family.samples:
                self.values[(sample.name, frozenset(sample.labels.items()))] = sample.value
                self.names.add(sample.name)

    def value(self, name: str, **labels: str) -> float:
        return self.values.get((name, frozenset(labels.items())), 0.0)

    def total(self, name: str, **labels: str) -> float:
        """The sum over every sample of ``name`` whose labels include ``labels``."""
        wanted = set(labels.items())
        return sum(v for (n, ls), v in self.values.items() if n == name and wanted <= ls)

    def labelled(self, name: str) -> Mapping[frozenset[tuple[str, str]], float]:
        return {ls: v for (n, ls), v in self.values.items() if n == name}


def scrape(url: str) -> Samples:
    """GET ``url`` (a /metrics endpoint) and parse it."""
    response = httpx.get(url, timeout=10)
    response.raise_for_status()
    return Samples(response.text)
