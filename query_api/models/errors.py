"""The error shape every non-2xx answer of the query API has (the one both APIs document)."""

from infra.http.error_models import ErrorDetail, ErrorPublic

__all__ = ["ErrorDetail", "ErrorPublic"]
