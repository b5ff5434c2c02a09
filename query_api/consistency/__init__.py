"""Read-your-writes and freshness: projection versions in memory, fed by LISTEN/NOTIFY."""

from contracts.progress import PROGRESS_CHANNEL
from query_api.consistency.listener import ProgressListener
from query_api.consistency.signal import ProgressSignal
from query_api.consistency.tracker import VersionTracker
from query_api.consistency.waiter import wait_for_watermark

__all__ = ["PROGRESS_CHANNEL", "ProgressListener", "ProgressSignal", "VersionTracker", "wait_for_watermark"]
