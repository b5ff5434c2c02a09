"""Projectors over test deployments, built by the production composition root."""

from collections.abc import Iterable

from projections.bootstrap import Projector, build_projector
from projections.runtime.projection import Deployment
from projections.settings import ProjectorSettings


def projector_of(
    deployments: Iterable[Deployment], database_url: str, bootstrap: str, max_records: int | None = None
) -> Projector:
    """``build_projector`` for ``deployments``; the settings' batch size unless ``max_records`` is given."""
    settings = ProjectorSettings(database_url=database_url, kafka_bootstrap_servers=bootstrap)
    if max_records is not None:
        settings = settings.model_copy(update={"projector_max_records": max_records})
    return build_projector(settings, deployments)
