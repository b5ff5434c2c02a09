"""Comparing two versions of a projection view by view, at the same position."""

from typing import Any

from psycopg import AsyncConnection

from projections.runtime.projection import Deployment


async def differences(
    conn: AsyncConnection[Any], deployment: Deployment, old_schema: str, new_schema: str, limit: int = 5
) -> list[str]:
    """The first rows (up to ``limit`` per view and side) that one version has and the other lacks.

    Empty means equal. Run inside the swap transaction, with both versions at the
    same offsets, so that the comparison is of the same prefix of the log.
    """
    projection, found = deployment.projection, []
    old_views, new_views = projection.views(old_schema), projection.views(new_schema)
    for view, new_select in new_views.items():
        old_select = old_views[view]
        for label, a, b in (
            ("only in the new version", new_select, old_select),
            ("only in the serving version", old_select, new_select),
        ):
            async with conn.transaction():  # a savepoint: a shape mismatch must not end the swap
                try:
                    cur = await conn.execute(f"({a}) EXCEPT ALL ({b}) LIMIT {int(limit)}")
                    rows = await cur.fetchall()
                except Exception as exc:
                    found.append(f"{view}: cannot compare ({type(exc).__name__}: {exc})".strip())
                    break
            found.extend(f"{view} {label}: {row}" for row in rows)
    return found
