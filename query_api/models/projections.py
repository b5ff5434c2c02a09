"""Projection status for operators."""

from datetime import datetime

from pydantic import BaseModel, Field


class ProjectionVersionPublic(BaseModel):
    version: int
    state: str
    schema_name: str
    consumer_group: str | None
    created_at: datetime | None
    activated_at: datetime | None


class ProjectionPublic(BaseModel):
    projection: str
    active_version: int | None
    state: str = Field(description="live, building, stalled or missing.")
    position: int | None = Field(description="Sum of the next offsets of the live version's checkpoints.")
    lag: int | None = Field(description="Events on the topic the live version has not applied yet.")
    last_checkpoint_at: datetime | None
    dlq_count: int | None
    versions: list[ProjectionVersionPublic]


class ProjectionsPublic(BaseModel):
    projections: list[ProjectionPublic]
