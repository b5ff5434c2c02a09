"""Read-your-writes: wait until a projection's watermark reaches a consistency token."""

from query_api.consistency.listener import PROGRESS_CHANNEL, ProgressListener
from query_api.consistency.signal import ProgressSignal
from query_api.consistency.waiter import wait_for_watermark

__all__ = ["PROGRESS_CHANNEL", "ProgressListener", "ProgressSignal", "wait_for_watermark"]
